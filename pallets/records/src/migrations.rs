//! Storage migrations of the records pallet.

use crate::{pallet::*, Claim};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
use medchain_primitives::Cid;

/// Version 1 to 2: files are claimed ([`ClaimOf`]). Every version of every live record
/// claims its file for the record's patient. A file that two patients' records named before
/// claims existed (the attack claims close) stays its first claimant's; the migration logs
/// it, and `try_state` reports it until one of the records is erased. Reads every record
/// and its versions once: one pass over `RecordById`, in one block.
pub struct ClaimRecordFiles<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for ClaimRecordFiles<T> {
	fn on_runtime_upgrade() -> Weight {
		let (mut reads, mut writes) = (0u64, 0u64);
		for (id, record) in RecordById::<T>::iter() {
			reads += 1;
			let cids: alloc::vec::Vec<Cid> = (1..=record.version)
				.filter_map(|v| Pallet::<T>::version_info(id, &record, v))
				.map(|info| info.cid)
				.collect();
			reads += u64::from(record.version);
			for cid in cids {
				reads += 1;
				writes += 1;
				let claimed = ClaimOf::<T>::mutate(&cid, |claim| match claim {
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

/// [`ClaimRecordFiles`], run only when the stored version is 1, which it sets to 2.
pub type V1ToV2<T> =
	VersionedMigration<1, 2, ClaimRecordFiles<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
