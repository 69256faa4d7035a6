//! `medchain_*`: plain-JSON queries over patients, doctors, hospitals,
//! records, consent and audit trails, answered from the `MedchainApi`
//! runtime API at the best block (or at `at`). For curl and any language:
//! no SCALE, no metadata. docs/rpc.md lists every method with real output.

use super::json::*;
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorCode, ErrorObjectOwned},
};
use medchain_primitives::{Entity, HospitalId, Page, RecordId, MAX_PAGE_SIZE};
use medchain_runtime::{
	opaque::Block,
	queries::{AuditEntryView, MedchainApi},
	AccountId,
};
use sp_api::{ApiError, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::Ss58Codec, H256};
use std::sync::Arc;

/// JSON-RPC error code: no such patient, doctor, hospital, record, key,
/// audit entry or block.
pub const NOT_FOUND: i32 = 4004;
/// JSON-RPC error code: the runtime could not answer (e.g. the state of a
/// block older than the node keeps).
pub const RUNTIME_ERROR: i32 = 5000;

#[rpc(server)]
pub trait MedchainRpc {
	/// A registered patient.
	#[method(name = "medchain_patient")]
	fn patient(&self, account: String, at: Option<H256>) -> RpcResult<PatientJson>;

	/// A doctor (any status).
	#[method(name = "medchain_doctor")]
	fn doctor(&self, account: String, at: Option<H256>) -> RpcResult<DoctorJson>;

	/// A hospital of the consortium.
	#[method(name = "medchain_hospital")]
	fn hospital(&self, id: HospitalId, at: Option<H256>) -> RpcResult<HospitalJson>;

	/// A record with every version it kept.
	#[method(name = "medchain_record")]
	fn record(&self, id: RecordId, at: Option<H256>) -> RpcResult<RecordJson>;

	/// The wrapped data key `reader` holds for `record`.
	#[method(name = "medchain_wrappedKey")]
	fn wrapped_key(
		&self,
		record: RecordId,
		reader: String,
		at: Option<H256>,
	) -> RpcResult<WrappedKeyJson>;

	/// A patient's records, after record `after`.
	#[method(name = "medchain_records")]
	fn records(
		&self,
		patient: String,
		after: Option<RecordId>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<RecordJson, RecordId>>;

	/// The readers holding a key to a record, after reader `after`.
	#[method(name = "medchain_readers")]
	fn readers(
		&self,
		record: RecordId,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<String, String>>;

	/// The grants a patient gave, after grantee `after`.
	#[method(name = "medchain_grants")]
	fn grants(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<GrantJson, String>>;

	/// The patients who granted a doctor access, after patient `after`.
	#[method(name = "medchain_patientsOf")]
	fn patients_of(
		&self,
		grantee: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<String, String>>;

	/// The pending requests to a patient, after doctor `after`.
	#[method(name = "medchain_requests")]
	fn requests(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<RequestJson, String>>;

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
	) -> RpcResult<TrailJson>;

	/// The audit entries an entity wrote as actor, from position `from`.
	#[method(name = "medchain_auditByActor")]
	fn audit_by_actor(
		&self,
		entity: String,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<AuditEntryJson, u64>>;

	/// One audit entry by its sequence number.
	#[method(name = "medchain_auditEntry")]
	fn audit_entry(&self, entry: u64, at: Option<H256>) -> RpcResult<AuditEntryJson>;
}

/// The `medchain_*` methods over a client whose runtime has `MedchainApi`.
pub struct Medchain<C> {
	client: Arc<C>,
}

impl<C> Medchain<C> {
	pub fn new(client: Arc<C>) -> Self {
		Medchain { client }
	}
}

fn invalid(message: String) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(ErrorCode::InvalidParams.code(), message, None::<()>)
}

fn not_found(message: String) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(NOT_FOUND, message, None::<()>)
}

fn runtime_error(error: ApiError) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(
		RUNTIME_ERROR,
		"the runtime could not answer this query",
		Some(error.to_string()),
	)
}

/// An account parameter: SS58 of any prefix (MedChain's 2403, the generic
/// 42 of `5…` addresses, ...), or 32 bytes of `0x` hex.
pub fn parse_account(param: &str, text: &str) -> RpcResult<AccountId> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes = sp_core::bytes::from_hex(hex).ok().filter(|b| b.len() == 32);
		if let Some(bytes) = bytes {
			let raw: [u8; 32] = bytes.try_into().expect("length checked");
			return Ok(raw.into());
		}
	} else if let Ok((account, _prefix)) = AccountId::from_ss58check_with_version(text) {
		// Any prefix names the same key; answers use MedChain's.
		return Ok(account);
	}
	Err(invalid(format!(
		"`{param}`: {text:?} is not an account: give an SS58 address (MedChain's prefix {} or a \
		 generic Substrate one such as 5GrwvaEF…) or 32 bytes of 0x hex",
		medchain_runtime::SS58_PREFIX
	)))
}

/// An entity parameter: an account, `hospital:<id>`, `root`, `council`,
/// `runtime`, or `rootOrCouncil` (entries written before the trail told root
/// and the council apart).
pub fn parse_entity(param: &str, text: &str) -> RpcResult<Entity<AccountId>> {
	match text {
		"root" => return Ok(Entity::Root),
		"council" => return Ok(Entity::Council),
		"rootOrCouncil" => return Ok(Entity::RootOrCouncil),
		"runtime" => return Ok(Entity::Runtime),
		_ => {}
	}
	if let Some(id) = text.strip_prefix("hospital:") {
		return id.parse().map(Entity::Hospital).map_err(|_| {
			invalid(format!("`{param}`: {text:?} is not a hospital: write hospital:<number>"))
		});
	}
	parse_account(param, text).map(Entity::Account).map_err(|_| {
		invalid(format!(
			"`{param}`: {text:?} is not an entity: give an SS58 account, hospital:<id>, root, \
			 council, runtime or rootOrCouncil"
		))
	})
}

/// A page size: 1 to `MAX_PAGE_SIZE`, that maximum when absent.
pub fn parse_limit(limit: Option<u32>) -> RpcResult<u32> {
	match limit.unwrap_or(MAX_PAGE_SIZE) {
		0 => Err(invalid("`limit` must be at least 1".into())),
		n if n > MAX_PAGE_SIZE => Err(invalid(format!(
			"`limit` {n} is over the maximum page size {MAX_PAGE_SIZE}: ask for at most \
			 {MAX_PAGE_SIZE} and follow `next`"
		))),
		n => Ok(n),
	}
}

fn parse_cursor(param: &str, after: Option<String>) -> RpcResult<Option<AccountId>> {
	after.map(|text| parse_account(param, &text)).transpose()
}

fn account_page<T>(
	page: Page<T, AccountId>,
	item: impl FnMut(T) -> String,
) -> PageJson<String, String> {
	PageJson {
		items: page.items.into_iter().map(item).collect(),
		next: page.next.as_ref().map(ss58),
	}
}

impl<C> Medchain<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MedchainApi<Block>,
{
	/// The block to answer at: `at` if the node knows it, else the best block.
	fn block(&self, at: Option<H256>) -> RpcResult<H256> {
		match at {
			None => Ok(self.client.info().best_hash),
			Some(hash) => match self.client.header(hash) {
				Ok(Some(_)) => Ok(hash),
				_ => Err(not_found(format!("unknown block {hash:?}: this node has no such block"))),
			},
		}
	}

	fn must_be_patient(&self, at: H256, patient: &AccountId) -> RpcResult<()> {
		match self.client.runtime_api().patient(at, patient.clone()).map_err(runtime_error)? {
			Some(_) => Ok(()),
			None => Err(not_found(format!("no patient {} at this block", ss58(patient)))),
		}
	}

	/// A page of a patient's list keyed by account (grants by grantee,
	/// requests by doctor). An empty first page of an unknown patient is
	/// an error, not an empty list.
	fn patient_list<V, J>(
		&self,
		patient: &str,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
		query: impl FnOnce(
			H256,
			AccountId,
			Option<AccountId>,
			u32,
		) -> Result<Page<(AccountId, V), AccountId>, ApiError>,
		to_json: impl Fn(&AccountId, &AccountId, &V) -> J,
	) -> RpcResult<PageJson<J, String>> {
		let who = parse_account("patient", patient)?;
		let after = parse_cursor("after", after)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let page = query(at, who.clone(), after.clone(), limit).map_err(runtime_error)?;
		if page.items.is_empty() && after.is_none() {
			self.must_be_patient(at, &who)?;
		}
		Ok(PageJson {
			items: page.items.iter().map(|(key, value)| to_json(&who, key, value)).collect(),
			next: page.next.as_ref().map(ss58),
		})
	}

	/// The hash of the entry just before position `from` in the subject's
	/// trail (zeros when `from` is 0): what the entry at `from` must hold
	/// as `prev`.
	fn hash_before(&self, at: H256, subject: &Entity<AccountId>, from: u64) -> RpcResult<[u8; 32]> {
		if from == 0 {
			return Ok([0; 32]);
		}
		let page = self
			.client
			.runtime_api()
			.audit_trail(at, subject.clone(), from - 1, 1)
			.map_err(runtime_error)?;
		Ok(page.items.first().map(AuditEntryView::hash).unwrap_or_default())
	}
}

impl<C> MedchainRpcServer for Medchain<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: MedchainApi<Block>,
{
	fn patient(&self, account: String, at: Option<H256>) -> RpcResult<PatientJson> {
		let who = parse_account("account", &account)?;
		let at = self.block(at)?;
		let patient = self.client.runtime_api().patient(at, who.clone()).map_err(runtime_error)?;
		let patient =
			patient.ok_or_else(|| not_found(format!("no patient {account} at this block")))?;
		Ok(PatientJson::new(&who, &patient))
	}

	fn doctor(&self, account: String, at: Option<H256>) -> RpcResult<DoctorJson> {
		let who = parse_account("account", &account)?;
		let at = self.block(at)?;
		let doctor = self.client.runtime_api().doctor(at, who.clone()).map_err(runtime_error)?;
		let doctor =
			doctor.ok_or_else(|| not_found(format!("no doctor {account} at this block")))?;
		Ok(DoctorJson::new(&who, &doctor))
	}

	fn hospital(&self, id: HospitalId, at: Option<H256>) -> RpcResult<HospitalJson> {
		let at = self.block(at)?;
		let hospital = self.client.runtime_api().hospital(at, id).map_err(runtime_error)?;
		let hospital =
			hospital.ok_or_else(|| not_found(format!("no hospital {id} at this block")))?;
		Ok(HospitalJson::new(id, &hospital))
	}

	fn record(&self, id: RecordId, at: Option<H256>) -> RpcResult<RecordJson> {
		let at = self.block(at)?;
		let record = self.client.runtime_api().record(at, id).map_err(runtime_error)?;
		let record = record.ok_or_else(|| not_found(format!("no record {id} at this block")))?;
		Ok((&record).into())
	}

	fn wrapped_key(
		&self,
		record: RecordId,
		reader: String,
		at: Option<H256>,
	) -> RpcResult<WrappedKeyJson> {
		let who = parse_account("reader", &reader)?;
		let at = self.block(at)?;
		let key = self
			.client
			.runtime_api()
			.wrapped_key(at, record, who.clone())
			.map_err(runtime_error)?;
		let key = key.ok_or_else(|| {
			not_found(format!("{reader} holds no key to record {record} at this block"))
		})?;
		Ok(WrappedKeyJson::new(record, &who, &key))
	}

	fn records(
		&self,
		patient: String,
		after: Option<RecordId>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<RecordJson, RecordId>> {
		let who = parse_account("patient", &patient)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let page = self
			.client
			.runtime_api()
			.records_of(at, who.clone(), after, limit)
			.map_err(runtime_error)?;
		if page.items.is_empty() && after.is_none() {
			self.must_be_patient(at, &who)?;
		}
		Ok(PageJson { items: page.items.iter().map(Into::into).collect(), next: page.next })
	}

	fn readers(
		&self,
		record: RecordId,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<String, String>> {
		let after = parse_cursor("after", after)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let api = self.client.runtime_api();
		let page = api.readers_of(at, record, after.clone(), limit).map_err(runtime_error)?;
		if page.items.is_empty() && after.is_none() {
			// Every record has at least its patient's key; none: no record.
			return Err(not_found(format!("no record {record} at this block")));
		}
		Ok(account_page(page, |reader| ss58(&reader)))
	}

	fn grants(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<GrantJson, String>> {
		let query =
			|at, who, after, limit| self.client.runtime_api().grants_of(at, who, after, limit);
		self.patient_list(&patient, after, limit, at, query, GrantJson::new)
	}

	fn patients_of(
		&self,
		grantee: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<String, String>> {
		let who = parse_account("grantee", &grantee)?;
		let after = parse_cursor("after", after)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let api = self.client.runtime_api();
		let page = api.patients_of(at, who.clone(), after.clone(), limit).map_err(runtime_error)?;
		if page.items.is_empty()
			&& after.is_none()
			&& api.doctor(at, who).map_err(runtime_error)?.is_none()
		{
			return Err(not_found(format!("no doctor {grantee} at this block")));
		}
		Ok(account_page(page, |patient| ss58(&patient)))
	}

	fn requests(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<RequestJson, String>> {
		let query =
			|at, who, after, limit| self.client.runtime_api().requests_of(at, who, after, limit);
		self.patient_list(&patient, after, limit, at, query, RequestJson::new)
	}

	fn audit_trail(
		&self,
		entity: String,
		from: Option<u64>,
		limit: Option<u32>,
		verify: Option<bool>,
		at: Option<H256>,
	) -> RpcResult<TrailJson> {
		let subject = parse_entity("entity", &entity)?;
		let limit = parse_limit(limit)?;
		let (from, verify) = (from.unwrap_or(0), verify.unwrap_or(false));
		let at = self.block(at)?;
		let page = self
			.client
			.runtime_api()
			.audit_trail(at, subject.clone(), from, limit)
			.map_err(runtime_error)?;
		let check = if !verify {
			None
		} else if from > page.len {
			Some(ChainCheck {
				ok: false,
				expected_prev: String::new(),
				ends_at_head: false,
				problem: Some(format!("position {from} is past the trail's end ({})", page.len)),
			})
		} else {
			let before = self.hash_before(at, &subject, from)?;
			Some(check_page(&subject, from, before, &page.items, page.next.is_none(), page.head))
		};
		Ok(TrailJson {
			subject: (&subject).into(),
			len: page.len,
			head: sp_core::bytes::to_hex(&page.head, false),
			items: page.items.iter().map(|e| AuditEntryJson::new(e, verify)).collect(),
			next: page.next,
			check,
		})
	}

	fn audit_by_actor(
		&self,
		entity: String,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<PageJson<AuditEntryJson, u64>> {
		let actor = parse_entity("entity", &entity)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let page = self
			.client
			.runtime_api()
			.audit_by_actor(at, actor, from.unwrap_or(0), limit)
			.map_err(runtime_error)?;
		Ok(PageJson {
			items: page.items.iter().map(|e| AuditEntryJson::new(e, false)).collect(),
			next: page.next,
		})
	}

	fn audit_entry(&self, entry: u64, at: Option<H256>) -> RpcResult<AuditEntryJson> {
		let at = self.block(at)?;
		let seq = entry;
		let entry = self.client.runtime_api().audit_entry(at, seq).map_err(runtime_error)?;
		let entry =
			entry.ok_or_else(|| not_found(format!("no audit entry {seq} at this block")))?;
		Ok(AuditEntryJson::new(&entry, false))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_keyring::Sr25519Keyring;

	fn message(error: ErrorObjectOwned) -> (i32, String) {
		(error.code(), error.message().to_string())
	}

	#[test]
	fn accounts_parse_from_ss58_of_any_known_prefix_or_hex() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_eq!(parse_account("a", &ss58(&bob)).unwrap(), bob);
		let generic = bob.to_ss58check_with_version(42u16.into());
		assert_eq!(parse_account("a", &generic).unwrap(), bob);
		let hex = sp_core::bytes::to_hex(bob.as_ref(), false);
		assert_eq!(parse_account("a", &hex).unwrap(), bob);
	}

	#[test]
	fn a_malformed_account_is_invalid_params_naming_the_parameter() {
		for text in ["", "bob", "0x1234", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQX"] {
			let (code, message) = message(parse_account("patient", text).unwrap_err());
			assert_eq!(code, -32602, "{text}");
			assert!(message.starts_with("`patient`:"), "{message}");
			assert!(message.contains("SS58"), "{message}");
		}
	}

	#[test]
	fn entities_are_accounts_hospitals_root_or_the_council() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_eq!(parse_entity("e", &ss58(&bob)).unwrap(), Entity::Account(bob));
		assert_eq!(parse_entity("e", "hospital:3").unwrap(), Entity::Hospital(3));
		assert_eq!(parse_entity("e", "root").unwrap(), Entity::Root);
		assert_eq!(parse_entity("e", "council").unwrap(), Entity::Council);
		assert_eq!(parse_entity("e", "rootOrCouncil").unwrap(), Entity::RootOrCouncil);
		assert_eq!(parse_entity("e", "runtime").unwrap(), Entity::Runtime);
		assert!(message(parse_entity("e", "hospital:x").unwrap_err())
			.1
			.contains("hospital:<number>"));
		assert!(message(parse_entity("e", "nobody").unwrap_err()).1.contains("council"));
	}

	#[test]
	fn page_sizes_default_to_and_stop_at_the_maximum() {
		assert_eq!(parse_limit(None).unwrap(), MAX_PAGE_SIZE);
		assert_eq!(parse_limit(Some(1)).unwrap(), 1);
		assert_eq!(parse_limit(Some(MAX_PAGE_SIZE)).unwrap(), MAX_PAGE_SIZE);
		let (code, text) = message(parse_limit(Some(MAX_PAGE_SIZE + 1)).unwrap_err());
		assert_eq!(code, -32602);
		assert!(text.contains("over the maximum page size 100"), "{text}");
		assert_eq!(message(parse_limit(Some(0)).unwrap_err()).0, -32602);
	}
}
