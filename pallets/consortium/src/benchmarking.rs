//! Benchmarks of the consortium's calls, each at its worst case: the
//! consortium full (sorted insertion and council update over the most
//! members) and admin lists at their bound.

use super::*;
use crate::Pallet as Consortium;
use alloc::{format, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};
use frame_system::RawOrigin;
use medchain_primitives::{HospitalNodes, HospitalRegistry, InviteRole};
use sp_runtime::traits::Hash;

/// A distinct, valid name of exactly `MaxNameLength` bytes.
fn name<T: Config>(i: u32) -> Vec<u8> {
	let mut name = format!("h{i}").into_bytes();
	name.resize(T::MaxNameLength::get() as usize, b'x');
	name
}

fn admin<T: Config>(hospital: u32, i: u32) -> T::AccountId {
	account("admin", hospital * 1000 + i, 0)
}

fn validator<T: Config>(hospital: u32) -> T::AccountId {
	account("validator", hospital, 0)
}

/// A distinct ed25519 peer id (binary) for hospital `i`'s node.
fn node(i: u32) -> PeerIdBytes {
	let mut peer = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
	peer.extend_from_slice(&[0xab; 28]);
	peer.extend_from_slice(&i.to_le_bytes());
	peer.try_into().expect("38 bytes fit")
}

/// Admit active hospitals, each with its well-known node, until the
/// consortium holds `total` (genesis ones included); returns the id of the
/// last one. Hospital `id` has admin `admin(id, 0)`, validator
/// `validator(id)` and node `node(id)`.
fn fill<T: Config>(total: u32) -> Result<HospitalId, BenchmarkError> {
	let mut last = NextHospitalId::<T>::get().saturating_sub(1);
	while HospitalCount::<T>::get() < total {
		let id = NextHospitalId::<T>::get();
		last =
			Consortium::<T>::do_admit(name::<T>(id), vec![admin::<T>(id, 0)], validator::<T>(id))
				.map_err(|_| BenchmarkError::Stop("could not admit a hospital"))?;
		T::Nodes::authorize(node(id).into_inner(), &validator::<T>(id))
			.map_err(|_| BenchmarkError::Stop("could not authorize a node"))?;
	}
	Ok(last)
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as frame_system::Config>::RuntimeEvent::from(
		event,
	));
}

/// The governance origin, the next hospital id, its admins and its validator.
type Admission<T> = (
	<T as frame_system::Config>::RuntimeOrigin,
	HospitalId,
	Vec<<T as frame_system::Config>::AccountId>,
	<T as frame_system::Config>::AccountId,
);

/// The worst-case admission: the consortium one short of full, `a` admins.
fn admission<T: Config>(a: u32) -> Result<Admission<T>, BenchmarkError> {
	fill::<T>(T::MaxHospitals::get() - 1)?;
	let id = NextHospitalId::<T>::get();
	let admins = (0..a).map(|i| admin::<T>(id, i)).collect();
	Ok((governance::<T>()?, id, admins, validator::<T>(id)))
}

#[benchmarks(where <T as frame_system::Config>::RuntimeEvent: From<Event<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn admit_hospital(a: Linear<1, { T::MaxAdmins::get() }>) -> Result<(), BenchmarkError> {
		let (origin, id, admins, new) = admission::<T>(a)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name::<T>(id), admins, new.clone());

		assert_last_event::<T>(Event::HospitalAdmitted { hospital: id, validator: new });
		Ok(())
	}

	#[benchmark]
	fn admit_hospital_with_node(
		a: Linear<1, { T::MaxAdmins::get() }>,
	) -> Result<(), BenchmarkError> {
		let (origin, id, admins, new) = admission::<T>(a)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, name::<T>(id), admins, new.clone(), node(id));

		assert_last_event::<T>(Event::HospitalAdmitted { hospital: id, validator: new });
		Ok(())
	}

	#[benchmark]
	fn authorize_upgrade() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;
		let hash = T::Hashing::hash(b"new runtime");

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, hash);

		assert!(frame_system::Pallet::<T>::authorized_upgrade().is_some());
		Ok(())
	}

	#[benchmark]
	fn suspend_hospital() -> Result<(), BenchmarkError> {
		let id = fill::<T>(T::MaxHospitals::get())?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_last_event::<T>(Event::HospitalSuspended { hospital: id });
		Ok(())
	}

	#[benchmark]
	fn reinstate_hospital() -> Result<(), BenchmarkError> {
		let id = fill::<T>(T::MaxHospitals::get())?;
		Consortium::<T>::do_suspend(id).map_err(|_| BenchmarkError::Stop("suspend"))?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_last_event::<T>(Event::HospitalReinstated { hospital: id });
		Ok(())
	}

	#[benchmark]
	fn remove_hospital() -> Result<(), BenchmarkError> {
		let id = fill::<T>(T::MaxHospitals::get())?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_last_event::<T>(Event::HospitalRemoved { hospital: id });
		Ok(())
	}

	#[benchmark]
	fn add_admin() -> Result<(), BenchmarkError> {
		let id = fill::<T>(HospitalCount::<T>::get() + 1)?;
		for i in 1..T::MaxAdmins::get() - 1 {
			Consortium::<T>::do_add_admin(&admin::<T>(id, 0), id, admin::<T>(id, i))
				.map_err(|_| BenchmarkError::Stop("add admin"))?;
		}
		let caller = admin::<T>(id, 0);
		let new = admin::<T>(id, T::MaxAdmins::get() - 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, new.clone());

		assert_last_event::<T>(Event::AdminAdded { hospital: id, admin: new });
		Ok(())
	}

	#[benchmark]
	fn remove_admin() -> Result<(), BenchmarkError> {
		let id = fill::<T>(HospitalCount::<T>::get() + 1)?;
		for i in 1..T::MaxAdmins::get() {
			Consortium::<T>::do_add_admin(&admin::<T>(id, 0), id, admin::<T>(id, i))
				.map_err(|_| BenchmarkError::Stop("add admin"))?;
		}
		let caller = admin::<T>(id, 0);
		let gone = admin::<T>(id, T::MaxAdmins::get() - 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, gone.clone());

		assert_last_event::<T>(Event::AdminRemoved { hospital: id, admin: gone });
		Ok(())
	}

	#[benchmark]
	fn set_validator() -> Result<(), BenchmarkError> {
		let id = fill::<T>(T::MaxHospitals::get())?;
		let caller = admin::<T>(id, 0);
		let new = validator::<T>(NextHospitalId::<T>::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, new.clone());

		assert_last_event::<T>(Event::ValidatorChanged {
			hospital: id,
			old: validator::<T>(id),
			new,
		});
		Ok(())
	}

	// Worst case: the account's expired invitation from another hospital is
	// replaced (two counters touched), the inviting hospital one short of full.
	#[benchmark]
	fn invite() -> Result<(), BenchmarkError> {
		// Worst case: the account's expired invitation of the same hospital is replaced, with
		// the hospital one short of `MaxInvitesPerHospital`.
		let id = fill::<T>(HospitalCount::<T>::get() + 1)?;
		let invited: T::AccountId = account("invited", 0, 0);
		Consortium::<T>::do_invite(&admin::<T>(id, 0), id, &invited, InviteRole::Doctor)
			.map_err(|_| BenchmarkError::Stop("first invitation"))?;
		for i in 1..T::MaxInvitesPerHospital::get() {
			let other: T::AccountId = account("other", i, 0);
			Consortium::<T>::do_invite(&admin::<T>(id, 0), id, &other, InviteRole::Patient)
				.map_err(|_| BenchmarkError::Stop("fill invitations"))?;
		}
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now + T::InviteLifetime::get());
		let expires = now + T::InviteLifetime::get() + T::InviteLifetime::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(admin::<T>(id, 0)), id, invited.clone(), InviteRole::Patient);

		assert_last_event::<T>(Event::Invited {
			hospital: id,
			account: invited,
			role: InviteRole::Patient,
			expires,
		});
		Ok(())
	}

	#[benchmark]
	// Worst case: the account holds an invitation of every hospital, all walked.
	fn remove_invitation() -> Result<(), BenchmarkError> {
		let id = fill::<T>(T::MaxHospitals::get())?;
		let invited: T::AccountId = account("invited", 0, 0);
		for (hospital, info) in HospitalOf::<T>::iter() {
			if let (true, Some(by)) = (Consortium::<T>::is_active(hospital), info.admins.first()) {
				Consortium::<T>::do_invite(by, hospital, &invited, InviteRole::Patient)
					.map_err(|_| BenchmarkError::Stop("invitation"))?;
			}
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(admin::<T>(id, 0)), invited.clone());

		assert_last_event::<T>(Event::InvitationRemoved { hospital: id, account: invited });
		Ok(())
	}

	// Worst case: the hospital already has a key, whose service account is released.
	#[benchmark]
	fn set_release_key() -> Result<(), BenchmarkError> {
		let id = fill::<T>(HospitalCount::<T>::get() + 1)?;
		let caller = admin::<T>(id, 0);
		let mut key = [0u8; 32];
		key[0] = 9;
		let old: T::AccountId = account("old-service", 0, 0);
		Consortium::<T>::do_set_release_key(&caller, id, key, old.clone())
			.map_err(|_| BenchmarkError::Stop("first release key"))?;
		let service: T::AccountId = account("service", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id, key, service.clone());

		assert!(!ReleaseServiceOf::<T>::contains_key(&old));
		assert_last_event::<T>(Event::ReleaseKeySet { hospital: id, key, service });
		Ok(())
	}

	impl_benchmark_test_suite!(Consortium, crate::mock::new_test_ext(), crate::mock::Test);
}
