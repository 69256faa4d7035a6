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
//! The extension adds nothing to what is signed or sent (its explicit and
//! implicit data are both `()`), so Polkadot.js Apps and @polkadot/api sign
//! every call with no custom types.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::marker::PhantomData;
use frame_support::{
	dispatch::{CheckIfFeeless, DispatchInfo},
	pallet_prelude::TransactionSource,
	traits::Get,
	weights::Weight,
	DefaultNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, TransactionExtension,
		ValidateResult, Zero,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
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

/// An account's feeless calls in one window.
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
}

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
		FeelessCalls::<T>::get(who)
			.filter(|usage| usage.window == Self::current_window())
			.map_or(0, |usage| usage.calls)
	}

	/// How many more feeless calls `who` may make in the current window.
	pub fn calls_left(who: &T::AccountId) -> u32 {
		T::MaxCallsPerWindow::get().saturating_sub(Self::calls_in_window(who))
	}

	/// Count one feeless call of `who` in the current window.
	fn count_call(who: &T::AccountId) {
		let window = Self::current_window();
		FeelessCalls::<T>::mutate(who, |usage| {
			let usage = usage.get_or_insert_with(Usage::default);
			if usage.window != window {
				*usage = Usage { window, calls: 0 };
			}
			usage.calls = usage.calls.saturating_add(1);
		});
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
	T::RuntimeCall: Dispatchable<Info = DispatchInfo>
		+ CheckIfFeeless<Origin = frame_system::pallet_prelude::OriginFor<T>>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "LimitFeelessCalls";
	type Implicit = ();
	/// The account whose feeless call is to be counted, if the call is feeless.
	type Val = Option<T::AccountId>;
	type Pre = ();

	fn weight(&self, _call: &T::RuntimeCall) -> Weight {
		T::WeightInfo::limit_feeless_calls()
	}

	fn validate(
		&self,
		origin: <T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
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
		if Pallet::<T>::calls_in_window(who) >= T::MaxCallsPerWindow::get() {
			return Err(InvalidTransaction::Custom(RATE_LIMITED).into());
		}
		let who = who.clone();
		Ok((ValidTransaction::default(), Some(who), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &<T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		if let Some(who) = val {
			Pallet::<T>::count_call(&who);
		}
		Ok(())
	}
}
