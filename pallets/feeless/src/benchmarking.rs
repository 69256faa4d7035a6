//! Benchmark of the extension at its worst: a feeless call (the helper picks
//! the role whose check reads most) by an account that already has calls
//! counted in this window.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::dispatch::GetDispatchInfo;
use frame_system::RawOrigin;
use sp_runtime::traits::{DispatchTransaction, TransactionExtension};

#[benchmarks(where
	T: Send + Sync,
	T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>
		+ GetDispatchInfo
		+ CheckIfFeeless<Origin = frame_system::pallet_prelude::OriginFor<T>>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn limit_feeless_calls() -> Result<(), BenchmarkError> {
		let who: T::AccountId = account("caller", 0, 0);
		let call = T::BenchmarkHelper::feeless_call(&who);
		let info = call.get_dispatch_info();
		let now = frame_system::Pallet::<T>::block_number();
		let window = Pallet::<T>::window_of(now);
		FeelessCalls::<T>::insert(
			&who,
			Usage { window, calls: 1, weight: Weight::from_parts(1, 0) },
		);
		FeelessWeightInBlock::<T>::put((now, Weight::from_parts(1, 0)));
		// The call used nothing of what it declared: the refund does the most work.
		let mut post_info =
			PostDispatchInfo { actual_weight: Some(Weight::zero()), pays_fee: Default::default() };

		#[block]
		{
			let (pre, _) = LimitFeelessCalls::<T>::new()
				.validate_and_prepare(RawOrigin::Signed(who.clone()).into(), &call, &info, 0, 0)
				.map_err(|_| BenchmarkError::Stop("the call is not accepted"))?;
			LimitFeelessCalls::<T>::post_dispatch(pre, &info, &mut post_info, 0, &Ok(()))
				.map_err(|_| BenchmarkError::Stop("the refund is refused"))?;
		}

		assert_eq!(Pallet::<T>::calls_in_window(&who), 2);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
