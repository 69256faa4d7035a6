//! Benchmarks of the patients pallet, each at its worst case: the longest
//! CID to parse, and the caller found last in a full guardian list.

use super::*;
use crate::Pallet as Patients;
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use medchain_primitives::{cid::long_cid, HospitalRegistry, InviteRole, RecordKeys};

const KEY: EncryptionKey = [7; 32];

fn patient<T: Config>() -> T::AccountId {
	account("patient", 0, 0)
}

fn guardian<T: Config>(i: u32) -> T::AccountId {
	account("guardian", i, 0)
}

/// A registered patient with `n` guardians; returns the last guardian (the
/// slowest to find) or the patient when `n` is 0.
fn patient_with_guardians<T: Config>(n: u32) -> Result<T::AccountId, BenchmarkError> {
	let patient = patient::<T>();
	Patients::<T>::do_register(&patient, KEY, Some(long_cid()))?;
	let mut last = patient.clone();
	for i in 0..n {
		let guardian = guardian::<T>(i);
		Patients::<T>::do_add_guardian(&patient, &patient, &guardian)?;
		last = guardian;
	}
	Ok(last)
}

/// Record, as an admin of a fresh hospital, that `patient` cannot act; returns the admin.
fn represented_by_admin<T: Config>(patient: &T::AccountId) -> Result<T::AccountId, BenchmarkError> {
	let (admin, hospital) = patients_hospital::<T>(patient);
	Patients::<T>::do_set_represented(&admin, hospital, patient, true)?;
	Ok(admin)
}

/// A fresh hospital recorded as the one `patient` registered at; its admin.
fn patients_hospital<T: Config>(patient: &T::AccountId) -> (T::AccountId, HospitalId) {
	let admin: T::AccountId = account("admin", 0, 0);
	let hospital = T::Hospitals::benchmark_hospital(admin.clone());
	PatientOf::<T>::mutate(patient, |info| {
		if let Some(info) = info {
			info.hospital = Some(hospital);
		}
	});
	(admin, hospital)
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
	fn register() {
		// Through an invitation: it is used up and its hospital recorded.
		let who = patient::<T>();
		let hospital = T::Hospitals::benchmark_invite(&who, InviteRole::Patient);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), KEY, Some(long_cid()));
		assert_last_event::<T>(Event::PatientRegistered { patient: who, hospital: Some(hospital) });
	}

	#[benchmark]
	fn set_profile() -> Result<(), BenchmarkError> {
		let caller = patient_with_guardians::<T>(T::MaxGuardians::get())?;
		let who = patient::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), who.clone(), Some(long_cid()));
		assert_last_event::<T>(Event::ProfileUpdated { patient: who });
		Ok(())
	}

	#[benchmark]
	fn rotate_key() -> Result<(), BenchmarkError> {
		patient_with_guardians::<T>(T::MaxGuardians::get())?;
		let who = patient::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), who.clone(), [9; 32]);
		assert_last_event::<T>(Event::EncryptionKeyRotated { patient: who });
		Ok(())
	}

	#[benchmark]
	fn add_guardian() -> Result<(), BenchmarkError> {
		let max = T::MaxGuardians::get();
		patient_with_guardians::<T>(max.saturating_sub(1))?;
		let who = patient::<T>();
		let admin = represented_by_admin::<T>(&who)?;
		let new = guardian::<T>(max);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone(), new.clone());
		assert_last_event::<T>(Event::GuardianAdded { patient: who, guardian: new });
		Ok(())
	}

	#[benchmark]
	fn remove_guardian(
		k: Linear<0, { T::MaxKeysPerRemoval::get() }>,
	) -> Result<(), BenchmarkError> {
		let last = patient_with_guardians::<T>(T::MaxGuardians::get())?;
		let who = patient::<T>();
		let admin = represented_by_admin::<T>(&who)?;
		T::RecordKeys::benchmark_keys(&who, &last, k);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), who.clone(), last.clone());
		assert!(!WardsOf::<T>::contains_key(&last, &who));
		Ok(())
	}

	#[benchmark]
	fn set_represented() -> Result<(), BenchmarkError> {
		patient_with_guardians::<T>(0)?;
		let who = patient::<T>();
		let (admin, hospital) = patients_hospital::<T>(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), hospital, who.clone(), true);
		assert_last_event::<T>(Event::PatientRepresented { patient: who, hospital });
		Ok(())
	}

	// Worst case: approved by a guardian (signed, so `RecoveryOrigin` is tried first), the
	// approver and the holder last in a full guardian list.
	#[benchmark]
	fn approve_recovery() -> Result<(), BenchmarkError> {
		let max = T::MaxGuardians::get();
		patient_with_guardians::<T>(max)?;
		let who = patient::<T>();
		represented_by_admin::<T>(&who)?;
		let (approver, holder) = (guardian::<T>(max - 2), guardian::<T>(max - 1));
		Patients::<T>::do_register(&holder, KEY, None)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(approver), who.clone(), holder.clone());
		assert_last_event::<T>(Event::RecoveryApproved { patient: who, holder });
		Ok(())
	}

	impl_benchmark_test_suite!(Patients, crate::mock::new_test_ext(), crate::mock::Test);
}
