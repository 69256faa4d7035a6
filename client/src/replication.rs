//! Which of the live files a hospital's follower keeps.
//!
//! By default every hospital keeps every live file: the ciphertext is useless without a
//! wrapped key, so a full copy costs only disk. A hospital short of disk may instead keep
//! the files of its own patients (registered through it) and of its own doctors (who
//! wrote a version), plus the files that fall to it so that every file has at least
//! `min_replicas` holders. Who holds a file beyond its owners is decided without any
//! coordination: each file ranks the active hospitals by a hash of the file's key and the
//! hospital's id (rendezvous hashing), and the first `min_replicas` keep it. Every
//! follower computes the same ranking from the same finalized block, so the copies are
//! there as long as each active hospital runs a follower (in either mode).

use frame_support::StorageHasher;
use medchain_primitives::{HospitalId, RecordId};
use serde::{Deserialize, Serialize};

/// What a follower keeps.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(tag = "keep", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Replication {
	/// Every live file (the default).
	#[default]
	All,
	/// The files of `hospital`'s own patients and doctors, and those among whose first
	/// `min_replicas` active hospitals it ranks.
	Own { hospital: HospitalId, min_replicas: u32 },
}

/// A live file, as the ranking sees it: a record (all its versions go together) or a
/// patient's profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileOf<'a> {
	Record(RecordId),
	Profile(&'a [u8]),
}

impl FileOf<'_> {
	fn key(&self) -> Vec<u8> {
		match self {
			Self::Record(id) => [b"record:".as_slice(), &id.to_le_bytes()].concat(),
			Self::Profile(account) => [b"profile:".as_slice(), account].concat(),
		}
	}
}

/// The first `n` of `active` hospitals in `file`'s ranking: the holders it has whoever
/// owns it.
pub fn ranked_holders(file: FileOf, active: &[HospitalId], n: u32) -> Vec<HospitalId> {
	let key = file.key();
	let mut ranked: Vec<([u8; 32], HospitalId)> = active
		.iter()
		.map(|h| {
			let seed = [b"medchain/replica/".as_slice(), &key, &h.to_le_bytes()].concat();
			(<frame_support::Blake2_256 as StorageHasher>::hash(&seed), *h)
		})
		.collect();
	ranked.sort();
	ranked.dedup_by_key(|(_, h)| *h);
	ranked.into_iter().take(n as usize).map(|(_, h)| h).collect()
}

impl Replication {
	/// Whether this follower keeps `file`, owned by `owners` (the hospitals of its patient
	/// and of the doctors who wrote it), when `active` are the active hospitals.
	pub fn keeps(&self, file: FileOf, owners: &[HospitalId], active: &[HospitalId]) -> bool {
		match *self {
			Self::All => true,
			Self::Own { hospital, min_replicas } => {
				owners.contains(&hospital)
					|| ranked_holders(file, active, min_replicas).contains(&hospital)
			}
		}
	}

	/// In words, for the follower's log and status.
	pub fn describe(&self) -> String {
		match self {
			Self::All => "every live file".into(),
			Self::Own { hospital, min_replicas } => format!(
				"the files of hospital {hospital}'s patients and doctors, and its share of \
				 {min_replicas} copies of every file"
			),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const FIVE: [HospitalId; 5] = [0, 1, 2, 3, 4];

	#[test]
	fn every_file_has_its_copies_among_active_hospitals_and_they_differ_between_files() {
		let mut first_holders = std::collections::BTreeSet::new();
		for id in 0..200 {
			let holders = ranked_holders(FileOf::Record(id), &FIVE, 2);
			assert_eq!(holders.len(), 2);
			assert_ne!(holders[0], holders[1]);
			assert!(holders.iter().all(|h| FIVE.contains(h)));
			// The same answer every time: followers agree without talking.
			assert_eq!(holders, ranked_holders(FileOf::Record(id), &FIVE, 2));
			first_holders.insert(holders[0]);
		}
		// The load is spread: each hospital is first for some record.
		assert_eq!(first_holders.len(), FIVE.len());
		// Asking for more copies than hospitals gives every hospital.
		assert_eq!(ranked_holders(FileOf::Record(7), &[3, 1], 5).len(), 2);
		assert!(ranked_holders(FileOf::Record(7), &[], 2).is_empty());
	}

	#[test]
	fn a_hospital_joining_or_leaving_moves_only_the_files_it_takes_or_held() {
		let four = &FIVE[..4];
		for id in 0..200 {
			let before = ranked_holders(FileOf::Record(id), four, 2);
			let after = ranked_holders(FileOf::Record(id), &FIVE, 2);
			// Hospital 4 joining takes a place or changes nothing.
			if !after.contains(&4) {
				assert_eq!(before, after);
			}
			// A hospital leaving hands its places to the next in the ranking; the others stay.
			let without_0: Vec<HospitalId> = FIVE.iter().copied().filter(|h| *h != 0).collect();
			let left = ranked_holders(FileOf::Record(id), &without_0, 2);
			for h in after.iter().filter(|h| **h != 0) {
				assert!(left.contains(h));
			}
		}
	}

	#[test]
	fn owners_keep_their_files_and_the_ranked_hospitals_keep_everyone_elses() {
		let profile = [7u8; 32];
		let file = FileOf::Profile(&profile);
		let ranked = ranked_holders(file, &FIVE, 1)[0];
		let owner = (ranked + 1) % 5;
		let bystander = (ranked + 2) % 5;
		let policy = |hospital| Replication::Own { hospital, min_replicas: 1 };
		assert!(policy(owner).keeps(file, &[owner], &FIVE));
		assert!(policy(ranked).keeps(file, &[owner], &FIVE));
		assert!(!policy(bystander).keeps(file, &[owner], &FIVE));
		assert!(Replication::All.keeps(file, &[], &FIVE));
		// A record and a profile rank the hospitals independently.
		assert_ne!(FileOf::Record(0).key(), FileOf::Profile(&0u64.to_le_bytes()).key());
	}
}
