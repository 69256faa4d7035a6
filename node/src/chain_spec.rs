//! The built-in chains: `dev` and `local`.

use medchain_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
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

/// Four hospitals run by Alice, Bob, Charlie and Dave; the council governs.
pub fn local() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("MedChain Local Consortium")
		.with_id("medchain_local")
		.with_protocol_id("medchain-local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}
