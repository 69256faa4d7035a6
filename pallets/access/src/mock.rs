//! A test runtime with the real audit pallet and in-memory patients, doctors
//! and record keys: patients 10 (guardian 20) and 11; active doctors 30
//! (hospital 0) and 31 (hospital 1). Every key removal is recorded and
//! reports 3 keys removed.

use crate as pallet_access;
use frame_support::{parameter_types, traits::ConstU32};
use medchain_primitives::{
	testing::{MockDoctors, MockPatients},
	RecordKeys,
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
}

pub struct MockRecordKeys;
impl RecordKeys<u64> for MockRecordKeys {
	fn remove_reader_keys(patient: &u64, reader: &u64, limit: u32) -> u32 {
		KeyRemovals::mutate(|r| r.push((*patient, *reader, limit)));
		3
	}
}

impl pallet_access::Config for Test {
	type Patients = MockPatients;
	type Doctors = MockDoctors;
	type RecordKeys = MockRecordKeys;
	type Audit = Audit;
	type Time = Timestamp;
	type MaxGrantsPerPatient = ConstU32<2>;
	type MaxPatientsPerGrantee = ConstU32<2>;
	type MaxScopeRecords = ConstU32<3>;
	type MaxKeysPerRevoke = ConstU32<100>;
	type WeightInfo = ();
}

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
