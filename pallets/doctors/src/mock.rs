//! A test runtime with the real audit pallet (so tests check the entries and
//! their hash chains) and in-memory hospitals:
//! hospital 0 (admin 1), hospital 1 (admin 2), hospital 2 suspended (admin 3).

use crate as pallet_doctors;
use frame_support::traits::ConstU32;
use medchain_primitives::testing::MockHospitals;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
		Doctors: pallet_doctors,
	}
);

pallet_audit::impl_test_configs!(Test);

impl pallet_doctors::Config for Test {
	type Hospitals = MockHospitals;
	type Audit = Audit;
	type Roles = ();
	type Time = Timestamp;
	type OnSuspended = ();
	type MaxNameLength = ConstU32<32>;
	type MaxSpecialtyLength = ConstU32<16>;
	type WeightInfo = ();
}

/// Empty storage at block 1, time `NOW`, with the three mock hospitals.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut ext = base_test_ext();
	ext.execute_with(MockHospitals::set_up);
	ext
}

/// Run a test and check both pallets' invariants after it.
pub fn test(f: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		f();
		Doctors::do_try_state().expect("doctors invariants hold");
		Audit::do_try_state().expect("audit invariants hold");
	});
}
