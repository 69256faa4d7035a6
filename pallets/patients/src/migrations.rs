//! Storage migrations of the patients pallet.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
use medchain_primitives::{FileClaims, RecordKeys};

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

/// Version 2 to 3: key recoveries need an approval from outside the patient's hospital and
/// wait out a delay (the trust review's attack 2). A recovery approved before (by one guardian,
/// in effect at once) is dropped, not carried over: it was approved under the rule the attack
/// broke, and is approved again, by another hospital or the council, if it was genuine. Every
/// guardian of a patient a hospital represents is marked as named by that hospital, since the
/// chain did not record who named them: such a guardian cannot cancel a recovery (the patient's
/// own account still can). One pass over `Represented`, in one block.
pub struct DelayRecoveries<T>(core::marker::PhantomData<T>);

/// Storage of version 2.
mod v2 {
	use super::*;
	use frame_support::Blake2_128Concat;

	/// Approved recoveries: patient -> holder, in effect at once.
	#[frame_support::storage_alias]
	pub type Recoveries<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		<T as frame_system::Config>::AccountId,
	>;
}

impl<T: Config> UncheckedOnRuntimeUpgrade for DelayRecoveries<T> {
	fn on_runtime_upgrade() -> Weight {
		// The shares released under the old rule go with their recovery, as a cancellation
		// removes them.
		let (mut reads, mut writes) = (0u64, 0u64);
		let mut dropped = 0u32;
		for (patient, holder) in v2::Recoveries::<T>::drain() {
			dropped += 1;
			let visited = T::RecordKeys::remove_released_shares(
				&patient,
				&holder,
				T::MaxKeysPerRemoval::get(),
			);
			reads += 1 + 2 * u64::from(visited);
			writes += 1 + 3 * u64::from(visited);
		}
		if dropped > 0 {
			log::warn!(
				target: "runtime::patients",
				"{dropped} key recoveries approved by a guardian alone dropped, with their released \
				 shares: approve them again",
			);
		}
		for (patient, representation) in Represented::<T>::iter() {
			reads += 2;
			for guardian in PatientOf::<T>::get(&patient).map(|p| p.guardians).unwrap_or_default() {
				writes += 1;
				NamedByHospital::<T>::insert(&patient, guardian, representation.hospital);
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// [`DelayRecoveries`], run only when the stored version is 2, which it sets to 3.
pub type V2ToV3<T> =
	VersionedMigration<2, 3, DelayRecoveries<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
