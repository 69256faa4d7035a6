//! The MedChain runtime API: typed, paginated queries for RPC clients
//! (hospital systems, auditors, the `medchain` client, Polkadot.js Apps'
//! runtime calls), so that none of them decodes raw storage.
//!
//! Every list is a [`Page`] of at most `MAX_PAGE_SIZE` (100) items; a larger
//! `limit` gets that many, never an error, and no call reads more than one
//! page (plus one item to know whether more follow).
//!
//! The queries themselves are each pallet's view functions (also callable
//! through `RuntimeViewFunction`); this API keeps the names and encodings
//! that RPC clients already use, and `apis.rs` only forwards to them.

use crate::{AccountId, Runtime};
use medchain_primitives::{AuditSeq, Entity, HospitalId, Page, RecordId};

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
pub type RecordView = pallet_records::RecordViewOf<Runtime>;
/// A page of an audit trail, with its length and stored head.
pub type TrailPage = pallet_audit::TrailPageOf<Runtime>;

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
