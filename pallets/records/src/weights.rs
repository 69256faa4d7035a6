//! Placeholder weights for `pallet_records`, until its benchmarks run in the runtime.
//! Replaced by `scripts/benchmark.sh`.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn create_record(k: u32) -> Weight;
	fn update_record() -> Weight;
	fn share_keys(k: u32) -> Weight;
	fn rotate_key(r: u32, k: u32) -> Weight;
	fn erase_record(r: u32, v: u32) -> Weight;
	fn open_record() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_record(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn update_record() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn share_keys(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn rotate_key(_r: u32, _k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn erase_record(_r: u32, _v: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn open_record() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}

impl WeightInfo for () {
	fn create_record(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn update_record() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn share_keys(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn rotate_key(_r: u32, _k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn erase_record(_r: u32, _v: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn open_record() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}
