//! MedChain's typed query API, shared by the node and every client.
//!
//! - [`views`]: what each `medchain_*` JSON-RPC method answers. The node
//!   serializes these types and the `medchain` client deserializes the same
//!   ones, so the two cannot drift apart; docs/rpc.md shows them on the wire.
//! - [`params`]: how the methods read accounts, entities and page sizes.
//! - [`rpc`] (feature `server`): the JSON-RPC trait the node implements.
//! - [`TrailWalk`]: the one check of an audit trail's hash chain, from
//!   `pallet-audit` (which runs it in `try_state`, `no_std`); the node
//!   runs it for `verify`, the client on the entries' own bytes.
//!
//! The runtime side of the same queries is each pallet's view functions,
//! forwarded by the runtime's `MedchainApi`.

pub mod params;
#[cfg(feature = "server")]
pub mod rpc;
pub mod views;

pub use pallet_audit::{TrailError, TrailWalk};

use sp_core::crypto::AccountId32 as AccountId;
use sp_core::crypto::{Ss58AddressFormat, Ss58Codec};

/// JSON-RPC error code: no such patient, doctor, hospital, record, key,
/// audit entry or block.
pub const NOT_FOUND: i32 = 4004;
/// JSON-RPC error code: the runtime could not answer (e.g. the state of a
/// block older than the node keeps).
pub const RUNTIME_ERROR: i32 = 5000;

/// An account as SS58 text with MedChain's prefix (2403). Explicit, not the
/// process-wide default: the runtime's genesis JSON must keep the generic
/// prefix, which is all its `no_std` build can read.
pub fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(medchain_runtime::SS58_PREFIX))
}

/// An account in a view: SCALE-encoded exactly like `AccountId` (32 bytes),
/// written as MedChain SS58, read from SS58 of any prefix or 32 bytes of
/// `0x` hex (see [`params::parse_account`]).
#[derive(codec::Encode, codec::Decode, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(pub AccountId);

impl From<AccountId> for Address {
	fn from(account: AccountId) -> Self {
		Address(account)
	}
}

impl From<Address> for AccountId {
	fn from(address: Address) -> Self {
		address.0
	}
}

impl core::fmt::Display for Address {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(&ss58(&self.0))
	}
}

impl serde::Serialize for Address {
	fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
		serializer.serialize_str(&ss58(&self.0))
	}
}

impl<'de> serde::Deserialize<'de> for Address {
	fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
		let text = String::deserialize(deserializer)?;
		params::parse_account("account", &text)
			.map(Address)
			.map_err(|e| serde::de::Error::custom(e.0))
	}
}
