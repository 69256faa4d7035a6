//! Types stored by the patients pallet.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use medchain_primitives::{Cid, EncryptionKey, Entity, HospitalId, Moment};
use scale_info::TypeInfo;

/// A registered patient. No personal data: the profile (name, birth date,
/// sex, blood group, allergies, contact) is a document encrypted on the
/// client and stored in IPFS; the chain keeps only its CID.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxGuardians))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct Patient<AccountId, MaxGuardians: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// X25519 public key that file keys are wrapped to for this patient.
	pub encryption_key: EncryptionKey,
	/// CID of the encrypted profile document, if the patient has one.
	pub profile: Option<Cid>,
	/// Who registered the patient: the patient themself (a hospital admin, on
	/// chains from before `register_patient` was removed).
	pub registered_by: AccountId,
	/// The hospital whose invitation the patient registered with (or whose admin
	/// registered them, on older chains), if any.
	pub hospital: Option<HospitalId>,
	/// Chain time of registration, ms since the Unix epoch.
	pub registered_at: Moment,
	/// Accounts that may act for the patient in every patient action (of a
	/// minor, an incapacitated adult).
	pub guardians: BoundedVec<AccountId, MaxGuardians>,
}

/// A hospital's record that a patient cannot act for themself (a minor, an
/// incapacitated adult). While it stands, an admin of that hospital manages
/// the patient's guardians (the patient's own account still may).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Representation {
	/// The hospital whose admin recorded it.
	pub hospital: HospitalId,
	/// Chain time it was recorded, ms since the Unix epoch.
	pub since: Moment,
}

/// A key recovery of a patient's escrowed record keys to `holder`, approved by someone
/// outside the patient's hospital. It takes effect at `effective_at`; until then the patient,
/// a guardian the patient named, or the hospitals involved can cancel it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Recovery<AccountId> {
	/// The person's new account, a guardian of the patient: it receives the shares.
	pub holder: AccountId,
	/// Who approved it: an admin of another hospital (`Hospital`), the council or root.
	pub approved_by: Entity<AccountId>,
	/// When it was approved (chain time, ms).
	pub approved_at: Moment,
	/// From when the hospitals' release services release to `holder` (chain time, ms).
	pub effective_at: Moment,
}

impl<AccountId> Recovery<AccountId> {
	/// Whether the delay has passed at `now`.
	pub fn is_effective(&self, now: Moment) -> bool {
		now >= self.effective_at
	}
}
