//! Benchmarks of the access pallet, each at its worst case: the caller a
//! patient, the longest scopes to check and sort, the longest note CID, and
//! revocations removing the most keys.

use super::*;
use crate::Pallet as Access;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{Get, Time},
	BoundedVec,
};
use frame_system::RawOrigin;
use medchain_primitives::{
	cid::long_cid, DoctorRegistry, HospitalId, HospitalRegistry, Moment, OnDoctorsSuspended,
	PatientRegistry, RecordKeys,
};

fn patient<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("patient", 0, 0);
	T::Patients::benchmark_patient(&who);
	who
}

/// An active doctor of a fresh hospital, with that hospital's admin.
fn doctor<T: Config>() -> (T::AccountId, HospitalId, T::AccountId) {
	let doctor: T::AccountId = account("doctor", 0, 0);
	let admin: T::AccountId = account("admin", 0, 0);
	let hospital = T::Doctors::benchmark_doctor(&doctor, &admin);
	(doctor, hospital, admin)
}

/// The widest scope to check: `MaxScopeRecords` distinct records of
/// `patient` (ids `0..MaxScopeRecords`: those missing are made, on a chain
/// where the benchmark made every record so far), listed in reverse order.
fn long_scope<T: Config>(patient: &T::AccountId) -> ScopeOf<T> {
	let n = T::MaxScopeRecords::get();
	let missing = (0..n as u64).filter(|id| !T::RecordKeys::is_record_of(patient, *id)).count();
	if missing > 0 {
		T::RecordKeys::benchmark_keys(patient, patient, missing as u32);
	}
	let ids: Vec<RecordId> = (0..n as u64).rev().collect();
	Scope::Records(ids.try_into().expect("MaxScopeRecords ids fit"))
}

/// A grant of `patient` to `doctor` expiring at `expires_at`, stored
/// without the checks of the call (so that it may already be expired).
fn grant_to<T: Config>(
	patient: &T::AccountId,
	doctor: &T::AccountId,
	expires_at: Option<Moment>,
) -> Result<(), BenchmarkError> {
	// The longest scope, unchecked: the records it lists need not exist, so
	// that the benchmarks' own `k` records stay within `MaxRecordsPerPatient`.
	let ids: Vec<RecordId> = (0..T::MaxScopeRecords::get() as u64).rev().collect();
	let scope = Scope::Records(ids.try_into().map_err(|_| "scope")?);
	let grant = Grant {
		scope,
		permission: Permission::ReadWrite,
		purpose: Purpose::Treatment,
		expires_at,
		granted_at: T::Time::now(),
	};
	Access::<T>::insert_grant(patient, doctor, grant)?;
	Ok(())
}

fn request<T: Config>(patient: &T::AccountId, doctor: &T::AccountId) -> Result<(), BenchmarkError> {
	Access::<T>::do_request(
		doctor,
		patient,
		long_scope::<T>(patient),
		Permission::ReadWrite,
		Purpose::Treatment,
		Some(long_cid()),
	)?;
	Ok(())
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
	fn grant() {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			patient.clone(),
			doctor.clone(),
			long_scope::<T>(&patient),
			Permission::ReadWrite,
			Purpose::Treatment,
			None,
		);
		assert_last_event::<T>(Event::AccessGranted {
			patient,
			grantee: doctor,
			permission: Permission::ReadWrite,
			expires_at: None,
		});
	}

	#[benchmark]
	fn change_grant(k: Linear<0, { T::MaxKeysPerRevoke::get() }>) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, None)?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			patient.clone(),
			doctor.clone(),
			long_scope::<T>(&patient),
			Permission::Read,
			Purpose::SecondOpinion,
			None,
		);
		assert_last_event::<T>(Event::AccessChanged {
			patient,
			grantee: doctor,
			permission: Permission::Read,
			expires_at: None,
		});
		Ok(())
	}

	#[benchmark]
	fn revoke(k: Linear<0, { T::MaxKeysPerRevoke::get() }>) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, None)?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), doctor.clone());
		assert_last_event::<T>(Event::AccessRevoked { patient, grantee: doctor, keys_removed: k });
		Ok(())
	}

	#[benchmark]
	fn decline_grant(k: Linear<0, { T::MaxKeysPerRevoke::get() }>) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, None)?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone());
		assert_last_event::<T>(Event::GrantDeclined { patient, grantee: doctor, keys_removed: k });
		Ok(())
	}

	#[benchmark]
	fn remove_inactive_keys(
		k: Linear<0, { T::MaxKeysPerRevoke::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, None)?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		T::Doctors::benchmark_suspend(&doctor);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), patient.clone(), doctor.clone());
		assert_last_event::<T>(Event::InactiveGranteeKeysRemoved {
			patient,
			grantee: doctor,
			keys_removed: k,
		});
		Ok(())
	}

	/// One step of the background sweep: a suspended doctor's `k` keys on one
	/// patient's records go, with the audit entry.
	#[benchmark]
	fn sweep_doctor(k: Linear<0, { T::MaxKeysPerRevoke::get() }>) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, None)?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		T::Doctors::benchmark_suspend(&doctor);
		<Pallet<T> as OnDoctorsSuspended<T::AccountId>>::doctor_suspended(&doctor);
		#[block]
		{
			assert!(Pallet::<T>::sweep_step(frame_support::weights::Weight::MAX).is_some());
		}
		// Past the patient, or (all `MaxKeysPerRevoke` went) at it again.
		assert!(KeySweeps::<T>::contains_key(&doctor));
		Ok(())
	}

	/// One step of the background sweep of a suspended hospital: its next
	/// doctor, who has patients, is queued.
	#[benchmark]
	fn sweep_hospital() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, hospital, _) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, None)?;
		T::Hospitals::benchmark_suspend(hospital);
		<Pallet<T> as OnDoctorsSuspended<T::AccountId>>::hospital_suspended(hospital);
		#[block]
		{
			assert!(Pallet::<T>::sweep_step(frame_support::weights::Weight::MAX).is_some());
		}
		assert!(KeySweeps::<T>::contains_key(&doctor));
		Ok(())
	}

	#[benchmark]
	fn remove_expired(k: Linear<0, { T::MaxKeysPerRevoke::get() }>) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		grant_to::<T>(&patient, &doctor, Some(T::Time::now()))?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), patient.clone(), doctor.clone());
		assert_last_event::<T>(Event::ExpiredGrantRemoved {
			patient,
			grantee: doctor,
			keys_removed: k,
		});
		Ok(())
	}

	#[benchmark]
	// The denial check reads `DeniedAt` (none here: benchmarks run at chain time 0, where no
	// denial can be old enough to be forgotten; forgetting one is one more write).
	fn request_access() {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor.clone()),
			patient.clone(),
			long_scope::<T>(&patient),
			Permission::ReadWrite,
			Purpose::Treatment,
			Some(long_cid()),
		);
		let expires_at = T::Time::now().saturating_add(T::RequestLifetime::get());
		assert_last_event::<T>(Event::AccessRequested {
			patient,
			doctor,
			permission: Permission::ReadWrite,
			purpose: Purpose::Treatment,
			expires_at,
		});
	}

	#[benchmark]
	fn approve_request(
		k: Linear<0, { T::MaxKeysPerApproval::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		request::<T>(&patient, &doctor)?;
		// Records 0..k, inside the requested scope (records 0..MaxScopeRecords).
		let keys: ApprovalKeys<T> = (0..k as u64)
			.map(|id| (id, vec![7; 128].try_into().expect("128 bytes fit")))
			.collect::<Vec<_>>()
			.try_into()
			.expect("at most MaxKeysPerApproval keys");
		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			patient.clone(),
			doctor.clone(),
			Some(long_scope::<T>(&patient)),
			Some(Permission::Read),
			None,
			keys,
		);
		assert_last_event::<T>(Event::AccessRequestApproved {
			patient,
			doctor,
			permission: Permission::Read,
			expires_at: None,
			keys: k,
		});
		Ok(())
	}

	#[benchmark]
	fn deny_request() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		request::<T>(&patient, &doctor)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), doctor.clone());
		assert_last_event::<T>(Event::AccessRequestDenied { patient, doctor });
		Ok(())
	}

	#[benchmark]
	fn withdraw_request() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		request::<T>(&patient, &doctor)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone());
		assert_last_event::<T>(Event::AccessRequestWithdrawn { patient, doctor });
		Ok(())
	}

	#[benchmark]
	fn remove_expired_request() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, ..) = doctor::<T>();
		request::<T>(&patient, &doctor)?;
		RequestOf::<T>::mutate(&patient, &doctor, |request| {
			if let Some(request) = request {
				request.expires_at = request.requested_at;
			}
		});
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), patient.clone(), doctor.clone());
		assert_last_event::<T>(Event::ExpiredRequestRemoved { patient, doctor });
		Ok(())
	}

	#[benchmark]
	fn emergency_access() {
		let patient = patient::<T>();
		let (doctor, hospital, _) = doctor::<T>();
		let now = T::Time::now();
		// The most openings still within the period: every one is kept.
		let openings = vec![now; T::MaxEmergenciesPerPeriod::get().saturating_sub(1) as usize];
		EmergencyOpenings::<T>::insert(&doctor, BoundedVec::truncate_from(openings));
		// The doctor was made active just now: no probation here, whatever the chain's.
		EmergencyProbation::<T>::put(0);
		// And the hospital's, all its doctors together.
		let openings = vec![now; T::MaxEmergenciesPerHospital::get().saturating_sub(1) as usize];
		HospitalEmergencyOpenings::<T>::insert(hospital, BoundedVec::truncate_from(openings));
		let reason = EmergencyReason::LifeThreatening;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), patient.clone(), reason);
		let expires_at = now.saturating_add(T::EmergencyDuration::get());
		let (entry, _) = PendingReviews::<T>::iter_prefix(hospital).next().expect("flagged");
		assert_last_event::<T>(Event::EmergencyAccessOpened {
			patient,
			doctor,
			hospital,
			reason,
			expires_at,
			entry,
		});
	}

	#[benchmark]
	// At its worst: an unjustified verdict on the doctor's current emergency, which ends the
	// break-glass grant with `k` keys the doctor holds on the patient's records.
	fn close_emergency_review(
		k: Linear<0, { T::MaxKeysPerRevoke::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let (doctor, hospital, admin) = doctor::<T>();
		let (_, _, entry) =
			Access::<T>::do_emergency(&doctor, &patient, EmergencyReason::PatientUnconscious)?;
		T::RecordKeys::benchmark_keys(&patient, &doctor, k);
		#[extrinsic_call]
		_(RawOrigin::Signed(admin), hospital, entry, false);
		assert_last_event::<T>(Event::EmergencyReviewClosed { hospital, entry, justified: false });
		assert!(!GrantOf::<T>::contains_key(&patient, &doctor));
		Ok(())
	}

	impl_benchmark_test_suite!(Access, crate::mock::new_test_ext(), crate::mock::Test);
}
