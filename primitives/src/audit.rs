//! The audit vocabulary: who acted, on whom, and what they did.
//!
//! `pallet-audit` stores entries; every other MedChain pallet writes one per
//! state change through [`AuditLog`], inside the same call, so that a call
//! that fails leaves no entry and a call that succeeds always leaves one.

use crate::{EmergencyReason, GrantTerms, HospitalId, InviteRole, Moment, RecordId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

/// Sequence number of an audit entry: global, gapless, from 0.
pub type AuditSeq = u64;

/// Someone or something an audit entry is about, or that acted.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Entity<AccountId> {
	/// A person's account: patient, guardian, doctor or hospital admin.
	Account(AccountId),
	/// A hospital of the consortium.
	Hospital(HospitalId),
	/// Written before the trail told the two apart: [`Self::Root`] or
	/// [`Self::Council`].
	RootOrCouncil,
	/// The chain's root authority: the chain spec at genesis, sudo on a
	/// development chain.
	Root,
	/// The hospital council, by a motion that reached its threshold.
	Council,
	/// The runtime itself, applying its rules in a block's spare time with
	/// nobody's transaction: the removal of a suspended doctor's keys. As a
	/// subject: the chain's runtime, whose upgrades the council authorizes.
	Runtime,
}

/// Every state change of every MedChain pallet, with the ids it concerns.
/// No personal data: accounts, ids and hashes only.
///
/// With `std`, it serializes to JSON (for the node's `medchain_*` RPC) as
/// `{"type": "<Variant>", <fields in camelCase>}`; accounts as their own
/// `Serialize` says (the node uses an account type that writes MedChain
/// SS58).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
#[cfg_attr(
	feature = "std",
	derive(serde::Serialize, serde::Deserialize),
	serde(tag = "type", rename_all_fields = "camelCase")
)]
pub enum AuditAction<AccountId> {
	// Consortium (subject: the hospital).
	/// The council admitted the hospital.
	HospitalAdmitted,
	/// The council suspended the hospital.
	HospitalSuspended,
	/// The council reinstated the hospital.
	HospitalReinstated,
	/// The council removed the hospital.
	HospitalRemoved,
	/// An admin added `admin` to the hospital.
	HospitalAdminAdded { admin: AccountId },
	/// An admin removed `admin` from the hospital.
	HospitalAdminRemoved { admin: AccountId },
	/// An admin moved the hospital's validator to `validator`.
	HospitalValidatorSet { validator: AccountId },

	// Patients (subject: the patient).
	/// The patient registered themself (`hospital: None`) or an admin of
	/// `hospital` registered them.
	PatientRegistered { hospital: Option<HospitalId> },
	/// The encrypted profile document changed (or was cleared).
	PatientProfileUpdated,
	/// The patient's encryption key was replaced.
	PatientKeyRotated,
	/// `guardian` may now act for the patient.
	GuardianAdded { guardian: AccountId },
	/// `guardian` may no longer act for the patient.
	GuardianRemoved { guardian: AccountId },

	// Doctors (subject: the doctor).
	/// The doctor applied to `hospital`.
	DoctorApplied { hospital: HospitalId },
	/// An admin of `hospital` approved the application.
	DoctorApproved { hospital: HospitalId },
	/// An admin of `hospital` rejected the application.
	DoctorRejected { hospital: HospitalId },
	/// An admin of `hospital` suspended the doctor.
	DoctorSuspended { hospital: HospitalId },
	/// An admin of `hospital` reinstated the doctor.
	DoctorReinstated { hospital: HospitalId },
	/// An admin of `hospital` registered the doctor directly, active.
	DoctorRegistered { hospital: HospitalId },
	/// The doctor changed their public name or specialty.
	DoctorProfileUpdated,
	/// The doctor's encryption key was replaced.
	DoctorKeyRotated,

	// Access (subject: the patient).
	/// Written before the trail recorded a grant's terms: now [`Self::AccessGranted`].
	AccessGrantedWithoutTerms { grantee: AccountId },
	/// Written before the trail recorded a grant's terms: now [`Self::AccessChanged`].
	AccessChangedWithoutTerms { grantee: AccountId },
	/// The grant of `grantee` was revoked; `keys_removed` wrapped keys went with it.
	AccessRevoked { grantee: AccountId, keys_removed: u32 },
	/// An expired grant of `grantee` was cleaned up.
	ExpiredGrantRemoved { grantee: AccountId, keys_removed: u32 },
	/// `doctor` asked the patient for access.
	AccessRequested { doctor: AccountId },
	/// Written before the trail recorded a grant's terms: now
	/// [`Self::AccessRequestApproved`].
	AccessRequestApprovedWithoutTerms { doctor: AccountId },
	/// The patient (or a guardian) denied the request of `doctor`.
	AccessRequestDenied { doctor: AccountId },
	/// `doctor` withdrew their request.
	AccessRequestWithdrawn { doctor: AccountId },
	/// An expired request of `doctor` was cleaned up.
	ExpiredRequestRemoved { doctor: AccountId },
	/// Written before the trail recorded when emergency access ends: now
	/// [`Self::EmergencyAccessOpened`].
	EmergencyAccessOpenedWithoutExpiry { hospital: HospitalId, reason: EmergencyReason },
	/// An admin closed the review of the emergency access logged at `entry`.
	EmergencyReviewClosed { entry: AuditSeq, justified: bool },

	// Records (subject: the patient).
	/// The actor created `record`.
	RecordCreated { record: RecordId },
	/// The actor stored `version` of `record`.
	RecordUpdated { record: RecordId, version: u32 },
	/// The actor shared the key of `record` with `reader`.
	RecordKeyShared { record: RecordId, reader: AccountId },
	/// The actor re-encrypted `record` under key epoch `epoch`; older keys are gone.
	RecordKeyRotated { record: RecordId, epoch: u32 },
	/// The actor erased `record`: every CID and wrapped key is gone.
	RecordErased { record: RecordId },
	/// The actor opened `record` (read receipt).
	RecordOpened { record: RecordId },

	// Invitations (subject: the hospital; last, so older actions keep their codec index).
	/// An admin invited `account` to register as `role` without paying a fee.
	AccountInvited { account: AccountId, role: InviteRole },
	/// The invitation of `account` was withdrawn by an admin, or cleared once expired.
	InvitationRemoved { account: AccountId },

	// Patients' capacity (subject: the patient; last, for the same reason).
	/// An admin of `hospital` recorded that the patient cannot act for themself.
	PatientRepresented { hospital: HospitalId },
	/// An admin of `hospital` recorded that the patient acts for themself again.
	PatientRepresentationEnded { hospital: HospitalId },

	// Access (subject: the patient; last, for the same reason).
	/// The grantee (the actor) declined the patient's grant; `keys_removed`
	/// wrapped keys went with it.
	GrantDeclined { keys_removed: u32 },

	// Doctors (subject: the doctor; last, for the same reason).
	/// An admin of `hospital` released the suspended doctor's licence hash, so
	/// that the licence's true holder can be approved.
	LicenceReleased { hospital: HospitalId },

	// Access (subject: the patient; last, for the same reason).
	/// The wrapped keys `grantee` held on the patient's records were removed
	/// because `grantee` is no longer an active doctor (suspended, or their
	/// hospital is); the grant stays, without keys.
	InactiveGranteeKeysRemoved { grantee: AccountId, keys_removed: u32 },

	// Invitations (subject: the hospital; last, for the same reason).
	/// `account` (the actor) used its invitation to register as `role`.
	InvitationUsed { account: AccountId, role: InviteRole },

	// Access with its terms (subject: the patient; last, for the same reason).
	/// The patient (or a guardian) granted `grantee` access on `terms`.
	AccessGranted { grantee: AccountId, terms: GrantTerms },
	/// The patient (or a guardian) changed the grant of `grantee` to `terms`;
	/// the grantee's wrapped keys were removed (the patient shares them anew).
	AccessChanged { grantee: AccountId, terms: GrantTerms },
	/// The patient (or a guardian) approved the request of `doctor`, which
	/// became a grant on `terms` (the request's, or narrower).
	AccessRequestApproved { doctor: AccountId, terms: GrantTerms },
	/// Break-glass: the actor, a doctor of `hospital`, can read every record
	/// of the patient until `expires_at` (chain time, ms), and create or
	/// change none. Flagged for review by an admin of `hospital`.
	EmergencyAccessOpened { hospital: HospitalId, reason: EmergencyReason, expires_at: Moment },

	// Threshold key release (last, for the same reason).
	/// An admin set the hospital's (the subject's) key-release key; `service`
	/// signs its releases.
	ReleaseKeySet { service: AccountId },
	/// The patient (or a guardian) made `record` available in an emergency:
	/// its data key split among `custodians` hospitals, `threshold` of whom
	/// release it (subject: the patient).
	EmergencyKeyEscrowed { record: RecordId, custodians: u32, threshold: u32 },
	/// The patient (or a guardian) withdrew `record` from emergency
	/// availability (subject: the patient).
	EmergencyKeyWithdrawn { record: RecordId },
	/// The key-release service of `hospital` (the actor) released its share of
	/// `record`'s key to `reader`: a doctor who broke the glass, or the holder
	/// of an approved key recovery (subject: the patient).
	EmergencyShareReleased { record: RecordId, hospital: HospitalId, reader: AccountId },
	/// The key-release service of `hospital` (the actor) released to the
	/// subject (a doctor who broke the glass, or a recovery holder) its share
	/// of `record` of `patient`.
	EmergencyShareReceived { record: RecordId, hospital: HospitalId, patient: AccountId },
	/// Another hospital, or the council or root (the actor), approved the
	/// recovery of the patient's (the subject's) keys to `holder`, a guardian
	/// who is the person's new account; it takes effect after the recovery
	/// delay. (Entries written before the trust review may name a guardian as
	/// the actor: then a guardian alone approved it, at once.)
	KeyRecoveryApproved { holder: AccountId },
	/// The actor cancelled the recovery of the patient's (the subject's) keys
	/// to `holder`; shares already released to `holder` were removed.
	KeyRecoveryCancelled { holder: AccountId },
	/// The council or root (the actor) authorized a runtime upgrade to the
	/// code whose BLAKE2b-256 hash is `code_hash` (subject: the runtime,
	/// [`Entity::Runtime`]).
	RuntimeUpgradeAuthorized { code_hash: [u8; 32] },
}

/// Where pallets write their audit entries. Implemented by `pallet-audit`;
/// there is no call that writes one.
pub trait AuditLog<AccountId> {
	/// Append an entry: `actor` did `action` concerning `subject`. Returns its
	/// sequence number. Fails only if the log cannot grow (sequence overflow);
	/// the caller then fails too, so no state change goes unlogged.
	fn log(
		actor: Entity<AccountId>,
		subject: Entity<AccountId>,
		action: AuditAction<AccountId>,
	) -> Result<AuditSeq, DispatchError>;

	/// Append an entry about one account's action concerning another (or the
	/// same) account: the shape of every patient, doctor and access entry.
	fn log_accounts(
		actor: &AccountId,
		subject: &AccountId,
		action: AuditAction<AccountId>,
	) -> Result<(), DispatchError>
	where
		AccountId: Clone,
	{
		Self::log(Entity::Account(actor.clone()), Entity::Account(subject.clone()), action)?;
		Ok(())
	}
}

/// A log that keeps nothing, for tests of pallets that do not look at it.
impl<AccountId> AuditLog<AccountId> for () {
	fn log(
		_: Entity<AccountId>,
		_: Entity<AccountId>,
		_: AuditAction<AccountId>,
	) -> Result<AuditSeq, DispatchError> {
		Ok(0)
	}
}
