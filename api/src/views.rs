//! The views: what each `medchain_*` method answers, as plain JSON.
//! Accounts are SS58 with MedChain's prefix (2403), CIDs text, keys and
//! hashes `0x` hex, times both milliseconds and ISO 8601, enums their
//! variant names. The node builds them from the runtime's types with the
//! constructors here; clients deserialize them.

use crate::Address;
use medchain_primitives::{
	Entity, HospitalId, Moment, Permission, Purpose, RecordCategory, RecordId, Scope,
};
use medchain_runtime::{
	queries::{
		AuditEntryView, DoctorView, GrantView, HospitalView, PatientView, RecordView, RequestView,
	},
	AccountId, BlockNumber,
};
use serde::{Deserialize, Serialize};
use sp_core::{Bytes, H256};

/// A chain time (milliseconds since the Unix epoch) both ways.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Time {
	pub ms: Moment,
	pub iso: String,
}

impl From<Moment> for Time {
	fn from(ms: Moment) -> Self {
		let iso = i64::try_from(ms)
			.ok()
			.and_then(chrono::DateTime::from_timestamp_millis)
			.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
			.unwrap_or_default();
		Time { ms, iso }
	}
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

/// A variant name of a field-less enum (`Active`, `Suspended`).
fn name(value: &impl core::fmt::Debug) -> String {
	format!("{value:?}")
}

/// Who acted, or whom an entry concerns.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EntityView {
	Account { account: Address },
	Hospital { hospital: HospitalId },
	RootOrCouncil,
	Root,
	Council,
	Runtime,
}

impl From<&Entity<AccountId>> for EntityView {
	fn from(entity: &Entity<AccountId>) -> Self {
		match entity {
			Entity::Account(account) => EntityView::Account { account: account.clone().into() },
			Entity::Hospital(hospital) => EntityView::Hospital { hospital: *hospital },
			Entity::RootOrCouncil => EntityView::RootOrCouncil,
			Entity::Root => EntityView::Root,
			Entity::Council => EntityView::Council,
			Entity::Runtime => EntityView::Runtime,
		}
	}
}

impl From<&EntityView> for Entity<AccountId> {
	fn from(view: &EntityView) -> Self {
		match view {
			EntityView::Account { account } => Entity::Account(account.0.clone()),
			EntityView::Hospital { hospital } => Entity::Hospital(*hospital),
			EntityView::RootOrCouncil => Entity::RootOrCouncil,
			EntityView::Root => Entity::Root,
			EntityView::Council => Entity::Council,
			EntityView::Runtime => Entity::Runtime,
		}
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
	pub account: Address,
	/// The patient's X25519 public key, to which record keys are wrapped.
	pub encryption_key: H256,
	/// CID of the patient's encrypted profile.
	pub profile: Option<String>,
	pub guardians: Vec<Address>,
	/// The hospital whose invitation the patient registered with.
	pub hospital: Option<HospitalId>,
	pub registered_by: Address,
	pub registered_at: Time,
}

impl Patient {
	pub fn new(account: &AccountId, patient: &PatientView) -> Self {
		Patient {
			account: account.clone().into(),
			encryption_key: patient.encryption_key.into(),
			profile: patient.profile.as_ref().map(|cid| text(cid)),
			guardians: patient.guardians.iter().cloned().map(Into::into).collect(),
			hospital: patient.hospital,
			registered_by: patient.registered_by.clone().into(),
			registered_at: patient.registered_at.into(),
		}
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Doctor {
	pub account: Address,
	pub hospital: HospitalId,
	/// `Pending`, `Active`, `Rejected` or `Suspended`.
	pub status: String,
	pub name: String,
	pub specialty: String,
	pub licence_hash: H256,
	/// The doctor's X25519 public key, to which record keys are wrapped.
	pub encryption_key: H256,
	pub since: Time,
}

impl Doctor {
	pub fn new(account: &AccountId, doctor: &DoctorView) -> Self {
		Doctor {
			account: account.clone().into(),
			hospital: doctor.hospital,
			status: name(&doctor.status),
			name: text(&doctor.name),
			specialty: text(&doctor.specialty),
			licence_hash: doctor.licence_hash.into(),
			encryption_key: doctor.encryption_key.into(),
			since: doctor.since.into(),
		}
	}

	/// Whether the doctor may act now.
	pub fn is_active(&self) -> bool {
		self.status == "Active"
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Hospital {
	pub id: HospitalId,
	pub name: String,
	/// `Active`, `Suspended` or `Removed`.
	pub status: String,
	pub admins: Vec<Address>,
	pub validator: Address,
	pub admitted_at_block: BlockNumber,
}

impl Hospital {
	pub fn new(id: HospitalId, hospital: &HospitalView) -> Self {
		Hospital {
			id,
			name: text(&hospital.name),
			status: name(&hospital.status),
			admins: hospital.admins.iter().cloned().map(Into::into).collect(),
			validator: hospital.validator.clone().into(),
			admitted_at_block: hospital.admitted_at,
		}
	}

	/// Whether the hospital takes part in the consortium now.
	pub fn is_active(&self) -> bool {
		self.status == "Active"
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Version {
	pub version: u32,
	pub cid: String,
	pub author: Address,
	pub epoch: u32,
	pub at: Time,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Record {
	pub id: RecordId,
	pub patient: Address,
	pub author: Address,
	pub category: RecordCategory,
	/// CID of the current version's encrypted file.
	pub cid: String,
	pub version: u32,
	/// The current key epoch.
	pub epoch: u32,
	/// How many readers hold a key.
	pub readers: u32,
	pub created_at: Time,
	pub updated_at: Time,
	/// Every version kept, oldest first; the last is the current one.
	pub versions: Vec<Version>,
}

impl From<&RecordView> for Record {
	fn from(view: &RecordView) -> Self {
		let record = &view.record;
		Record {
			id: view.id,
			patient: record.patient.clone().into(),
			author: record.author.clone().into(),
			category: record.category,
			cid: text(&record.cid),
			version: record.version,
			epoch: record.epoch,
			readers: record.readers,
			created_at: record.created_at.into(),
			updated_at: record.updated_at.into(),
			versions: view
				.versions
				.iter()
				.zip(1..)
				.map(|(v, version)| Version {
					version,
					cid: text(&v.cid),
					author: v.author.clone().into(),
					epoch: v.epoch,
					at: v.at.into(),
				})
				.collect(),
		}
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WrappedKey {
	pub record: RecordId,
	pub reader: Address,
	pub epoch: u32,
	/// The data key sealed to the reader's X25519 key (HPKE output).
	pub wrapped: Bytes,
}

impl WrappedKey {
	pub fn new(record: RecordId, reader: &AccountId, key: &pallet_records::KeyInfo) -> Self {
		WrappedKey {
			record,
			reader: reader.clone().into(),
			epoch: key.epoch,
			wrapped: key.wrapped.to_vec().into(),
		}
	}
}

/// What a grant or request covers: `{"kind": "all" | "categories" |
/// "records", ...}`, the same shape the audit trail's grant terms have.
pub type ScopeView = Scope<Vec<RecordCategory>, Vec<RecordId>>;

/// A scope as the runtime bounds it, as the views show it.
pub fn scope_view(scope: &pallet_access::ScopeOf<medchain_runtime::Runtime>) -> ScopeView {
	match scope {
		Scope::All => Scope::All,
		Scope::Categories(c) => Scope::Categories(c.to_vec()),
		Scope::Records(r) => Scope::Records(r.to_vec()),
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
	pub patient: Address,
	pub grantee: Address,
	pub scope: ScopeView,
	pub permission: Permission,
	pub purpose: Purpose,
	pub granted_at: Time,
	/// `null`: until revoked.
	pub expires_at: Option<Time>,
}

impl Grant {
	pub fn new(patient: &AccountId, grantee: &AccountId, grant: &GrantView) -> Self {
		Grant {
			patient: patient.clone().into(),
			grantee: grantee.clone().into(),
			scope: scope_view(&grant.scope),
			permission: grant.permission,
			purpose: grant.purpose,
			granted_at: grant.granted_at.into(),
			expires_at: grant.expires_at.map(Into::into),
		}
	}
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Request {
	pub patient: Address,
	pub doctor: Address,
	pub scope: ScopeView,
	pub permission: Permission,
	pub purpose: Purpose,
	/// CID of a note encrypted to the patient, if the doctor attached one.
	pub note: Option<String>,
	pub requested_at: Time,
	pub expires_at: Time,
}

impl Request {
	pub fn new(patient: &AccountId, doctor: &AccountId, request: &RequestView) -> Self {
		Request {
			patient: patient.clone().into(),
			doctor: doctor.clone().into(),
			scope: scope_view(&request.scope),
			permission: request.permission,
			purpose: request.purpose,
			note: request.note.as_ref().map(|cid| text(cid)),
			requested_at: request.requested_at.into(),
			expires_at: request.expires_at.into(),
		}
	}
}

/// An audit action with its accounts as MedChain SS58.
pub type ActionView = medchain_primitives::AuditAction<Address>;

fn action(action: &medchain_primitives::AuditAction<AccountId>) -> ActionView {
	use codec::{Decode, Encode};
	ActionView::decode(&mut &action.encode()[..])
		.expect("an address encodes as its account's 32 bytes, so the action decodes; qed")
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
	pub seq: u64,
	pub at: Time,
	pub block: BlockNumber,
	pub actor: EntityView,
	pub subject: EntityView,
	pub action: ActionView,
	/// The hash of the entry before it in the subject's trail (zeros for the first).
	pub prev: H256,
	/// BLAKE2b-256 of this entry's SCALE encoding.
	pub hash: H256,
	/// The SCALE encoding itself, when asked for (`verify`), so that a
	/// client can hash it without trusting `hash`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub scale: Option<Bytes>,
}

impl AuditEntry {
	pub fn new(entry: &AuditEntryView, with_scale: bool) -> Self {
		AuditEntry {
			seq: entry.seq,
			at: entry.at.into(),
			block: entry.block,
			actor: (&entry.actor).into(),
			subject: (&entry.subject).into(),
			action: action(&entry.action),
			prev: entry.prev.into(),
			hash: entry.hash().into(),
			scale: with_scale.then(|| codec::Encode::encode(entry).into()),
		}
	}
}

/// A page of an audit trail, with what a client needs to check its hash chain.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Trail {
	pub subject: EntityView,
	/// How many entries the trail has in all.
	pub len: u64,
	/// BLAKE2b-256 of the trail's last entry, as the chain stores it.
	pub head: H256,
	/// The entries at positions `from..`, oldest first.
	pub items: Vec<AuditEntry>,
	/// The position of the next page, if any.
	pub next: Option<u64>,
	/// The hash-chain check of this page, when asked for (`verify`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub check: Option<ChainCheck>,
}

/// A page of a keyed list; `next` is the cursor for the following page.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Page<T, C> {
	pub items: Vec<T>,
	pub next: Option<C>,
}

/// The result of checking one page of a trail's hash chain.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChainCheck {
	/// Every entry on the page concerns the subject and holds the hash of
	/// the one before it (the first: of position `from - 1`, or zeros at 0),
	/// and, if the page ends the trail, the last one hashes to `head`.
	pub ok: bool,
	/// What the first entry's `prev` had to be (`null` when `from` is past
	/// the trail's end).
	pub expected_prev: Option<H256>,
	/// This page ends the trail and its last entry (zeros if none) is `head`.
	pub ends_at_head: bool,
	/// The first problem found, in words.
	pub problem: Option<String>,
}

impl ChainCheck {
	/// Check a page of the trail of `subject` that starts at position
	/// `from`, with [`pallet_audit::TrailWalk`]: `before` is the hash the
	/// first entry must hold, `last_page` whether the page ends the trail.
	pub fn of_page(
		subject: &Entity<AccountId>,
		from: u64,
		before: [u8; 32],
		items: &[AuditEntryView],
		last_page: bool,
		head: [u8; 32],
	) -> Self {
		let mut walk = pallet_audit::TrailWalk::new(subject, from, before);
		let walked = items.iter().try_for_each(|entry| walk.take(entry).map(drop));
		let checked = walked.and_then(|()| match last_page {
			true => walk.finish(head).map(drop),
			false => Ok(()),
		});
		ChainCheck {
			ok: checked.is_ok(),
			expected_prev: Some(before.into()),
			ends_at_head: checked.is_ok() && last_page,
			problem: checked.err().map(|e| e.to_string()),
		}
	}

	/// The check of a page asked for past the trail's end.
	pub fn past_the_end(from: u64, len: u64) -> Self {
		ChainCheck {
			ok: false,
			expected_prev: None,
			ends_at_head: false,
			problem: Some(pallet_audit::TrailError::PastTheEnd { position: from, len }.to_string()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use medchain_primitives::AuditAction;
	use sp_keyring::Sr25519Keyring;

	fn entry(seq: u64, subject: &AccountId, prev: [u8; 32]) -> AuditEntryView {
		AuditEntryView {
			seq,
			at: 1_700_000_000_000 + seq,
			block: seq as u32,
			actor: Entity::Hospital(0),
			subject: Entity::Account(subject.clone()),
			action: AuditAction::AccessRevoked { grantee: subject.clone(), keys_removed: 3 },
			prev,
		}
	}

	fn trail(subject: &AccountId, n: u64) -> Vec<AuditEntryView> {
		let mut prev = [0; 32];
		(0..n)
			.map(|seq| {
				let e = entry(seq, subject, prev);
				prev = e.hash();
				e
			})
			.collect()
	}

	#[test]
	fn times_are_ms_and_iso() {
		assert_eq!(
			Time::from(1_700_000_000_123),
			Time { ms: 1_700_000_000_123, iso: "2023-11-14T22:13:20.123Z".into() }
		);
		assert_eq!(Time::from(0).iso, "1970-01-01T00:00:00.000Z");
	}

	#[test]
	fn audit_entries_are_plain_json_with_medchain_addresses_and_read_back() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let view = AuditEntry::new(&entry(7, &bob, [1; 32]), true);
		let json = serde_json::to_value(&view).unwrap();
		let address = crate::ss58(&bob);
		use sp_core::crypto::Ss58Codec;
		let (decoded, format) = AccountId::from_ss58check_with_version(&address).unwrap();
		assert_eq!((decoded, u16::from(format)), (bob.clone(), medchain_runtime::SS58_PREFIX));
		assert_eq!(json["seq"], 7);
		assert_eq!(json["at"]["iso"], "2023-11-14T22:13:20.007Z");
		assert_eq!(json["actor"], serde_json::json!({ "kind": "hospital", "hospital": 0 }));
		assert_eq!(json["subject"], serde_json::json!({ "kind": "account", "account": address }));
		assert_eq!(
			json["action"],
			serde_json::json!({ "type": "AccessRevoked", "grantee": address, "keysRemoved": 3 })
		);
		assert_eq!(json["prev"], format!("0x{}", "01".repeat(32)));
		assert!(json["scale"].as_str().unwrap().starts_with("0x"));
		// What the node writes, a client reads back as the same view.
		assert_eq!(serde_json::from_value::<AuditEntry>(json).unwrap(), view);
		let without = serde_json::to_value(AuditEntry::new(&entry(7, &bob, [1; 32]), false));
		assert!(without.unwrap().get("scale").is_none());
	}

	#[test]
	fn a_whole_trail_checks_and_ends_at_head() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let entries = trail(&bob, 5);
		let head = entries[4].hash();
		let subject = Entity::Account(bob);
		let check = ChainCheck::of_page(&subject, 0, [0; 32], &entries, true, head);
		assert_eq!((check.ok, check.ends_at_head, check.problem), (true, true, None));
		// A middle page links to the entry before it and does not end the trail.
		let check =
			ChainCheck::of_page(&subject, 2, entries[1].hash(), &entries[2..4], false, head);
		assert_eq!((check.ok, check.ends_at_head), (true, false));
		// An empty trail ends at a zero head.
		assert!(ChainCheck::of_page(&subject, 0, [0; 32], &[], true, [0; 32]).ends_at_head);
	}

	#[test]
	fn a_broken_link_a_stranger_or_a_wrong_head_is_named() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let subject = Entity::Account(bob.clone());
		let mut entries = trail(&bob, 3);
		let head = entries[2].hash();
		let check = ChainCheck::of_page(&subject, 0, [0; 32], &entries, true, [9; 32]);
		assert_eq!(
			check.problem.as_deref(),
			Some("the last entry's hash is not the trail's stored head")
		);
		let check = ChainCheck::of_page(&subject, 1, [0; 32], &entries[1..], true, head);
		assert!(!check.ok);
		assert!(check.problem.unwrap().contains("position 1 does not hold the hash"));
		entries[2].subject = Entity::Council;
		let check = ChainCheck::of_page(&subject, 0, [0; 32], &entries, true, head);
		assert!(check.problem.unwrap().contains("position 2 concerns another subject"));
		let past = ChainCheck::past_the_end(9, 3);
		assert_eq!(past.problem.as_deref(), Some("position 9 is past the trail's end (3)"));
	}
}
