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

/// Public halves of the development node keys `0x00…01` to `0x00…04` (32-byte
/// ed25519 secrets for `--node-key` or `--node-key-file`), whose nodes the
/// `local` chain's hospitals of Alice, Bob, Charlie and Dave run. Their peer
/// ids are [`DEV_PEER_IDS`]; a test checks both against the secrets.
pub const DEV_NODE_PUBLIC_KEYS: [[u8; 32]; 4] = [
	[
		0x4c, 0xb5, 0xab, 0xf6, 0xad, 0x79, 0xfb, 0xf5, 0xab, 0xbc, 0xca, 0xfc, 0xc2, 0x69, 0xd8,
		0x5c, 0xd2, 0x65, 0x1e, 0xd4, 0xb8, 0x85, 0xb5, 0x86, 0x9f, 0x24, 0x1a, 0xed, 0xf0, 0xa5,
		0xba, 0x29,
	],
	[
		0x74, 0x22, 0xb9, 0x88, 0x75, 0x98, 0x06, 0x8e, 0x32, 0xc4, 0x44, 0x8a, 0x94, 0x9a, 0xdb,
		0x29, 0x0d, 0x0f, 0x4e, 0x35, 0xb9, 0xe0, 0x1b, 0x0e, 0xe5, 0xf1, 0xa1, 0xe6, 0x00, 0xfe,
		0x26, 0x74,
	],
	[
		0xf3, 0x81, 0x62, 0x6e, 0x41, 0xe7, 0x02, 0x7e, 0xa4, 0x31, 0xbf, 0xe3, 0x00, 0x9e, 0x94,
		0xbd, 0xd2, 0x5a, 0x74, 0x6b, 0xee, 0xc4, 0x68, 0x94, 0x8d, 0x6c, 0x3c, 0x7c, 0x5d, 0xc9,
		0xa5, 0x4b,
	],
	[
		0xfd, 0x50, 0xb8, 0xe3, 0xb1, 0x44, 0xea, 0x24, 0x4f, 0xbf, 0x77, 0x37, 0xf5, 0x50, 0xbc,
		0x8d, 0xd0, 0xc2, 0x65, 0x0b, 0xbc, 0x1a, 0xad, 0xa8, 0x33, 0xca, 0x17, 0xff, 0x8d, 0xbf,
		0x32, 0x9b,
	],
];

/// The peer ids of the development node keys, as `medchain-node key
/// inspect-node-key` prints them.
pub const DEV_PEER_IDS: [&str; 4] = [
	"12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp",
	"12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD",
	"12D3KooWSCufgHzV4fCwRijfH2k3abrpAJxTKxEvN1FDuRXA2U9x",
	"12D3KooWSsChzF81YDUKpe9Uk5AHV5oqAaXAcWNSPYgoLauUk4st",
];

/// The binary libp2p peer id of an ed25519 public key: the identity
/// multihash of the key in libp2p's protobuf encoding.
pub fn ed25519_peer_id(public: &[u8; 32]) -> Vec<u8> {
	// identity multihash, 36 bytes: protobuf { key_type: Ed25519, data: 32 bytes }
	let mut peer = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
	peer.extend_from_slice(public);
	peer
}

/// A development hospital whose admin and validator is `who`, with `who`'s
/// well-known development session keys.
fn dev_hospital(
	name: &str,
	who: Sr25519Keyring,
	grandpa: Ed25519Keyring,
	node: Option<&[u8; 32]>,
) -> GenesisHospital {
	GenesisHospital {
		name: name.as_bytes().to_vec(),
		admins: vec![who.to_account_id()],
		validator: who.to_account_id(),
		aura: who.public().into(),
		grandpa: grandpa.public().into(),
		peer_id: node.map(ed25519_peer_id),
	}
}

fn dev_endowed() -> Vec<(AccountId, Balance)> {
	Sr25519Keyring::iter().map(|k| (k.to_account_id(), DEV_ENDOWMENT)).collect()
}

/// The development chain's key recovery delay: two blocks, so that its tests see a recovery
/// pending and then in effect without waiting days.
pub const DEV_RECOVERY_DELAY_MS: u64 = 12_000;

/// `--dev`: one hospital run by Alice (admin and validator), Alice is sudo; key recoveries
/// wait [`DEV_RECOVERY_DELAY_MS`], and doctors break the glass with no probation.
fn development() -> Value {
	let mut patch = medchain_genesis(
		&[dev_hospital(
			"MedChain Dev Hospital",
			Sr25519Keyring::Alice,
			Ed25519Keyring::Alice,
			None,
		)],
		dev_endowed(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	);
	patch["patients"] = serde_json::json!({ "recoveryDelay": DEV_RECOVERY_DELAY_MS });
	// No emergency probation: the dev chain's tests break the glass minutes after approving
	// a doctor (tests that check the probation set it, as a chain spec would).
	patch["access"] = serde_json::json!({ "emergencyProbation": 0 });
	patch
}

/// `--chain local`: four hospitals run by Alice, Bob, Charlie and Dave, who
/// are the validators and the council, each with its well-known node (node
/// keys `0x00…01` to `0x00…04`). No sudo: the council governs.
fn local_testnet() -> Value {
	let [alice, bob, charlie, dave] = &DEV_NODE_PUBLIC_KEYS;
	medchain_genesis(
		&[
			dev_hospital(
				"Alice Memorial Hospital",
				Sr25519Keyring::Alice,
				Ed25519Keyring::Alice,
				Some(alice),
			),
			dev_hospital(
				"Bob University Hospital",
				Sr25519Keyring::Bob,
				Ed25519Keyring::Bob,
				Some(bob),
			),
			dev_hospital(
				"Charlie Children's Hospital",
				Sr25519Keyring::Charlie,
				Ed25519Keyring::Charlie,
				Some(charlie),
			),
			dev_hospital(
				"Dave Regional Hospital",
				Sr25519Keyring::Dave,
				Ed25519Keyring::Dave,
				Some(dave),
			),
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
