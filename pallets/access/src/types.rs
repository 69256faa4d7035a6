//! Types of the access pallet: what a grant covers and allows.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
use medchain_primitives::{Moment, RecordCategory, RecordId};
use scale_info::TypeInfo;

/// What a grantee may do with the records in scope.
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
pub enum Permission {
	/// Open the records (with the wrapped keys the patient shares).
	Read,
	/// Open them, and create or update records in scope.
	ReadWrite,
}

/// Why the patient grants access (shown to the patient, kept in the audit).
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
pub enum Purpose {
	/// The grantee treats the patient.
	Treatment,
	/// The grantee gives a second opinion.
	SecondOpinion,
	/// Research the patient consented to.
	Research,
	/// Emergency care.
	Emergency,
	/// Anything else.
	Other,
}

/// Which of the patient's records a grant covers.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum Scope<Categories, Records> {
	/// Every record of the patient, present and future.
	All,
	/// Every record in these categories.
	Categories(Categories),
	/// These records only.
	Records(Records),
}

/// A scope as a call takes it: plain lists, checked into a [`BoundedScope`].
pub type ScopeInput = Scope<Vec<RecordCategory>, Vec<RecordId>>;

/// A scope as stored: at most every category once, at most `MaxRecords` ids.
pub type BoundedScope<MaxRecords> =
	Scope<BoundedVec<RecordCategory, ConstU32<10>>, BoundedVec<RecordId, MaxRecords>>;

impl<C: AsRef<[RecordCategory]>, R: AsRef<[RecordId]>> Scope<C, R> {
	/// Whether the scope covers `record` of `category`.
	pub fn covers(&self, record: Option<RecordId>, category: RecordCategory) -> bool {
		match self {
			Scope::All => true,
			Scope::Categories(categories) => categories.as_ref().contains(&category),
			Scope::Records(records) => record.is_some_and(|r| records.as_ref().contains(&r)),
		}
	}
}

/// A patient's consent to one grantee.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Grant<S> {
	/// Which records.
	pub scope: S,
	/// Read, or read and write.
	pub permission: Permission,
	/// Why.
	pub purpose: Purpose,
	/// Chain time (ms) after which the grant counts as absent; `None`: until revoked.
	pub expires_at: Option<Moment>,
	/// Chain time (ms) of the grant or its last change.
	pub granted_at: Moment,
}

impl<S> Grant<S> {
	/// Whether the grant has expired at chain time `now`.
	pub fn is_expired(&self, now: Moment) -> bool {
		self.expires_at.is_some_and(|at| now >= at)
	}
}
