//! Placeholder weights for `pallet_doctors`: replaced by `scripts/benchmark.sh`.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn apply() -> Weight;
	fn approve() -> Weight;
	fn reject() -> Weight;
	fn suspend() -> Weight;
	fn reinstate() -> Weight;
	fn register_doctor() -> Weight;
	fn update_profile() -> Weight;
	fn rotate_key() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn apply() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn approve() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn reject() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn suspend() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn reinstate() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn register_doctor() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn update_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}

impl WeightInfo for () {
	fn apply() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn approve() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn reject() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn suspend() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn reinstate() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn register_doctor() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn update_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}
