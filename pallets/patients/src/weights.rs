//! Placeholder weights for `pallet_patients`: replaced by `scripts/benchmark.sh`.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn register() -> Weight;
	fn register_patient() -> Weight;
	fn set_profile() -> Weight;
	fn rotate_key() -> Weight;
	fn add_guardian() -> Weight;
	fn remove_guardian() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn register_patient() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn set_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn add_guardian() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_guardian() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}

impl WeightInfo for () {
	fn register() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn register_patient() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn set_profile() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn rotate_key() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn add_guardian() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_guardian() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}
