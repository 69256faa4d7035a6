//! Benchmarks of the doctors pallet, each at its worst case: names and
//! specialties at their bound, and an application that replaces an earlier
//! entry (a move between hospitals) with its index updates.

use super::*;
use crate::{impls::Declaration, Pallet as Doctors};
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;
use medchain_primitives::{HospitalRegistry, InviteRole};

const KEY: EncryptionKey = [7; 32];

fn text<S: Get<u32>>() -> BoundedVec<u8, S> {
	vec![b'a'; S::get() as usize].try_into().expect("S::get() bytes fit")
}

fn declaration<T: Config>(licence: u8) -> Declaration<T> {
	Declaration {
		name: text::<T::MaxNameLength>(),
		specialty: text::<T::MaxSpecialtyLength>(),
		licence_hash: [licence; 32],
		encryption_key: KEY,
	}
}

/// A hospital and its admin.
fn hospital<T: Config>(i: u32) -> (HospitalId, T::AccountId) {
	let admin: T::AccountId = account("admin", i, 0);
	(T::Hospitals::benchmark_hospital(admin.clone()), admin)
}

fn doctor<T: Config>() -> T::AccountId {
	account("doctor", 0, 0)
}

/// A doctor of a fresh hospital with `status`; returns the hospital's admin.
fn doctor_with_status<T: Config>(status: DoctorStatus) -> Result<T::AccountId, BenchmarkError> {
	let (hospital, admin) = hospital::<T>(0);
	let who = doctor::<T>();
	Doctors::<T>::do_register(&admin, &who, hospital, declaration::<T>(1))?;
	DoctorOf::<T>::mutate(&who, |info| {
		if let Some(info) = info {
			info.status = status;
		}
	});
	Ok(admin)
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as frame_system::Config>::RuntimeEvent::from(
		event,
	));
}

#[benchmarks(where <T as frame_system::Config>::RuntimeEvent: From<Event<T>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn apply() -> Result<(), BenchmarkError> {
		// Worst case: an active doctor moving, with a new licence hash, invited by
		// the new hospital (the invitation is used up and leaves an audit entry).
		doctor_with_status::<T>(DoctorStatus::Active)?;
		let who = doctor::<T>();
		let hospital = T::Hospitals::benchmark_invite(&who, InviteRole::Doctor);
		let d = declaration::<T>(2);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			hospital,
			d.name,
			d.specialty,
			d.licence_hash,
			d.encryption_key,
		);
		assert_last_event::<T>(Event::DoctorApplied { doctor: who, hospital });
		Ok(())
	}

	#[benchmark]
	fn approve() -> Result<(), BenchmarkError> {
		let admin = doctor_with_status::<T>(DoctorStatus::Pending)?;
		let who = doctor::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert_eq!(DoctorOf::<T>::get(&who).map(|d| d.status), Some(DoctorStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn reject() -> Result<(), BenchmarkError> {
		let admin = doctor_with_status::<T>(DoctorStatus::Pending)?;
		let who = doctor::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert!(!DoctorOf::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn suspend() -> Result<(), BenchmarkError> {
		let admin = doctor_with_status::<T>(DoctorStatus::Active)?;
		let who = doctor::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert_eq!(DoctorOf::<T>::get(&who).map(|d| d.status), Some(DoctorStatus::Suspended));
		Ok(())
	}

	#[benchmark]
	fn reinstate() -> Result<(), BenchmarkError> {
		let admin = doctor_with_status::<T>(DoctorStatus::Suspended)?;
		let who = doctor::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert_eq!(DoctorOf::<T>::get(&who).map(|d| d.status), Some(DoctorStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn register_doctor() {
		let (hospital, admin) = hospital::<T>(0);
		let who = doctor::<T>();
		let d = declaration::<T>(1);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(admin),
			hospital,
			who.clone(),
			d.name,
			d.specialty,
			d.licence_hash,
			d.encryption_key,
		);
		assert_last_event::<T>(Event::DoctorRegistered { doctor: who, hospital });
	}

	#[benchmark]
	fn update_profile() -> Result<(), BenchmarkError> {
		doctor_with_status::<T>(DoctorStatus::Active)?;
		let who = doctor::<T>();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(who.clone()),
			text::<T::MaxNameLength>(),
			text::<T::MaxSpecialtyLength>(),
		);
		assert_last_event::<T>(Event::ProfileUpdated { doctor: who });
		Ok(())
	}

	#[benchmark]
	fn rotate_key() -> Result<(), BenchmarkError> {
		doctor_with_status::<T>(DoctorStatus::Active)?;
		let who = doctor::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), [9; 32]);
		assert_last_event::<T>(Event::EncryptionKeyRotated { doctor: who });
		Ok(())
	}

	#[benchmark]
	fn release_licence() -> Result<(), BenchmarkError> {
		let admin = doctor_with_status::<T>(DoctorStatus::Suspended)?;
		let who = doctor::<T>();
		let hospital = DoctorOf::<T>::get(&who).ok_or("registered")?.hospital;
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone());
		assert_last_event::<T>(Event::LicenceReleased { doctor: who, hospital });
		Ok(())
	}

	impl_benchmark_test_suite!(Doctors, crate::mock::new_test_ext(), crate::mock::Test);
}
