//! A test runtime with the real access and audit pallets and in-memory
//! patients, doctors and hospitals: patients 10 (guardian 20) and 11; active
//! doctors 30 (hospital 0), 31 and 32 (hospital 1); custodian hospitals 0, 1
//! and 3 (active, services 100, 101 and 103), 2 suspended (service 102).

use crate as pallet_records;
use frame_support::traits::{ConstU32, ConstU64};
use medchain_primitives::testing::{MockDoctors, MockHospitals, MockPatients};

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
		Access: pallet_access,
		Records: pallet_records,
	}
);

pallet_audit::impl_test_configs!(Test);

pub const HOUR: u64 = 3_600_000;

impl pallet_access::Config for Test {
	type Patients = MockPatients;
	type Doctors = MockDoctors;
	type Hospitals = MockHospitals;
	type RecordKeys = Records;
	type Audit = Audit;
	type Roles = ();
	type Time = Timestamp;
	type MaxGrantsPerPatient = ConstU32<8>;
	type MaxPatientsPerGrantee = ConstU32<8>;
	type MaxScopeRecords = ConstU32<4>;
	type MaxKeysPerRevoke = ConstU32<5>;
	type MaxKeysPerApproval = ConstU32<4>;
	type RequestLifetime = ConstU64<{ 24 * HOUR }>;
	type MaxRequestsPerPatient = ConstU32<4>;
	type EmergencyDuration = ConstU64<{ 4 * HOUR }>;
	type EmergencyPeriod = ConstU64<{ 24 * HOUR }>;
	type MaxEmergenciesPerPeriod = ConstU32<2>;
	type MaxEmergenciesPerHospital = ConstU32<10>;
	type DefaultEmergencyProbation = frame_support::traits::ConstU64<0>;
	type MaxSweepStepsPerBlock = ConstU32<4>;
	type WeightInfo = ();
}

impl pallet_records::Config for Test {
	type Patients = MockPatients;
	type Doctors = MockDoctors;
	type Access = Access;
	type Audit = Audit;
	type Roles = ();
	type Time = Timestamp;
	type MaxRecordsPerPatient = ConstU32<5>;
	type RecordsReservedForPatient = ConstU32<2>;
	type MaxReadersPerRecord = ConstU32<4>;
	type MaxVersions = ConstU32<3>;
	type MaxKeysPerCall = ConstU32<3>;
	type Custodians = MockHospitals;
	type EmergencyThreshold = ConstU32<2>;
	type MaxCustodians = ConstU32<4>;
	type MaxReleasesPerRecord = ConstU32<2>;
	type WeightInfo = ();
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut ext = base_test_ext();
	ext.execute_with(|| {
		MockHospitals::set_up();
		MockHospitals::add(3, &[4]);
		MockPatients::reset();
		MockPatients::add(10, &[20]);
		MockPatients::add(11, &[]);
		MockDoctors::reset();
		MockDoctors::add(30, 0);
		MockDoctors::add(31, 1);
		MockDoctors::add(32, 1);
	});
	ext
}

/// Run a test and check the three pallets' invariants after it.
pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Records::do_try_state().expect("records invariants hold");
		Access::do_try_state().expect("access invariants hold");
		Audit::do_try_state().expect("audit invariants hold");
	});
}
