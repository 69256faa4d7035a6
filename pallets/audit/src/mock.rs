//! A test runtime with `frame_system`, `pallet_timestamp` and the audit pallet.

use crate as pallet_audit;
use frame_support::{derive_impl, traits::ConstU64};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Audit: pallet_audit,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

impl pallet_audit::Config for Test {
	type Time = Timestamp;
}

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
