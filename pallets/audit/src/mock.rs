//! A test runtime with `frame_system`, `pallet_timestamp` and the audit pallet.

use crate as pallet_audit;
use sp_runtime::BuildStorage;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
	}
);

pallet_audit::impl_test_configs!(Test);

/// Run a test at block 1, time 1_000_000 ms, and check the invariants after it.
pub fn test(f: impl FnOnce()) {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(1_000_000);
		f();
		Audit::do_try_state().expect("audit invariants hold");
	});
}
