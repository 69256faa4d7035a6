//! The vocabulary of consent: what a grant covers, allows and is for.
//!
//! It lives here, not in `pallet-access`, because the audit trail records a
//! grant's terms ([`GrantTerms`] in [`crate::AuditAction`]): an auditor reads
//! who could read what, until when and why from the trail alone.

use crate::{Moment, RecordCategory, RecordId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub enum Permission {
	/// Open the records (with the wrapped keys the patient shares).
	Read,
	/// Open them, and create or update records in scope.
	ReadWrite,
}

impl Permission {
	/// Whether this permission is `other` or less.
	pub fn within(self, other: Permission) -> bool {
		self == other || self == Permission::Read
	}
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
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
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
///
/// With `std` it serializes as `{"kind": "all"}`,
/// `{"kind": "categories", "categories": [...]}` or
/// `{"kind": "records", "records": [...]}`.
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

/// How many categories a scope can list: each of [`RecordCategory`] once.
pub type MaxScopeCategories = ConstU32<10>;

/// A scope as stored: at most every category once, at most `MaxRecords` ids.
pub type BoundedScope<MaxRecords> =
	Scope<BoundedVec<RecordCategory, MaxScopeCategories>, BoundedVec<RecordId, MaxRecords>>;

/// The most record ids a scope can list and still be written, in full, to
/// the audit trail. The access pallet's `MaxScopeRecords` may not exceed it
/// (its `integrity_test` checks).
pub const MAX_AUDITED_SCOPE_RECORDS: u32 = 32;

/// A scope as the audit trail records it.
pub type AuditedScope = BoundedScope<ConstU32<MAX_AUDITED_SCOPE_RECORDS>>;

impl<C: AsRef<[RecordCategory]>, R: AsRef<[RecordId]>> Scope<C, R> {
	/// Whether the scope covers `record` of `category`.
	pub fn covers(&self, record: Option<RecordId>, category: RecordCategory) -> bool {
		match self {
			Scope::All => true,
			Scope::Categories(categories) => categories.as_ref().contains(&category),
			Scope::Records(records) => record.is_some_and(|r| records.as_ref().contains(&r)),
		}
	}

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

	/// The same scope as the audit trail records it; `None` if it lists more
	/// than [`MAX_AUDITED_SCOPE_RECORDS`] records.
	pub fn audited(&self) -> Option<AuditedScope> {
		Some(match self {
			Scope::All => Scope::All,
			Scope::Categories(c) => Scope::Categories(c.as_ref().to_vec().try_into().ok()?),
			Scope::Records(r) => Scope::Records(r.as_ref().to_vec().try_into().ok()?),
		})
	}
}

#[cfg(feature = "std")]
impl<C: AsRef<[RecordCategory]>, R: AsRef<[RecordId]>> serde::Serialize for Scope<C, R> {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		use serde::ser::SerializeStruct;
		let fields = if matches!(self, Scope::All) { 1 } else { 2 };
		let mut out = serializer.serialize_struct("Scope", fields)?;
		match self {
			Scope::All => out.serialize_field("kind", "all")?,
			Scope::Categories(c) => {
				out.serialize_field("kind", "categories")?;
				out.serialize_field("categories", c.as_ref())?;
			}
			Scope::Records(r) => {
				out.serialize_field("kind", "records")?;
				out.serialize_field("records", r.as_ref())?;
			}
		}
		out.end()
	}
}

/// The inverse of `Serialize`: a list longer than the scope's bound is an
/// error, not a shorter scope.
#[cfg(feature = "std")]
impl<'de, C, R> serde::Deserialize<'de> for Scope<C, R>
where
	C: TryFrom<Vec<RecordCategory>>,
	R: TryFrom<Vec<RecordId>>,
{
	fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		use serde::de::Error;
		#[derive(serde::Deserialize)]
		#[serde(tag = "kind", rename_all = "camelCase")]
		enum Wire {
			All,
			Categories { categories: Vec<RecordCategory> },
			Records { records: Vec<RecordId> },
		}
		Ok(match Wire::deserialize(deserializer)? {
			Wire::All => Scope::All,
			Wire::Categories { categories } => Scope::Categories(
				categories.try_into().map_err(|_| D::Error::custom("too many categories"))?,
			),
			Wire::Records { records } => Scope::Records(
				records.try_into().map_err(|_| D::Error::custom("too many record ids"))?,
			),
		})
	}
}

/// The terms of a grant, as the audit trail records them when a grant is
/// given, changed or made by approving a request.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
#[cfg_attr(
	feature = "std",
	derive(serde::Serialize, serde::Deserialize),
	serde(rename_all = "camelCase")
)]
pub struct GrantTerms {
	/// Which records.
	pub scope: AuditedScope,
	/// Read, or read and write.
	pub permission: Permission,
	/// Why.
	pub purpose: Purpose,
	/// Chain time (ms) at which the grant ends by itself; `None`: until revoked.
	pub expires_at: Option<Moment>,
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::RecordCategory::*;

	/// The JSON shape the RPC, the audit trail and the client share.
	#[test]
	fn a_scope_serializes_by_kind() {
		type S = BoundedScope<ConstU32<4>>;
		let json = |s: S| serde_json::to_value(&s).unwrap();
		assert_eq!(json(Scope::All), serde_json::json!({ "kind": "all" }));
		assert_eq!(
			json(Scope::Categories(vec![LabResult, Diagnosis].try_into().unwrap())),
			serde_json::json!({ "kind": "categories", "categories": ["LabResult", "Diagnosis"] })
		);
		assert_eq!(
			json(Scope::Records(vec![3, 1].try_into().unwrap())),
			serde_json::json!({ "kind": "records", "records": [3, 1] })
		);
	}

	#[test]
	fn a_scope_deserializes_back_within_its_bound() {
		type S = BoundedScope<ConstU32<2>>;
		let back = |v: serde_json::Value| serde_json::from_value::<S>(v);
		let records = S::Records(vec![3, 1].try_into().unwrap());
		assert_eq!(back(serde_json::to_value(&records).unwrap()).unwrap(), records);
		assert_eq!(back(serde_json::json!({ "kind": "all" })).unwrap(), S::All);
		let long = serde_json::json!({ "kind": "records", "records": [1, 2, 3] });
		assert!(back(long).unwrap_err().to_string().contains("too many record ids"));
		assert!(back(serde_json::json!({ "kind": "some" })).is_err());
	}
}
