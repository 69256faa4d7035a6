//! Benchmarks of the records pallet, each at its worst case: a doctor
//! writing through a grant (not the patient), the longest CID to parse,
//! 128-byte wrapped keys, and records full of readers and versions.

use super::*;
use crate::Pallet as Records;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use medchain_primitives::{
	cid::long_cid, AccessPolicy, DoctorRegistry, PatientRegistry, WrappedKey, MAX_WRAPPED_KEY_LEN,
};

fn key() -> WrappedKey {
	vec![7; MAX_WRAPPED_KEY_LEN as usize].try_into().expect("the longest key fits")
}

fn patient<T: Config>() -> T::AccountId {
	let who: T::AccountId = account("patient", 0, 0);
	T::Patients::benchmark_patient(&who);
	who
}

/// `n` active doctors, each holding a read-write grant of every record of `patient`.
fn doctors<T: Config>(patient: &T::AccountId, n: u32) -> Vec<T::AccountId> {
	(0..n)
		.map(|i| {
			let doctor: T::AccountId = account("doctor", i, 0);
			T::Doctors::benchmark_doctor(&doctor, &account("admin", i, 0));
			T::Access::benchmark_grant(patient, &doctor);
			doctor
		})
		.collect()
}

/// Keys for the patient and the first `n - 1` doctors.
fn keys_for<T: Config>(patient: &T::AccountId, doctors: &[T::AccountId], n: u32) -> ReaderKeys<T> {
	core::iter::once(patient)
		.chain(doctors.iter())
		.take(n as usize)
		.map(|reader| (reader.clone(), key()))
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxReadersPerRecord keys")
}

/// A record of `patient` by `doctors[0]` with keys for the patient and the
/// first `readers - 1` doctors.
fn record<T: Config>(
	patient: &T::AccountId,
	doctors: &[T::AccountId],
	readers: u32,
) -> Result<RecordId, BenchmarkError> {
	let (id, _) = Records::<T>::do_create(
		doctors[0].clone(),
		patient.clone(),
		RecordCategory::Diagnosis,
		&long_cid(),
		keys_for::<T>(patient, doctors, readers.max(2)),
	)?;
	Ok(id)
}

fn max_readers<T: Config>() -> u32 {
	T::MaxReadersPerRecord::get()
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
	fn create_record(k: Linear<2, { max_readers::<T>() }>) {
		let patient = patient::<T>();
		let doctors = doctors::<T>(&patient, k - 1);
		let keys = keys_for::<T>(&patient, &doctors, k);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctors[0].clone()),
			patient.clone(),
			RecordCategory::Diagnosis,
			long_cid(),
			keys,
		);
		assert_last_event::<T>(Event::RecordCreated {
			record: 0,
			patient,
			author: doctors[0].clone(),
			category: RecordCategory::Diagnosis,
		});
	}

	#[benchmark]
	fn update_record() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let doctors = doctors::<T>(&patient, 1);
		let id = record::<T>(&patient, &doctors, 2)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctors[0].clone()), id, long_cid());
		assert_last_event::<T>(Event::RecordUpdated {
			record: id,
			version: 2,
			author: doctors[0].clone(),
		});
		Ok(())
	}

	#[benchmark]
	fn share_keys(k: Linear<1, { T::MaxKeysPerCall::get() }>) {
		let patient = patient::<T>();
		let reader = doctors::<T>(&patient, 1).remove(0);
		let ids = <Records<T> as RecordKeys<T::AccountId>>::benchmark_keys(&patient, &patient, k);
		let keys: SharedKeys<T> = ids
			.into_iter()
			.map(|id| (id, key()))
			.collect::<Vec<_>>()
			.try_into()
			.expect("at most MaxKeysPerCall keys");
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), patient.clone(), reader.clone(), keys);
		assert_last_event::<T>(Event::KeysShared { patient, reader, count: k });
	}

	#[benchmark]
	fn rotate_key(
		r: Linear<2, { max_readers::<T>() }>,
		k: Linear<1, { max_readers::<T>() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let doctors = doctors::<T>(&patient, max_readers::<T>() - 1);
		let id = record::<T>(&patient, &doctors, r)?;
		let keys = keys_for::<T>(&patient, &doctors, k);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id, long_cid(), keys);
		assert_last_event::<T>(Event::RecordKeyRotated { record: id, epoch: 1, readers: k });
		Ok(())
	}

	#[benchmark]
	fn erase_record(
		r: Linear<2, { max_readers::<T>() }>,
		v: Linear<1, { T::MaxVersions::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let doctors = doctors::<T>(&patient, r - 1);
		let id = record::<T>(&patient, &doctors, r)?;
		for _ in 1..v {
			Records::<T>::do_update(&patient, id, &long_cid())?;
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), id);
		assert_last_event::<T>(Event::RecordErased { record: id, patient });
		Ok(())
	}

	#[benchmark]
	fn open_record() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let doctors = doctors::<T>(&patient, 1);
		let id = record::<T>(&patient, &doctors, 2)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(doctors[0].clone()), id);
		assert_last_event::<T>(Event::RecordOpened { record: id, reader: doctors[0].clone() });
		Ok(())
	}

	impl_benchmark_test_suite!(Records, crate::mock::new_test_ext(), crate::mock::Test);
}
