//! # MedChain primitives
//!
//! Types and traits shared by the MedChain pallets. Pallets never read each
//! other's storage: they talk through the traits defined here, bound as
//! `Config` associated types and wired together by the runtime. Unit tests of
//! each pallet replace these traits by small mocks.

#![cfg_attr(not(feature = "std"), no_std)]

/// Identifier of a hospital of the consortium, assigned in admission order.
pub type HospitalId = u32;

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
}

/// A registry with no hospitals, for pallets and tests that do not need one.
impl<AccountId> HospitalRegistry<AccountId> for () {
	fn is_active(_: HospitalId) -> bool {
		false
	}
	fn is_admin(_: HospitalId, _: &AccountId) -> bool {
		false
	}
}
