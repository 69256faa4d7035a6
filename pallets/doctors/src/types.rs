//! Types stored by the doctors pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use medchain_primitives::{EncryptionKey, HospitalId, Moment};
use scale_info::TypeInfo;

/// A 256-bit hash of a licence number, computed by the client. The number
/// itself never reaches the chain.
pub type LicenceHash = [u8; 32];

/// Where a doctor stands with their hospital.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum DoctorStatus {
	/// Applied; waits for an admin of the hospital. Not active anywhere.
	Pending,
	/// Verified by an admin of the hospital; may request access and write records.
	Active,
	/// Suspended by an admin of the hospital. Not active anywhere.
	Suspended,
}

/// A doctor's public professional entry.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxName, MaxSpecialty))]
pub struct Doctor<MaxName: Get<u32>, MaxSpecialty: Get<u32>> {
	/// The hospital the doctor works for (or applied to).
	pub hospital: HospitalId,
	/// Public professional name, UTF-8.
	pub name: BoundedVec<u8, MaxName>,
	/// Specialty, UTF-8 (e.g. "Cardiology").
	pub specialty: BoundedVec<u8, MaxSpecialty>,
	/// Hash of the licence number; unique among doctors.
	pub licence_hash: LicenceHash,
	/// X25519 public key that file keys are wrapped to for this doctor.
	pub encryption_key: EncryptionKey,
	/// Pending, active or suspended.
	pub status: DoctorStatus,
	/// Chain time of the application or direct registration, ms since the Unix epoch.
	pub since: Moment,
}
