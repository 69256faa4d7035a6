//! Types of the records pallet: a record, its versions and its wrapped keys.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use medchain_primitives::{Cid, Moment, RecordCategory, RecordId, WrappedKey};
use scale_info::TypeInfo;

/// Number of a record's version, from 1.
pub type Version = u32;

/// Number of a record's key epoch, from 0; each rotation adds one.
pub type Epoch = u32;

/// A medical record: where its encrypted file is, and who holds its key.
/// No content and no personal data: the file is in IPFS, encrypted.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Record<AccountId> {
	/// Whose record it is.
	pub patient: AccountId,
	/// Who created it (the patient, a guardian, or a doctor).
	pub author: AccountId,
	/// What kind of record.
	pub category: RecordCategory,
	/// CID of the current version's encrypted file.
	pub cid: Cid,
	/// The current version, from 1.
	pub version: Version,
	/// The current key epoch, from 0. Every stored wrapped key is of this epoch.
	pub epoch: Epoch,
	/// How many readers hold a wrapped key.
	pub readers: u32,
	/// Chain time (ms) of creation.
	pub created_at: Moment,
	/// Chain time (ms) of the current version.
	pub updated_at: Moment,
}

/// One version of a record, kept after newer ones.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct VersionInfo<AccountId> {
	/// CID of this version's encrypted file.
	pub cid: Cid,
	/// Who stored this version.
	pub author: AccountId,
	/// Key epoch the file is encrypted under.
	pub epoch: Epoch,
	/// Chain time (ms) it was stored.
	pub at: Moment,
}

/// A record's data key wrapped to one reader, tagged with its epoch.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct KeyInfo {
	/// The key epoch this wrap is of.
	pub epoch: Epoch,
	/// HPKE output: the data key wrapped to the reader's X25519 key.
	pub wrapped: WrappedKey,
}

/// A record with every version it kept, as the queries return it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct RecordView<AccountId> {
	/// The record's id.
	pub id: RecordId,
	/// The record as stored.
	pub record: Record<AccountId>,
	/// Its versions, oldest first (at most `MaxVersions`).
	pub versions: Vec<VersionInfo<AccountId>>,
}

/// A record's data key made available in an emergency: split (Shamir, `threshold` of the
/// shares recover it) with one share per custodian hospital, each wrapped (HPKE) to that
/// hospital's key-release key. `Shares` is a bounded list of `(hospital, wrapped share)`.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Escrow<Shares> {
	/// The key epoch whose data key was split.
	pub epoch: Epoch,
	/// How many shares recover the key.
	pub threshold: u32,
	/// One wrapped share per custodian hospital.
	pub shares: Shares,
	/// How many readers hold released shares of it ([`Release`]).
	pub released_to: u32,
}

/// The shares of a record's data key that custodian hospitals released to one reader, a
/// doctor who broke the glass, each re-wrapped (HPKE) to the doctor's encryption key.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Release<Shares> {
	/// The key epoch of the escrow the shares come from.
	pub epoch: Epoch,
	/// `(hospital, share wrapped to the reader)`, in the order they arrived.
	pub shares: Shares,
}

/// Who uses a file (by its CID), and how many times: versions of the patient's live
/// records, and the patient's profile.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Claim<AccountId> {
	/// The patient whose records or profile name the file.
	pub patient: AccountId,
	/// How many versions and profiles name it; at least 1.
	pub uses: u32,
}
