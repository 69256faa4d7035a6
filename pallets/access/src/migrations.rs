//! Storage migrations of the access pallet.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration,
	storage::migration::clear_storage_prefix,
	traits::{Get, PalletInfoAccess, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// Version 1 to 2: break-glass is bounded in a rolling window. Version 1
/// counted each doctor's uses per fixed period in `EmergencyUse`, which is
/// removed; `EmergencyOpenings` starts empty, so every doctor starts with a
/// full allowance (at most `MaxEmergenciesPerPeriod` more in the first
/// period, as at a version-1 period boundary). One entry per doctor who ever
/// broke the glass.
pub struct RollingEmergencyWindow<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for RollingEmergencyWindow<T> {
	fn on_runtime_upgrade() -> Weight {
		let pallet = <Pallet<T> as PalletInfoAccess>::name().as_bytes();
		let removed = clear_storage_prefix(pallet, b"EmergencyUse", b"", None, None);
		T::DbWeight::get().reads_writes(removed.loops.into(), removed.backend.into())
	}
}

/// [`RollingEmergencyWindow`], run only when the stored version is 1, which
/// it sets to 2.
pub type V1ToV2<T> = VersionedMigration<
	1,
	2,
	RollingEmergencyWindow<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

/// Version 2 to 3: a live emergency is its break-glass grant. Version 2 kept a
/// (patient, doctor) pair's open emergency until its review closed, even after the
/// break-glass grant had ended, so a later grant of purpose `Emergency` counted as a live
/// emergency. Removes every open emergency whose break-glass grant is gone or was
/// replaced; the reviews stay pending. One entry per open emergency.
pub struct TieEmergenciesToTheirGrants<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for TieEmergenciesToTheirGrants<T> {
	fn on_runtime_upgrade() -> Weight {
		let (mut reads, mut writes) = (0u64, 0u64);
		let open: alloc::vec::Vec<_> = OpenEmergencies::<T>::iter().collect();
		for (patient, doctor, (hospital, entry)) in open {
			reads += 3;
			let opened_at = PendingReviews::<T>::get(hospital, entry).map(|r| r.opened_at);
			let tied = GrantOf::<T>::get(&patient, &doctor).is_some_and(|grant| {
				grant.purpose == crate::Purpose::Emergency && Some(grant.granted_at) == opened_at
			});
			if !tied {
				OpenEmergencies::<T>::remove(&patient, &doctor);
				writes += 1;
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// [`TieEmergenciesToTheirGrants`], run only when the stored version is 2, which it sets
/// to 3.
pub type V2ToV3<T> = VersionedMigration<
	2,
	3,
	TieEmergenciesToTheirGrants<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::*;
	use frame_support::{
		storage::{migration::put_storage_value, unhashed},
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		Blake2_128Concat, StorageHasher,
	};

	#[test]
	fn v1_to_v2_removes_the_fixed_period_counts() {
		test(|| {
			// A version-1 chain: doctor 30 used break-glass twice in period 7.
			let key = Blake2_128Concat::hash(&codec::Encode::encode(&30u64));
			put_storage_value(b"Access", b"EmergencyUse", &key, (7u64, 2u32));
			StorageVersion::new(1).put::<Access>();
			let prefix = frame_support::storage::storage_prefix(b"Access", b"EmergencyUse");
			assert!(unhashed::contains_prefixed_key(&prefix));

			V1ToV2::<Test>::on_runtime_upgrade();

			assert_eq!(Access::on_chain_storage_version(), 2);
			assert!(!unhashed::contains_prefixed_key(&prefix));
			assert!(EmergencyOpenings::<Test>::get(30).is_empty());
		});
	}

	#[test]
	fn v2_to_v3_ends_the_emergencies_that_outlived_their_grant() {
		test(|| {
			use medchain_primitives::{AccessPolicy, EmergencyReason, EmergencyStatus};
			// Doctor 30 broke the glass; the patient revoked the grant, and version 2 kept the
			// emergency open.
			assert_eq!(
				Access::emergency_access(RuntimeOrigin::signed(30), 10, EmergencyReason::Other)
					.map(|_| ()),
				Ok(())
			);
			let open = OpenEmergencies::<Test>::get(10, 30).unwrap();
			assert_eq!(Access::revoke(RuntimeOrigin::signed(10), 10, 30).map(|_| ()), Ok(()));
			OpenEmergencies::<Test>::insert(10, 30, open);
			StorageVersion::new(2).put::<Access>();

			V2ToV3::<Test>::on_runtime_upgrade();

			assert_eq!(Access::on_chain_storage_version(), 3);
			assert!(OpenEmergencies::<Test>::get(10, 30).is_none());
			assert_eq!(Access::emergency_status(&30, &10), EmergencyStatus::None);
			// The review is still the hospital's to close.
			assert!(PendingReviews::<Test>::get(open.0, open.1).is_some());
		});
	}
}
