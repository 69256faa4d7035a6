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
}
