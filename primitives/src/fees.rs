//! Who pays for transactions: the roles that make MedChain's own calls
//! feeless, hospital invitations, and the account references a role holds.
//!
//! The runtime wraps `pallet-transaction-payment`'s extension in
//! `pallet-skip-feeless-payment`; each MedChain call says with
//! `#[pallet::feeless_if]` when it is free, asking [`Roles`]. What stops a
//! free caller flooding blocks is the rate limit of `pallet-feeless`.

use frame_support::traits::OriginTrait;

/// Why a hospital admin invited an account: what its free registration is.
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
pub enum InviteRole {
	/// Free `patients.register`.
	Patient,
	/// Free `doctors.apply` to the inviting hospital.
	Doctor,
}

/// Whether an account holds a MedChain role: an active patient, an active
/// doctor, a guardian of a patient, or an admin of an active hospital. Role
/// holders pay no fee for the MedChain pallets' calls.
///
/// Implemented by the runtime over the registries of the pallets.
pub trait Roles<AccountId> {
	/// Whether `who` holds any MedChain role now.
	fn has_role(who: &AccountId) -> bool;
}

/// No account has a role: every call pays. For unit tests that do not look
/// at fees.
impl<AccountId> Roles<AccountId> for () {
	fn has_role(_: &AccountId) -> bool {
		false
	}
}

/// Whether `origin` is signed by a holder of a role: the `feeless_if` test of
/// nearly every MedChain call.
pub fn signed_by_role_holder<O: OriginTrait, R: Roles<O::AccountId>>(origin: &O) -> bool {
	origin.as_signer().is_some_and(R::has_role)
}

/// Whether `origin` is signed by an account that `test` accepts: for calls
/// that are also free to someone without a role yet (an invited account
/// registering).
pub fn signed_by<O: OriginTrait>(origin: &O, test: impl FnOnce(&O::AccountId) -> bool) -> bool {
	origin.as_signer().is_some_and(test)
}

/// Note that `who` took up something that keeps its account alive (a role,
/// an invitation): a role holder with no tokens must still have an account,
/// or its nonce could not be kept and it could not sign at all.
pub fn hold_account<T: frame_system::Config>(who: &T::AccountId) {
	frame_system::Pallet::<T>::inc_providers(who);
}

/// Undo one [`hold_account`]. The account is removed when nothing else
/// keeps it (no balance, no other role). If something still depends on it
/// (a consumer reference), the reference is kept rather than failing the call.
pub fn release_account<T: frame_system::Config>(who: &T::AccountId) {
	// `dec_providers` only fails while consumers remain; then the account
	// must stay, and keeping this provider is exactly that.
	let _ = frame_system::Pallet::<T>::dec_providers(who);
}
