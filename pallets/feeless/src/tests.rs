//! The extension's decisions, as the pool and the block builder see them.

use crate::{
	mock::*, FeelessCalls, LimitFeelessCalls, Usage, RATE_LIMITED, TOO_LONG_FOR_FREE,
	WEIGHT_LIMITED,
};
use frame_support::dispatch::GetDispatchInfo;
use frame_support::weights::Weight;
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension, TxBaseImplication},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

fn note() -> RuntimeCall {
	RuntimeCall::Ward(pallet_ward::Call::note { note: 7 })
}

/// Validate `call` by `who` as the pool does (no state kept).
fn pool_check(who: u64, call: &RuntimeCall) -> Result<(), TransactionValidityError> {
	pool_check_len(who, call, 0)
}

/// Validate `call` by `who` in a transaction of `len` bytes as the pool does.
fn pool_check_len(
	who: u64,
	call: &RuntimeCall,
	len: usize,
) -> Result<(), TransactionValidityError> {
	LimitFeelessCalls::<Test>::new()
		.validate_only(
			RuntimeOrigin::signed(who),
			call,
			&call.get_dispatch_info(),
			len,
			TransactionSource::External,
			0,
		)
		.map(|_| ())
}

/// Apply `call` by `who` as a block does: validate, prepare, dispatch.
fn include(who: u64, call: RuntimeCall) -> Result<(), TransactionValidityError> {
	let info = call.get_dispatch_info();
	LimitFeelessCalls::<Test>::new()
		.dispatch_transaction(RuntimeOrigin::signed(who), call, &info, 0, 0)
		.map(|result| result.expect("the call itself succeeds"))
		.map(|_| ())
}

/// Apply `call` by `who` as a block does, whatever the call's own result.
fn include_any(who: u64, call: RuntimeCall) -> Result<(), TransactionValidityError> {
	let info = call.get_dispatch_info();
	LimitFeelessCalls::<Test>::new()
		.dispatch_transaction(RuntimeOrigin::signed(who), call, &info, 0, 0)
		.map(|_| ())
}

fn fail_early() -> RuntimeCall {
	RuntimeCall::Ward(pallet_ward::Call::fail_early {})
}

fn heavy() -> RuntimeCall {
	RuntimeCall::Ward(pallet_ward::Call::heavy {})
}

fn urgent() -> RuntimeCall {
	RuntimeCall::Ward(pallet_ward::Call::urgent {})
}

fn ref_time(n: u64) -> Weight {
	Weight::from_parts(n, 0)
}

fn rate_limited() -> TransactionValidityError {
	InvalidTransaction::Custom(RATE_LIMITED).into()
}

#[test]
fn counts_feeless_calls_and_refuses_the_one_over_the_limit() {
	new_test_ext().execute_with(|| {
		for _ in 0..3 {
			assert_eq!(pool_check(1, &note()), Ok(()));
			assert_eq!(include(1, note()), Ok(()));
		}
		assert_eq!(Feeless::calls_in_window(&1), 3);
		assert_eq!(Feeless::calls_left(&1), 0);
		assert_eq!(pool_check(1, &note()), Err(rate_limited()));
		assert_eq!(include(1, note()), Err(rate_limited()));
		// The refused call counts for nothing.
		assert_eq!(
			FeelessCalls::<Test>::get(1),
			Some(Usage { window: 0, calls: 3, weight: ref_time(3_000) })
		);
		// Other accounts have their own count.
		assert_eq!(pool_check(2, &note()), Ok(()));
	});
}

#[test]
fn the_next_window_starts_from_zero() {
	new_test_ext().execute_with(|| {
		for _ in 0..3 {
			assert_eq!(include(1, note()), Ok(()));
		}
		// Block 9 is still window 0; block 10 starts window 1.
		System::set_block_number(9);
		assert_eq!(pool_check(1, &note()), Err(rate_limited()));
		System::set_block_number(10);
		assert_eq!(Feeless::calls_in_window(&1), 0);
		assert_eq!(pool_check(1, &note()), Ok(()));
		assert_eq!(include(1, note()), Ok(()));
		assert_eq!(
			FeelessCalls::<Test>::get(1),
			Some(Usage { window: 1, calls: 1, weight: ref_time(1_000) })
		);
	});
}

#[test]
fn calls_that_pay_are_neither_counted_nor_limited() {
	new_test_ext().execute_with(|| {
		// Account 100 has no "role" in the mock: its call pays.
		for _ in 0..5 {
			assert_eq!(include(100, note()), Ok(()));
		}
		assert_eq!(FeelessCalls::<Test>::get(100), None);
		// A system call is never feeless either.
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		assert_eq!(include(1, remark), Ok(()));
		assert_eq!(FeelessCalls::<Test>::get(1), None);
	});
}

#[test]
fn unsigned_origins_pass_through() {
	new_test_ext().execute_with(|| {
		let call = note();
		let result = LimitFeelessCalls::<Test>::new().validate(
			RuntimeOrigin::none(),
			&call,
			&call.get_dispatch_info(),
			0,
			(),
			&TxBaseImplication(()),
			TransactionSource::External,
		);
		assert!(matches!(result, Ok((_, None, _))), "{result:?}");
	});
}

#[test]
fn the_extension_adds_no_signed_data() {
	// Apps and @polkadot/api sign it with no custom types because there is
	// nothing to sign or send: empty encoding, `()` implicit.
	use codec::Encode;
	let ext = LimitFeelessCalls::<Test>::new();
	assert!(ext.encode().is_empty());
	assert_eq!(ext.implicit(), Ok(()));
	assert_eq!(
		<LimitFeelessCalls<Test> as TransactionExtension<RuntimeCall>>::IDENTIFIER,
		"LimitFeelessCalls"
	);
}

// Attack 1 of the abuse review (free block stuffing): a feeless call failed
// in dispatch, but only after a megabyte-long transaction had been included
// for free.
#[test]
fn free_block_stuffing_a_feeless_transaction_over_the_length_cap_is_refused_and_not_counted() {
	new_test_ext().execute_with(|| {
		let too_long = Err(InvalidTransaction::Custom(TOO_LONG_FOR_FREE).into());
		assert_eq!(pool_check_len(1, &note(), 1_000), Ok(()));
		assert_eq!(pool_check_len(1, &note(), 1_001), too_long);
		assert_eq!(pool_check_len(1, &note(), 3_500_000), too_long);
		assert_eq!(Feeless::calls_in_window(&1), 0);
		// A transaction that pays is not capped here: its length is charged.
		assert_eq!(pool_check_len(100, &note(), 3_500_000), Ok(()));
	});
}

// Attack 1 of the trust review (free block stuffing by weight): a feeless call
// that failed early was charged its declared worst case, so a few free
// accounts' failing calls filled every block.
#[test]
fn free_block_stuffing_by_weight_a_call_that_fails_early_costs_only_what_it_did() {
	new_test_ext().execute_with(|| {
		for who in 1..=3 {
			for _ in 0..3 {
				assert_eq!(include_any(who, fail_early()), Ok(()));
			}
			// Each declared HEAVY and was refunded down to LIGHT.
			assert_eq!(Feeless::weight_in_window(&who), ref_time(3 * LIGHT));
		}
		assert_eq!(Feeless::weight_in_block(), ref_time(9 * LIGHT));
		// Without the refunds, the first three calls would have used the whole block's feeless
		// budget (three heavy calls); with them, two heavy calls still fit.
		for who in 4..=5 {
			assert_eq!(include(who, heavy()), Ok(()));
		}
		assert_eq!(Feeless::weight_in_block(), ref_time(9 * LIGHT + 2 * HEAVY));
	});
}

#[test]
fn free_block_stuffing_by_weight_an_account_is_refused_past_its_weight_in_the_window() {
	new_test_ext().execute_with(|| {
		assert_eq!(include(1, heavy()), Ok(()));
		assert_eq!(include(1, heavy()), Ok(()));
		assert_eq!(Feeless::calls_left(&1), 1);
		let weight_limited = Err(InvalidTransaction::Custom(WEIGHT_LIMITED).into());
		// A third call is within the count but over the weight.
		assert_eq!(pool_check(1, &heavy()), weight_limited);
		assert_eq!(include(1, heavy()), weight_limited);
		// A light one still fits.
		assert_eq!(pool_check(1, &note()), Ok(()));
		// The next window starts from zero weight.
		System::set_block_number(10);
		assert_eq!(pool_check(1, &heavy()), Ok(()));
	});
}

#[test]
fn free_block_stuffing_by_weight_free_calls_take_at_most_their_share_of_a_block() {
	new_test_ext().execute_with(|| {
		for who in 1..=3 {
			assert_eq!(include(who, heavy()), Ok(()));
		}
		assert_eq!(Feeless::weight_in_block(), ref_time(3 * HEAVY));
		// The fourth account's call is valid for the pool but waits for another block.
		assert_eq!(pool_check(4, &heavy()), Ok(()));
		let exhausted = Err(InvalidTransaction::ExhaustsResources.into());
		assert_eq!(include(4, heavy()), exhausted);
		assert_eq!(Feeless::calls_in_window(&4), 0);
		// Paying calls are not held back by it.
		assert_eq!(include(100, heavy()), Ok(()));
		// The next block has the whole budget again.
		System::set_block_number(2);
		assert_eq!(Feeless::weight_in_block(), Weight::zero());
		assert_eq!(include(4, heavy()), Ok(()));
	});
}

#[test]
fn free_block_stuffing_by_weight_cannot_crowd_out_operational_calls() {
	new_test_ext().execute_with(|| {
		for who in 1..=3 {
			assert_eq!(include(who, heavy()), Ok(()));
		}
		// The block's feeless budget is spent; break-glass is Operational and still goes in,
		// counted against its signer's window but not the block's feeless budget.
		assert_eq!(include(4, urgent()), Ok(()));
		assert_eq!(Feeless::weight_in_block(), ref_time(3 * HEAVY));
		assert_eq!(Feeless::weight_in_window(&4), ref_time(HEAVY));
		assert_eq!(Feeless::calls_in_window(&4), 1);
	});
}
