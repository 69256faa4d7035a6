//! Storage migrations of the feeless pallet.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration,
	storage::migration::clear_storage_prefix,
	traits::{Get, PalletInfoAccess, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};

/// Version 0 to 1: `Usage` gained the weight used in the window. Version-0
/// entries hold at most one window's count of calls and no weight, so they are
/// removed rather than translated: every account starts the upgrade's window
/// afresh (at most `MaxCallsPerWindow` more calls in that one window). One
/// entry per account that ever made a feeless call.
pub struct WeighFeelessCalls<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for WeighFeelessCalls<T> {
	fn on_runtime_upgrade() -> Weight {
		let pallet = <Pallet<T> as PalletInfoAccess>::name().as_bytes();
		let removed = clear_storage_prefix(pallet, b"FeelessCalls", b"", None, None);
		T::DbWeight::get().reads_writes(removed.loops.into(), removed.backend.into())
	}
}

/// [`WeighFeelessCalls`], run only when the stored version is 0, which it sets
/// to 1.
pub type V0ToV1<T> = VersionedMigration<
	0,
	1,
	WeighFeelessCalls<T>,
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
	fn v0_to_v1_removes_the_unweighed_counts() {
		new_test_ext().execute_with(|| {
			// A version-0 chain: account 1 made two feeless calls in window 0.
			let key = Blake2_128Concat::hash(&codec::Encode::encode(&1u64));
			put_storage_value(b"Feeless", b"FeelessCalls", &key, (0u64, 2u32));
			StorageVersion::new(0).put::<Feeless>();
			let prefix = frame_support::storage::storage_prefix(b"Feeless", b"FeelessCalls");
			assert!(unhashed::contains_prefixed_key(&prefix));

			V0ToV1::<Test>::on_runtime_upgrade();

			assert_eq!(Feeless::on_chain_storage_version(), 1);
			assert!(!unhashed::contains_prefixed_key(&prefix));
			assert_eq!(Feeless::calls_in_window(&1), 0);
		});
	}
}
