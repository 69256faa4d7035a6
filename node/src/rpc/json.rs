//! The plain-JSON shapes of the `medchain_*` RPC methods, built from what
//! the `MedchainApi` runtime API returns: accounts in SS58 (MedChain's
//! prefix 2403), CIDs as text, keys and hashes as `0x` hex, times as
//! milliseconds and ISO 8601, enums by their variant name.

use medchain_primitives::{Cid, Entity, HospitalId, Moment, RecordId};
use medchain_runtime::{
	queries::{
		AuditEntryView, DoctorView, GrantView, HospitalView, PatientView, RecordView, RequestView,
	},
	AccountId, BlockNumber,
};
use serde::Serialize;
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};

/// An account as SS58 text with MedChain's prefix (2403). Explicit, not the
/// process-wide default: the runtime's genesis JSON must keep the generic
/// prefix, which is all its `no_std` build can read.
pub fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(medchain_runtime::SS58_PREFIX))
}

/// An account inside an audit action: SCALE-encoded exactly like
/// `AccountId` (32 bytes), serialized as [`ss58`]. An action is re-decoded
/// with this account type to become JSON.
#[derive(codec::Encode, codec::Decode, Clone, Debug, PartialEq, Eq)]
pub struct Ss58Account([u8; 32]);

impl Serialize for Ss58Account {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&ss58(&AccountId::from(self.0)))
	}
}

/// An audit action with its accounts as MedChain SS58.
pub type ActionJson = medchain_primitives::AuditAction<Ss58Account>;

fn action(action: &medchain_primitives::AuditAction<AccountId>) -> ActionJson {
	use codec::{Decode, Encode};
	ActionJson::decode(&mut &action.encode()[..])
		.expect("an account encodes as its 32 bytes, so the action decodes the same; qed")
}

fn hex(bytes: &[u8]) -> String {
	sp_core::bytes::to_hex(bytes, false)
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

fn cid(cid: &Cid) -> String {
	text(cid)
}

/// A variant name of a field-less enum (`LabResult`, `Active`).
fn name(value: &impl core::fmt::Debug) -> String {
	format!("{value:?}")
}

/// A chain time (milliseconds since the Unix epoch) both ways.
#[derive(Serialize, Debug, Clone, PartialEq)]
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

/// Who acted, or whom an entry concerns.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EntityJson {
	Account { account: String },
	Hospital { hospital: HospitalId },
	RootOrCouncil,
	Root,
	Council,
	Runtime,
}

impl From<&Entity<AccountId>> for EntityJson {
	fn from(entity: &Entity<AccountId>) -> Self {
		match entity {
			Entity::Account(account) => EntityJson::Account { account: ss58(account) },
			Entity::Hospital(hospital) => EntityJson::Hospital { hospital: *hospital },
			Entity::RootOrCouncil => EntityJson::RootOrCouncil,
			Entity::Root => EntityJson::Root,
			Entity::Council => EntityJson::Council,
			Entity::Runtime => EntityJson::Runtime,
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PatientJson {
	pub account: String,
	pub encryption_key: String,
	pub profile: Option<String>,
	pub guardians: Vec<String>,
	pub hospital: Option<HospitalId>,
	pub registered_by: String,
	pub registered_at: Time,
}

impl PatientJson {
	pub fn new(account: &AccountId, patient: &PatientView) -> Self {
		PatientJson {
			account: ss58(account),
			encryption_key: hex(&patient.encryption_key),
			profile: patient.profile.as_ref().map(cid),
			guardians: patient.guardians.iter().map(ss58).collect(),
			hospital: patient.hospital,
			registered_by: ss58(&patient.registered_by),
			registered_at: patient.registered_at.into(),
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct DoctorJson {
	pub account: String,
	pub hospital: HospitalId,
	pub status: String,
	pub name: String,
	pub specialty: String,
	pub licence_hash: String,
	pub encryption_key: String,
	pub since: Time,
}

impl DoctorJson {
	pub fn new(account: &AccountId, doctor: &DoctorView) -> Self {
		DoctorJson {
			account: ss58(account),
			hospital: doctor.hospital,
			status: name(&doctor.status),
			name: text(&doctor.name),
			specialty: text(&doctor.specialty),
			licence_hash: hex(&doctor.licence_hash),
			encryption_key: hex(&doctor.encryption_key),
			since: doctor.since.into(),
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct HospitalJson {
	pub id: HospitalId,
	pub name: String,
	pub status: String,
	pub admins: Vec<String>,
	pub validator: String,
	pub admitted_at_block: BlockNumber,
}

impl HospitalJson {
	pub fn new(id: HospitalId, hospital: &HospitalView) -> Self {
		HospitalJson {
			id,
			name: text(&hospital.name),
			status: name(&hospital.status),
			admins: hospital.admins.iter().map(ss58).collect(),
			validator: ss58(&hospital.validator),
			admitted_at_block: hospital.admitted_at,
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
	pub version: u32,
	pub cid: String,
	pub author: String,
	pub epoch: u32,
	pub at: Time,
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RecordJson {
	pub id: RecordId,
	pub patient: String,
	pub author: String,
	pub category: String,
	pub cid: String,
	pub version: u32,
	pub epoch: u32,
	pub readers: u32,
	pub created_at: Time,
	pub updated_at: Time,
	/// Every version kept, oldest first; the last is the current one.
	pub versions: Vec<VersionJson>,
}

impl From<&RecordView> for RecordJson {
	fn from(view: &RecordView) -> Self {
		let record = &view.record;
		RecordJson {
			id: view.id,
			patient: ss58(&record.patient),
			author: ss58(&record.author),
			category: name(&record.category),
			cid: cid(&record.cid),
			version: record.version,
			epoch: record.epoch,
			readers: record.readers,
			created_at: record.created_at.into(),
			updated_at: record.updated_at.into(),
			versions: view
				.versions
				.iter()
				.zip(1..)
				.map(|(v, version)| VersionJson {
					version,
					cid: cid(&v.cid),
					author: ss58(&v.author),
					epoch: v.epoch,
					at: v.at.into(),
				})
				.collect(),
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WrappedKeyJson {
	pub record: RecordId,
	pub reader: String,
	pub epoch: u32,
	/// The data key sealed to the reader's X25519 key (HPKE output).
	pub wrapped: String,
}

impl WrappedKeyJson {
	pub fn new(record: RecordId, reader: &AccountId, key: &pallet_records::KeyInfo) -> Self {
		WrappedKeyJson {
			record,
			reader: ss58(reader),
			epoch: key.epoch,
			wrapped: hex(&key.wrapped),
		}
	}
}

/// What a grant or request covers, as `medchain_primitives::Scope`
/// serializes it (`{"kind": "all" | "categories" | "records", ...}`), the same
/// shape the audit trail's grant terms have.
pub type ScopeJson = pallet_access::ScopeOf<medchain_runtime::Runtime>;

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct GrantJson {
	pub patient: String,
	pub grantee: String,
	pub scope: ScopeJson,
	pub permission: String,
	pub purpose: String,
	pub granted_at: Time,
	/// `null`: until revoked.
	pub expires_at: Option<Time>,
}

impl GrantJson {
	pub fn new(patient: &AccountId, grantee: &AccountId, grant: &GrantView) -> Self {
		GrantJson {
			patient: ss58(patient),
			grantee: ss58(grantee),
			scope: grant.scope.clone(),
			permission: name(&grant.permission),
			purpose: name(&grant.purpose),
			granted_at: grant.granted_at.into(),
			expires_at: grant.expires_at.map(Into::into),
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct RequestJson {
	pub patient: String,
	pub doctor: String,
	pub scope: ScopeJson,
	pub permission: String,
	pub purpose: String,
	/// CID of a note encrypted to the patient, if the doctor attached one.
	pub note: Option<String>,
	pub requested_at: Time,
	pub expires_at: Time,
}

impl RequestJson {
	pub fn new(patient: &AccountId, doctor: &AccountId, request: &RequestView) -> Self {
		RequestJson {
			patient: ss58(patient),
			doctor: ss58(doctor),
			scope: request.scope.clone(),
			permission: name(&request.permission),
			purpose: name(&request.purpose),
			note: request.note.as_ref().map(cid),
			requested_at: request.requested_at.into(),
			expires_at: request.expires_at.into(),
		}
	}
}

#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryJson {
	pub seq: u64,
	pub at: Time,
	pub block: BlockNumber,
	pub actor: EntityJson,
	pub subject: EntityJson,
	pub action: ActionJson,
	/// The hash of the entry before it in the subject's trail (zeros for the first).
	pub prev: String,
	/// BLAKE2b-256 of this entry's SCALE encoding.
	pub hash: String,
	/// The SCALE encoding itself, when asked for (`verify`), so that a
	/// client can hash it without trusting `hash`.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub scale: Option<String>,
}

impl AuditEntryJson {
	pub fn new(entry: &AuditEntryView, with_scale: bool) -> Self {
		AuditEntryJson {
			seq: entry.seq,
			at: entry.at.into(),
			block: entry.block,
			actor: (&entry.actor).into(),
			subject: (&entry.subject).into(),
			action: action(&entry.action),
			prev: hex(&entry.prev),
			hash: hex(&entry.hash()),
			scale: with_scale.then(|| hex(&codec::Encode::encode(entry))),
		}
	}
}

/// A page of an audit trail, with what a client needs to check its hash chain.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct TrailJson {
	pub subject: EntityJson,
	/// How many entries the trail has in all.
	pub len: u64,
	/// BLAKE2b-256 of the trail's last entry, as the chain stores it.
	pub head: String,
	/// The entries at positions `from..`, oldest first.
	pub items: Vec<AuditEntryJson>,
	/// The position of the next page, if any.
	pub next: Option<u64>,
	/// The hash-chain check of this page, when asked for (`verify`).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub check: Option<ChainCheck>,
}

/// A page of a keyed list; `next` is the cursor for the following page.
#[derive(Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct PageJson<T, C> {
	pub items: Vec<T>,
	pub next: Option<C>,
}

/// The result of checking one page of a trail's hash chain.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ChainCheck {
	/// Every entry on the page concerns the subject and holds the hash of
	/// the one before it (the first: of position `from - 1`, or zeros at 0),
	/// and, if the page ends the trail, the last one hashes to `head`.
	pub ok: bool,
	/// What the first entry's `prev` had to be.
	pub expected_prev: String,
	/// This page ends the trail and its last entry (zeros if none) is `head`.
	pub ends_at_head: bool,
	/// The first problem found, in words.
	pub problem: Option<String>,
}

/// Check a page of the trail of `subject` starting at position `from`:
/// `before` is the hash the first entry must hold (the previous entry's,
/// or zeros at position 0), `last_page` whether the page ends the trail.
pub fn check_page(
	subject: &Entity<AccountId>,
	from: u64,
	before: [u8; 32],
	items: &[AuditEntryView],
	last_page: bool,
	head: [u8; 32],
) -> ChainCheck {
	let mut prev = before;
	let mut problem = None;
	for (entry, position) in items.iter().zip(from..) {
		if &entry.subject != subject {
			problem = Some(format!(
				"entry {} at position {position} concerns another subject",
				entry.seq
			));
			break;
		}
		if entry.prev != prev {
			problem = Some(format!(
				"entry {} at position {position} does not hold the hash of the entry before it",
				entry.seq
			));
			break;
		}
		prev = entry.hash();
	}
	let ends_at_head = problem.is_none() && last_page && prev == head;
	if problem.is_none() && last_page && !ends_at_head {
		problem = Some("the last entry's hash is not the trail's stored head".into());
	}
	ChainCheck { ok: problem.is_none(), expected_prev: hex(&before), ends_at_head, problem }
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
	fn audit_entries_are_plain_json_with_medchain_addresses() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let json =
			serde_json::to_value(AuditEntryJson::new(&entry(7, &bob, [1; 32]), false)).unwrap();
		let address = ss58(&bob);
		let (decoded, format) = AccountId::from_ss58check_with_version(&address).unwrap();
		assert_eq!((decoded, u16::from(format)), (bob, medchain_runtime::SS58_PREFIX));
		assert_eq!(json["seq"], 7);
		assert_eq!(json["at"]["iso"], "2023-11-14T22:13:20.007Z");
		assert_eq!(json["actor"], serde_json::json!({ "kind": "hospital", "hospital": 0 }));
		assert_eq!(json["subject"], serde_json::json!({ "kind": "account", "account": address }));
		assert_eq!(
			json["action"],
			serde_json::json!({ "type": "AccessRevoked", "grantee": address, "keysRemoved": 3 })
		);
		assert_eq!(json["prev"], format!("0x{}", "01".repeat(32)));
		assert!(json.get("scale").is_none());
	}

	#[test]
	fn a_whole_trail_checks_and_ends_at_head() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let entries = trail(&bob, 5);
		let head = entries[4].hash();
		let subject = Entity::Account(bob);
		let check = check_page(&subject, 0, [0; 32], &entries, true, head);
		assert_eq!((check.ok, check.ends_at_head, check.problem), (true, true, None));
		// A middle page links to the entry before it and does not end the trail.
		let check = check_page(&subject, 2, entries[1].hash(), &entries[2..4], false, head);
		assert_eq!((check.ok, check.ends_at_head), (true, false));
		// An empty trail ends at a zero head.
		assert!(check_page(&subject, 0, [0; 32], &[], true, [0; 32]).ends_at_head);
	}

	#[test]
	fn a_broken_link_a_stranger_or_a_wrong_head_is_named() {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let subject = Entity::Account(bob.clone());
		let mut entries = trail(&bob, 3);
		let head = entries[2].hash();
		let check = check_page(&subject, 0, [0; 32], &entries, true, [9; 32]);
		assert_eq!(
			check.problem.as_deref(),
			Some("the last entry's hash is not the trail's stored head")
		);
		let check = check_page(&subject, 1, [0; 32], &entries[1..], true, head);
		assert!(!check.ok);
		assert!(check.problem.unwrap().contains("position 1 does not hold the hash"));
		entries[2].subject = Entity::Council;
		let check = check_page(&subject, 0, [0; 32], &entries, true, head);
		assert!(check.problem.unwrap().contains("position 2 concerns another subject"));
	}
}
