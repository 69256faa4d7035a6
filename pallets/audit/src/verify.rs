//! The one check of a subject's hash chain, for every reader of a trail:
//! this pallet's `try_state`, the node's `medchain_auditTrail` (with
//! `verify`) and the `medchain` client, which recomputes each hash from
//! the entry's SCALE bytes rather than trusting the node.
//!
//! A [`TrailWalk`] starts at a position of a subject's trail with the hash
//! the entry there must hold, takes the entries in order, and at the end
//! compares the last hash with the trail's stored head.

use crate::{AuditEntry, Entity, EntryHash};
use codec::{Decode, Encode};

/// Why a subject's trail, or a page of it, does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrailError {
	/// The index names no entry at `position`.
	MissingEntry { position: u64 },
	/// The bytes given for the entry at `position` are not an audit entry.
	Undecodable { position: u64 },
	/// The entry at `position` concerns another subject.
	WrongSubject { position: u64 },
	/// The entry at `position` does not hold the hash of the one before it.
	BrokenLink { position: u64 },
	/// The last entry's hash is not the stored head.
	HeadMismatch,
	/// The walk was asked to start past the trail's end.
	PastTheEnd { position: u64, len: u64 },
}

impl core::fmt::Display for TrailError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			TrailError::MissingEntry { position } => {
				write!(f, "the trail's index names no entry at position {position}")
			}
			TrailError::Undecodable { position } => {
				write!(f, "the bytes of the entry at position {position} are not an audit entry")
			}
			TrailError::WrongSubject { position } => {
				write!(f, "the entry at position {position} concerns another subject")
			}
			TrailError::BrokenLink { position } => write!(
				f,
				"the entry at position {position} does not hold the hash of the entry before it"
			),
			TrailError::HeadMismatch => {
				write!(f, "the last entry's hash is not the trail's stored head")
			}
			TrailError::PastTheEnd { position, len } => {
				write!(f, "position {position} is past the trail's end ({len})")
			}
		}
	}
}

/// A walk along one subject's trail, checking each link.
#[derive(Clone, Debug)]
pub struct TrailWalk<'a, AccountId> {
	subject: &'a Entity<AccountId>,
	position: u64,
	prev: EntryHash,
}

impl<'a, AccountId: Encode + Decode + PartialEq> TrailWalk<'a, AccountId> {
	/// A walk from position `from`, where the entry must hold `before`: the
	/// hash of the entry at `from - 1`, or zeros when `from` is 0.
	pub fn new(subject: &'a Entity<AccountId>, from: u64, before: EntryHash) -> Self {
		TrailWalk { subject, position: from, prev: before }
	}

	/// A walk over the whole trail, from its first entry.
	pub fn from_start(subject: &'a Entity<AccountId>) -> Self {
		Self::new(subject, 0, [0; 32])
	}

	/// The position of the next entry.
	pub fn position(&self) -> u64 {
		self.position
	}

	/// The hash of the last entry taken (or the starting hash).
	pub fn last_hash(&self) -> EntryHash {
		self.prev
	}

	/// Take the next entry: it must concern the subject and hold the hash
	/// of the one before it. Returns its hash.
	pub fn take<BlockNumber: Encode>(
		&mut self,
		entry: &AuditEntry<AccountId, BlockNumber>,
	) -> Result<EntryHash, TrailError> {
		self.link(entry, entry.hash())
	}

	/// Take the next entry as the SCALE bytes someone sent: decode them
	/// and hash the bytes themselves, so that nothing else about the entry
	/// (a hash field next to it, say) needs to be trusted.
	pub fn take_bytes<BlockNumber: Encode + Decode>(
		&mut self,
		scale: &[u8],
	) -> Result<AuditEntry<AccountId, BlockNumber>, TrailError> {
		let position = self.position;
		let entry = AuditEntry::<AccountId, BlockNumber>::decode(&mut &scale[..])
			.map_err(|_| TrailError::Undecodable { position })?;
		// Trailing bytes would hash differently from the entry they decode to.
		if entry.encoded_size() != scale.len() {
			return Err(TrailError::Undecodable { position });
		}
		self.link(&entry, sp_io::hashing::blake2_256(scale))?;
		Ok(entry)
	}

	fn link<BlockNumber>(
		&mut self,
		entry: &AuditEntry<AccountId, BlockNumber>,
		hash: EntryHash,
	) -> Result<EntryHash, TrailError> {
		let position = self.position;
		if &entry.subject != self.subject {
			return Err(TrailError::WrongSubject { position });
		}
		if entry.prev != self.prev {
			return Err(TrailError::BrokenLink { position });
		}
		self.prev = hash;
		self.position += 1;
		Ok(hash)
	}

	/// End the walk at the end of the trail: the last hash must be the
	/// stored `head` (zeros for an empty trail).
	pub fn finish(self, head: EntryHash) -> Result<EntryHash, TrailError> {
		if self.prev == head {
			Ok(head)
		} else {
			Err(TrailError::HeadMismatch)
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::AuditAction;

	type Entry = AuditEntry<u64, u32>;

	fn trail(subject: &Entity<u64>, n: u64) -> Vec<Entry> {
		let mut prev = [0; 32];
		(0..n)
			.map(|seq| {
				let entry = Entry {
					seq,
					at: 1_700_000_000_000 + seq,
					block: seq as u32,
					actor: Entity::Hospital(0),
					subject: subject.clone(),
					action: AuditAction::AccessRevoked { grantee: 7, keys_removed: 3 },
					prev,
				};
				prev = entry.hash();
				entry
			})
			.collect()
	}

	#[test]
	fn a_whole_trail_walks_to_its_head_from_entries_or_bytes() {
		let subject = Entity::Account(1);
		let entries = trail(&subject, 4);
		let head = entries[3].hash();
		let mut walk = TrailWalk::from_start(&subject);
		entries.iter().try_for_each(|e| walk.take(e).map(drop)).unwrap();
		assert_eq!(walk.finish(head), Ok(head));

		let mut walk = TrailWalk::new(&subject, 2, entries[1].hash());
		for entry in &entries[2..] {
			assert_eq!(walk.take_bytes::<u32>(&entry.encode()), Ok(entry.clone()));
		}
		assert_eq!(walk.position(), 4);
		assert_eq!(walk.finish(head), Ok(head));
		assert_eq!(TrailWalk::<u64>::from_start(&subject).finish([0; 32]), Ok([0; 32]));
	}

	#[test]
	fn each_fault_is_named_with_its_position() {
		let subject = Entity::Account(1);
		let mut entries = trail(&subject, 3);
		let mut walk = TrailWalk::new(&subject, 1, [0; 32]);
		assert_eq!(walk.take(&entries[1]), Err(TrailError::BrokenLink { position: 1 }));

		let mut walk = TrailWalk::from_start(&subject);
		walk.take(&entries[0]).unwrap();
		assert_eq!(walk.clone().finish([9; 32]), Err(TrailError::HeadMismatch));
		let mut bytes = entries[1].encode();
		bytes.push(0);
		assert_eq!(walk.take_bytes::<u32>(&bytes), Err(TrailError::Undecodable { position: 1 }));
		assert_eq!(walk.take_bytes::<u32>(&[1, 2]), Err(TrailError::Undecodable { position: 1 }));
		entries[1].subject = Entity::Council;
		assert_eq!(walk.take(&entries[1]), Err(TrailError::WrongSubject { position: 1 }));
		assert_eq!(
			TrailError::BrokenLink { position: 4 }.to_string(),
			"the entry at position 4 does not hold the hash of the entry before it"
		);
	}
}
