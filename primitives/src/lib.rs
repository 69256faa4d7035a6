//! # MedChain primitives
//!
//! Types and traits shared by the MedChain pallets. Pallets never read each
//! other's storage: they talk through the traits defined here, bound as
//! `Config` associated types and wired together by the runtime. Unit tests of
//! each pallet replace these traits by the small mocks of [`testing`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod audit;
pub mod cid;
#[cfg(feature = "std")]
pub mod testing;

pub use audit::{AuditAction, AuditLog, AuditSeq, Entity};
pub use cid::{canonical_cid, Cid, CidError, MAX_CID_LEN};

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

	/// Make an active hospital with `admin` as its admin, for benchmarks of
	/// the pallets that need one.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(admin: AccountId) -> HospitalId;
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
}

/// What other pallets may ask about doctors.
///
/// Implemented by `pallet-doctors`.
pub trait DoctorRegistry<AccountId> {
	/// Whether `who` is an active doctor of an active hospital. Pending and
	/// suspended doctors, and doctors of a suspended hospital, are not.
	fn is_active(who: &AccountId) -> bool;

	/// The hospital `who` belongs to (or applied to), if a doctor.
	fn hospital_of(who: &AccountId) -> Option<HospitalId>;

	/// The doctor's current X25519 public key, if a doctor.
	fn encryption_key(who: &AccountId) -> Option<EncryptionKey>;
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
}

/// What the access pallet asks the records pallet when a grant ends.
///
/// Implemented by `pallet-records`.
pub trait RecordKeys<AccountId> {
	/// Remove the wrapped keys `reader` holds on `patient`'s records, at most
	/// `limit` of them. Returns how many were removed.
	fn remove_reader_keys(patient: &AccountId, reader: &AccountId, limit: u32) -> u32;
}

/// No records: nothing to remove.
impl<AccountId> RecordKeys<AccountId> for () {
	fn remove_reader_keys(_: &AccountId, _: &AccountId, _: u32) -> u32 {
		0
	}
}
