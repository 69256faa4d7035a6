//! Storage migrations of the consortium pallet.

use crate::pallet::*;
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
use medchain_primitives::hold_account;

/// Version 1 to 2: index every hospital's admins in `AdminOf` (which the
/// fee exemption and `HospitalRegistry::is_admin` read) and give each admin
/// the provider reference that keeps a role holder's account alive. The
/// invitation maps start empty. Reads every hospital once: at most
/// `MaxHospitals`, each with at most `MaxAdmins` admins.
pub struct IndexAdmins<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for IndexAdmins<T> {
	fn on_runtime_upgrade() -> Weight {
		let (mut reads, mut writes) = (0u64, 0u64);
		for (id, hospital) in HospitalOf::<T>::iter() {
			reads += 1;
			for admin in hospital.admins.iter() {
				AdminOf::<T>::insert(admin, id, ());
				hold_account::<T>(admin);
				reads += 1;
				writes += 2;
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// [`IndexAdmins`], run only when the stored version is 1, which it sets to 2.
pub type V1ToV2<T> =
	VersionedMigration<1, 2, IndexAdmins<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

/// Version 2 to 3: index every hospital's key-release key in `ReleaseKeyHolder`, so that
/// no other hospital can register it. A key two hospitals registered before the index (the
/// attack it closes) stays indexed for the lower hospital id only, and the migration logs
/// it; `try_state` reports it until one of them sets another key. Reads every hospital's
/// key once: at most `MaxHospitals`.
pub struct IndexReleaseKeys<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for IndexReleaseKeys<T> {
	fn on_runtime_upgrade() -> Weight {
		let (mut reads, mut writes) = (0u64, 0u64);
		let mut keys: alloc::vec::Vec<_> =
			ReleaseKeyOf::<T>::iter().map(|(id, (key, _))| (id, key)).collect();
		keys.sort();
		for (id, key) in keys {
			reads += 2;
			if ReleaseKeyHolder::<T>::contains_key(key) {
				log::warn!(target: "runtime::consortium", "hospital {id} shares a release key");
			} else {
				ReleaseKeyHolder::<T>::insert(key, id);
				writes += 1;
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// [`IndexReleaseKeys`], run only when the stored version is 2, which it sets to 3.
pub type V2ToV3<T> =
	VersionedMigration<2, 3, IndexReleaseKeys<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

/// Storage of version 3.
mod v3 {
	use super::*;
	use frame_support::Blake2_128Concat;

	/// Invitations by invited account: at most one each.
	#[frame_support::storage_alias]
	pub type Invitations<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		InvitationOf<T>,
	>;
}

/// Version 3 to 4: invitations are kept per account and hospital (`Invitations` becomes a
/// double map), so that one hospital's invitation neither blocks nor replaces another's (the
/// trust review's attack 2). Every stored invitation moves under its own hospital; counts and
/// provider references stay as they are. At most `MaxInvitesPerHospital` per hospital, read
/// and written once, in one block.
pub struct InvitationsPerHospital<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InvitationsPerHospital<T> {
	fn on_runtime_upgrade() -> Weight {
		let old: alloc::vec::Vec<_> = v3::Invitations::<T>::drain().collect();
		let moved = old.len() as u64;
		for (account, invitation) in old {
			Invitations::<T>::insert(&account, invitation.hospital, invitation);
		}
		T::DbWeight::get().reads_writes(moved, moved.saturating_mul(2))
	}
}

/// [`InvitationsPerHospital`], run only when the stored version is 3, which it sets to 4.
pub type V3ToV4<T> = VersionedMigration<
	3,
	4,
	InvitationsPerHospital<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

#[cfg(test)]
mod tests {
	use super::*;
	use crate::mock::*;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	#[test]
	fn v1_to_v2_indexes_the_admins_of_every_hospital() {
		test(|| {
			// A version-1 chain: no index, no provider references.
			let _ = AdminOf::<Test>::clear(u32::MAX, None);
			for admin in [1u64, 2, 3] {
				let _ = frame_system::Pallet::<Test>::dec_providers(&admin);
			}
			StorageVersion::new(1).put::<Consortium>();

			V1ToV2::<Test>::on_runtime_upgrade();

			assert_eq!(Consortium::on_chain_storage_version(), 2);
			for (admin, hospital) in [(1u64, 0u32), (2, 1), (3, 1)] {
				assert!(AdminOf::<Test>::contains_key(admin, hospital));
				assert_eq!(frame_system::Pallet::<Test>::providers(&admin), 1);
			}
			// Run again: the version is 2, nothing happens twice.
			V1ToV2::<Test>::on_runtime_upgrade();
			assert_eq!(frame_system::Pallet::<Test>::providers(&1), 1);
		});
	}

	#[test]
	fn version_3_invitations_move_under_their_hospital() {
		use crate::{types::Invitation, Invitations};
		use medchain_primitives::InviteRole;
		test(|| {
			let invitation =
				Invitation { hospital: 1u32, role: InviteRole::Patient, by: 2u64, expires: 10 };
			super::v3::Invitations::<Test>::insert(50u64, invitation.clone());
			crate::InviteCount::<Test>::insert(1, 1);
			StorageVersion::new(3).put::<Consortium>();
			V3ToV4::<Test>::on_runtime_upgrade();
			assert_eq!(Consortium::on_chain_storage_version(), 4);
			assert_eq!(Invitations::<Test>::get(50, 1), Some(invitation));
			assert_eq!(Invitations::<Test>::iter().count(), 1);
		});
	}
}
