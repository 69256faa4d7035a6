//! The built-in chains: `dev` and `local`.

use medchain_runtime::{
	genesis::DEV_PEER_IDS, SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY,
};
use sc_network::config::MultiaddrWithPeerId;
use sc_service::ChainType;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// MedChain's chain spec: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token and address format, shown by wallets and Polkadot.js Apps.
pub fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

pub fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"This node was built without its runtime (SKIP_WASM_BUILD was set): rebuild without it."
			.to_string()
	})
}

/// One hospital run by Alice, who is also sudo.
pub fn development() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("MedChain Development")
		.with_id("medchain_dev")
		.with_protocol_id("medchain-dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// The P2P port of the `local` chain's hospital `i` (0 = Alice): 30333 to 30336.
const LOCAL_FIRST_P2P_PORT: u16 = 30333;

/// Every hospital's node of the `local` chain on this machine: node key
/// `0x00…0{i+1}`, P2P port `30333 + i`. All four are boot nodes, so that a
/// node finds the others whichever of them is up (docs/chain-specs.md).
pub fn local_boot_nodes() -> Vec<MultiaddrWithPeerId> {
	DEV_PEER_IDS
		.iter()
		.zip(LOCAL_FIRST_P2P_PORT..)
		.map(|(peer, port)| {
			format!("/ip4/127.0.0.1/tcp/{port}/p2p/{peer}")
				.parse()
				.expect("a well-formed multiaddress; checked by a test")
		})
		.collect()
}

/// Four hospitals run by Alice, Bob, Charlie and Dave, each with its
/// well-known node; the council governs.
pub fn local() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("MedChain Local Consortium")
		.with_id("medchain_local")
		.with_protocol_id("medchain-local")
		.with_chain_type(ChainType::Local)
		.with_boot_nodes(local_boot_nodes())
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

#[cfg(test)]
mod tests {
	use super::*;
	use medchain_runtime::genesis::{ed25519_peer_id, DEV_NODE_PUBLIC_KEYS};
	use sc_network::PeerId;
	use sp_core::{ed25519, Pair};
	use std::str::FromStr;

	#[test]
	fn the_local_chains_well_known_nodes_are_the_documented_node_keys() {
		for (i, (public, peer)) in DEV_NODE_PUBLIC_KEYS.iter().zip(DEV_PEER_IDS).enumerate() {
			let mut secret = [0u8; 32];
			secret[31] = i as u8 + 1;
			assert_eq!(&ed25519::Pair::from_seed(&secret).public().0, public, "node key {i}");
			let peer = PeerId::from_str(peer).unwrap();
			assert_eq!(peer.to_bytes(), ed25519_peer_id(public), "peer id {i}");
		}
	}

	#[test]
	fn the_local_chain_lists_every_hospitals_node_as_a_boot_node() {
		let boot: Vec<String> = local_boot_nodes().iter().map(|b| b.to_string()).collect();
		assert_eq!(boot.len(), 4);
		assert_eq!(
			boot[0],
			"/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp"
		);
		assert!(boot[3].starts_with("/ip4/127.0.0.1/tcp/30336/p2p/12D3KooWSsCh"));
	}
}
