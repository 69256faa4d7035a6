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
	/// Extra boot nodes (multiaddresses with `/p2p/` peer ids) besides the
	/// hospitals' own nodes, which are always boot nodes.
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
	pub peer_id: String,
	/// Where the other hospitals' nodes reach this node: multiaddresses such
	/// as `/dns/medchain.hospital.example/tcp/30333`, optionally ending in
	/// this node's `/p2p/<peerId>`.
	pub addresses: Vec<String>,
}

/// Why the hospitals of a file could not all reach each other's nodes.
/// Shown as `<Name>: <what and where>`.
#[derive(Debug, PartialEq)]
pub enum NetworkError {
	/// A hospital's `peerId` is not a libp2p peer id.
	InvalidPeerId { at: String, peer_id: String, reason: String },
	/// Two hospitals name the same node.
	DuplicatePeerId { at: String, other: String, peer_id: String },
	/// A hospital's node has no address the others could dial.
	PeerIdWithoutAddress { at: String, peer_id: String },
	/// An address is not a multiaddress, or ends in another node's peer id.
	InvalidMultiaddr { at: String, address: String, reason: String },
	/// An extra boot node is not a multiaddress ending in `/p2p/<peer id>`.
	InvalidBootNode { address: String, reason: String },
}

impl std::fmt::Display for NetworkError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Self::InvalidPeerId { at, peer_id, reason } => write!(
				f,
				"InvalidPeerId: {at}.peerId: '{peer_id}' is not a libp2p peer id ({reason}); \
				 `medchain-node key inspect-node-key --file node.key` prints it"
			),
			Self::DuplicatePeerId { at, other, peer_id } => write!(
				f,
				"DuplicatePeerId: {at} and {other} both have peerId {peer_id}; every hospital \
				 runs its own node with its own node key"
			),
			Self::PeerIdWithoutAddress { at, peer_id } => write!(
				f,
				"PeerIdWithoutAddress: {at} has peerId {peer_id} but no addresses, so no other \
				 hospital could reach its node; list at least one, e.g. \
				 \"/dns/medchain.hospital.example/tcp/30333\""
			),
			Self::InvalidMultiaddr { at, address, reason } => {
				write!(f, "InvalidMultiaddr: {at}.addresses: '{address}' {reason}")
			}
			Self::InvalidBootNode { address, reason } => write!(
				f,
				"InvalidBootNode: bootNodes: '{address}' is not a multiaddress with /p2p/ peer id \
				 ({reason})"
			),
		}
	}
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
	let peer_id = peer_id(&at, h).map_err(|e| e.to_string())?.to_bytes();
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
		peer_id: Some(peer_id),
	})
}

/// The peer id of hospital `at`'s node.
fn peer_id(at: &str, h: &HospitalEntry) -> Result<sc_network::PeerId, NetworkError> {
	sc_network::PeerId::from_str(&h.peer_id).map_err(|e| NetworkError::InvalidPeerId {
		at: at.into(),
		peer_id: h.peer_id.clone(),
		reason: e.to_string(),
	})
}

/// Where hospital `at`'s node is reached, each as a boot node address
/// (`<address>/p2p/<peer id>`).
fn node_addresses(at: &str, h: &HospitalEntry) -> Result<Vec<MultiaddrWithPeerId>, NetworkError> {
	let peer_id = peer_id(at, h)?;
	if h.addresses.is_empty() {
		return Err(NetworkError::PeerIdWithoutAddress {
			at: at.into(),
			peer_id: h.peer_id.clone(),
		});
	}
	let suffix = format!("/p2p/{}", h.peer_id);
	h.addresses
		.iter()
		.map(|address| {
			let invalid = |reason: String| NetworkError::InvalidMultiaddr {
				at: at.into(),
				address: address.clone(),
				reason,
			};
			if address.contains("/p2p/") && !address.ends_with(&suffix) {
				return Err(invalid(format!(
					"names another node; leave the /p2p/ part out or end it in {suffix}"
				)));
			}
			let bare = address.strip_suffix(&suffix).unwrap_or(address);
			let multiaddr = sc_network::Multiaddr::from_str(bare)
				.map_err(|e| invalid(format!("is not a multiaddress ({e})")))?;
			Ok(MultiaddrWithPeerId { multiaddr, peer_id })
		})
		.collect()
}

/// The boot nodes of the spec: every address of every hospital's node, so
/// that each node can reach every other one whichever is down, then the
/// file's extra `bootNodes`. Refuses a file whose nodes could not all reach
/// each other.
fn boot_nodes(file: &ConsortiumFile) -> Result<Vec<MultiaddrWithPeerId>, NetworkError> {
	let mut boot = Vec::new();
	for (i, h) in file.hospitals.iter().enumerate() {
		let at = format!("hospitals[{i}] ({})", h.name);
		if let Some(j) = file.hospitals[..i].iter().position(|o| o.peer_id == h.peer_id) {
			return Err(NetworkError::DuplicatePeerId {
				at,
				other: format!("hospitals[{j}] ({})", file.hospitals[j].name),
				peer_id: h.peer_id.clone(),
			});
		}
		boot.extend(node_addresses(&at, h)?);
	}
	for address in &file.boot_nodes {
		let node = MultiaddrWithPeerId::from_str(address).map_err(|e| {
			NetworkError::InvalidBootNode { address: address.clone(), reason: e.to_string() }
		})?;
		if !boot.contains(&node) {
			boot.push(node);
		}
	}
	Ok(boot)
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
	let boot_nodes = boot_nodes(file).map_err(|e| e.to_string())?;

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

/// Refuse a sudo account unless `allowed` (`--allow-sudo`): a live consortium is governed
/// by its council, and sudo can override the council and every pallet's rules.
pub fn check_sudo(file: &ConsortiumFile, allowed: bool) -> Result<(), String> {
	match &file.sudo {
		Some(sudo) if !allowed => Err(format!(
			"sudo: the hospitals file names a sudo account ({sudo}), which could do anything \
			 on the chain, overriding the council and every hospital. Leave `sudo` out for a \
			 consortium's chain, or pass --allow-sudo for a test network"
		)),
		_ => Ok(()),
	}
}

/// Read and check a hospitals file.
pub fn read(path: &Path) -> Result<ConsortiumFile, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE: &str = "12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
	const BOB: &str = "12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD";

	fn hospital(name: &str, peer_id: &str, addresses: &[&str]) -> HospitalEntry {
		HospitalEntry {
			name: name.into(),
			admins: vec!["5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into()],
			validator: String::new(),
			session_keys: SessionKeysEntry { aura: String::new(), grandpa: String::new() },
			peer_id: peer_id.into(),
			addresses: addresses.iter().map(|a| a.to_string()).collect(),
		}
	}

	fn file(hospitals: Vec<HospitalEntry>, extra: &[&str]) -> ConsortiumFile {
		ConsortiumFile {
			name: "Test".into(),
			id: "test".into(),
			protocol_id: None,
			sudo: None,
			boot_nodes: extra.iter().map(|a| a.to_string()).collect(),
			endowed: vec![],
			hospitals,
		}
	}

	fn boot(f: &ConsortiumFile) -> Result<Vec<String>, NetworkError> {
		boot_nodes(f).map(|b| b.iter().map(|m| m.to_string()).collect())
	}

	#[test]
	fn every_address_of_every_hospital_is_a_boot_node() {
		let f = file(
			vec![
				hospital("A", ALICE, &["/ip4/10.0.0.1/tcp/30333", "/dns/a.example/tcp/30333"]),
				hospital("B", BOB, &[&format!("/ip4/10.0.0.2/tcp/30333/p2p/{BOB}")]),
			],
			&[&format!("/ip4/10.0.0.2/tcp/30333/p2p/{BOB}")],
		);
		assert_eq!(
			boot(&f).unwrap(),
			vec![
				format!("/ip4/10.0.0.1/tcp/30333/p2p/{ALICE}"),
				format!("/dns/a.example/tcp/30333/p2p/{ALICE}"),
				format!("/ip4/10.0.0.2/tcp/30333/p2p/{BOB}"),
			],
			"the extra boot node that repeats a hospital's address is not listed twice"
		);
	}

	#[test]
	fn a_file_whose_nodes_cannot_all_reach_each_other_is_refused() {
		let a = || hospital("A", ALICE, &["/ip4/10.0.0.1/tcp/30333"]);
		let cases = [
			(vec![a(), hospital("B", BOB, &[])], "PeerIdWithoutAddress: hospitals[1] (B) has peerId"),
			(
				vec![a(), hospital("B", ALICE, &["/ip4/10.0.0.2/tcp/30333"])],
				"DuplicatePeerId: hospitals[1] (B) and hospitals[0] (A) both have peerId",
			),
			(
				vec![a(), hospital("B", BOB, &["10.0.0.2:30333"])],
				"InvalidMultiaddr: hospitals[1] (B).addresses: '10.0.0.2:30333' is not a multiaddress",
			),
			(
				vec![a(), hospital("B", BOB, &[&format!("/ip4/10.0.0.2/tcp/30333/p2p/{ALICE}")])],
				"InvalidMultiaddr: hospitals[1] (B).addresses: '/ip4/10.0.0.2/tcp/30333/p2p/12D3KooWEyop",
			),
		];
		for (hospitals, expected) in cases {
			let error = boot(&file(hospitals, &[])).unwrap_err().to_string();
			assert!(error.starts_with(expected), "{error}");
		}
		let bad_extra = boot(&file(vec![a()], &["/ip4/10.0.0.9/tcp/1"])).unwrap_err();
		assert!(matches!(bad_extra, NetworkError::InvalidBootNode { .. }), "{bad_extra}");
	}

	#[test]
	fn a_peer_id_that_is_not_one_is_named() {
		let h = hospital("A", "nope", &["/ip4/10.0.0.1/tcp/30333"]);
		let error = parse_hospital(0, &h).unwrap_err();
		assert!(
			error.starts_with("InvalidPeerId: hospitals[0] (A).peerId: 'nope' is not"),
			"{error}"
		);
	}

	// The trust review's smaller doors: a sudo key slipped into a live consortium's spec
	// went through without a word.
	#[test]
	fn a_sudo_account_is_refused_unless_allowed_for_a_test_network() {
		let mut f = file(vec![hospital("General", ALICE, &["/ip4/10.0.0.1/tcp/30333"])], &[]);
		assert_eq!(check_sudo(&f, false), Ok(()));
		f.sudo = Some("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into());
		let refused = check_sudo(&f, false).unwrap_err();
		assert!(refused.contains("--allow-sudo"), "{refused}");
		assert_eq!(check_sudo(&f, true), Ok(()));
	}
}
