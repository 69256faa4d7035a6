//! `medchain-node consortium-spec`: the chain spec of a real consortium, from
//! a JSON file listing its hospitals. The format is documented, with an
//! example, in docs/chain-specs.md.

use crate::chain_spec::{properties, wasm_binary, ChainSpec};
use medchain_runtime::{
	genesis::{medchain_genesis, GenesisHospital},
	AccountId, Balance,
};
use sc_network::config::MultiaddrWithPeerId;
use sc_service::ChainType;
use serde::Deserialize;
use sp_core::{crypto::Ss58Codec, ed25519, sr25519};
use std::{path::Path, str::FromStr};

/// The hospitals file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsortiumFile {
	/// Human-readable chain name.
	pub name: String,
	/// Chain id, also the base path's directory name.
	pub id: String,
	/// Network protocol id; defaults to `id`.
	#[serde(default)]
	pub protocol_id: Option<String>,
	/// Sudo account; leave out for a council-governed chain.
	#[serde(default)]
	pub sudo: Option<String>,
	/// Multiaddresses with peer ids of nodes that new nodes first connect to.
	#[serde(default)]
	pub boot_nodes: Vec<String>,
	/// Accounts given tokens at genesis, with amounts in the smallest unit.
	#[serde(default)]
	pub endowed: Vec<Endowment>,
	/// The founding hospitals.
	pub hospitals: Vec<HospitalEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Endowment {
	pub account: String,
	/// Decimal string, so that large amounts survive JSON.
	pub balance: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HospitalEntry {
	pub name: String,
	pub admins: Vec<String>,
	pub validator: String,
	pub session_keys: SessionKeysEntry,
	/// libp2p peer id of the hospital's node (`medchain-node key inspect-node-key`).
	#[serde(default)]
	pub peer_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionKeysEntry {
	/// sr25519 public key, SS58 or 0x-hex.
	pub aura: String,
	/// ed25519 public key, SS58 or 0x-hex.
	pub grandpa: String,
}

fn account(what: &str, s: &str) -> Result<AccountId, String> {
	// Any SS58 prefix: MedChain's own (2403) or the generic Substrate one.
	AccountId::from_ss58check_with_version(s).map(|(account, _)| account).map_err(|e| {
		format!("{what}: '{s}' is not an SS58 account address ({e:?}); use e.g. the output of `medchain-node key inspect`")
	})
}

fn public_bytes(what: &str, s: &str) -> Result<[u8; 32], String> {
	if let Some(hex) = s.strip_prefix("0x") {
		let bytes = sp_core::bytes::from_hex(hex)
			.map_err(|e| format!("{what}: '{s}' is not valid hex ({e})"))?;
		return bytes.try_into().map_err(|_| format!("{what}: '{s}' must be 32 bytes of hex"));
	}
	sr25519::Public::from_ss58check_with_version(s)
		.map(|(p, _)| p.0)
		.map_err(|e| format!("{what}: '{s}' is neither SS58 nor 0x-hex ({e:?})"))
}

fn parse_hospital(i: usize, h: &HospitalEntry) -> Result<GenesisHospital, String> {
	let at = format!("hospitals[{i}] ({})", h.name);
	if h.name.trim().is_empty() {
		return Err(format!("hospitals[{i}]: name is empty"));
	}
	if h.admins.is_empty() {
		return Err(format!("{at}: at least one admin is needed"));
	}
	let admins = h
		.admins
		.iter()
		.map(|a| account(&format!("{at}.admins"), a))
		.collect::<Result<Vec<_>, _>>()?;
	let peer_id = match &h.peer_id {
		Some(p) => Some(
			sc_network::PeerId::from_str(p)
				.map_err(|e| format!("{at}.peerId: '{p}' is not a libp2p peer id ({e})"))?
				.to_bytes(),
		),
		None => None,
	};
	Ok(GenesisHospital {
		name: h.name.as_bytes().to_vec(),
		admins,
		validator: account(&format!("{at}.validator"), &h.validator)?,
		aura: sr25519::Public::from(public_bytes(
			&format!("{at}.sessionKeys.aura"),
			&h.session_keys.aura,
		)?)
		.into(),
		grandpa: ed25519::Public::from(public_bytes(
			&format!("{at}.sessionKeys.grandpa"),
			&h.session_keys.grandpa,
		)?)
		.into(),
		peer_id,
	})
}

/// Build the chain spec described by `file`.
pub fn chain_spec(file: &ConsortiumFile) -> Result<ChainSpec, String> {
	if file.hospitals.is_empty() {
		return Err("hospitals: a consortium needs at least one hospital".into());
	}
	let hospitals = file
		.hospitals
		.iter()
		.enumerate()
		.map(|(i, h)| parse_hospital(i, h))
		.collect::<Result<Vec<_>, _>>()?;
	let endowed = file
		.endowed
		.iter()
		.enumerate()
		.map(|(i, e)| {
			let balance = Balance::from_str(&e.balance).map_err(|_| {
				format!("endowed[{i}].balance: '{}' is not a whole number", e.balance)
			})?;
			Ok((account(&format!("endowed[{i}].account"), &e.account)?, balance))
		})
		.collect::<Result<Vec<_>, String>>()?;
	let sudo = file.sudo.as_deref().map(|s| account("sudo", s)).transpose()?;
	let boot_nodes = file
		.boot_nodes
		.iter()
		.map(|b| {
			MultiaddrWithPeerId::from_str(b).map_err(|e| {
				format!("bootNodes: '{b}' is not a multiaddress with /p2p/ peer id ({e})")
			})
		})
		.collect::<Result<Vec<_>, _>>()?;

	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(&file.name)
		.with_id(&file.id)
		.with_protocol_id(file.protocol_id.as_deref().unwrap_or(&file.id))
		.with_chain_type(ChainType::Live)
		.with_boot_nodes(boot_nodes)
		.with_genesis_config_patch(medchain_genesis(&hospitals, endowed, sudo))
		.with_properties(properties())
		.build())
}

/// Read and check a hospitals file.
pub fn read(path: &Path) -> Result<ConsortiumFile, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
