//! Appending entries, reading pages, checking hash chains.

use crate::{pallet::*, AuditAction, AuditLog, AuditSeq, Entity, Trail};
#[cfg(any(feature = "std", feature = "try-runtime"))]
use crate::{TrailError, TrailWalk};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};

/// Who wrote an entry, and what it records.
#[cfg(feature = "std")]
pub type ActorAndAction<T> = (EntityOf<T>, AuditAction<<T as frame_system::Config>::AccountId>);

/// The most entries one page read returns.
pub use medchain_primitives::MAX_PAGE_SIZE;

/// The position after a page of `count` entries from `from` in a list of
/// `len`, if entries follow.
pub(crate) fn next_position(from: u64, count: usize, len: u64) -> Option<u64> {
	let end = from.saturating_add(count as u64);
	(count > 0 && end < len).then_some(end)
}

impl<T: Config> Pallet<T> {
	/// Append an entry and index it. The only writer of the trail.
	pub(crate) fn append(
		actor: EntityOf<T>,
		subject: EntityOf<T>,
		action: AuditAction<T::AccountId>,
	) -> Result<AuditSeq, DispatchError> {
		let seq = NextSeq::<T>::get();
		let next = seq.checked_add(1).ok_or(Error::<T>::TrailFull)?;
		let trail = SubjectTrail::<T>::get(&subject);
		let subject_len = trail.len.checked_add(1).ok_or(Error::<T>::TrailFull)?;
		let actor_position = ActorEntryCount::<T>::get(&actor);
		let actor_len = actor_position.checked_add(1).ok_or(Error::<T>::TrailFull)?;

		let entry = AuditEntryOf::<T> {
			seq,
			at: T::Time::now(),
			block: frame_system::Pallet::<T>::block_number(),
			actor: actor.clone(),
			subject: subject.clone(),
			action,
			prev: trail.head,
		};
		let head = entry.hash();

		NextSeq::<T>::put(next);
		Entries::<T>::insert(seq, entry);
		SubjectEntries::<T>::insert(&subject, trail.len, seq);
		SubjectTrail::<T>::insert(&subject, Trail { len: subject_len, head });
		ActorEntries::<T>::insert(&actor, actor_position, seq);
		ActorEntryCount::<T>::insert(&actor, actor_len);
		Self::deposit_event(Event::EntryLogged { seq, subject });
		Ok(seq)
	}

	/// Entries concerning `subject` from position `from`, at most `limit`
	/// (capped at [`MAX_PAGE_SIZE`]), oldest first.
	pub fn subject_entries(subject: &EntityOf<T>, from: u64, limit: u32) -> Vec<AuditEntryOf<T>> {
		Self::page(SubjectTrail::<T>::get(subject).len, from, limit, |position| {
			SubjectEntries::<T>::get(subject, position)
		})
	}

	/// Entries written by `actor` from position `from`, at most `limit`
	/// (capped at [`MAX_PAGE_SIZE`]), oldest first.
	pub fn actor_entries(actor: &EntityOf<T>, from: u64, limit: u32) -> Vec<AuditEntryOf<T>> {
		Self::page(ActorEntryCount::<T>::get(actor), from, limit, |position| {
			ActorEntries::<T>::get(actor, position)
		})
	}

	fn page(
		len: u64,
		from: u64,
		limit: u32,
		seq_at: impl Fn(u64) -> Option<AuditSeq>,
	) -> Vec<AuditEntryOf<T>> {
		let end = from.saturating_add(limit.min(MAX_PAGE_SIZE) as u64).min(len);
		(from..end).filter_map(|position| seq_at(position).and_then(Entries::<T>::get)).collect()
	}

	/// Walk a subject's whole trail: every position indexed, every entry about
	/// this subject, each linked to the one before, the last one the head.
	/// Returns the trail's length. Reads the whole trail: for tests, try-state
	/// and off-chain checks, never for a call.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn verify_subject_trail(subject: &EntityOf<T>) -> Result<u64, TrailError> {
		Self::checked_entries(subject).map(|entries| entries.len() as u64)
	}

	/// The subject's entries, oldest first, checked as [`Self::verify_subject_trail`] says.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	fn checked_entries(subject: &EntityOf<T>) -> Result<Vec<AuditEntryOf<T>>, TrailError> {
		let trail = SubjectTrail::<T>::get(subject);
		let mut walk = TrailWalk::from_start(subject);
		let mut entries = Vec::new();
		for position in 0..trail.len {
			let entry = SubjectEntries::<T>::get(subject, position)
				.and_then(Entries::<T>::get)
				.ok_or(TrailError::MissingEntry { position })?;
			walk.take(&entry)?;
			entries.push(entry);
		}
		walk.finish(trail.head)?;
		Ok(entries)
	}

	/// `(actor, action)` of every entry about `subject`, oldest first, once its
	/// hash chain verifies. Reads the whole trail: for tests and off-chain use.
	#[cfg(feature = "std")]
	pub fn verified_trail(subject: &EntityOf<T>) -> Result<Vec<ActorAndAction<T>>, TrailError> {
		let entries = Self::checked_entries(subject)?;
		Ok(entries.into_iter().map(|entry| (entry.actor, entry.action)).collect())
	}

	/// The storage invariants of this pallet. Called by `try_state` and after
	/// every unit test (the other pallets' tests too). Reads everything.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextSeq::<T>::get();
		let mut entries = 0u64;
		for (seq, entry) in Entries::<T>::iter() {
			ensure!(seq < next, "entry at or above NextSeq");
			ensure!(entry.seq == seq, "entry stored under another sequence number");
			entries += 1;
		}
		ensure!(entries == next, "entries are not gapless from 0 to NextSeq");

		let mut by_subject = 0u64;
		for (subject, trail) in SubjectTrail::<T>::iter() {
			ensure!(
				Self::verify_subject_trail(&subject).is_ok(),
				"a subject's hash chain does not verify"
			);
			by_subject += trail.len;
		}
		ensure!(by_subject == next, "subject trails do not cover every entry exactly once");
		ensure!(SubjectEntries::<T>::iter().count() as u64 == next, "stale subject index entry");

		let mut by_actor = 0u64;
		for (actor, len) in ActorEntryCount::<T>::iter() {
			for position in 0..len {
				let entry = ActorEntries::<T>::get(&actor, position)
					.and_then(Entries::<T>::get)
					.ok_or("actor index names a missing entry")?;
				ensure!(entry.actor == actor, "actor index names another actor's entry");
			}
			by_actor += len;
		}
		ensure!(by_actor == next, "actor lists do not cover every entry exactly once");
		ensure!(ActorEntries::<T>::iter().count() as u64 == next, "stale actor index entry");
		Ok(())
	}
}

impl<T: Config> AuditLog<T::AccountId> for Pallet<T> {
	fn log(
		actor: Entity<T::AccountId>,
		subject: Entity<T::AccountId>,
		action: AuditAction<T::AccountId>,
	) -> Result<AuditSeq, DispatchError> {
		Self::append(actor, subject, action)
	}
}
