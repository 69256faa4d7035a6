//! `medchain_*`: plain-JSON queries over patients, doctors, hospitals,
//! records, consent and audit trails, answered from the `MedchainApi`
//! runtime API at the best block (or at `at`). For curl and any language:
//! no SCALE, no metadata. The trait and the views it answers with are in
//! `medchain-api`, shared with the client; docs/rpc.md lists every method
//! with real output.

use jsonrpsee::{
	core::RpcResult,
	types::{error::ErrorCode, ErrorObjectOwned},
};
use medchain_api::{
	params::{self, ParamError},
	rpc::MedchainRpcServer,
	ss58,
	views::*,
	Address, NOT_FOUND, RUNTIME_ERROR,
};
use medchain_primitives::{Entity, HospitalId, Page as RuntimePage, RecordId};
use medchain_runtime::{
	opaque::Block,
	queries::{AuditEntryView, MedchainApi},
	AccountId,
};
use sp_api::{ApiError, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_core::H256;
use std::sync::Arc;

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

fn invalid_param(error: ParamError) -> ErrorObjectOwned {
	invalid(error.0)
}

fn parse_account(name: &str, text: &str) -> RpcResult<AccountId> {
	params::parse_account(name, text).map_err(invalid_param)
}

fn parse_entity(name: &str, text: &str) -> RpcResult<Entity<AccountId>> {
	params::parse_entity(name, text).map_err(invalid_param)
}

fn parse_limit(limit: Option<u32>) -> RpcResult<u32> {
	params::parse_limit(limit).map_err(invalid_param)
}

fn parse_cursor(param: &str, after: Option<String>) -> RpcResult<Option<AccountId>> {
	after.map(|text| parse_account(param, &text)).transpose()
}

fn account_page(page: RuntimePage<AccountId, AccountId>) -> Page<Address, Address> {
	Page { items: page.items.into_iter().map(Address).collect(), next: page.next.map(Address) }
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
		) -> Result<RuntimePage<(AccountId, V), AccountId>, ApiError>,
		to_json: impl Fn(&AccountId, &AccountId, &V) -> J,
	) -> RpcResult<Page<J, Address>> {
		let who = parse_account("patient", patient)?;
		let after = parse_cursor("after", after)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let page = query(at, who.clone(), after.clone(), limit).map_err(runtime_error)?;
		if page.items.is_empty() && after.is_none() {
			self.must_be_patient(at, &who)?;
		}
		Ok(Page {
			items: page.items.iter().map(|(key, value)| to_json(&who, key, value)).collect(),
			next: page.next.map(Address),
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
	fn patient(&self, account: String, at: Option<H256>) -> RpcResult<Patient> {
		let who = parse_account("account", &account)?;
		let at = self.block(at)?;
		let patient = self.client.runtime_api().patient(at, who.clone()).map_err(runtime_error)?;
		let patient =
			patient.ok_or_else(|| not_found(format!("no patient {account} at this block")))?;
		Ok(Patient::new(&who, &patient))
	}

	fn doctor(&self, account: String, at: Option<H256>) -> RpcResult<Doctor> {
		let who = parse_account("account", &account)?;
		let at = self.block(at)?;
		let doctor = self.client.runtime_api().doctor(at, who.clone()).map_err(runtime_error)?;
		let doctor =
			doctor.ok_or_else(|| not_found(format!("no doctor {account} at this block")))?;
		Ok(Doctor::new(&who, &doctor))
	}

	fn hospital(&self, id: HospitalId, at: Option<H256>) -> RpcResult<Hospital> {
		let at = self.block(at)?;
		let hospital = self.client.runtime_api().hospital(at, id).map_err(runtime_error)?;
		let hospital =
			hospital.ok_or_else(|| not_found(format!("no hospital {id} at this block")))?;
		Ok(Hospital::new(id, &hospital))
	}

	fn record(&self, id: RecordId, at: Option<H256>) -> RpcResult<Record> {
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
	) -> RpcResult<WrappedKey> {
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
		Ok(WrappedKey::new(record, &who, &key))
	}

	fn records(
		&self,
		patient: String,
		after: Option<RecordId>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Record, RecordId>> {
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
		Ok(Page { items: page.items.iter().map(Into::into).collect(), next: page.next })
	}

	fn readers(
		&self,
		record: RecordId,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Address, Address>> {
		let after = parse_cursor("after", after)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let api = self.client.runtime_api();
		let page = api.readers_of(at, record, after.clone(), limit).map_err(runtime_error)?;
		if page.items.is_empty() && after.is_none() {
			// Every record has at least its patient's key; none: no record.
			return Err(not_found(format!("no record {record} at this block")));
		}
		Ok(account_page(page))
	}

	fn grants(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Grant, Address>> {
		let query =
			|at, who, after, limit| self.client.runtime_api().grants_of(at, who, after, limit);
		self.patient_list(&patient, after, limit, at, query, Grant::new)
	}

	fn patients_of(
		&self,
		grantee: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Address, Address>> {
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
		Ok(account_page(page))
	}

	fn requests(
		&self,
		patient: String,
		after: Option<String>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Page<Request, Address>> {
		let query =
			|at, who, after, limit| self.client.runtime_api().requests_of(at, who, after, limit);
		self.patient_list(&patient, after, limit, at, query, Request::new)
	}

	fn audit_trail(
		&self,
		entity: String,
		from: Option<u64>,
		limit: Option<u32>,
		verify: Option<bool>,
		at: Option<H256>,
	) -> RpcResult<Trail> {
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
			Some(ChainCheck::past_the_end(from, page.len))
		} else {
			let before = self.hash_before(at, &subject, from)?;
			let last_page = page.next.is_none();
			Some(ChainCheck::of_page(&subject, from, before, &page.items, last_page, page.head))
		};
		Ok(Trail {
			subject: (&subject).into(),
			len: page.len,
			head: page.head.into(),
			items: page.items.iter().map(|e| AuditEntry::new(e, verify)).collect(),
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
	) -> RpcResult<Page<AuditEntry, u64>> {
		let actor = parse_entity("entity", &entity)?;
		let limit = parse_limit(limit)?;
		let at = self.block(at)?;
		let page = self
			.client
			.runtime_api()
			.audit_by_actor(at, actor, from.unwrap_or(0), limit)
			.map_err(runtime_error)?;
		Ok(Page {
			items: page.items.iter().map(|e| AuditEntry::new(e, false)).collect(),
			next: page.next,
		})
	}

	fn audit_entry(&self, entry: u64, at: Option<H256>) -> RpcResult<AuditEntry> {
		let at = self.block(at)?;
		let seq = entry;
		let entry = self.client.runtime_api().audit_entry(at, seq).map_err(runtime_error)?;
		let entry =
			entry.ok_or_else(|| not_found(format!("no audit entry {seq} at this block")))?;
		Ok(AuditEntry::new(&entry, false))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn bad_parameters_are_invalid_params_naming_the_parameter() {
		let error = parse_account("patient", "bob").unwrap_err();
		assert_eq!(error.code(), ErrorCode::InvalidParams.code());
		assert!(error.message().starts_with("`patient`:"), "{}", error.message());
		let error = parse_limit(Some(0)).unwrap_err();
		assert_eq!(error.code(), ErrorCode::InvalidParams.code());
		let error = parse_entity("entity", "hospital:x").unwrap_err();
		assert!(error.message().contains("hospital:<number>"));
	}
}
