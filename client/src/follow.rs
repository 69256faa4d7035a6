//! The pinning follower: keeps a hospital's IPFS node holding exactly the files the
//! chain names as live, block by finalized block.
//!
//! Live files are every version of every record not erased and every patient's current
//! profile. The follower reads each finalized block's events, in order, and turns them
//! into work: a created, updated or re-keyed record pins every version the record has at
//! that block; an erased record unpins every version it had just before; a registration
//! or profile change pins the new profile and unpins the one it replaced. Pinning fetches
//! the blocks from the consortium's swarm and may fail for a while (a peer down, a file
//! nobody holds yet): such work stays pending and is retried with growing delays, and
//! never stops the follower from reading later blocks.
//!
//! What it keeps is its [`Replication`]: every live file (the default), or its hospital's
//! own and its share of every file's copies. A selective follower looks again at every
//! live file when the consortium's active hospitals change (the shares move) or when it
//! starts under a different policy than its state was built with; it only ever adds pins
//! then, never drops a live file.
//!
//! Its state (the last block done, the work pending, counts) is one JSON file, written
//! atomically after each block and each piece of work: a restart resumes from it, and
//! nothing is read twice. Work is idempotent besides (pinning a pinned file changes
//! nothing), so a crash between a block's work and the write of the state repeats no
//! visible effect.

use cid::Cid;
use medchain_runtime::RuntimeEvent;
use serde::{Deserialize, Serialize};
use sp_core::H256;
use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{
	chain::{Chain, ChainError},
	ipfs::{Store, StoreError},
	replication::{FileOf, Replication},
};
use medchain_api::views::{Patient, Record};
use medchain_primitives::{HospitalId, RecordId};

/// What a pin waits for at most before it counts as failed for now.
pub const PIN_TIMEOUT: Duration = Duration::from_secs(20);
/// The first delay after a failure; it doubles with each failure, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// The longest delay between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// One piece of work on the IPFS node.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Work {
	Pin,
	Unpin,
}

/// Work that is not done yet.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
	pub work: Work,
	/// Failed attempts so far.
	pub attempts: u32,
	/// Not before this time (Unix ms).
	pub next_try_ms: u64,
	/// Why the last attempt failed.
	pub last_error: Option<String>,
	/// The block whose events asked for it.
	pub block: u64,
}

/// Where the follower stands; kept in its state file.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct State {
	/// The last finalized block whose events were turned into work.
	pub block: u64,
	/// Work not done yet, by CID. A later block's work on the same CID replaces it.
	pub pending: BTreeMap<String, Pending>,
	/// Files this follower pinned (not counting those pinned already).
	pub pinned: u64,
	/// Files this follower unpinned.
	pub unpinned: u64,
	/// Failed attempts, all told.
	pub failures: u64,
	/// Garbage collections run after unpinning.
	pub collections: u64,
	/// The policy the pins were chosen by (none before the first block).
	#[serde(default)]
	pub replication: Option<Replication>,
	/// Times every live file was looked at again (policy or membership changes).
	#[serde(default)]
	pub reconciliations: u64,
}

impl State {
	/// The state in `path`, or a fresh one if there is no such file.
	pub fn load(path: &Path) -> std::io::Result<State> {
		crate::files::load_state(path, "a follower's state")
	}

	/// Write the state to `path` atomically (a new file, then renamed over the old one).
	pub fn save(&self, path: &Path) -> std::io::Result<()> {
		crate::files::save_state(path, self)
	}

	/// Ask for `work` on `cid`, replacing any earlier request for it.
	fn want(&mut self, cid: &Cid, work: Work, block: u64) {
		let pending = Pending { work, attempts: 0, next_try_ms: 0, last_error: None, block };
		self.pending.insert(cid.to_string(), pending);
	}

	/// Ask for `work` on `cid` unless some work on it is pending already (a later block's
	/// request stands, and a failing pin keeps its backoff).
	fn want_unless_pending(&mut self, cid: &Cid, work: Work, block: u64) {
		if !self.pending.contains_key(&cid.to_string()) {
			self.want(cid, work, block);
		}
	}

	/// The state as the status command shows it.
	pub fn summary(&self) -> Summary {
		let count = |w: Work| self.pending.values().filter(|p| p.work == w).count();
		Summary {
			block: self.block,
			pinned: self.pinned,
			unpinned: self.unpinned,
			pending_pins: count(Work::Pin),
			pending_unpins: count(Work::Unpin),
			failures: self.failures,
			collections: self.collections,
			replication: self.replication,
			reconciliations: self.reconciliations,
			failing: self
				.pending
				.iter()
				.filter(|(_, p)| p.attempts > 0)
				.map(|(cid, p)| Failing {
					cid: cid.clone(),
					work: p.work,
					attempts: p.attempts,
					last_error: p.last_error.clone(),
				})
				.collect(),
		}
	}
}

/// Where a follower stands (`medchain follow status`).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
	/// The last finalized block read.
	pub block: u64,
	pub pinned: u64,
	pub unpinned: u64,
	pub pending_pins: usize,
	pub pending_unpins: usize,
	/// Failed attempts in all.
	pub failures: u64,
	/// Garbage collections run.
	pub collections: u64,
	pub replication: Option<Replication>,
	pub reconciliations: u64,
	/// The pending work that failed at least once.
	pub failing: Vec<Failing>,
}

/// Pending work that failed at least once.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Failing {
	pub cid: String,
	pub work: Work,
	pub attempts: u32,
	pub last_error: Option<String>,
}

/// Why the follower cannot go on (it keeps trying while the chain or the IPFS node is
/// away; these are what the caller may report).
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error(transparent)]
	Io(std::io::Error),
}

impl From<std::io::Error> for FollowError {
	fn from(e: std::io::Error) -> Self {
		Self::Io(e)
	}
}

/// A follower of one chain node, keeping one IPFS node's pins.
pub struct Follower<'a> {
	pub chain: &'a Chain,
	pub store: &'a Store,
	pub state_path: PathBuf,
	pub state: State,
	/// What this follower keeps.
	pub replication: Replication,
}

/// One block as the follower reads it, with what it looked up there.
struct At {
	hash: H256,
	/// The active hospitals at the block, once asked for.
	active: Option<Vec<HospitalId>>,
}

impl At {
	fn new(hash: H256) -> Self {
		Self { hash, active: None }
	}
}

impl<'a> Follower<'a> {
	/// A follower resuming from the state in `state_path` (fresh if there is none), keeping
	/// what `replication` says.
	pub fn new(
		chain: &'a Chain,
		store: &'a Store,
		state_path: PathBuf,
		replication: Replication,
	) -> std::io::Result<Self> {
		let state = State::load(&state_path)?;
		Ok(Follower { chain, store, state_path, state, replication })
	}

	/// Read every finalized block not read yet, turning its events into work. Returns how
	/// many blocks were read.
	pub fn read_blocks(&mut self) -> Result<u64, FollowError> {
		let finalized = self.chain.finalized_number()?;
		if self.state.replication != Some(self.replication) {
			// Under another policy (or none yet) the pins may lack files this one keeps.
			if self.state.block > 0 {
				let hash = self.chain.block_hash(self.state.block)?;
				self.reconcile(&mut At::new(hash), self.state.block)?;
			}
			self.state.replication = Some(self.replication);
			self.state.save(&self.state_path)?;
		}
		let mut read = 0;
		let mut parent = None;
		while self.state.block < finalized {
			let number = self.state.block + 1;
			let hash = self.chain.block_hash(number)?;
			let parent_hash = match parent {
				Some(p) => p,
				None => self.chain.block_hash(number - 1)?,
			};
			let membership_changed = self.read_block(&mut At::new(hash), parent_hash)?;
			if membership_changed && self.replication != Replication::All {
				self.reconcile(&mut At::new(hash), number)?;
			}
			self.state.block = number;
			self.state.save(&self.state_path)?;
			parent = Some(hash);
			read += 1;
		}
		Ok(read)
	}

	/// Turn the events of block `at` (whose parent is `parent`) into work. Returns whether
	/// the consortium's active hospitals changed in it.
	fn read_block(&mut self, at: &mut At, parent: H256) -> Result<bool, FollowError> {
		let number = self.state.block + 1;
		let mut membership_changed = false;
		// A record named by several events of the block is looked at once.
		let mut records_seen = std::collections::BTreeSet::new();
		for event in self.chain.events(at.hash)? {
			match event.event {
				RuntimeEvent::Records(
					pallet_records::Event::RecordCreated { record, .. }
					| pallet_records::Event::RecordUpdated { record, .. }
					| pallet_records::Event::RecordKeyRotated { record, .. },
				) if records_seen.insert(record) => {
					for cid in self.kept_versions(record, at)? {
						self.state.want(&cid, Work::Pin, number);
					}
				}
				RuntimeEvent::Records(pallet_records::Event::RecordErased { record, .. }) => {
					// Whatever the policy: unpinning a file not kept changes nothing.
					let versions = self.record_at(record, parent)?.map(|v| cids_of(&v));
					for cid in versions.unwrap_or_default() {
						self.unpin_unless_named(&cid, at.hash, number)?;
					}
				}
				RuntimeEvent::Patients(
					pallet_patients::Event::PatientRegistered { patient, .. }
					| pallet_patients::Event::ProfileUpdated { patient },
				) => {
					let address = crate::keys::address_of(patient.as_ref());
					let now = self.profile_at(&address, at.hash)?;
					let before = self.profile_at(&address, parent)?;
					if let Some(old) = before.filter(|old| Some(old) != now.as_ref()) {
						self.unpin_unless_named(&old, at.hash, number)?;
					}
					if let Some(new) = self.kept_profile(&address, patient.as_ref(), at)? {
						self.state.want(&new, Work::Pin, number);
					}
				}
				RuntimeEvent::Consortium(
					pallet_consortium::Event::HospitalAdmitted { .. }
					| pallet_consortium::Event::HospitalSuspended { .. }
					| pallet_consortium::Event::HospitalReinstated { .. }
					| pallet_consortium::Event::HospitalRemoved { .. },
				) => membership_changed = true,
				_ => {}
			}
		}
		Ok(membership_changed)
	}

	/// Ask for `cid` to be unpinned if nothing live names it at block `at`: no record version
	/// and no profile (its claim on chain is gone). Another version or the profile of the
	/// same patient may still name it, and no other patient's can.
	fn unpin_unless_named(&mut self, cid: &Cid, at: H256, number: u64) -> Result<(), FollowError> {
		if self.chain.file_claimant(cid, Some(at))?.is_none() {
			self.state.want(cid, Work::Unpin, number);
		}
		Ok(())
	}

	/// Look at every live file at block `at` and ask for a pin of each one this follower
	/// keeps. Pins already there cost one question to the IPFS node; nothing is unpinned.
	fn reconcile(&mut self, at: &mut At, number: u64) -> Result<(), FollowError> {
		let next: RecordId = self
			.chain
			.storage(
				&pallet_records::NextRecordId::<medchain_runtime::Runtime>::hashed_key(),
				Some(at.hash),
			)?
			.unwrap_or_default();
		for record in 0..next {
			for cid in self.kept_versions(record, at)? {
				self.state.want_unless_pending(&cid, Work::Pin, number);
			}
		}
		use frame_support::storage::StoragePrefixedMap;
		let prefix = pallet_patients::PatientOf::<medchain_runtime::Runtime>::final_prefix();
		for key in self.chain.keys_at(&prefix, Some(at.hash))? {
			// Blake2_128Concat: the account is the key's last 32 bytes.
			let Some(account) = key
				.len()
				.checked_sub(32)
				.and_then(|start| <[u8; 32]>::try_from(&key[start..]).ok())
			else {
				continue;
			};
			let address = crate::keys::address_of(&account);
			if let Some(cid) = self.kept_profile(&address, &account, at)? {
				self.state.want_unless_pending(&cid, Work::Pin, number);
			}
		}
		self.state.reconciliations += 1;
		Ok(())
	}

	/// The record view of `record` at block `at`, if it exists there.
	fn record_at(&self, record: RecordId, at: H256) -> Result<Option<Record>, FollowError> {
		Ok(self.chain.record(record, Some(at))?)
	}

	/// The patient at `address` at block `at`, if registered there.
	fn patient_at(&self, address: &str, at: H256) -> Result<Option<Patient>, FollowError> {
		match medchain_api::params::parse_account("patient", address) {
			Ok(account) => Ok(self.chain.patient(&account, Some(at))?),
			Err(_) => Ok(None),
		}
	}

	/// The CIDs of every version of `record` at block `at` if this follower keeps the
	/// record; none otherwise (or if it does not exist).
	fn kept_versions(&self, record: RecordId, at: &mut At) -> Result<Vec<Cid>, FollowError> {
		let Some(view) = self.record_at(record, at.hash)? else { return Ok(Vec::new()) };
		if self.replication == Replication::All {
			return Ok(cids_of(&view));
		}
		// Its owners: the hospital its patient registered through and those of the doctors
		// who wrote a version.
		let mut owners = Vec::new();
		if let Some(patient) = self.chain.patient(&view.patient.0, Some(at.hash))? {
			owners.extend(patient.hospital);
		}
		for version in &view.versions {
			if let Some(doctor) = self.chain.doctor(&version.author.0, Some(at.hash))? {
				owners.push(doctor.hospital);
			}
		}
		let active = self.active_hospitals(at)?;
		Ok(if self.replication.keeps(FileOf::Record(record), &owners, &active) {
			cids_of(&view)
		} else {
			Vec::new()
		})
	}

	/// The current profile of the patient at `address` (account bytes `account`) at block
	/// `at` if this follower keeps it.
	fn kept_profile(
		&self,
		address: &str,
		account: &[u8],
		at: &mut At,
	) -> Result<Option<Cid>, FollowError> {
		let Some(view) = self.patient_at(address, at.hash)? else {
			return Ok(None);
		};
		let Some(cid) = view.profile.as_deref().and_then(|c| Cid::try_from(c).ok()) else {
			return Ok(None);
		};
		let owners: Vec<HospitalId> = view.hospital.into_iter().collect();
		let active = if self.replication == Replication::All {
			Vec::new()
		} else {
			self.active_hospitals(at)?
		};
		Ok(self.replication.keeps(FileOf::Profile(account), &owners, &active).then_some(cid))
	}

	/// The profile CID of the patient at `address` at block `at`, if any.
	fn profile_at(&self, address: &str, at: H256) -> Result<Option<Cid>, FollowError> {
		let view = self.patient_at(address, at)?;
		Ok(view.and_then(|v| v.profile.as_deref().and_then(|c| Cid::try_from(c).ok())))
	}

	/// The consortium's active hospitals at block `at` (asked once per block).
	fn active_hospitals(&self, at: &mut At) -> Result<Vec<HospitalId>, FollowError> {
		if let Some(active) = &at.active {
			return Ok(active.clone());
		}
		let mut active = Vec::new();
		// Ids run from 0; removed hospitals stay (marked), so the first missing id ends it.
		for id in 0..HospitalId::MAX {
			let Some(view) = self.chain.hospital(id, Some(at.hash))? else {
				break;
			};
			if view.is_active() {
				active.push(id);
			}
		}
		at.active = Some(active.clone());
		Ok(active)
	}

	/// Do the pending work that is due, each piece at most once; failures wait longer
	/// each time. Runs garbage collection once after any unpinning. Returns how
	/// many pieces were done.
	pub fn work(&mut self) -> std::io::Result<u64> {
		let now = now_ms();
		let mut due: Vec<(String, Pending)> = self
			.state
			.pending
			.iter()
			.filter(|(_, p)| p.next_try_ms <= now)
			.map(|(c, p)| (c.clone(), p.clone()))
			.collect();
		// New work before retries: a file nobody can supply does not hold up the others.
		due.sort_by_key(|(_, p)| p.attempts);
		let mut done = 0;
		let mut unpinned = false;
		for (text, pending) in due {
			let Ok(cid) = Cid::try_from(text.as_str()) else {
				// Cannot happen: only parsed CIDs are stored. Drop it rather than loop.
				self.state.pending.remove(&text);
				continue;
			};
			let outcome = match pending.work {
				Work::Pin => self.store.pin(&cid, PIN_TIMEOUT).map(|already| {
					if !already {
						self.state.pinned += 1;
					}
				}),
				Work::Unpin => self.store.unpin(&cid).map(|was| {
					if was {
						self.state.unpinned += 1;
					}
					// Collect even if someone else (a patient's client) unpinned it first:
					// the blocks are there until a collection.
					unpinned = true;
				}),
			};
			match outcome {
				Ok(()) => {
					self.state.pending.remove(&text);
					done += 1;
				}
				Err(e) => self.failed(&text, e),
			}
			self.state.save(&self.state_path)?;
		}
		if unpinned {
			match self.store.collect_garbage() {
				Ok(()) => self.state.collections += 1,
				// The blocks go at the next collection instead.
				Err(_) => self.state.failures += 1,
			}
			self.state.save(&self.state_path)?;
		}
		Ok(done)
	}

	fn failed(&mut self, cid: &str, error: StoreError) {
		self.state.failures += 1;
		if let Some(p) = self.state.pending.get_mut(cid) {
			p.attempts += 1;
			p.last_error = Some(error.to_string());
			p.next_try_ms = now_ms() + backoff(p.attempts).as_millis() as u64;
		}
	}
}

/// The CIDs of every version in a record view (the chain checked each when it was stored).
fn cids_of(view: &Record) -> Vec<Cid> {
	view.versions.iter().filter_map(|v| Cid::try_from(v.cid.as_str()).ok()).collect()
}

/// The delay after `attempts` failures: 2 s, 4 s, 8 s, … up to five minutes.
pub fn backoff(attempts: u32) -> Duration {
	let factor = 1u32.checked_shl(attempts.saturating_sub(1)).unwrap_or(u32::MAX);
	FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn failures_wait_longer_each_time_up_to_five_minutes() {
		assert_eq!(backoff(1), Duration::from_secs(2));
		assert_eq!(backoff(2), Duration::from_secs(4));
		assert_eq!(backoff(5), Duration::from_secs(32));
		assert_eq!(backoff(9), MAX_BACKOFF);
		assert_eq!(backoff(200), MAX_BACKOFF);
	}

	#[test]
	fn the_state_survives_a_restart_and_later_work_replaces_earlier() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("follower.json");
		assert_eq!(State::load(&path).unwrap(), State::default());
		let cid =
			Cid::try_from("bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4").unwrap();
		let mut state = State { block: 7, pinned: 3, ..Default::default() };
		state.want(&cid, Work::Pin, 7);
		state.want(&cid, Work::Unpin, 8);
		state.save(&path).unwrap();
		let back = State::load(&path).unwrap();
		assert_eq!(back, state);
		assert_eq!(back.pending.len(), 1);
		assert_eq!(back.pending[&cid.to_string()].work, Work::Unpin);
		assert_eq!(back.summary().pending_unpins, 1);
		std::fs::write(&path, b"not json").unwrap();
		assert!(State::load(&path).is_err());
	}
}
