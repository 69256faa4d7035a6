//! Placeholder weights for `pallet_access`, until its benchmarks run in the runtime.
//! Not wired into the runtime yet; replaced by `scripts/benchmark.sh`.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn grant() -> Weight;
	fn change_grant() -> Weight;
	fn revoke() -> Weight;
	fn remove_expired() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn grant() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn change_grant() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn revoke() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_expired() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}

impl WeightInfo for () {
	fn grant() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn change_grant() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn revoke() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_expired() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}
