//! A test runtime with `frame_system`, `pallet_timestamp` and the audit pallet.

use crate as pallet_audit;
frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
	}
);

pallet_audit::impl_test_configs!(Test);

/// Run a test at block 1, time `NOW`, and check the invariants after it.
pub fn test(f: impl FnOnce()) {
	base_test_ext().execute_with(|| {
		f();
		Audit::do_try_state().expect("audit invariants hold");
	});
}
