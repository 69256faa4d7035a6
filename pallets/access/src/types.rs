//! Types of the access pallet: grants, requests and break-glass reviews.
//! What a grant covers and allows ([`Scope`], [`Permission`], [`Purpose`]) is
//! defined in `medchain-primitives`, because the audit trail records it too.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
pub use medchain_primitives::{BoundedScope, Permission, Purpose, Scope};
use medchain_primitives::{Cid, EmergencyReason, GrantTerms, Moment, RecordCategory, RecordId};
use scale_info::TypeInfo;

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

impl<C: AsRef<[RecordCategory]>, R: AsRef<[RecordId]>> Grant<Scope<C, R>> {
	/// The grant's terms as the audit trail records them; `None` if its scope
	/// lists more records than the trail holds (the pallet's `integrity_test`
	/// rules that out).
	pub fn terms(&self) -> Option<GrantTerms> {
		Some(GrantTerms {
			scope: self.scope.audited()?,
			permission: self.permission,
			purpose: self.purpose,
			expires_at: self.expires_at,
		})
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

/// Where a background removal of suspended doctors' keys stands: the last
/// patient (of a doctor) or doctor (of a hospital) done; `None` before the first.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct SweepCursor<AccountId> {
	/// The last account done.
	pub after: Option<AccountId>,
}

impl<AccountId> SweepCursor<AccountId> {
	/// Before the first account.
	pub fn start() -> Self {
		SweepCursor { after: None }
	}
}
