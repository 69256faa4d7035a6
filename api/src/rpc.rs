//! The `medchain_*` JSON-RPC methods, as a trait the node implements: plain
//! JSON queries over patients, doctors, hospitals, records, consent and
//! audit trails, at the best block or at `at`. docs/rpc.md lists every
//! method with real output.

use crate::{views::*, Address};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use medchain_primitives::{HospitalId, RecordId};
use sp_core::H256;

#[rpc(server)]
pub trait MedchainRpc {
	/// A registered patient.
	#[method(name = "medchain_patient")]
	fn patient(&self, account: String, at: Option<H256>) -> RpcResult<Patient>;

	/// A doctor (any status).
	#[method(name = "medchain_doctor")]
	fn doctor(&self, account: String, at: Option<H256>) -> RpcResult<Doctor>;

	/// A hospital of the consortium.
	#[method(name = "medchain_hospital")]
	fn hospital(&self, id: HospitalId, at: Option<H256>) -> RpcResult<Hospital>;

	/// A record with every version it kept.
	#[method(name = "medchain_record")]
	fn record(&self, id: RecordId, at: Option<H256>) -> RpcResult<Record>;

	/// The wrapped data key `reader` holds for `record`.
	#[method(name = "medchain_wrappedKey")]
	fn wrapped_key(
		&self,
		record: RecordId,
		reader: String,
		at: Option<H256>,
	) -> RpcResult<WrappedKey>;

	/// A patient's records, after record `after`.
	#[method(name = "medchain_records")]
	fn records(
		&self,
		patient: String,
		after: Option<RecordId>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Record, RecordId>>;

	/// The readers holding a key to a record, after reader `after`.
	#[method(name = "medchain_readers")]
	fn readers(
		&self,
		record: RecordId,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Address, Address>>;

	/// The grants a patient gave, after grantee `after`.
	#[method(name = "medchain_grants")]
	fn grants(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Grant, Address>>;

	/// The patients who granted a doctor access, after patient `after`.
	#[method(name = "medchain_patientsOf")]
	fn patients_of(
		&self,
		grantee: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Address, Address>>;

	/// The pending requests to a patient, after doctor `after`.
	#[method(name = "medchain_requests")]
	fn requests(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Request, Address>>;

	/// The audit trail of an entity as subject, from position `from`; with
	/// `verify`, every entry's SCALE encoding and the page's hash-chain check.
	#[method(name = "medchain_auditTrail")]
	fn audit_trail(
		&self,
		entity: String,
		from: Option<u64>,
		limit: Option<u32>,
		verify: Option<bool>,
		at: Option<H256>,
	) -> RpcResult<Trail>;

	/// The audit entries an entity wrote as actor, from position `from`.
	#[method(name = "medchain_auditByActor")]
	fn audit_by_actor(
		&self,
		entity: String,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<AuditEntry, u64>>;

	/// One audit entry by its sequence number.
	#[method(name = "medchain_auditEntry")]
	fn audit_entry(&self, entry: u64, at: Option<H256>) -> RpcResult<AuditEntry>;
}
