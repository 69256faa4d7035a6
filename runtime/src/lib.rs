//! # MedChain Runtime
//!
//! The state machine of MedChain, a permissioned chain run by a consortium of
//! hospitals. It wires FRAME's consensus, session and payment pallets to the
//! MedChain pallets:
//!
//! - `Consortium` ([`pallet_consortium`]): the hospitals, their admins and
//!   validators; it is the session manager and seats the council.
//! - `Council` (`pallet_collective`): one seat per active hospital; 2/3 of the
//!   seats admit, suspend, reinstate or remove hospitals.
//! - `NodeAuthorization`: only the hospitals' well-known nodes may peer.
//! - `Sudo`: present for development chains; consortium chain specs leave the
//!   key empty.
//!
//! Block production is Aura with 6-second slots, finality GRANDPA; both take
//! their authorities from `Session`, whose validators are the validator
//! accounts of active hospitals that have set their session keys.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`runtime` generates large enums.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis;
pub mod queries;
#[cfg(test)]
mod tests;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use apis::RuntimeApi;
pub use frame_support::parameter_types;
pub use medchain_primitives::HospitalId;
pub use pallet_consortium;

/// Opaque types used by the node: it sees blocks and extrinsics as bytes.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The keys a hospital's validator node signs with: Aura for blocks,
		/// GRANDPA for finality.
		pub struct SessionKeys {
			pub aura: super::Aura,
			pub grandpa: super::Grandpa,
		}
	}
}
pub use opaque::SessionKeys;

#[cfg(not(feature = "upgrade-test"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("medchain"),
	impl_name: alloc::borrow::Cow::Borrowed("medchain"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The same runtime one spec version later: what the network tests upgrade
/// a running chain to (`scripts/build-upgrade-runtime.sh`). Never deployed.
#[cfg(feature = "upgrade-test")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("medchain"),
	impl_name: alloc::borrow::Cow::Borrowed("medchain"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The longest block, in bytes: 75% of it for normal transactions, all of it
/// for operational ones such as a runtime upgrade. The node proposes blocks up
/// to this length.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// Block time. Aura slots have this length.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// Session length: a hospital admitted (with keys set) validates within two
/// sessions, so sessions are short. A rotation without changes costs little.
pub const SESSION_PERIOD: BlockNumber = MINUTES;

/// The token, MED, has 12 decimals. It pays fees of accounts without a role.
pub const TOKEN_SYMBOL: &str = "MED";
pub const TOKEN_DECIMALS: u8 = 12;
pub const UNIT: Balance = 1_000_000_000_000;
pub const MILLI_UNIT: Balance = UNIT / 1_000;
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;
/// Existential deposit.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// MedChain's own SS58 address prefix.
pub const SS58_PREFIX: u16 = 2403;

pub type BlockNumber = u32;
pub type Signature = MultiSignature;
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
pub type Balance = u128;
pub type Nonce = u32;
pub type Hash = sp_core::H256;
pub type Address = MultiAddress<AccountId, ()>;
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
pub type SignedBlock = generic::SignedBlock<Block>;
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions. All but the last two are standard FRAME
/// extensions; `SkipCheckIfFeeless` shows itself to wallets as the payment
/// extension it wraps, and `LimitFeelessCalls` carries no data at all, so
/// Polkadot.js Apps and @polkadot/api sign every call without custom types.
///
/// A MedChain call by a role holder is feeless (`#[pallet::feeless_if]`):
/// `SkipCheckIfFeeless` then skips the payment, and `LimitFeelessCalls`
/// counts it against the account's rate limit. See docs/fees.md.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	pallet_feeless::LimitFeelessCalls<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations to run on the next runtime upgrade.
type Migrations = (
	pallet_consortium::migrations::V1ToV2<Runtime>,
	pallet_consortium::migrations::V2ToV3<Runtime>,
	pallet_consortium::migrations::V3ToV4<Runtime>,
	pallet_access::migrations::V1ToV2<Runtime>,
	pallet_access::migrations::V2ToV3<Runtime>,
	pallet_feeless::migrations::V0ToV1<Runtime>,
	pallet_records::migrations::V1ToV2<Runtime>,
	pallet_patients::migrations::V1ToV2<Runtime>,
	pallet_patients::migrations::V2ToV3<Runtime>,
	pallet_doctors::migrations::V1ToV2<Runtime>,
);

pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;

	// Before `Session`: its genesis decides the first validator set.
	#[runtime::pallet_index(10)]
	pub type Consortium = pallet_consortium;

	#[runtime::pallet_index(11)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(12)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(13)]
	pub type NodeAuthorization = pallet_node_authorization;

	// MedChain's medical pallets.
	#[runtime::pallet_index(20)]
	pub type Patients = pallet_patients;

	#[runtime::pallet_index(21)]
	pub type Doctors = pallet_doctors;

	#[runtime::pallet_index(22)]
	pub type Access = pallet_access;

	#[runtime::pallet_index(23)]
	pub type Records = pallet_records;

	#[runtime::pallet_index(24)]
	pub type Feeless = pallet_feeless;

	#[runtime::pallet_index(29)]
	pub type Audit = pallet_audit;
}
