//! A test runtime with `frame_system`, this pallet, and a small pallet whose
//! one call is feeless for every account but 100 (standing in for the MedChain
//! pallets and their roles).

use crate as pallet_feeless;
use frame_support::{derive_impl, traits::ConstU32};
use sp_runtime::BuildStorage;

#[frame_support::pallet]
pub mod pallet_ward {
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<AccountId = u64> {}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Does nothing; free for every account but 100.
		#[pallet::call_index(0)]
		#[pallet::weight(Weight::from_parts(1_000, 0))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _note: &u32| -> bool {
			matches!(origin.as_signer(), Some(who) if *who != 100)
		})]
		pub fn note(origin: OriginFor<T>, note: u32) -> DispatchResult {
			ensure_signed(origin)?;
			let _ = note;
			Ok(())
		}
	}
}

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Feeless: pallet_feeless,
		Ward: pallet_ward,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = frame_system::mocking::MockBlock<Test>;
}

impl pallet_ward::Config for Test {}

frame_support::parameter_types! {
	pub const Window: u64 = 10;
}

impl pallet_feeless::Config for Test {
	type Window = Window;
	type MaxCallsPerWindow = ConstU32<3>;
	type MaxFeelessLength = ConstU32<1_000>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = WardCall;
}

/// The benchmark's feeless call: `Ward::note`.
#[cfg(feature = "runtime-benchmarks")]
pub struct WardCall;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64, RuntimeCall> for WardCall {
	fn feeless_call(_who: &u64) -> RuntimeCall {
		RuntimeCall::Ward(pallet_ward::Call::note { note: 0 })
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
