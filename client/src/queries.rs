//! Typed reads of the node's `medchain_*` methods: each answer deserialized
//! into the `medchain-api` view the node serialized it from. A field that
//! is missing or of another type is an error naming the method, never a
//! silent default.

use crate::chain::{Chain, ChainError};
use medchain_api::{
	params::entity_text,
	views::{
		AuditEntry, Doctor, Grant, Hospital, Page, Patient, Record, Request, Trail, WrappedKey,
	},
	Address,
};
use medchain_primitives::{Entity, HospitalId, RecordId, MAX_PAGE_SIZE};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sp_core::H256;
use sp_runtime::AccountId32;

fn address(account: &AccountId32) -> String {
	medchain_api::ss58(account)
}

impl Chain {
	/// One `medchain_*` answer as `T`; `None` when the chain has no such thing.
	pub fn view<T: DeserializeOwned>(
		&self,
		method: &'static str,
		params: Value,
	) -> Result<Option<T>, ChainError> {
		match self.query(method, params)? {
			None => Ok(None),
			Some(value) => serde_json::from_value(value)
				.map(Some)
				.map_err(|e| ChainError::Malformed { method, why: e.to_string() }),
		}
	}

	/// Every item of a paged list, all pages read at block `at` (the best
	/// block when `None`, pinned on the first page so that the pages agree).
	fn list<T: DeserializeOwned, C: DeserializeOwned + serde::Serialize>(
		&self,
		method: &'static str,
		first: Value,
		at: Option<H256>,
	) -> Result<Vec<T>, ChainError> {
		let at = match at {
			Some(at) => at,
			None => self.best_hash()?,
		};
		let mut items = Vec::new();
		let mut after: Option<C> = None;
		loop {
			let params = json!([first, after, MAX_PAGE_SIZE, at]);
			let Some(page) = self.view::<Page<T, C>>(method, params)? else {
				return Ok(items);
			};
			items.extend(page.items);
			match page.next {
				Some(next) => after = Some(next),
				None => return Ok(items),
			}
		}
	}

	/// A registered patient.
	pub fn patient(
		&self,
		who: &AccountId32,
		at: Option<H256>,
	) -> Result<Option<Patient>, ChainError> {
		self.view("medchain_patient", json!([address(who), at]))
	}

	/// The key recovery of `patient`, pending or in effect, at block `at` (the best block
	/// when `None`).
	pub fn recovery(
		&self,
		patient: &AccountId32,
		at: Option<H256>,
	) -> Result<Option<pallet_patients::Recovery<AccountId32>>, ChainError> {
		let key = pallet_patients::Recoveries::<medchain_runtime::Runtime>::hashed_key_for(patient);
		self.storage(&key, at)
	}

	/// Chain time (ms) at block `at` (the best block when `None`).
	pub fn now(&self, at: Option<H256>) -> Result<u64, ChainError> {
		let key = frame_support::storage::storage_prefix(b"Timestamp", b"Now");
		Ok(self.storage(&key, at)?.unwrap_or_default())
	}

	/// The live invitations `who` holds, one per inviting hospital: `(hospital, role)`.
	pub fn invitations(
		&self,
		who: &AccountId32,
	) -> Result<Vec<(HospitalId, medchain_primitives::InviteRole)>, ChainError> {
		use codec::Encode;
		use frame_support::StorageHasher;
		let mut prefix =
			frame_support::storage::storage_prefix(b"Consortium", b"Invitations").to_vec();
		prefix.extend(frame_support::Blake2_128Concat::hash(&who.encode()));
		let now = self.finalized_number()?;
		let mut live = Vec::new();
		for key in self.keys(&prefix)? {
			let invitation: Option<pallet_consortium::InvitationOf<medchain_runtime::Runtime>> =
				self.storage(&key, None)?;
			if let Some(i) = invitation.filter(|i| u64::from(i.expires) > now) {
				live.push((i.hospital, i.role));
			}
		}
		Ok(live)
	}

	/// A doctor, whatever their status.
	pub fn doctor(
		&self,
		who: &AccountId32,
		at: Option<H256>,
	) -> Result<Option<Doctor>, ChainError> {
		self.view("medchain_doctor", json!([address(who), at]))
	}

	/// A hospital of the consortium.
	pub fn hospital(
		&self,
		id: HospitalId,
		at: Option<H256>,
	) -> Result<Option<Hospital>, ChainError> {
		self.view("medchain_hospital", json!([id, at]))
	}

	/// The patient whose live records or profile name the file `cid` at block `at` (the
	/// best block when `None`), if any: the chain's claim on it (`Records::ClaimOf`, read
	/// by its typed key). `None` means nothing live names it, so a hospital may drop it.
	pub fn file_claimant(
		&self,
		cid: &cid::Cid,
		at: Option<H256>,
	) -> Result<Option<AccountId32>, ChainError> {
		// Claims are by the CID's multihash, as IPFS nodes pin: any version or base of it.
		let Some(file) = medchain_primitives::file_key(cid.to_string().as_bytes()) else {
			return Ok(None);
		};
		let key = pallet_records::ClaimOf::<medchain_runtime::Runtime>::hashed_key_for(&file);
		let claim: Option<pallet_records::Claim<AccountId32>> = self.storage(&key, at)?;
		Ok(claim.map(|c| c.patient))
	}

	/// A record with every version it kept.
	pub fn record(&self, id: RecordId, at: Option<H256>) -> Result<Option<Record>, ChainError> {
		self.view("medchain_record", json!([id, at]))
	}

	/// The wrapped key `reader` holds for `record`.
	pub fn wrapped_key(
		&self,
		record: RecordId,
		reader: &AccountId32,
	) -> Result<Option<WrappedKey>, ChainError> {
		self.view("medchain_wrappedKey", json!([record, address(reader)]))
	}

	/// All of a patient's records (none if no such patient).
	pub fn records_of(&self, patient: &AccountId32) -> Result<Vec<Record>, ChainError> {
		self.list::<Record, RecordId>("medchain_records", json!(address(patient)), None)
	}

	/// Every reader holding a key to a record.
	pub fn readers_of(&self, record: RecordId) -> Result<Vec<AccountId32>, ChainError> {
		let readers = self.list::<Address, Address>("medchain_readers", json!(record), None)?;
		Ok(readers.into_iter().map(Into::into).collect())
	}

	/// Every grant a patient gave.
	pub fn grants_of(&self, patient: &AccountId32) -> Result<Vec<Grant>, ChainError> {
		self.list::<Grant, Address>("medchain_grants", json!(address(patient)), None)
	}

	/// Every patient who granted `grantee` access.
	pub fn patients_of(&self, grantee: &AccountId32) -> Result<Vec<AccountId32>, ChainError> {
		let patients =
			self.list::<Address, Address>("medchain_patientsOf", json!(address(grantee)), None)?;
		Ok(patients.into_iter().map(Into::into).collect())
	}

	/// Every pending request to a patient.
	pub fn requests_of(&self, patient: &AccountId32) -> Result<Vec<Request>, ChainError> {
		self.list::<Request, Address>("medchain_requests", json!(address(patient)), None)
	}

	/// A page of the trail of `subject`, from position `from`, with every
	/// entry's SCALE bytes and the node's own check of the page.
	pub fn audit_trail(
		&self,
		subject: &Entity<AccountId32>,
		from: u64,
		at: H256,
	) -> Result<Trail, ChainError> {
		let params = json!([entity_text(subject), from, MAX_PAGE_SIZE, true, at]);
		self.view("medchain_auditTrail", params)?
			.ok_or_else(|| ChainError::NotFound(format!("no trail of {}", entity_text(subject))))
	}

	/// A page of the entries `actor` wrote, from position `from`.
	pub fn audit_by_actor(
		&self,
		actor: &Entity<AccountId32>,
		from: u64,
		at: H256,
	) -> Result<Page<AuditEntry, u64>, ChainError> {
		let params = json!([entity_text(actor), from, MAX_PAGE_SIZE, at]);
		self.view("medchain_auditByActor", params)?
			.ok_or_else(|| ChainError::NotFound(format!("no entries by {}", entity_text(actor))))
	}
}
