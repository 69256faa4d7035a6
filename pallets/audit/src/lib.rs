//! # Audit Pallet
//!
//! The append-only audit trail of MedChain: every state change of every
//! MedChain pallet, and every read of a medical record, leaves one entry.
//!
//! ## Overview
//!
//! No call of this pallet writes an entry. The other pallets write through the
//! [`AuditLog`] trait, inside their own calls: a call that fails leaves no
//! entry (its storage changes are rolled back), a call that succeeds leaves
//! exactly one. Nobody can write an arbitrary entry, change one or delete one.
//!
//! Each entry holds a global sequence number, the chain time and block, the
//! actor, the subject (the patient, doctor or hospital the action concerns),
//! the action with the ids it concerns, and the hash of the subject's previous
//! entry. Each subject's entries are therefore a hash chain: a client that
//! fetches them can check every link and compare the last entry's hash with
//! the head the chain stores ([`SubjectTrail`]), so a tampered, reordered or
//! withheld entry shows.
//!
//! ## Interface
//!
//! ### Dispatchable functions
//!
//! None. Entries come only from [`AuditLog::log`].
//!
//! ### Traits implemented
//!
//! - [`AuditLog`] for the other MedChain pallets.
//!
//! ### Public functions
//!
//! - [`Pallet::subject_entries`] and [`Pallet::actor_entries`]: one page of an
//!   entity's entries, by position.
//! - [`Pallet::verify_subject_trail`]: check a subject's hash chain end to end.
//!
//! ## Low Level
//!
//! [`Entries`] holds each entry once, by sequence number. Two indexes list
//! sequence numbers by position: [`SubjectEntries`] per subject and
//! [`ActorEntries`] per actor, with their lengths in [`SubjectTrail`] and
//! [`ActorEntryCount`]. A page is a run of positions read with direct lookups:
//! no iteration, whatever the trail's length. Every entry has a bounded
//! encoding (`MaxEncodedLen`); docs/audit.md gives the storage it costs.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod impls;
pub mod types;
pub mod verify;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use medchain_primitives::{AuditAction, AuditLog, AuditSeq, Entity};
pub use types::{AuditEntry, EntryHash, Trail, TrailPage};
pub use verify::{TrailError, TrailWalk};

/// Implement the `frame_system`, `pallet_timestamp` and audit configs of a test
/// runtime that declares `System`, `Timestamp` and `Audit` (the MedChain
/// pallets' unit tests use the real audit trail), and `base_test_ext()`: empty
/// storage at block 1, time `NOW`. The calling crate needs `frame_system`,
/// `frame_support`, `pallet_timestamp`, `sp_io` and `sp_runtime`.
#[cfg(feature = "std")]
#[macro_export]
macro_rules! impl_test_configs {
	($runtime:ty) => {
		use frame_support::derive_impl;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
		impl frame_system::Config for $runtime {
			type Block = frame_system::mocking::MockBlock<$runtime>;
		}

		impl pallet_timestamp::Config for $runtime {
			type Moment = u64;
			type OnTimestampSet = ();
			type MinimumPeriod = frame_support::traits::ConstU64<1>;
			type WeightInfo = ();
		}

		impl $crate::Config for $runtime {
			type Time = Timestamp;
		}

		/// Chain time of the tests' block, ms since the Unix epoch.
		pub const NOW: u64 = 1_700_000_000_000;

		/// Empty storage at block 1, time [`NOW`].
		pub fn base_test_ext() -> sp_io::TestExternalities {
			let storage =
				<frame_system::GenesisConfig<$runtime> as sp_runtime::BuildStorage>::build_storage(
					&Default::default(),
				)
				.expect("system genesis builds");
			let mut ext = sp_io::TestExternalities::new(storage);
			ext.execute_with(|| {
				System::set_block_number(1);
				Timestamp::set_timestamp(NOW);
			});
			ext
		}
	};
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use crate::impls::next_position;
	use frame_support::{pallet_prelude::*, traits::Time};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{page_size, Moment, Page};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// An audit entry as this runtime stores it.
	pub type AuditEntryOf<T> =
		AuditEntry<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// An entity as this runtime names it.
	pub type EntityOf<T> = Entity<<T as frame_system::Config>::AccountId>;

	/// A page of a trail as this runtime returns it.
	pub type TrailPageOf<T> = TrailPage<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Chain time, stamped on every entry (`pallet-timestamp`).
		type Time: Time<Moment = Moment>;
	}

	/// The sequence number the next entry gets; also how many entries exist.
	#[pallet::storage]
	pub type NextSeq<T> = StorageValue<_, AuditSeq, ValueQuery>;

	/// Every entry, by sequence number. Never changed or removed.
	#[pallet::storage]
	pub type Entries<T: Config> = StorageMap<_, Twox64Concat, AuditSeq, AuditEntryOf<T>>;

	/// Per subject: how many entries concern it and the hash of the last one.
	#[pallet::storage]
	pub type SubjectTrail<T: Config> =
		StorageMap<_, Blake2_128Concat, EntityOf<T>, Trail, ValueQuery>;

	/// Per subject: the sequence number of its entry at each position `0..len`.
	#[pallet::storage]
	pub type SubjectEntries<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, EntityOf<T>, Twox64Concat, u64, AuditSeq>;

	/// Per actor: how many entries it wrote.
	#[pallet::storage]
	pub type ActorEntryCount<T: Config> =
		StorageMap<_, Blake2_128Concat, EntityOf<T>, u64, ValueQuery>;

	/// Per actor: the sequence number of its entry at each position.
	#[pallet::storage]
	pub type ActorEntries<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, EntityOf<T>, Twox64Concat, u64, AuditSeq>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An entry was appended to the trail of `subject`.
		EntryLogged { seq: AuditSeq, subject: EntityOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The trail holds `u64::MAX` entries and cannot grow.
		TrailFull,
	}

	/// Reads for RPC clients, Polkadot.js Apps and the runtime's
	/// `MedchainApi`: trails by subject and by actor, pages of at most
	/// `MAX_PAGE_SIZE` entries, oldest first.
	#[pallet::view_functions]
	impl<T: Config> Pallet<T> {
		/// The entries concerning `subject`, from position `from`, with the
		/// trail's length and head.
		pub fn audit_trail(subject: EntityOf<T>, from: u64, limit: u32) -> TrailPageOf<T> {
			let trail = SubjectTrail::<T>::get(&subject);
			let items = Self::subject_entries(&subject, from, page_size(limit) as u32);
			let next = next_position(from, items.len(), trail.len);
			TrailPage { len: trail.len, head: trail.head, items, next }
		}

		/// The entries written by `actor`, from position `from`.
		pub fn audit_by_actor(
			actor: EntityOf<T>,
			from: u64,
			limit: u32,
		) -> Page<AuditEntryOf<T>, u64> {
			let items = Self::actor_entries(&actor, from, page_size(limit) as u32);
			let next = next_position(from, items.len(), ActorEntryCount::<T>::get(&actor));
			Page { items, next }
		}

		/// One entry by its sequence number.
		pub fn audit_entry(seq: AuditSeq) -> Option<AuditEntryOf<T>> {
			Entries::<T>::get(seq)
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}
}
