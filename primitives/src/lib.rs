//! # MedChain primitives
//!
//! Types and traits shared by the MedChain pallets. Pallets never read each
//! other's storage: they talk through the traits defined here, bound as
//! `Config` associated types and wired together by the runtime. Unit tests of
//! each pallet replace these traits by the small mocks of [`testing`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;

pub mod access;
pub mod audit;
pub mod cid;
pub mod fees;
pub mod query;
#[cfg(feature = "std")]
pub mod testing;

pub use access::{
	AuditedScope, BoundedScope, GrantTerms, MaxScopeCategories, Permission, Purpose, Scope,
	MAX_AUDITED_SCOPE_RECORDS,
};
pub use audit::{AuditAction, AuditLog, AuditSeq, Entity};
pub use cid::{canonical_cid, file_key, Cid, CidError, FileKey, MAX_CID_LEN};
pub use fees::{
	hold_account, release_account, signed_by, signed_by_role_holder, InviteRole, Roles,
};
pub use query::{page_of, page_size, Page, MAX_PAGE_SIZE};

/// Identifier of a hospital of the consortium, assigned in admission order.
pub type HospitalId = u32;

/// Chain time in milliseconds since the Unix epoch (`pallet-timestamp`).
pub type Moment = u64;

/// An X25519 public key: what a patient or doctor registers so that file keys
/// can be wrapped (HPKE) to them. The private half never leaves the client.
pub type EncryptionKey = [u8; 32];

/// Whether `key` can be an X25519 public key to wrap file keys to. The
/// all-zero key is the identity point: anything "encrypted" to it is readable
/// by anyone, so it is refused.
pub fn is_valid_encryption_key(key: &EncryptionKey) -> bool {
	key.iter().any(|b| *b != 0)
}

/// Count one down in a counter kept with `mutate_exists`: a counter that
/// reaches zero is removed from storage.
pub fn count_down(counter: &mut Option<u32>) {
	*counter = counter.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
}

/// What other pallets may ask about the hospitals of the consortium.
///
/// Implemented by `pallet-consortium`.
pub trait HospitalRegistry<AccountId> {
	/// Whether `hospital` exists and is currently active (admitted and not
	/// suspended or removed).
	fn is_active(hospital: HospitalId) -> bool;

	/// Whether `who` is one of the admins of `hospital`, whatever its status.
	fn is_admin(hospital: HospitalId, who: &AccountId) -> bool;

	/// Whether `who` is an admin of `hospital` and that hospital is active:
	/// the check every hospital-admin action of the other pallets needs.
	fn is_active_admin(hospital: HospitalId, who: &AccountId) -> bool {
		Self::is_active(hospital) && Self::is_admin(hospital, who)
	}

	/// Whether `who` is an admin of at least one active hospital.
	fn is_admin_anywhere(who: &AccountId) -> bool;

	/// Whether `who` holds an unexpired invitation as `role` (to `hospital`,
	/// when given). Read-only: what a `feeless_if` test asks.
	fn is_invited(who: &AccountId, role: InviteRole, hospital: Option<HospitalId>) -> bool;

	/// Use up `who`'s unexpired invitation as `role` (to `hospital`, when
	/// given), if there is one: the registration it was for has happened.
	/// Writes the hospital's audit entry. Returns the inviting hospital.
	fn take_invitation(
		who: &AccountId,
		role: InviteRole,
		hospital: Option<HospitalId>,
	) -> Result<Option<HospitalId>, sp_runtime::DispatchError>;

	/// Make an active hospital with `admin` as its admin, for benchmarks of
	/// the pallets that need one.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(admin: AccountId) -> HospitalId;

	/// Invite `who` as `role` to a new hospital, for benchmarks of the
	/// registrations an invitation makes free. Returns the hospital.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_invite(who: &AccountId, role: InviteRole) -> HospitalId;

	/// Mark `hospital` suspended, for benchmarks of what follows a suspension.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_suspend(hospital: HospitalId);
}

/// The longest libp2p peer id, in bytes: an identity multihash of a key of
/// at most 42 bytes (ed25519 peer ids are 38 bytes), or a sha2-256 one (34).
pub const MAX_PEER_ID_LEN: u32 = 44;

/// Whether `peer` is a libp2p peer id in its binary form (a multihash: the
/// identity hash of a public key of at most 42 bytes, or its sha2-256 hash),
/// as `medchain-node key inspect-node-key` prints it in base58. Catches the
/// base58 text pasted where its bytes belong.
pub fn is_valid_peer_id(peer: &[u8]) -> bool {
	match peer {
		[0x00, len, key @ ..] => *len as usize == key.len() && key.len() <= 42 && !key.is_empty(),
		[0x12, 0x20, digest @ ..] => digest.len() == 32,
		_ => false,
	}
}

/// The well-known nodes of the permissioned network, as the consortium
/// manages them: each hospital's node is owned by its validator account.
///
/// Implemented by the runtime over `pallet-node-authorization`, whose
/// offchain worker lets only well-known nodes peer with each other.
pub trait HospitalNodes<AccountId> {
	/// Make `node` (a libp2p peer id, binary) a well-known node owned by `owner`.
	fn authorize(node: Vec<u8>, owner: &AccountId) -> sp_runtime::DispatchResult;

	/// Remove every well-known node `owner` owns: the network cuts them off.
	fn remove_all(owner: &AccountId);

	/// Hand every well-known node `old` owns to `new`.
	fn transfer_all(old: &AccountId, new: &AccountId);
}

/// What other pallets may ask about registered patients.
///
/// Implemented by `pallet-patients`.
pub trait PatientRegistry<AccountId> {
	/// Whether `who` is a registered patient.
	fn is_registered(who: &AccountId) -> bool;

	/// The patient's current X25519 public key, if registered.
	fn encryption_key(who: &AccountId) -> Option<EncryptionKey>;

	/// Whether `actor` may act for `patient`: the patient themself or one of
	/// their guardians. False when `patient` is not registered.
	fn may_act_for(actor: &AccountId, patient: &AccountId) -> bool;

	/// The account an approved key recovery of `patient` releases escrowed keys to.
	fn recovery_holder(patient: &AccountId) -> Option<AccountId>;

	/// [`Self::may_act_for`] as a check: `error` (the calling pallet's own) if not.
	fn ensure_may_act_for<E>(actor: &AccountId, patient: &AccountId, error: E) -> Result<(), E> {
		if Self::may_act_for(actor, patient) {
			Ok(())
		} else {
			Err(error)
		}
	}

	/// Whether `who` is a guardian of at least one patient.
	fn is_guardian(who: &AccountId) -> bool;

	/// Register `who` as a patient, for benchmarks of the pallets that need one.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_patient(who: &AccountId);
}

/// What other pallets may ask about doctors.
///
/// Implemented by `pallet-doctors`.
pub trait DoctorRegistry<AccountId> {
	/// Whether `who` is an active doctor of an active hospital. Pending and
	/// suspended doctors, and doctors of a suspended hospital, are not.
	fn is_active(who: &AccountId) -> bool;

	/// Whether `who` is a doctor who was suspended, or whose hospital is
	/// suspended or removed: their wrapped keys must go. (A doctor waiting for
	/// another hospital's approval is inactive but not suspended.)
	fn is_suspended(who: &AccountId) -> bool;

	/// Up to `limit` doctors of `hospital` (any status), in storage order,
	/// after `after` (from the first when `None`).
	fn doctors_of(
		hospital: HospitalId,
		after: Option<&AccountId>,
		limit: u32,
	) -> alloc::vec::Vec<AccountId>;

	/// The hospital `who` belongs to (or applied to), if a doctor.
	fn hospital_of(who: &AccountId) -> Option<HospitalId>;

	/// The doctor's current X25519 public key, if a doctor.
	fn encryption_key(who: &AccountId) -> Option<EncryptionKey>;

	/// Since when (chain time, ms) `who` has been active at their hospital: approved,
	/// registered or reinstated there. `None` if not a doctor.
	fn active_since(who: &AccountId) -> Option<Moment>;

	/// Make `who` an active doctor of a fresh active hospital whose admin is
	/// `admin`, for benchmarks of the pallets that need one.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_doctor(who: &AccountId, admin: &AccountId) -> HospitalId;

	/// Suspend the doctor `who`, for benchmarks of what a suspension allows.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_suspend(who: &AccountId);
}

/// Identifier of a medical record, from a global counter.
pub type RecordId = u64;

/// The kind of a medical record, aligned with FHIR resource types.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum RecordCategory {
	/// An encounter note (FHIR `Encounter`).
	Consultation,
	/// A diagnosis (FHIR `Condition`).
	Diagnosis,
	/// A prescription (FHIR `MedicationRequest`).
	Prescription,
	/// A laboratory result (FHIR `Observation`, `DiagnosticReport`).
	LabResult,
	/// Imaging (FHIR `ImagingStudy`).
	Imaging,
	/// An allergy or intolerance (FHIR `AllergyIntolerance`).
	Allergy,
	/// An immunization (FHIR `Immunization`).
	Immunization,
	/// A procedure (FHIR `Procedure`).
	Procedure,
	/// A discharge summary.
	Discharge,
	/// Anything else.
	Other,
}

/// What the records pallet asks the access pallet: may this account read or
/// write this patient's records? Decided by chain time; expired grants count
/// as absent.
///
/// Implemented by `pallet-access`.
pub trait AccessPolicy<AccountId> {
	/// Whether `reader` holds a grant of `patient` that covers `record` of
	/// `category`.
	fn can_read(
		reader: &AccountId,
		patient: &AccountId,
		record: RecordId,
		category: RecordCategory,
	) -> bool;

	/// Whether `writer` holds a read-write grant of `patient` that covers
	/// `category` (and `record`, when updating one).
	fn can_write(
		writer: &AccountId,
		patient: &AccountId,
		record: Option<RecordId>,
		category: RecordCategory,
	) -> bool;

	/// Whether `grantee` may hold wrapped keys on `patient`'s records: it
	/// holds a grant of the patient (even expired or out of scope), and is
	/// not a suspended doctor, unless the removal of its keys is under way
	/// (checked by the records pallet's invariants).
	fn may_hold_keys(grantee: &AccountId, patient: &AccountId) -> bool;

	/// Where `doctor`'s break-glass access to `patient` stands.
	fn emergency_status(doctor: &AccountId, patient: &AccountId) -> EmergencyStatus;

	/// Let `doctor` (an active doctor) break the glass for `patient`, for
	/// benchmarks of the key release.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_emergency(patient: &AccountId, doctor: &AccountId);

	/// Give `grantee` (an active doctor) a read-write grant on every record
	/// of `patient`, for benchmarks of the records pallet.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_grant(patient: &AccountId, grantee: &AccountId);
}

/// Where a doctor's break-glass access to a patient stands, as a key release
/// needs it: only a live emergency whose review is still open releases keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EmergencyStatus {
	/// The doctor holds no emergency grant of the patient (none, or another kind).
	None,
	/// The emergency grant has expired.
	Expired,
	/// A hospital admin has closed the review of the emergency access: the
	/// emergency is over, whatever the grant's expiry says.
	Reviewed,
	/// The emergency grant is live and under review.
	Live,
}

/// The hospitals as custodians of the emergency key shares: each active
/// hospital may register a key-release key (X25519) and the account of the
/// service that holds its private half.
///
/// Implemented by `pallet-consortium`.
pub trait KeyCustodians<AccountId> {
	/// The active hospital whose key-release service signs as `service`.
	fn custodian_of(service: &AccountId) -> Option<HospitalId>;

	/// The key-release key of `hospital`, if it is active and has one.
	fn release_key(hospital: HospitalId) -> Option<EncryptionKey>;

	/// Make an active hospital with a key-release key and service account, for
	/// benchmarks of the records pallet. `seed` tells them apart.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_custodian(seed: u32) -> (HospitalId, AccountId);
}

/// The shortest wrapped key accepted: an HPKE output is at least the
/// encapsulated X25519 key (32 bytes) and the AEAD tag (16 bytes).
pub const MIN_WRAPPED_KEY_LEN: u32 = 48;

/// The longest wrapped key accepted. HPKE base mode with X25519 and
/// ChaCha20-Poly1305 wrapping a 32-byte data key makes 80 bytes; 128 leaves
/// room for other suites.
pub const MAX_WRAPPED_KEY_LEN: u32 = 128;
const _: () = assert!(MAX_WRAPPED_KEY_LEN >= 80, "an X25519/ChaCha20-Poly1305 wrap is 80 bytes");

/// A record's data key wrapped (HPKE) to one reader's X25519 key.
pub type WrappedKey = sp_runtime::BoundedVec<u8, sp_runtime::traits::ConstU32<MAX_WRAPPED_KEY_LEN>>;

/// Who uses each encrypted file: a file named by a live record or profile
/// belongs to that record's or profile's patient for as long as something of
/// theirs names it, and no other patient's record or profile may name it. A
/// file is its CID's multihash ([`FileKey`]), as IPFS nodes pin it: another
/// version or base of the same CID is the same file.
/// The hospitals' pinning followers drop a file only when nothing names it,
/// so nobody can make them drop another patient's file by naming its CID and
/// then letting go of it.
///
/// Implemented by `pallet-records`, used by it and by `pallet-patients`.
pub trait FileClaims<AccountId> {
	/// Count one more use of `cid` by a record or the profile of `patient`.
	/// `Err(FileClaimed)` if another patient's record or profile uses it.
	fn claim(patient: &AccountId, cid: &Cid) -> Result<(), FileClaimed>;

	/// Count one use fewer of `cid` by `patient`; the last one ends the claim.
	/// Nothing happens if the claim is not `patient`'s.
	fn release(patient: &AccountId, cid: &Cid);

	/// The patient whose records or profile name `cid`, if any.
	fn claimant(cid: &Cid) -> Option<AccountId>;
}

/// The CID names a file of another patient's record or profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileClaimed;

/// Nobody's files are tracked: every claim succeeds.
impl<AccountId> FileClaims<AccountId> for () {
	fn claim(_: &AccountId, _: &Cid) -> Result<(), FileClaimed> {
		Ok(())
	}
	fn release(_: &AccountId, _: &Cid) {}
	fn claimant(_: &Cid) -> Option<AccountId> {
		None
	}
}

/// Told when doctors are suspended, so that the wrapped keys they hold on
/// patients' records go, as a revocation's would.
///
/// Implemented by `pallet-access`, which removes them in the background
/// (`on_idle`), a bounded amount per block.
pub trait OnDoctorsSuspended<AccountId> {
	/// `doctor` was suspended.
	fn doctor_suspended(doctor: &AccountId);

	/// `hospital` was suspended or removed: each of its doctors is suspended.
	fn hospital_suspended(hospital: HospitalId);
}

/// Nobody listens: suspensions remove no keys.
impl<AccountId> OnDoctorsSuspended<AccountId> for () {
	fn doctor_suspended(_: &AccountId) {}
	fn hospital_suspended(_: HospitalId) {}
}

/// What the access pallet asks the records pallet: remove a reader's keys
/// when a grant ends, store the keys a patient shares when approving a
/// request.
///
/// Implemented by `pallet-records`.
pub trait RecordKeys<AccountId> {
	/// Remove the wrapped keys `reader` holds on `patient`'s records, at most
	/// `limit` of them. Returns how many were removed.
	fn remove_reader_keys(patient: &AccountId, reader: &AccountId, limit: u32) -> u32;

	/// Remove the shares of escrowed keys released to `reader` on `patient`'s records (at
	/// most `limit` of the reader's keys and shares looked at), when the emergency they were
	/// released for ends; wrapped keys stay. Returns how many keys and shares it looked at.
	fn remove_released_shares(patient: &AccountId, reader: &AccountId, limit: u32) -> u32;

	/// Whether `record` exists and is `patient`'s: a grant's list of records
	/// names only those.
	fn is_record_of(patient: &AccountId, record: RecordId) -> bool;

	/// Store wrapped keys for `reader` on records of `patient`, as `actor`
	/// (the patient or a guardian) shares them. Each record must be the
	/// patient's and the reader must be allowed to read it now. Writes an
	/// audit entry per key.
	fn share_keys(
		actor: &AccountId,
		patient: &AccountId,
		reader: &AccountId,
		keys: alloc::vec::Vec<(RecordId, WrappedKey)>,
	) -> sp_runtime::DispatchResult;

	/// Make `n` new records of `patient`, each with a wrapped key for the
	/// patient and for `reader`, for benchmarks of revocation and sharing.
	/// Returns their ids.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_keys(patient: &AccountId, reader: &AccountId, n: u32)
		-> alloc::vec::Vec<RecordId>;
}

/// No records: nothing to remove, and no record to share a key of.
impl<AccountId> RecordKeys<AccountId> for () {
	fn remove_reader_keys(_: &AccountId, _: &AccountId, _: u32) -> u32 {
		0
	}

	fn remove_released_shares(_: &AccountId, _: &AccountId, _: u32) -> u32 {
		0
	}

	fn is_record_of(_: &AccountId, _: RecordId) -> bool {
		false
	}

	fn share_keys(
		_: &AccountId,
		_: &AccountId,
		_: &AccountId,
		keys: alloc::vec::Vec<(RecordId, WrappedKey)>,
	) -> sp_runtime::DispatchResult {
		if keys.is_empty() {
			Ok(())
		} else {
			Err(sp_runtime::DispatchError::Other("no records"))
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_keys(_: &AccountId, _: &AccountId, _: u32) -> alloc::vec::Vec<RecordId> {
		alloc::vec::Vec::new()
	}
}

/// Why a doctor breaks the glass: a code, never free text, so that no
/// personal data reaches the chain.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum EmergencyReason {
	/// The patient is unconscious or cannot consent.
	PatientUnconscious,
	/// A life-threatening condition needs the history now.
	LifeThreatening,
	/// The patient is a minor and no guardian can be reached.
	GuardianUnreachable,
	/// Another urgent reason, to be explained at review.
	Other,
}

#[cfg(test)]
mod peer_id_tests {
	use super::is_valid_peer_id;

	#[test]
	fn peer_ids_are_told_from_other_bytes() {
		// 12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp: node key 0x00…01.
		let mut ed25519 = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
		ed25519.extend_from_slice(&[0x4c; 32]);
		assert!(is_valid_peer_id(&ed25519));
		let mut sha256 = vec![0x12, 0x20];
		sha256.extend_from_slice(&[7; 32]);
		assert!(is_valid_peer_id(&sha256));

		assert!(!is_valid_peer_id(b"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"));
		assert!(!is_valid_peer_id(&[]));
		assert!(!is_valid_peer_id(&[0x00, 0x00]));
		assert!(!is_valid_peer_id(&ed25519[..37]));
		assert!(!is_valid_peer_id(&sha256[..33]));
		let mut too_long = vec![0x00, 43];
		too_long.extend_from_slice(&[1; 43]);
		assert!(!is_valid_peer_id(&too_long));
	}
}
