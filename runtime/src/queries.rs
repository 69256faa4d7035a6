//! The MedChain runtime API: typed, paginated queries for RPC clients
//! (hospital systems, auditors, the `medchain` client, Polkadot.js Apps'
//! runtime calls), so that none of them decodes raw storage.
//!
//! Every list is a [`Page`] of at most `MAX_PAGE_SIZE` (100) items; a larger
//! `limit` gets that many, never an error, and no call reads more than one
//! page (plus one item to know whether more follow).

use crate::{AccountId, Runtime};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use medchain_primitives::{page_of, AuditSeq, Entity, HospitalId, Page, RecordId};
use scale_info::TypeInfo;

/// A patient as stored.
pub type PatientView = pallet_patients::PatientInfo<Runtime>;
/// A doctor as stored.
pub type DoctorView = pallet_doctors::DoctorInfo<Runtime>;
/// A hospital as stored.
pub type HospitalView = pallet_consortium::HospitalInfo<Runtime>;
/// A grant as stored.
pub type GrantView = pallet_access::GrantInfo<Runtime>;
/// A pending request as stored.
pub type RequestView = pallet_access::RequestInfo<Runtime>;
/// An audit entry as stored.
pub type AuditEntryView = pallet_audit::AuditEntryOf<Runtime>;

/// A record with every version it kept.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RecordView {
	/// The record's id.
	pub id: RecordId,
	/// The record as stored.
	pub record: pallet_records::RecordOf<Runtime>,
	/// Its versions, oldest first (at most `MaxVersions`).
	pub versions: Vec<pallet_records::VersionOf<Runtime>>,
}

/// A page of an audit trail, with what a client needs to check its hash
/// chain: the trail's length and stored head.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct TrailPage {
	/// How many entries the trail has in all.
	pub len: u64,
	/// BLAKE2b-256 of the trail's last entry (zeros for an empty trail).
	pub head: [u8; 32],
	/// The entries at positions `from..from + items.len()`, oldest first.
	/// (Named like [`Page`]'s, and not `entries`, which JavaScript codecs
	/// already use for a method.)
	pub items: Vec<AuditEntryView>,
	/// The position of the next page, if any.
	pub next: Option<u64>,
}

sp_api::decl_runtime_apis! {
	/// Queries over MedChain's patients, doctors, hospitals, records, consent
	/// and audit trails. Lists are paginated by cursor: pass the page's
	/// `next` to get the following page; at most `MAX_PAGE_SIZE` (100)
	/// items per page.
	pub trait MedchainApi {
		/// A registered patient.
		fn patient(who: AccountId) -> Option<PatientView>;
		/// A doctor (any status).
		fn doctor(who: AccountId) -> Option<DoctorView>;
		/// A hospital of the consortium.
		fn hospital(id: HospitalId) -> Option<HospitalView>;
		/// A record with its versions.
		fn record(id: RecordId) -> Option<RecordView>;
		/// The wrapped data key `reader` holds for `record`.
		fn wrapped_key(record: RecordId, reader: AccountId) -> Option<pallet_records::KeyInfo>;
		/// The records of `patient`, after record `after`, in storage order.
		fn records_of(patient: AccountId, after: Option<RecordId>, limit: u32) -> Page<RecordView, RecordId>;
		/// The readers holding a key to `record`, after reader `after`.
		fn readers_of(record: RecordId, after: Option<AccountId>, limit: u32) -> Page<AccountId, AccountId>;
		/// The grants `patient` gave, by grantee, after grantee `after`.
		fn grants_of(patient: AccountId, after: Option<AccountId>, limit: u32) -> Page<(AccountId, GrantView), AccountId>;
		/// The patients who granted `grantee` access, after patient `after`: a doctor's patient list.
		fn patients_of(grantee: AccountId, after: Option<AccountId>, limit: u32) -> Page<AccountId, AccountId>;
		/// The pending requests to `patient`, by doctor, after doctor `after`.
		fn requests_of(patient: AccountId, after: Option<AccountId>, limit: u32) -> Page<(AccountId, RequestView), AccountId>;
		/// The audit entries concerning `subject`, from position `from`.
		fn audit_trail(subject: Entity<AccountId>, from: u64, limit: u32) -> TrailPage;
		/// The audit entries written by `actor`, from position `from`.
		fn audit_by_actor(actor: Entity<AccountId>, from: u64, limit: u32) -> Page<AuditEntryView, u64>;
		/// One audit entry by its sequence number.
		fn audit_entry(seq: AuditSeq) -> Option<AuditEntryView>;
	}
}

/// The implementations behind [`MedchainApi`], callable from tests.
pub mod imp {
	use super::*;
	use medchain_primitives::page_size;

	fn map_page<A, B, C>(page: Page<A, C>, f: impl FnMut(A) -> B) -> Page<B, C> {
		Page { items: page.items.into_iter().map(f).collect(), next: page.next }
	}

	pub fn record(id: RecordId) -> Option<RecordView> {
		let record = pallet_records::RecordById::<Runtime>::get(id)?;
		let versions = (1..=record.version)
			.filter_map(|v| pallet_records::Versions::<Runtime>::get(id, v))
			.collect();
		Some(RecordView { id, record, versions })
	}

	pub fn records_of(
		patient: AccountId,
		after: Option<RecordId>,
		limit: u32,
	) -> Page<RecordView, RecordId> {
		let page =
			page_of::<pallet_records::RecordsOf<Runtime>, _, _, _>(&patient, after.as_ref(), limit);
		Page {
			items: page.items.into_iter().filter_map(|(id, ())| record(id)).collect(),
			next: page.next,
		}
	}

	pub fn readers_of(
		record: RecordId,
		after: Option<AccountId>,
		limit: u32,
	) -> Page<AccountId, AccountId> {
		let page =
			page_of::<pallet_records::Keys<Runtime>, _, _, _>(&record, after.as_ref(), limit);
		map_page(page, |(reader, _)| reader)
	}

	pub fn grants_of(
		patient: AccountId,
		after: Option<AccountId>,
		limit: u32,
	) -> Page<(AccountId, GrantView), AccountId> {
		page_of::<pallet_access::GrantOf<Runtime>, _, _, _>(&patient, after.as_ref(), limit)
	}

	pub fn patients_of(
		grantee: AccountId,
		after: Option<AccountId>,
		limit: u32,
	) -> Page<AccountId, AccountId> {
		let page =
			page_of::<pallet_access::PatientsOf<Runtime>, _, _, _>(&grantee, after.as_ref(), limit);
		map_page(page, |(patient, ())| patient)
	}

	pub fn requests_of(
		patient: AccountId,
		after: Option<AccountId>,
		limit: u32,
	) -> Page<(AccountId, RequestView), AccountId> {
		page_of::<pallet_access::RequestOf<Runtime>, _, _, _>(&patient, after.as_ref(), limit)
	}

	/// The next position after a page of `count` entries from `from` in a list of `len`.
	fn next_position(from: u64, count: usize, len: u64) -> Option<u64> {
		let end = from.saturating_add(count as u64);
		(count > 0 && end < len).then_some(end)
	}

	pub fn audit_trail(subject: Entity<AccountId>, from: u64, limit: u32) -> TrailPage {
		let trail = pallet_audit::SubjectTrail::<Runtime>::get(&subject);
		let items = pallet_audit::Pallet::<Runtime>::subject_entries(
			&subject,
			from,
			page_size(limit) as u32,
		);
		let next = next_position(from, items.len(), trail.len);
		TrailPage { len: trail.len, head: trail.head, items, next }
	}

	pub fn audit_by_actor(
		actor: Entity<AccountId>,
		from: u64,
		limit: u32,
	) -> Page<AuditEntryView, u64> {
		let len = pallet_audit::ActorEntryCount::<Runtime>::get(&actor);
		let items =
			pallet_audit::Pallet::<Runtime>::actor_entries(&actor, from, page_size(limit) as u32);
		let next = next_position(from, items.len(), len);
		Page { items, next }
	}
}
