//! Benchmarks of the patients pallet, each at its worst case: the longest
//! CID to parse, and the caller found last in a full guardian list.

use super::*;
use crate::Pallet as Patients;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};
use frame_system::RawOrigin;
use medchain_primitives::{cid::long_cid, Entity, HospitalRegistry, InviteRole, RecordKeys};

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
	Patients::<T>::do_register(&patient, None, KEY, Some(long_cid()))?;
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

/// A represented patient with a full guardian list whose last guardian, a registered patient,
/// can receive a recovery; returns `(patient, holder)`.
fn recovery_ready<T: Config>() -> Result<(T::AccountId, T::AccountId), BenchmarkError> {
	let max = T::MaxGuardians::get();
	let holder = patient_with_guardians::<T>(max)?;
	let who = patient::<T>();
	represented_by_admin::<T>(&who)?;
	Patients::<T>::do_register(&holder, None, KEY, None)?;
	Ok((who, holder))
}

/// A recovery of `patient`'s keys to `holder`, approved by another hospital.
fn pending_recovery<T: Config>(
	patient: &T::AccountId,
	holder: T::AccountId,
) -> Result<(), BenchmarkError> {
	if !PatientOf::<T>::contains_key(&holder) {
		Patients::<T>::do_register(&holder, None, KEY, None)?;
	}
	let (_, other) = other_hospital::<T>();
	Patients::<T>::do_approve_recovery(Entity::Hospital(other), patient, &holder)?;
	Ok(())
}

/// A second hospital, not the patient's; its admin.
fn other_hospital<T: Config>() -> (T::AccountId, HospitalId) {
	let admin: T::AccountId = account("admin", 1, 0);
	let hospital = T::Hospitals::benchmark_hospital(admin.clone());
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

	// `register` and `register_at` share this weight, measured at the worse of the two:
	// through an invitation, which is used up and its hospital recorded.
	#[benchmark]
	fn register() {
		let who = patient::<T>();
		let hospital = T::Hospitals::benchmark_invite(&who, InviteRole::Patient);
		#[extrinsic_call]
		register_at(RawOrigin::Signed(who.clone()), hospital, KEY, Some(long_cid()));
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
		// A recovery to another guardian is pending, and `last` was named by the hospital: the
		// admin may remove them, after every check.
		pending_recovery::<T>(&who, guardian::<T>(0))?;
		let hospital = Represented::<T>::get(&who).map(|r| r.hospital).unwrap_or_default();
		NamedByHospital::<T>::insert(&who, &last, hospital);
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

	// Worst case: the holder last in a full guardian list.
	#[benchmark]
	fn approve_recovery() -> Result<(), BenchmarkError> {
		let (who, holder) = recovery_ready::<T>()?;
		let origin =
			T::RecoveryOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), holder.clone());
		assert!(Recoveries::<T>::get(&who).is_some_and(|r| r.holder == holder));
		Ok(())
	}

	// Worst case: the holder last in a full guardian list, the approving admin checked against
	// the representing hospital's admins.
	#[benchmark]
	fn approve_recovery_as() -> Result<(), BenchmarkError> {
		let (who, holder) = recovery_ready::<T>()?;
		let (other_admin, other) = other_hospital::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(other_admin), other, who.clone(), holder.clone());
		assert!(Recoveries::<T>::get(&who).is_some_and(|r| r.holder == holder));
		Ok(())
	}

	// Worst case: cancelled by an admin of the approving hospital (every other canceller is
	// checked first), with `k` keys of the holder's to look through for released shares.
	#[benchmark]
	fn cancel_recovery(
		k: Linear<0, { T::MaxKeysPerRemoval::get() }>,
	) -> Result<(), BenchmarkError> {
		let (who, holder) = recovery_ready::<T>()?;
		let (other_admin, other) = other_hospital::<T>();
		Patients::<T>::do_approve_recovery(Entity::Hospital(other), &who, &holder)?;
		T::RecordKeys::benchmark_keys(&who, &holder, k);
		#[extrinsic_call]
		_(RawOrigin::Signed(other_admin), who.clone());
		assert!(!Recoveries::<T>::contains_key(&who));
		Ok(())
	}

	impl_benchmark_test_suite!(Patients, crate::mock::new_test_ext(), crate::mock::Test);
}
