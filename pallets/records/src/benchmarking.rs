//! Benchmarks of the records pallet, each at its worst case: a doctor
//! writing through a grant (not the patient), the longest CID to parse,
//! 128-byte wrapped keys, records full of readers and versions, and escrowed
//! keys split among `MaxCustodians` hospitals with `MaxReleasesPerRecord`
//! readers holding released shares.

use super::*;
use crate::Pallet as Records;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use medchain_primitives::{
	cid::long_cid, AccessPolicy, DoctorRegistry, HospitalId, KeyCustodians, PatientRegistry,
	WrappedKey, MAX_WRAPPED_KEY_LEN,
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

/// `n` custodian hospitals with their key-release services.
fn custodians<T: Config>(n: u32) -> Vec<(HospitalId, T::AccountId)> {
	(0..n).map(T::Custodians::benchmark_custodian).collect()
}

fn shares<T: Config>(custodians: &[(HospitalId, T::AccountId)]) -> CustodianShares<T> {
	custodians
		.iter()
		.map(|(hospital, _)| (*hospital, key()))
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxCustodians shares")
}

/// Escrow `id`'s key among `custodians`, and give `MaxReleasesPerRecord` readers every
/// share (written directly: what a removal has to take away).
fn escrowed<T: Config>(
	patient: &T::AccountId,
	id: RecordId,
	custodians: &[(HospitalId, T::AccountId)],
) -> Result<(), BenchmarkError> {
	let shares = shares::<T>(custodians);
	Records::<T>::do_escrow(patient, id, T::EmergencyThreshold::get(), shares.clone())?;
	let releases = T::MaxReleasesPerRecord::get();
	for i in 0..releases {
		let reader: T::AccountId = account("released", i, 0);
		Releases::<T>::insert(id, &reader, Release { epoch: 0, shares: shares.clone() });
		KeysOf::<T>::insert((patient, &reader, id), ());
	}
	Escrows::<T>::mutate(id, |escrow| {
		if let Some(escrow) = escrow {
			escrow.released_to = releases;
		}
	});
	Ok(())
}

/// A doctor of a hospital of their own, who broke the glass for `patient`.
fn emergency_doctor<T: Config>(patient: &T::AccountId) -> T::AccountId {
	let doctor: T::AccountId = account("emergency-doctor", 0, 0);
	T::Doctors::benchmark_doctor(&doctor, &account("emergency-admin", 0, 0));
	T::Access::benchmark_emergency(patient, &doctor);
	doctor
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
		escrowed::<T>(&patient, id, &custodians::<T>(T::MaxCustodians::get()))?;
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
		escrowed::<T>(&patient, id, &custodians::<T>(T::MaxCustodians::get()))?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), id);
		assert_last_event::<T>(Event::RecordErased { record: id, patient });
		Ok(())
	}

	// Worst case: a doctor who broke the glass opens with released shares, found after the
	// missing wrapped key.
	#[benchmark]
	fn open_record() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let doctors = doctors::<T>(&patient, 1);
		let id = record::<T>(&patient, &doctors, 2)?;
		let custodians = custodians::<T>(T::MaxCustodians::get());
		Records::<T>::do_escrow(
			&patient,
			id,
			T::EmergencyThreshold::get(),
			shares::<T>(&custodians),
		)?;
		let doctor = emergency_doctor::<T>(&patient);
		for (_, service) in custodians.iter().take(T::EmergencyThreshold::get() as usize) {
			Records::<T>::do_release(service, &doctor, vec![(id, key())])?;
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(doctor.clone()), id);
		assert_last_event::<T>(Event::RecordOpened { record: id, reader: doctor });
		Ok(())
	}

	// Worst case: an earlier escrow is replaced, its shares released to
	// `MaxReleasesPerRecord` readers removed.
	#[benchmark]
	fn escrow_key(
		s: Linear<{ T::EmergencyThreshold::get() }, { T::MaxCustodians::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let id = <Records<T> as RecordKeys<T::AccountId>>::benchmark_keys(&patient, &patient, 1)[0];
		let custodians = custodians::<T>(T::MaxCustodians::get());
		escrowed::<T>(&patient, id, &custodians)?;
		let threshold = T::EmergencyThreshold::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id, threshold, shares::<T>(&custodians[..s as usize]));
		assert_last_event::<T>(Event::KeyEscrowed { record: id, custodians: s, threshold });
		Ok(())
	}

	#[benchmark]
	fn withdraw_escrow() -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let id = <Records<T> as RecordKeys<T::AccountId>>::benchmark_keys(&patient, &patient, 1)[0];
		escrowed::<T>(&patient, id, &custodians::<T>(T::MaxCustodians::get()))?;
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), id);
		assert_last_event::<T>(Event::KeyEscrowWithdrawn { record: id });
		Ok(())
	}

	// Worst case per record: the doctor's first share of it, from an escrow of
	// `MaxCustodians` shares.
	#[benchmark]
	fn release_shares(k: Linear<1, { T::MaxKeysPerCall::get() }>) -> Result<(), BenchmarkError> {
		let patient = patient::<T>();
		let ids = <Records<T> as RecordKeys<T::AccountId>>::benchmark_keys(&patient, &patient, k);
		let custodians = custodians::<T>(T::MaxCustodians::get());
		for id in &ids {
			Records::<T>::do_escrow(
				&patient,
				*id,
				T::EmergencyThreshold::get(),
				shares::<T>(&custodians),
			)?;
		}
		let doctor = emergency_doctor::<T>(&patient);
		let (hospital, service) = custodians[0].clone();
		let shares: SharedKeys<T> = ids
			.iter()
			.map(|id| (*id, key()))
			.collect::<Vec<_>>()
			.try_into()
			.expect("at most MaxKeysPerCall shares");
		#[extrinsic_call]
		_(RawOrigin::Signed(service), doctor.clone(), shares);
		assert_last_event::<T>(Event::SharesReleased { hospital, reader: doctor, count: k });
		Ok(())
	}

	impl_benchmark_test_suite!(Records, crate::mock::new_test_ext(), crate::mock::Test);
}
