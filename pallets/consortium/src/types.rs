//! Types stored by the consortium pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// Where a hospital stands in the consortium.
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
pub enum HospitalStatus {
	/// Admitted: its admins act for it, its validator is in the validator set
	/// and it holds a council seat.
	Active,
	/// Temporarily out: no validator slot, no council seat, its admins cannot
	/// act for it in the other pallets. The council may reinstate it.
	Suspended,
	/// Permanently out. Kept so that what was recorded under its id still
	/// resolves; its name stays reserved, its validator account is released.
	Removed,
}

/// A hospital of the consortium. No personal data: the name is the public
/// name of an institution, the accounts are public keys.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxName, MaxAdmins))]
#[codec(mel_bound(AccountId: MaxEncodedLen, BlockNumber: MaxEncodedLen))]
pub struct Hospital<AccountId, BlockNumber, MaxName: Get<u32>, MaxAdmins: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Public name of the hospital, UTF-8, unique in the consortium.
	pub name: BoundedVec<u8, MaxName>,
	/// Accounts that manage the hospital: its admin list, its validator
	/// account, and (in later pallets) its doctors and patients.
	pub admins: BoundedVec<AccountId, MaxAdmins>,
	/// The account that owns the hospital's validator node: it sets the node's
	/// session keys and holds the hospital's council seat.
	pub validator: AccountId,
	/// Active, suspended or removed.
	pub status: HospitalStatus,
	/// Block at which the council admitted the hospital.
	pub admitted_at: BlockNumber,
}

/// An invitation from a hospital admin: until `expires`, `role`'s
/// registration by the invited account is free of fees.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Invitation<AccountId, BlockNumber> {
	/// The inviting hospital.
	pub hospital: medchain_primitives::HospitalId,
	/// What the invited account may register as.
	pub role: medchain_primitives::InviteRole,
	/// The admin who invited.
	pub by: AccountId,
	/// The first block at which the invitation no longer counts.
	pub expires: BlockNumber,
}
