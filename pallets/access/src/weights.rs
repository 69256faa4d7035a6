//! Placeholder weights for `pallet_access`, until its benchmarks run in the runtime.
//! Replaced by `scripts/benchmark.sh`.

#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

pub trait WeightInfo {
	fn grant() -> Weight;
	fn change_grant(k: u32) -> Weight;
	fn revoke(k: u32) -> Weight;
	fn remove_expired(k: u32) -> Weight;
	fn request_access() -> Weight;
	fn approve_request(k: u32) -> Weight;
	fn deny_request() -> Weight;
	fn withdraw_request() -> Weight;
	fn remove_expired_request() -> Weight;
	fn emergency_access() -> Weight;
	fn close_emergency_review() -> Weight;
}

pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn grant() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn change_grant(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn revoke(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_expired(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn request_access() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn approve_request(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn deny_request() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn withdraw_request() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_expired_request() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn emergency_access() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn close_emergency_review() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}

impl WeightInfo for () {
	fn grant() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn change_grant(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn revoke(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_expired(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn request_access() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn approve_request(_k: u32) -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn deny_request() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn withdraw_request() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn remove_expired_request() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn emergency_access() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
	fn close_emergency_review() -> Weight {
		Weight::from_parts(1_000_000_000, 10_000)
	}
}
