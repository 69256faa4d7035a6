//! Storage migrations of the patients pallet.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
use medchain_primitives::FileClaims;

/// Version 1 to 2: files are claimed (`FileClaims`, kept by pallet-records). Every
/// patient's profile claims its file. A profile naming a file another patient already
/// claims (the attack claims close) is left unclaimed and logged; `try_state` reports it
/// until the patient sets another profile. One pass over `PatientOf`, in one block.
pub struct ClaimProfiles<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for ClaimProfiles<T> {
	fn on_runtime_upgrade() -> Weight {
		let (mut reads, mut writes) = (0u64, 0u64);
		for (patient, info) in PatientOf::<T>::iter() {
			reads += 1;
			if let Some(cid) = &info.profile {
				reads += 1;
				writes += 1;
				if T::Files::claim(&patient, cid).is_err() {
					log::warn!(
						target: "runtime::patients",
						"a profile names a file another patient claims",
					);
				}
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// [`ClaimProfiles`], run only when the stored version is 1, which it sets to 2.
pub type V1ToV2<T> =
	VersionedMigration<1, 2, ClaimProfiles<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
