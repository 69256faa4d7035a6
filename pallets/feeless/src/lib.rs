//! # Feeless pallet
//!
//! MedChain's role holders (patients, doctors, guardians, hospital admins) pay
//! no fee for the MedChain pallets' calls: each call says when it is free with
//! `#[pallet::feeless_if]`, and the runtime wraps the payment extension in
//! `pallet-skip-feeless-payment`. This pallet keeps "free" from meaning
//! "unlimited".
//!
//! The [`LimitFeelessCalls`] transaction extension counts each account's
//! feeless calls per window of [`Config::Window`] blocks and refuses the call
//! after [`Config::MaxCallsPerWindow`] in the window with
//! `InvalidTransaction::Custom(`[`RATE_LIMITED`]`)`. It does so in the
//! transaction pool's validity check (and again when a block is built or
//! imported), so an excess call is turned away before it takes block space
//! and costs nobody anything. Calls that pay a fee are not counted.
//!
//! A feeless transaction is also limited in size: one longer than
//! [`Config::MaxFeelessLength`] bytes (the whole extrinsic, signature
//! included) is refused in the pool with
//! `InvalidTransaction::Custom(`[`TOO_LONG_FOR_FREE`]`)`, whatever its call.
//! The MedChain pallets' calls take bounded arguments, so their largest
//! valid call fits well inside; the cap keeps it so for any call added later.
//! Paying transactions are not capped here: they pay a fee per byte.
//!
//! Windows are fixed: blocks `k * Window .. (k + 1) * Window - 1` form window
//! `k`, and the count starts again from zero in the next one.
//!
//! Free calls are limited by weight as well as by number, because a call's
//! weight, not its count, is what fills a block:
//!
//! - **Per account.** The weight of an account's feeless calls in one window
//!   may not exceed [`Config::MaxWeightPerWindow`]: a call whose declared
//!   weight would pass it is refused in the pool with
//!   `InvalidTransaction::Custom(`[`WEIGHT_LIMITED`]`)`.
//! - **Per block.** Feeless calls of the `Normal` class may take at most
//!   [`Config::MaxFeelessWeightPerBlock`] of a block. One that would pass it
//!   is left for a later block (`InvalidTransaction::ExhaustsResources`, which
//!   keeps it in the pool), so the rest of the block stays open to paying
//!   calls. `Operational` feeless calls (break-glass and key releases) are
//!   not counted against the block budget: they have the block's operational
//!   reserve, which no `Normal` call can take, so free traffic cannot crowd
//!   them out.
//!
//! Both counters are charged the call's declared (worst-case) weight when it
//! is admitted and refunded what the call did not use after it ran, so a
//! call that fails early costs the account and the block only what it did.
//!
//! The extension adds nothing to what is signed or sent (its explicit and
//! implicit data are both `()`), so Polkadot.js Apps and @polkadot/api sign
//! every call with no custom types.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::marker::PhantomData;
use frame_support::{
	dispatch::{CheckIfFeeless, DispatchClass, DispatchInfo, PostDispatchInfo},
	pallet_prelude::TransactionSource,
	traits::Get,
	weights::Weight,
	DefaultNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, PostDispatchInfoOf,
		TransactionExtension, ValidateResult, Zero,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	DispatchResult,
};

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

/// The custom validity error of a feeless call over the limit: the pool
/// answers `InvalidTransaction::Custom(RATE_LIMITED)` ("Invalid Transaction:
/// Custom error: 1" over JSON-RPC). Wait for the next window of `Window`
/// blocks, or pay the fee from an account without a role.
pub const RATE_LIMITED: u8 = 1;

/// The custom validity error of a feeless transaction longer than
/// `MaxFeelessLength`: "Invalid Transaction: Custom error: 2". Nothing a
/// MedChain client sends is that long; pay the fee from an account without a
/// role to send bulk data.
pub const TOO_LONG_FOR_FREE: u8 = 2;

/// The custom validity error of a feeless call whose declared weight would
/// take its signer past `MaxWeightPerWindow` in the current window: "Invalid
/// Transaction: Custom error: 3". Wait for the next window of `Window` blocks.
pub const WEIGHT_LIMITED: u8 = 3;

/// The storage version: 1 added the weight to [`Usage`].
pub const STORAGE_VERSION: frame_support::traits::StorageVersion =
	frame_support::traits::StorageVersion::new(1);

/// An account's feeless calls in one window, and the weight they used.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Usage<BlockNumber> {
	/// The window the count is for: block number divided by `Window`.
	pub window: BlockNumber,
	/// Feeless calls made in that window.
	pub calls: u32,
	/// The weight those calls used: declared weight when admitted, less what
	/// each refunded after it ran.
	pub weight: Weight,
}

/// What a feeless call counted when it was admitted, to be corrected by what
/// it really used once it ran.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Counted<AccountId> {
	/// The signer whose window the call counted in.
	pub who: AccountId,
	/// Whether it was also charged to the block's feeless budget (`Normal` class).
	pub in_block: bool,
}

/// Sets up what the extension's benchmark needs.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, RuntimeCall> {
	/// Give `who` the role whose check costs most and return a call that is
	/// feeless for `who`.
	fn feeless_call(who: &AccountId) -> RuntimeCall;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The length of a rate-limit window, in blocks (at least 1).
		#[pallet::constant]
		type Window: Get<BlockNumberFor<Self>>;

		/// The most feeless calls one account may make in one window.
		#[pallet::constant]
		type MaxCallsPerWindow: Get<u32>;

		/// The longest feeless transaction, in encoded bytes.
		#[pallet::constant]
		type MaxFeelessLength: Get<u32>;

		/// The most weight one account's feeless calls may use in one window. At least the
		/// largest declared weight of a call a role holder needs, or that call can never be
		/// made for free.
		#[pallet::constant]
		type MaxWeightPerWindow: Get<Weight>;

		/// The most weight `Normal`-class feeless calls may use in one block; the rest of the
		/// block's `Normal` weight is left to paying calls. At least `MaxWeightPerWindow`.
		#[pallet::constant]
		type MaxFeelessWeightPerBlock: Get<Weight>;

		/// Weight of the extension, from its benchmark.
		type WeightInfo: WeightInfo;

		/// Sets up the extension's benchmark.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::RuntimeCall>;
	}

	/// Each account's feeless calls in the last window it made one. Read as
	/// zero once that window is over.
	#[pallet::storage]
	pub type FeelessCalls<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Usage<BlockNumberFor<T>>, OptionQuery>;

	/// The weight `Normal`-class feeless calls have used in the block named, read as zero in
	/// any other block. Whitelisted, as `frame_system`'s `BlockWeight` is: every feeless
	/// transaction of a block reads and writes it, and the database sees one write per block.
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type FeelessWeightInBlock<T: Config> =
		StorageValue<_, (BlockNumberFor<T>, Weight), OptionQuery>;
}

pub mod migrations;

impl<T: Config> Pallet<T> {
	/// The window that block `n` belongs to.
	pub fn window_of(n: BlockNumberFor<T>) -> BlockNumberFor<T> {
		let window = T::Window::get();
		if window.is_zero() {
			n
		} else {
			n / window
		}
	}

	/// The window of the block being built (or whose transactions are being
	/// validated: the pool validates for the block after its best one).
	fn current_window() -> BlockNumberFor<T> {
		Self::window_of(frame_system::Pallet::<T>::block_number())
	}

	/// How many feeless calls `who` has made in the current window.
	pub fn calls_in_window(who: &T::AccountId) -> u32 {
		Self::usage_now(who).calls
	}

	/// What `who`'s feeless calls have used in the current window (nothing once it is over).
	fn usage_now(who: &T::AccountId) -> Usage<BlockNumberFor<T>> {
		FeelessCalls::<T>::get(who)
			.filter(|usage| usage.window == Self::current_window())
			.unwrap_or_default()
	}

	/// How many more feeless calls `who` may make in the current window.
	pub fn calls_left(who: &T::AccountId) -> u32 {
		T::MaxCallsPerWindow::get().saturating_sub(Self::calls_in_window(who))
	}

	/// What a transaction of `info` takes of a block, as `frame_system`'s `CheckWeight`
	/// counts it: its declared weight and the base weight of an extrinsic of its class.
	pub fn block_weight_of(info: &DispatchInfo) -> Weight {
		let base = T::BlockWeights::get().get(info.class).base_extrinsic;
		info.total_weight().saturating_add(base)
	}

	/// The weight `who`'s feeless calls have used in the current window.
	pub fn weight_in_window(who: &T::AccountId) -> Weight {
		Self::usage_now(who).weight
	}

	/// The weight `Normal`-class feeless calls have used in the current block.
	pub fn weight_in_block() -> Weight {
		let now = frame_system::Pallet::<T>::block_number();
		FeelessWeightInBlock::<T>::get()
			.filter(|(block, _)| *block == now)
			.map_or(Weight::zero(), |(_, weight)| weight)
	}

	/// Whether `who` may make a feeless call of declared weight `weight` now, as far as
	/// their own window goes.
	fn check_account(who: &T::AccountId, weight: Weight) -> Result<(), TransactionValidityError> {
		let usage = Self::usage_now(who);
		if usage.calls >= T::MaxCallsPerWindow::get() {
			return Err(InvalidTransaction::Custom(RATE_LIMITED).into());
		}
		if usage.weight.saturating_add(weight).any_gt(T::MaxWeightPerWindow::get()) {
			return Err(InvalidTransaction::Custom(WEIGHT_LIMITED).into());
		}
		Ok(())
	}

	/// Whether a `Normal` feeless call of declared weight `weight` still fits this block's
	/// feeless budget.
	fn fits_block(weight: Weight) -> bool {
		!Self::weight_in_block().saturating_add(weight).any_gt(T::MaxFeelessWeightPerBlock::get())
	}

	/// Count one feeless call of `who`, of declared weight `weight`, in the current window
	/// (and in the block's budget if `in_block`).
	fn count_call(who: &T::AccountId, weight: Weight, in_block: bool) {
		let window = Self::current_window();
		FeelessCalls::<T>::mutate(who, |usage| {
			let usage = usage.get_or_insert_with(Usage::default);
			if usage.window != window {
				*usage = Usage { window, calls: 0, weight: Weight::zero() };
			}
			usage.calls = usage.calls.saturating_add(1);
			usage.weight = usage.weight.saturating_add(weight);
		});
		if in_block {
			let used = Self::weight_in_block().saturating_add(weight);
			FeelessWeightInBlock::<T>::put((frame_system::Pallet::<T>::block_number(), used));
		}
	}

	/// Give back `unspent` weight a counted call declared and did not use.
	fn refund(counted: &Counted<T::AccountId>, unspent: Weight) {
		if unspent.is_zero() {
			return;
		}
		let window = Self::current_window();
		FeelessCalls::<T>::mutate_extant(&counted.who, |usage| {
			if usage.window == window {
				usage.weight = usage.weight.saturating_sub(unspent);
			}
		});
		if counted.in_block {
			let used = Self::weight_in_block().saturating_sub(unspent);
			FeelessWeightInBlock::<T>::put((frame_system::Pallet::<T>::block_number(), used));
		}
	}
}

/// The transaction extension that rate-limits feeless calls. Put it after
/// the payment extension that `pallet-skip-feeless-payment` wraps.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo, DefaultNoBound)]
#[scale_info(skip_type_params(T))]
pub struct LimitFeelessCalls<T>(PhantomData<T>);

impl<T> LimitFeelessCalls<T> {
	/// The extension (it holds no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for LimitFeelessCalls<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "LimitFeelessCalls")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for LimitFeelessCalls<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo, PostInfo = PostDispatchInfo>
		+ CheckIfFeeless<Origin = frame_system::pallet_prelude::OriginFor<T>>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "LimitFeelessCalls";
	type Implicit = ();
	/// The account whose feeless call is to be counted, if the call is feeless.
	type Val = Option<T::AccountId>;
	/// What was counted, to be corrected after dispatch.
	type Pre = Option<Counted<T::AccountId>>;

	fn weight(&self, _call: &T::RuntimeCall) -> Weight {
		T::WeightInfo::limit_feeless_calls()
	}

	fn validate(
		&self,
		origin: <T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		len: usize,
		_self_implicit: (),
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let Some(who) = origin.as_system_origin_signer() else {
			return Ok((ValidTransaction::default(), None, origin));
		};
		if !call.is_feeless(&origin) {
			return Ok((ValidTransaction::default(), None, origin));
		}
		if len > T::MaxFeelessLength::get() as usize {
			return Err(InvalidTransaction::Custom(TOO_LONG_FOR_FREE).into());
		}
		let weight = Pallet::<T>::block_weight_of(info);
		Pallet::<T>::check_account(who, weight)?;
		// A call larger than a whole block's feeless budget would never be included.
		if info.class == DispatchClass::Normal && weight.any_gt(T::MaxFeelessWeightPerBlock::get())
		{
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let who = who.clone();
		Ok((ValidTransaction::default(), Some(who), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &<T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		_call: &T::RuntimeCall,
		info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		let Some(who) = val else { return Ok(None) };
		let weight = Pallet::<T>::block_weight_of(info);
		let in_block = info.class == DispatchClass::Normal;
		// The block builder leaves a call that does not fit for a later block.
		if in_block && !Pallet::<T>::fits_block(weight) {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		Pallet::<T>::count_call(&who, weight, in_block);
		Ok(Some(Counted { who, in_block }))
	}

	fn post_dispatch_details(
		pre: Self::Pre,
		info: &DispatchInfoOf<T::RuntimeCall>,
		post_info: &PostDispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		if let Some(counted) = pre {
			let unspent = post_info.calc_unspent(info);
			Pallet::<T>::refund(&counted, unspent);
		}
		Ok(Weight::zero())
	}
}
