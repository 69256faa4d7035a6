//! A test runtime with the real audit pallet and in-memory patients, doctors
//! and record keys: patients 10 (guardian 20), 11 and 12; active doctors 30
//! (hospital 0) and 31 (hospital 1); hospitals 0 (admin 1), 1 (admin 2) and
//! 2 (admin 3, suspended). Every key removal and share is recorded; a removal
//! reports 3 keys removed (or as many as a benchmark made).

use crate as pallet_access;
use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64},
};
use medchain_primitives::{
	testing::{MockDoctors, MockHospitals, MockPatients},
	RecordId, RecordKeys,
};

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
		Access: pallet_access,
	}
);

pallet_audit::impl_test_configs!(Test);

parameter_types! {
	/// `(patient, reader, limit)` of every key removal asked for.
	pub static KeyRemovals: Vec<(u64, u64, u32)> = vec![];
	/// `(patient, reader, keys)` of every key share asked for.
	pub static KeyShares: Vec<(u64, u64, u32)> = vec![];
	/// How many keys the next removal reports, when a benchmark made them.
	pub static BenchmarkKeys: Option<u32> = None;
	/// `(patient, reader)` of every removal of released shares asked for.
	pub static ShareRemovals: Vec<(u64, u64)> = vec![];
}

pub struct MockRecordKeys;
impl RecordKeys<u64> for MockRecordKeys {
	/// Records 100 to 199 are account 11's; 0 to 99 are any other account's; no
	/// others exist.
	fn is_record_of(patient: &u64, record: RecordId) -> bool {
		if *patient == 11 {
			(100..200).contains(&record)
		} else {
			record < 100
		}
	}

	fn remove_reader_keys(patient: &u64, reader: &u64, limit: u32) -> u32 {
		KeyRemovals::mutate(|r| r.push((*patient, *reader, limit)));
		BenchmarkKeys::take().unwrap_or(3)
	}

	fn remove_released_shares(patient: &u64, reader: &u64, _limit: u32) -> u32 {
		ShareRemovals::mutate(|r| r.push((*patient, *reader)));
		2
	}

	fn share_keys(
		_actor: &u64,
		patient: &u64,
		reader: &u64,
		keys: Vec<(RecordId, medchain_primitives::WrappedKey)>,
	) -> sp_runtime::DispatchResult {
		KeyShares::mutate(|s| s.push((*patient, *reader, keys.len() as u32)));
		Ok(())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_keys(_: &u64, _: &u64, n: u32) -> Vec<RecordId> {
		BenchmarkKeys::set(Some(n));
		(0..n as u64).collect()
	}
}

impl pallet_access::Config for Test {
	type Patients = MockPatients;
	type Doctors = MockDoctors;
	type Hospitals = MockHospitals;
	type RecordKeys = MockRecordKeys;
	type Audit = Audit;
	type Roles = ();
	type Time = Timestamp;
	type MaxGrantsPerPatient = ConstU32<2>;
	type MaxPatientsPerGrantee = ConstU32<2>;
	type MaxScopeRecords = ConstU32<3>;
	type MaxKeysPerRevoke = ConstU32<100>;
	type MaxKeysPerApproval = ConstU32<4>;
	type RequestLifetime = ConstU64<{ 7 * DAY }>;
	type MaxRequestsPerPatient = ConstU32<2>;
	type EmergencyDuration = ConstU64<{ 4 * HOUR }>;
	type EmergencyPeriod = ConstU64<DAY>;
	type MaxEmergenciesPerPeriod = ConstU32<2>;
	type MaxEmergenciesPerHospital = ConstU32<3>;
	// None by default, as on the development chain: the probation's own tests set it.
	type DefaultEmergencyProbation = ConstU64<0>;
	type MaxSweepStepsPerBlock = ConstU32<4>;
	type WeightInfo = ();
}

pub const HOUR: u64 = 3_600_000;
pub const DAY: u64 = 24 * HOUR;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut ext = base_test_ext();
	ext.execute_with(|| {
		MockPatients::reset();
		MockPatients::add(10, &[20]);
		MockPatients::add(11, &[]);
		MockPatients::add(12, &[]);
		MockDoctors::reset();
		MockDoctors::add(30, 0);
		MockDoctors::add(31, 1);
		KeyRemovals::set(vec![]);
		KeyShares::set(vec![]);
		MockHospitals::set_up();
	});
	ext
}

/// Run a test and check both pallets' invariants after it.
pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Access::do_try_state().expect("access invariants hold");
		Audit::do_try_state().expect("audit invariants hold");
	});
}
