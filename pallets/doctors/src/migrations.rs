//! Storage migrations of the doctors pallet.

use crate::{pallet::*, DoctorStatus};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, Time, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// Version 1 to 2: the access pallet's emergency probation counts from when a doctor became
/// active (`ActiveSince`), which version 1 did not record. Every doctor active at the upgrade
/// is recorded as active from the upgrade's block: a doctor approved just before it serves
/// the whole probation rather than none (their application time, the fallback, may be older
/// than the probation). One pass over `DoctorOf`, in one block.
pub struct TimeActivations<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for TimeActivations<T> {
	fn on_runtime_upgrade() -> Weight {
		let now = T::Time::now();
		let (mut reads, mut writes) = (1u64, 0u64);
		for (doctor, info) in DoctorOf::<T>::iter() {
			reads += 1;
			if info.status == DoctorStatus::Active {
				writes += 1;
				ActiveSince::<T>::insert(doctor, now);
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// [`TimeActivations`], run only when the stored version is 1, which it sets to 2.
pub type V1ToV2<T> =
	VersionedMigration<1, 2, TimeActivations<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
