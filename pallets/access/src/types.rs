//! Types of the access pallet: what a grant covers and allows.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
use medchain_primitives::{Cid, EmergencyReason, Moment, RecordCategory, RecordId};
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

impl<C: AsRef<[RecordCategory]>, R: AsRef<[RecordId]>> Scope<C, R> {
	/// Whether this scope is `other` or narrower: `All` holds every scope;
	/// a list holds a list of the same kind whose items it all contains.
	pub fn within(&self, other: &Self) -> bool {
		match (self, other) {
			(_, Scope::All) => true,
			(Scope::Categories(mine), Scope::Categories(theirs)) => {
				mine.as_ref().iter().all(|c| theirs.as_ref().contains(c))
			}
			(Scope::Records(mine), Scope::Records(theirs)) => {
				mine.as_ref().iter().all(|r| theirs.as_ref().contains(r))
			}
			_ => false,
		}
	}
}

impl Permission {
	/// Whether this permission is `other` or less.
	pub fn within(self, other: Permission) -> bool {
		self == other || self == Permission::Read
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

/// A doctor's request for access, waiting for the patient's answer.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Request<S> {
	/// Which records the doctor asks for.
	pub scope: S,
	/// Read, or read and write.
	pub permission: Permission,
	/// Why (the reason code).
	pub purpose: Purpose,
	/// CID of a note encrypted to the patient, if the doctor explains more.
	pub note: Option<Cid>,
	/// Chain time (ms) of the request.
	pub requested_at: Moment,
	/// Chain time (ms) from which the request counts as absent.
	pub expires_at: Moment,
}

/// A break-glass access waiting for its hospital's review.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Review<AccountId> {
	/// Whose records were opened.
	pub patient: AccountId,
	/// Who broke the glass.
	pub doctor: AccountId,
	/// The reason code given.
	pub reason: EmergencyReason,
	/// Chain time (ms) the access opened.
	pub opened_at: Moment,
}
