//! Weights for pallet_consortium.
//!
//! Placeholder until `scripts/benchmark.sh` regenerates this file from the benchmarks.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for pallet_consortium.
pub trait WeightInfo {
	fn admit_hospital(a: u32) -> Weight;
	fn suspend_hospital() -> Weight;
	fn reinstate_hospital() -> Weight;
	fn remove_hospital() -> Weight;
	fn add_admin() -> Weight;
	fn remove_admin() -> Weight;
	fn set_validator() -> Weight;
}

/// Weights for pallet_consortium using the MedChain node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn admit_hospital(_a: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(T::DbWeight::get().reads_writes(5, 6))
	}
	fn suspend_hospital() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn reinstate_hospital() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(3, 3))
	}
	fn remove_hospital() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(4, 5))
	}
	fn add_admin() -> Weight {
		Weight::from_parts(30_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn remove_admin() -> Weight {
		Weight::from_parts(30_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn set_validator() -> Weight {
		Weight::from_parts(60_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(4, 5))
	}
}

impl WeightInfo for () {
	fn admit_hospital(_a: u32) -> Weight {
		Weight::from_parts(100_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(5, 6))
	}
	fn suspend_hospital() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn reinstate_hospital() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(3, 3))
	}
	fn remove_hospital() -> Weight {
		Weight::from_parts(50_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 5))
	}
	fn add_admin() -> Weight {
		Weight::from_parts(30_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn remove_admin() -> Weight {
		Weight::from_parts(30_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
	fn set_validator() -> Weight {
		Weight::from_parts(60_000_000, 10_000)
			.saturating_add(RocksDbWeight::get().reads_writes(4, 5))
	}
}
