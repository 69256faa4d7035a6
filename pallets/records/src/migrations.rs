//! Storage migrations of the records pallet.

use crate::{pallet::*, Claim};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
use medchain_primitives::Cid;

/// Version 1 to 2: files are claimed ([`ClaimOf`]). Every version of every live record
/// claims its file for the record's patient, oldest record first. A file that two
/// patients' records named before claims existed (the attack claims close) stays with the
/// patient of the oldest record naming it (whoever copied a CID did so later); the
/// migration logs the others, and `try_state` reports them until they are erased. Reads
/// every record and its versions once, in one block: fine for the chains that exist now,
/// a multi-block migration for a chain of millions of records.
pub struct ClaimRecordFiles<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for ClaimRecordFiles<T> {
	fn on_runtime_upgrade() -> Weight {
		let (mut reads, mut writes) = (0u64, 0u64);
		let mut records: alloc::vec::Vec<_> = RecordById::<T>::iter().collect();
		records.sort_by_key(|(id, _)| *id);
		for (id, record) in records {
			reads += 1;
			let cids: alloc::vec::Vec<Cid> = (1..=record.version)
				.filter_map(|v| Pallet::<T>::version_info(id, &record, v))
				.map(|info| info.cid)
				.collect();
			reads += u64::from(record.version);
			for cid in cids {
				reads += 1;
				writes += 1;
				let Some(key) = medchain_primitives::file_key(&cid) else { continue };
				let claimed = ClaimOf::<T>::mutate(key, |claim| match claim {
					Some(c) if c.patient != record.patient => false,
					Some(c) => {
						c.uses = c.uses.saturating_add(1);
						true
					}
					None => {
						*claim = Some(Claim { patient: record.patient.clone(), uses: 1 });
						true
					}
				});
				if !claimed {
					log::warn!(
						target: "runtime::records",
						"record {id} names a file another patient's record claims",
					);
				}
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// Also version 1 to 2: released shares go when their emergency ends (its review closes,
/// or its break-glass grant ends). Removes the shares released for emergencies that ended
/// before that rule; run after the access pallet's version-3 migration, which ends the
/// emergencies that had outlived their grants. At most `MaxReleasesPerRecord` per escrow.
pub struct DropEndedReleases<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for DropEndedReleases<T> {
	fn on_runtime_upgrade() -> Weight {
		use medchain_primitives::{AccessPolicy, EmergencyStatus, PatientRegistry};
		let (mut reads, mut writes) = (0u64, 0u64);
		let releases: alloc::vec::Vec<_> = Releases::<T>::iter_keys().collect();
		for (id, reader) in releases {
			reads += 3;
			let Some(record) = RecordById::<T>::get(id) else { continue };
			let patient = &record.patient;
			let due = T::Patients::may_act_for(&reader, patient)
				|| matches!(
					T::Access::emergency_status(&reader, patient),
					EmergencyStatus::Live | EmergencyStatus::Expired
				);
			if due {
				continue;
			}
			Releases::<T>::remove(id, &reader);
			Escrows::<T>::mutate(id, |escrow| {
				if let Some(escrow) = escrow {
					escrow.released_to = escrow.released_to.saturating_sub(1);
				}
			});
			if !Keys::<T>::contains_key(id, &reader) {
				KeysOf::<T>::remove((patient, &reader, id));
			}
			writes += 3;
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// Both steps of version 1 to 2: [`ClaimRecordFiles`], then [`DropEndedReleases`].
pub struct ClaimFilesAndDropEndedReleases<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for ClaimFilesAndDropEndedReleases<T> {
	fn on_runtime_upgrade() -> Weight {
		ClaimRecordFiles::<T>::on_runtime_upgrade()
			.saturating_add(DropEndedReleases::<T>::on_runtime_upgrade())
	}
}

/// [`ClaimFilesAndDropEndedReleases`], run only when the stored version is 1, which it
/// sets to 2.
pub type V1ToV2<T> = VersionedMigration<
	1,
	2,
	ClaimFilesAndDropEndedReleases<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
