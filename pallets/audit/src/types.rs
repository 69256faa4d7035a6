//! Types stored by the audit pallet.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use medchain_primitives::{AuditAction, AuditSeq, Entity, Moment};
use scale_info::TypeInfo;

/// A 256-bit BLAKE2b hash of an encoded [`AuditEntry`].
pub type EntryHash = [u8; 32];

/// One line of the audit trail. Bounded: every field has a fixed maximum size.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct AuditEntry<AccountId, BlockNumber> {
	/// Global sequence number, gapless from 0.
	pub seq: AuditSeq,
	/// Chain time of the block that holds the action, in ms since the Unix epoch.
	pub at: Moment,
	/// Number of that block.
	pub block: BlockNumber,
	/// Who acted.
	pub actor: Entity<AccountId>,
	/// Whom the action concerns; each subject has its own hash chain.
	pub subject: Entity<AccountId>,
	/// What was done, with the ids it concerns.
	pub action: AuditAction<AccountId>,
	/// Hash of the subject's previous entry; all zeros for its first.
	pub prev: EntryHash,
}

impl<AccountId: Encode, BlockNumber: Encode> AuditEntry<AccountId, BlockNumber> {
	/// The entry's hash: BLAKE2b-256 of its SCALE encoding. The next entry of
	/// the same subject holds it as `prev`; the last one is the trail's head.
	pub fn hash(&self) -> EntryHash {
		sp_io::hashing::blake2_256(&self.encode())
	}
}

/// The head of a subject's hash chain.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Trail {
	/// How many entries concern the subject; they are at positions `0..len`
	/// of [`crate::SubjectEntries`].
	pub len: u64,
	/// Hash of the subject's last entry (all zeros while it has none).
	pub head: EntryHash,
}

/// A page of a subject's trail, with what a reader needs to check its hash
/// chain: the trail's length and stored head.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct TrailPage<AccountId, BlockNumber> {
	/// How many entries the trail has in all.
	pub len: u64,
	/// BLAKE2b-256 of the trail's last entry (zeros for an empty trail).
	pub head: EntryHash,
	/// The entries at positions `from..from + items.len()`, oldest first.
	/// (Named like `Page`'s, and not `entries`, which JavaScript codecs
	/// already use for a method.)
	pub items: Vec<AuditEntry<AccountId, BlockNumber>>,
	/// The position of the next page, if any.
	pub next: Option<u64>,
}
