//! A test runtime with `frame_system`, this pallet, and a small pallet whose
//! calls are feeless for every account but 100 (standing in for the MedChain
//! pallets and their roles).

use crate as pallet_feeless;
use frame_support::{derive_impl, traits::ConstU32, weights::Weight};
use sp_runtime::BuildStorage;

#[frame_support::pallet]
pub mod pallet_ward {
	use frame_support::{dispatch::WithPostDispatchInfo, pallet_prelude::*};
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

		/// Declares `HEAVY` and fails early, charging `LIGHT`, as a MedChain call whose
		/// worst case is large does on a bad argument; free for every account but 100.
		#[pallet::call_index(1)]
		#[pallet::weight(Weight::from_parts(super::HEAVY, 0))]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool {
			matches!(origin.as_signer(), Some(who) if *who != 100)
		})]
		pub fn fail_early(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Err(DispatchError::Other("nothing to do")
				.with_weight(Weight::from_parts(super::LIGHT, 0)))
		}

		/// Declares and uses `HEAVY`; free for every account but 100.
		#[pallet::call_index(2)]
		#[pallet::weight(Weight::from_parts(super::HEAVY, 0))]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool {
			matches!(origin.as_signer(), Some(who) if *who != 100)
		})]
		pub fn heavy(origin: OriginFor<T>) -> DispatchResult {
			ensure_signed(origin)?;
			Ok(())
		}

		/// An `Operational` call of weight `HEAVY`, as break-glass is; free for every
		/// account but 100.
		#[pallet::call_index(3)]
		#[pallet::weight((Weight::from_parts(super::HEAVY, 0), DispatchClass::Operational))]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool {
			matches!(origin.as_signer(), Some(who) if *who != 100)
		})]
		pub fn urgent(origin: OriginFor<T>) -> DispatchResult {
			ensure_signed(origin)?;
			Ok(())
		}
	}
}

/// The declared weight of the mock's heavy calls.
pub const HEAVY: u64 = 100_000;
/// What `fail_early` really uses.
pub const LIGHT: u64 = 1_000;

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
	type BlockWeights = MockBlockWeights;
}

impl pallet_ward::Config for Test {}

frame_support::parameter_types! {
	/// No base weight per extrinsic, so that the tests' weights are the calls' own.
	pub MockBlockWeights: frame_system::limits::BlockWeights =
		frame_system::limits::BlockWeights::builder()
			.base_block(Weight::zero())
			.for_class(frame_support::dispatch::DispatchClass::all(), |class| {
				class.base_extrinsic = Weight::zero();
				class.max_total = Some(Weight::from_parts(u64::MAX / 4, u64::MAX / 4));
			})
			.build_or_panic();
	pub const Window: u64 = 10;
	/// Two heavy calls per account per window, and a few light ones.
	pub const MaxWeightPerWindow: Weight = Weight::from_parts(2 * HEAVY + 10 * LIGHT, u64::MAX);
	/// Three heavy calls per block.
	pub const MaxFeelessWeightPerBlock: Weight = Weight::from_parts(3 * HEAVY, u64::MAX);
}

impl pallet_feeless::Config for Test {
	type Window = Window;
	type MaxCallsPerWindow = ConstU32<3>;
	type MaxFeelessLength = ConstU32<1_000>;
	type MaxWeightPerWindow = MaxWeightPerWindow;
	type MaxFeelessWeightPerBlock = MaxFeelessWeightPerBlock;
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
