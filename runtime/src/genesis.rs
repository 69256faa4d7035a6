//! Genesis presets (`development`, `local_testnet`) and the builder the node
//! uses to turn a consortium's hospital file into a chain spec.

use crate::{AccountId, Balance, RuntimeGenesisConfig, SessionKeys, UNIT};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What endowed development accounts receive.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// A founding hospital of a chain.
#[derive(Clone, Debug)]
pub struct GenesisHospital {
	/// Public name, UTF-8.
	pub name: Vec<u8>,
	/// Accounts that manage it.
	pub admins: Vec<AccountId>,
	/// Account of its validator node; also its council seat.
	pub validator: AccountId,
	/// Session key for block production.
	pub aura: AuraId,
	/// Session key for finality.
	pub grandpa: GrandpaId,
	/// libp2p peer id of its node (the raw multihash bytes), if the chain
	/// restricts peering to well-known nodes.
	pub peer_id: Option<Vec<u8>>,
}

/// The genesis patch of a MedChain chain: hospitals active, their validators
/// in the first validator set and on the council, accounts endowed.
pub fn medchain_genesis(
	hospitals: &[GenesisHospital],
	endowed: Vec<(AccountId, Balance)>,
	sudo: Option<AccountId>,
) -> Value {
	let consortium: Vec<(Vec<u8>, Vec<AccountId>, AccountId)> =
		hospitals.iter().map(|h| (h.name.clone(), h.admins.clone(), h.validator.clone())).collect();
	let keys: Vec<(AccountId, AccountId, SessionKeys)> = hospitals
		.iter()
		.map(|h| {
			let keys = SessionKeys { aura: h.aura.clone(), grandpa: h.grandpa.clone() };
			(h.validator.clone(), h.validator.clone(), keys)
		})
		.collect();
	let nodes: Vec<(sp_core::OpaquePeerId, AccountId)> = hospitals
		.iter()
		.filter_map(|h| {
			let peer = h.peer_id.clone()?;
			Some((sp_core::OpaquePeerId(peer), h.validator.clone()))
		})
		.collect();

	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: pallet_balances::GenesisConfig { balances: endowed },
		sudo: pallet_sudo::GenesisConfig { key: sudo },
		consortium: pallet_consortium::GenesisConfig { hospitals: consortium },
		session: pallet_session::GenesisConfig { keys },
		node_authorization: pallet_node_authorization::GenesisConfig { nodes },
	})
}

/// A development hospital whose admin and validator is `who`, with `who`'s
/// well-known development session keys.
fn dev_hospital(name: &str, who: Sr25519Keyring, grandpa: Ed25519Keyring) -> GenesisHospital {
	GenesisHospital {
		name: name.as_bytes().to_vec(),
		admins: vec![who.to_account_id()],
		validator: who.to_account_id(),
		aura: who.public().into(),
		grandpa: grandpa.public().into(),
		peer_id: None,
	}
}

fn dev_endowed() -> Vec<(AccountId, Balance)> {
	Sr25519Keyring::iter().map(|k| (k.to_account_id(), DEV_ENDOWMENT)).collect()
}

/// `--dev`: one hospital run by Alice (admin and validator), Alice is sudo.
fn development() -> Value {
	medchain_genesis(
		&[dev_hospital("MedChain Dev Hospital", Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_endowed(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `--chain local`: four hospitals run by Alice, Bob, Charlie and Dave, who
/// are the validators and the council. No sudo: the council governs.
fn local_testnet() -> Value {
	medchain_genesis(
		&[
			dev_hospital("Alice Memorial Hospital", Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_hospital("Bob University Hospital", Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_hospital(
				"Charlie Children's Hospital",
				Sr25519Keyring::Charlie,
				Ed25519Keyring::Charlie,
			),
			dev_hospital("Dave Regional Hospital", Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_endowed(),
		None,
	)
}

/// The JSON patch of a named preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
