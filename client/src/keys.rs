//! Accounts: an sr25519 signing key and an X25519 encryption key, both from one BIP-39
//! mnemonic, kept in a password-protected keystore file per account.
//!
//! Keystore file (`<home>/keys/<name>.json`): the mnemonic sealed with XChaCha20-Poly1305
//! under a key stretched from the password with scrypt (log2 N = 15, r = 8, p = 1), the
//! account's address and public encryption key in clear so that `list` needs no password.
//! Export writes the Polkadot.js JSON keystore (version 3: scrypt + xsalsa20-poly1305 over
//! PKCS#8), which Polkadot.js Apps and the extension import.

use base64::Engine as _;
use chacha20poly1305::{aead::Aead, KeyInit, XChaCha20Poly1305};
use hkdf::Hkdf;
use rand_core_06::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sp_core::{crypto::Ss58Codec, sr25519, Pair as _};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

use crate::crypto::EncryptionKeyPair;

/// MedChain's SS58 address prefix.
pub const SS58_PREFIX: u16 = 2403;

const KEYSTORE_VERSION: u32 = 1;
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

/// Errors of the keystore, worded for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
	#[error(
		"there is no account named '{0}' in this keystore: `medchain account list` shows them, \
		 `medchain account new {0}` creates one"
	)]
	NoSuchAccount(String),
	#[error("an account named '{0}' exists already: choose another name")]
	AccountExists(String),
	#[error("'{0}' cannot name an account: use letters, digits, '-' and '_' (at most 32)")]
	BadName(String),
	#[error("wrong password for account '{0}' (set MEDCHAIN_PASSWORD or type it at the prompt)")]
	WrongPassword(String),
	#[error(
		"that is not a valid BIP-39 mnemonic: check the words and their order (12 or 24 English \
		 words)"
	)]
	BadMnemonic,
	#[error("the keystore file {path} is damaged: {why}", path = .0.display(), why = .1)]
	Corrupt(PathBuf, String),
	#[error("cannot use {path}: {err}", path = .0.display(), err = .1)]
	Io(PathBuf, std::io::Error),
}

/// Everything an unlocked account can do: sign, and open what was sealed to it.
pub struct Identity {
	pub name: String,
	pub signer: sr25519::Pair,
	pub encryption: EncryptionKeyPair,
	mnemonic: Zeroizing<String>,
}

impl Identity {
	/// Both keys from a mnemonic (no BIP-39 passphrase, as Polkadot.js does by default),
	/// optionally followed by a derivation path (`<mnemonic>//hospital//1`, `//Alice` on dev
	/// chains): a secret URI as Polkadot.js and `subkey` read it.
	pub fn from_mnemonic(name: &str, phrase: &str) -> Result<Self, KeyError> {
		let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
		let (signer, seed) = sr25519::Pair::from_string_with_seed(&phrase, None)
			.map_err(|_| KeyError::BadMnemonic)?;
		// A plain mnemonic: its mini secret. A derived key: the derived secret key itself.
		let ikm = match seed {
			Some(seed) => encryption_ikm(&seed),
			None => encryption_ikm(&signer.to_raw_vec()),
		};
		let encryption = EncryptionKeyPair::derive(ikm.as_slice());
		Ok(Self { name: name.into(), signer, encryption, mnemonic: Zeroizing::new(phrase) })
	}

	/// A new account from 24 fresh words.
	pub fn generate(name: &str) -> (Self, Zeroizing<String>) {
		let mut entropy = Zeroizing::new([0u8; 32]);
		OsRng.fill_bytes(entropy.as_mut());
		let phrase = Zeroizing::new(
			bip39::Mnemonic::from_entropy(entropy.as_slice()).expect("32 bytes").to_string(),
		);
		(Self::from_mnemonic(name, &phrase).expect("generated phrases are valid"), phrase)
	}

	pub fn account(&self) -> [u8; 32] {
		self.signer.public().0
	}

	pub fn address(&self) -> String {
		address_of(&self.account())
	}
}

/// The X25519 key's input keying material: HKDF-SHA256 over the mnemonic's mini secret
/// (the sr25519 seed) with a MedChain-specific label, so the two keys share nothing usable.
fn encryption_ikm(seed: &[u8]) -> Zeroizing<[u8; 32]> {
	let mut out = Zeroizing::new([0u8; 32]);
	Hkdf::<Sha256>::new(Some(b"medchain"), seed)
		.expand(b"medchain/x25519-encryption-key/v1", out.as_mut())
		.expect("32 bytes is a valid HKDF length");
	out
}

/// An account id as a MedChain (prefix 2403) SS58 address.
pub fn address_of(account: &[u8; 32]) -> String {
	sr25519::Public::from_raw(*account)
		.to_ss58check_with_version(sp_core::crypto::Ss58AddressFormat::custom(SS58_PREFIX))
}

/// An account id from SS58 of any prefix or 0x-hex.
pub fn parse_account(text: &str) -> Option<[u8; 32]> {
	if let Some(hex) = text.strip_prefix("0x") {
		return hex::decode(hex).ok()?.try_into().ok();
	}
	sr25519::Public::from_ss58check_with_version(text).ok().map(|(p, _)| p.0)
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeystoreFile {
	version: u32,
	name: String,
	address: String,
	encryption_key: String,
	scrypt: ScryptParams,
	nonce: String,
	sealed_mnemonic: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScryptParams {
	salt: String,
	log_n: u8,
	r: u32,
	p: u32,
}

/// What `list` shows without a password.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
	pub name: String,
	pub address: String,
	pub encryption_key: String,
}

fn stretch(password: &str, salt: &[u8], log_n: u8, r: u32, p: u32) -> Zeroizing<[u8; 32]> {
	let mut key = Zeroizing::new([0u8; 32]);
	let params = scrypt::Params::new(log_n, r, p, 32).expect("valid scrypt parameters");
	scrypt::scrypt(password.as_bytes(), salt, &params, key.as_mut()).expect("32-byte output");
	key
}

/// The salt of every licence hash: fixed, so that the same licence number
/// always gives the same hash (the chain keeps one account per licence).
const LICENCE_SALT: &[u8] = b"medchain/licence-hash/v1";

/// What a doctor's application puts on chain for their licence number: scrypt
/// (log2 N = 15, r = 8, p = 1) of the number, trimmed and upper-cased, under
/// a fixed salt. Licence numbers are short and often public; the slow hash
/// keeps them out of the chain's plain text and makes trying every number
/// costly (about 0.1 s each), not impossible (docs/fees.md, attack 8).
pub fn licence_hash(licence: &str) -> [u8; 32] {
	*stretch(&licence.trim().to_uppercase(), LICENCE_SALT, 15, 8, 1)
}

/// The directory of keystore files.
pub struct Keystore {
	dir: PathBuf,
}

impl Keystore {
	pub fn new(home: &Path) -> Self {
		Self { dir: home.join("keys") }
	}

	fn path(&self, name: &str) -> Result<PathBuf, KeyError> {
		let ok = !name.is_empty()
			&& name.len() <= 32
			&& name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
		if !ok {
			return Err(KeyError::BadName(name.into()));
		}
		Ok(self.dir.join(format!("{name}.json")))
	}

	fn read(&self, name: &str) -> Result<(PathBuf, KeystoreFile), KeyError> {
		let path = self.path(name)?;
		let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
			std::io::ErrorKind::NotFound => KeyError::NoSuchAccount(name.into()),
			_ => KeyError::Io(path.clone(), e),
		})?;
		let file: KeystoreFile = serde_json::from_str(&text)
			.map_err(|e| KeyError::Corrupt(path.clone(), e.to_string()))?;
		if file.version != KEYSTORE_VERSION {
			return Err(KeyError::Corrupt(path, format!("unknown version {}", file.version)));
		}
		Ok((path, file))
	}

	/// Save `identity` under its name, sealed with `password`.
	pub fn save(&self, identity: &Identity, password: &str) -> Result<AccountInfo, KeyError> {
		let path = self.path(&identity.name)?;
		if path.exists() {
			return Err(KeyError::AccountExists(identity.name.clone()));
		}
		std::fs::create_dir_all(&self.dir).map_err(|e| KeyError::Io(self.dir.clone(), e))?;
		let mut salt = [0u8; 32];
		let mut nonce = [0u8; 24];
		OsRng.fill_bytes(&mut salt);
		OsRng.fill_bytes(&mut nonce);
		let key = stretch(password, &salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P);
		let address = identity.address();
		let sealed = XChaCha20Poly1305::new(key.as_slice().into())
			.encrypt(
				nonce.as_slice().into(),
				chacha20poly1305::aead::Payload {
					msg: identity.mnemonic.as_bytes(),
					aad: address.as_bytes(),
				},
			)
			.expect("encryption in memory cannot fail");
		let info = AccountInfo {
			name: identity.name.clone(),
			address: address.clone(),
			encryption_key: format!("0x{}", hex::encode(identity.encryption.public())),
		};
		let file = KeystoreFile {
			version: KEYSTORE_VERSION,
			name: info.name.clone(),
			address,
			encryption_key: info.encryption_key.clone(),
			scrypt: ScryptParams {
				salt: hex::encode(salt),
				log_n: SCRYPT_LOG_N,
				r: SCRYPT_R,
				p: SCRYPT_P,
			},
			nonce: hex::encode(nonce),
			sealed_mnemonic: hex::encode(sealed),
		};
		let tmp = path.with_extension("json.tmp");
		let text = serde_json::to_string_pretty(&file).expect("serializable");
		write_private(&tmp, text.as_bytes()).map_err(|e| KeyError::Io(tmp.clone(), e))?;
		std::fs::rename(&tmp, &path).map_err(|e| KeyError::Io(path.clone(), e))?;
		Ok(info)
	}

	/// Open an account with its password.
	pub fn unlock(&self, name: &str, password: &str) -> Result<Identity, KeyError> {
		let (path, file) = self.read(name)?;
		let corrupt = |why: &str| KeyError::Corrupt(path.clone(), why.into());
		let salt = hex::decode(&file.scrypt.salt).map_err(|_| corrupt("bad salt"))?;
		let nonce = hex::decode(&file.nonce).map_err(|_| corrupt("bad nonce"))?;
		let sealed = hex::decode(&file.sealed_mnemonic).map_err(|_| corrupt("bad ciphertext"))?;
		if nonce.len() != 24 || file.scrypt.log_n > 20 || file.scrypt.r > 32 || file.scrypt.p > 16 {
			return Err(corrupt("bad parameters"));
		}
		let key = stretch(password, &salt, file.scrypt.log_n, file.scrypt.r, file.scrypt.p);
		let phrase = XChaCha20Poly1305::new(key.as_slice().into())
			.decrypt(
				nonce.as_slice().into(),
				chacha20poly1305::aead::Payload { msg: &sealed, aad: file.address.as_bytes() },
			)
			.map_err(|_| KeyError::WrongPassword(name.into()))?;
		let phrase = Zeroizing::new(String::from_utf8(phrase).map_err(|_| corrupt("not text"))?);
		let identity = Identity::from_mnemonic(name, &phrase)?;
		if identity.address() != file.address {
			return Err(corrupt("the mnemonic does not match the address"));
		}
		Ok(identity)
	}

	/// Accounts in this keystore, by name.
	pub fn list(&self) -> Result<Vec<AccountInfo>, KeyError> {
		let entries = match std::fs::read_dir(&self.dir) {
			Ok(entries) => entries,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(KeyError::Io(self.dir.clone(), e)),
		};
		let mut out = Vec::new();
		for entry in entries {
			let entry = entry.map_err(|e| KeyError::Io(self.dir.clone(), e))?;
			let file_name = entry.file_name().to_string_lossy().to_string();
			if let Some(name) = file_name.strip_suffix(".json") {
				out.push(self.info(name)?);
			}
		}
		out.sort_by(|a, b| a.name.cmp(&b.name));
		Ok(out)
	}

	/// One account's public facts.
	pub fn info(&self, name: &str) -> Result<AccountInfo, KeyError> {
		let (_, file) = self.read(name)?;
		Ok(AccountInfo {
			name: file.name,
			address: file.address,
			encryption_key: file.encryption_key,
		})
	}
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	use std::io::Write;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create(true).truncate(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	let mut file = options.open(path)?;
	file.write_all(bytes)?;
	file.sync_all()
}

const PKCS8_HEADER: [u8; 16] = [48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];
const PKCS8_DIVIDER: [u8; 5] = [161, 35, 3, 33, 0];
const PJS_SCRYPT_LOG_N: u8 = 15;

/// The account in Polkadot.js's JSON keystore format (version 3), sealed with `password`.
/// It holds the sr25519 key only: the encryption key needs the mnemonic.
pub fn export_polkadot_js(identity: &Identity, password: &str) -> serde_json::Value {
	use crypto_secretbox::{aead::Aead as _, KeyInit as _, XSalsa20Poly1305};
	// Polkadot.js keeps sr25519 secrets in schnorrkel's Ed25519-compatible 64-byte form.
	let raw = Zeroizing::new(identity.signer.to_raw_vec());
	let secret = schnorrkel::SecretKey::from_bytes(&raw).expect("a pair's own secret key");
	let secret_bytes = Zeroizing::new(secret.to_ed25519_bytes());
	let mut pkcs8 = Zeroizing::new(Vec::with_capacity(117));
	pkcs8.extend_from_slice(&PKCS8_HEADER);
	pkcs8.extend_from_slice(secret_bytes.as_slice());
	pkcs8.extend_from_slice(&PKCS8_DIVIDER);
	pkcs8.extend_from_slice(&identity.account());

	let mut salt = [0u8; 32];
	let mut nonce = [0u8; 24];
	OsRng.fill_bytes(&mut salt);
	OsRng.fill_bytes(&mut nonce);
	let mut stretched = Zeroizing::new([0u8; 64]);
	let params = scrypt::Params::new(PJS_SCRYPT_LOG_N, 8, 1, 64).expect("valid parameters");
	scrypt::scrypt(password.as_bytes(), &salt, &params, stretched.as_mut()).expect("64 bytes");
	let sealed = XSalsa20Poly1305::new(stretched[..32].into())
		.encrypt(nonce.as_slice().into(), pkcs8.as_slice())
		.expect("encryption in memory cannot fail");

	let mut encoded = Vec::with_capacity(32 + 12 + 24 + sealed.len());
	encoded.extend_from_slice(&salt);
	encoded.extend_from_slice(&(1u32 << PJS_SCRYPT_LOG_N).to_le_bytes());
	encoded.extend_from_slice(&1u32.to_le_bytes());
	encoded.extend_from_slice(&8u32.to_le_bytes());
	encoded.extend_from_slice(&nonce);
	encoded.extend_from_slice(&sealed);
	serde_json::json!({
		"encoded": base64::engine::general_purpose::STANDARD.encode(encoded),
		"encoding": {
			"content": ["pkcs8", "sr25519"],
			"type": ["scrypt", "xsalsa20-poly1305"],
			"version": "3"
		},
		"address": identity.address(),
		"meta": {
			"name": identity.name,
			"whenCreated": chrono::Utc::now().timestamp_millis(),
			"source": "medchain"
		}
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The well-known development mnemonic: Alice is its `//Alice` derivation, so the root
	/// account is the dev phrase's own, which Polkadot.js also shows for this phrase.
	const PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

	#[test]
	fn one_mnemonic_restores_both_keys() {
		let a = Identity::from_mnemonic("a", PHRASE).unwrap();
		let b =
			Identity::from_mnemonic("b", &format!("  {}  ", PHRASE.replace(' ', "   "))).unwrap();
		assert_eq!(a.account(), b.account());
		assert_eq!(a.encryption.public(), b.encryption.public());
		// The root account of the dev phrase, as `subkey inspect` prints it.
		assert_eq!(
			sr25519::Public::from_raw(a.account()).to_ss58check(),
			"5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
		);
		assert_ne!(a.encryption.public(), a.account(), "domain separation");
		let (other, words) = Identity::generate("c");
		assert_eq!(words.split(' ').count(), 24);
		assert_ne!(other.encryption.public(), a.encryption.public());
		assert!(matches!(
			Identity::from_mnemonic("x", "not a mnemonic"),
			Err(KeyError::BadMnemonic)
		));
	}

	#[test]
	fn keystore_round_trip_and_wrong_password() {
		let home = tempfile::tempdir().unwrap();
		let store = Keystore::new(home.path());
		let (identity, _) = Identity::generate("patient-1");
		let info = store.save(&identity, "correct horse").unwrap();
		assert_eq!(info.address, identity.address());
		assert!(info.address.starts_with("g6") || info.address.len() > 40);

		let back = store.unlock("patient-1", "correct horse").unwrap();
		assert_eq!(back.account(), identity.account());
		assert_eq!(back.encryption.public(), identity.encryption.public());
		assert!(matches!(store.unlock("patient-1", "wrong"), Err(KeyError::WrongPassword(_))));
		assert!(matches!(store.unlock("nobody", "x"), Err(KeyError::NoSuchAccount(_))));
		assert!(matches!(store.save(&identity, "again"), Err(KeyError::AccountExists(_))));
		assert!(matches!(store.unlock("../etc", "x"), Err(KeyError::BadName(_))));
		assert_eq!(store.list().unwrap().len(), 1);

		// The file holds no mnemonic word in clear. Only its values are checked: a
		// field's name ("address", "salt") may be a BIP-39 word by chance.
		let text = std::fs::read_to_string(home.path().join("keys/patient-1.json")).unwrap();
		let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
		let words: Vec<&str> = identity.mnemonic.split(' ').collect();
		let mut values = vec![&parsed];
		while let Some(value) = values.pop() {
			match value {
				serde_json::Value::Object(fields) => values.extend(fields.values()),
				serde_json::Value::Array(items) => values.extend(items),
				serde_json::Value::String(s) => {
					assert!(!words.contains(&s.as_str()), "a mnemonic word in clear: {s}");
					for pair in words.windows(2) {
						assert!(!s.contains(&pair.join(" ")), "mnemonic words in clear: {s}");
					}
				}
				_ => {}
			}
		}
		// A changed byte of the sealed mnemonic is refused, not misread.
		let mut file: serde_json::Value = serde_json::from_str(&text).unwrap();
		let sealed = file["sealedMnemonic"].as_str().unwrap().to_string();
		let flipped = format!("{}{}", if &sealed[..1] == "0" { "1" } else { "0" }, &sealed[1..]);
		file["sealedMnemonic"] = flipped.into();
		std::fs::write(home.path().join("keys/patient-1.json"), file.to_string()).unwrap();
		assert!(matches!(
			store.unlock("patient-1", "correct horse"),
			Err(KeyError::WrongPassword(_))
		));
	}

	#[test]
	fn polkadot_js_export_opens_with_the_password() {
		use crypto_secretbox::{aead::Aead as _, KeyInit as _, XSalsa20Poly1305};
		let identity = Identity::from_mnemonic("alice-root", PHRASE).unwrap();
		let json = export_polkadot_js(&identity, "pw");
		assert_eq!(json["encoding"]["version"], "3");
		let encoded = base64::engine::general_purpose::STANDARD
			.decode(json["encoded"].as_str().unwrap())
			.unwrap();
		let (salt, rest) = encoded.split_at(32);
		assert_eq!(
			&rest[..12],
			[&32768u32.to_le_bytes()[..], &1u32.to_le_bytes(), &8u32.to_le_bytes()].concat()
		);
		let (nonce, sealed) = rest[12..].split_at(24);
		let mut stretched = [0u8; 64];
		scrypt::scrypt(b"pw", salt, &scrypt::Params::new(15, 8, 1, 64).unwrap(), &mut stretched)
			.unwrap();
		let pkcs8 =
			XSalsa20Poly1305::new(stretched[..32].into()).decrypt(nonce.into(), sealed).unwrap();
		assert_eq!(pkcs8.len(), 16 + 64 + 5 + 32);
		assert_eq!(&pkcs8[85..], identity.account());
		// The secret half signs as the account.
		let secret = schnorrkel::SecretKey::from_ed25519_bytes(&pkcs8[16..80]).unwrap();
		assert_eq!(secret.to_public().to_bytes(), identity.account());
	}

	#[test]
	fn a_licence_hash_is_slow_salted_and_ignores_case_and_spaces() {
		let hash = licence_hash(" sn-card-0042 ");
		assert_eq!(hash, licence_hash("SN-CARD-0042"));
		assert_ne!(hash, licence_hash("SN-CARD-0043"));
		use frame_support::StorageHasher;
		assert_ne!(hash, frame_support::Blake2_256::hash(b"SN-CARD-0042"));
	}
}
