//! Client-side encryption: streamed file encryption under a data key, the data key
//! wrapped to each reader with HPKE (RFC 9180), and the data key split into shares
//! for the hospitals that release it in an emergency.
//!
//! Nothing here is a home-made primitive: files use the STREAM construction of the
//! `aead` crate over XChaCha20-Poly1305, keys and shares use `hpke` in base mode with
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and ChaCha20-Poly1305, and the split is
//! `vsss-rs`'s Shamir secret sharing over GF(2^8).

use chacha20poly1305::{
	aead::{
		stream::{DecryptorBE32, EncryptorBE32},
		KeyInit,
	},
	XChaCha20Poly1305,
};
use hpke::{
	aead::ChaCha20Poly1305 as HpkeChaCha, kdf::HkdfSha256, kem::X25519HkdfSha256, Deserializable,
	Kem as _, OpModeR, OpModeS, Serializable,
};
use rand_core_06::{OsRng, RngCore};
use std::io::{Read, Write};
use zeroize::Zeroizing;

/// Length of a data key (256 bits).
pub const DATA_KEY_LEN: usize = 32;
/// Plaintext bytes per encrypted chunk.
pub const CHUNK_LEN: usize = 64 * 1024;
/// Authentication tag per chunk.
pub const TAG_LEN: usize = 16;
/// `enc` (32) + sealed data key (32) + tag (16).
pub const WRAPPED_KEY_LEN: usize = 32 + DATA_KEY_LEN + TAG_LEN;
/// A share of a data key: its identifier (1 to 255) and one GF(2^8) value per key byte.
pub const SHARE_LEN: usize = 1 + DATA_KEY_LEN;
/// `enc` (32) + sealed share (33) + tag (16).
pub const WRAPPED_SHARE_LEN: usize = 32 + SHARE_LEN + TAG_LEN;

const FILE_MAGIC: &[u8; 4] = b"MCE1";
/// STREAM-BE32 over XChaCha20 leaves 24 - 5 = 19 bytes of nonce prefix.
const NONCE_PREFIX_LEN: usize = 19;
const HEADER_LEN: usize = 4 + 4 + NONCE_PREFIX_LEN;

/// A file's data key. Zeroed when dropped.
pub type DataKey = Zeroizing<[u8; DATA_KEY_LEN]>;

/// The X25519 key pair a participant decrypts with (HPKE's KEM keys).
pub struct EncryptionKeyPair {
	secret: <X25519HkdfSha256 as hpke::Kem>::PrivateKey,
	public: [u8; 32],
}

/// What can go wrong while encrypting or decrypting, in words a user can act on.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
	/// The input is not a MedChain encrypted file.
	#[error("the data is not a MedChain encrypted file (no MCE1 header)")]
	NotEncrypted,
	/// A chunk failed authentication: changed, reordered, truncated, or the wrong key.
	#[error(
		"decryption failed at chunk {chunk}: the file was changed, reordered or cut, or this is \
		 not its key"
	)]
	Tampered { chunk: u64 },
	/// The file ended before its last chunk.
	#[error("the encrypted file is cut short: its last chunk is missing")]
	Truncated,
	/// A wrapped key could not be opened with this key pair and binding.
	#[error(
		"the wrapped data key does not open with your encryption key (it was sealed to another \
		 key, another record or another key epoch)"
	)]
	CannotUnwrap,
	/// A public key was not a valid X25519 point encoding.
	#[error("the public encryption key is not a valid X25519 key")]
	BadPublicKey,
	/// A key cannot be split or recombined as asked.
	#[error("{0}")]
	Sharing(String),
	/// Reading or writing failed.
	#[error("{0}")]
	Io(String),
}

impl From<std::io::Error> for CryptoError {
	fn from(e: std::io::Error) -> Self {
		Self::Io(e.to_string())
	}
}

/// One share of a split data key ([`SHARE_LEN`] bytes). Zeroed when dropped.
pub type Share = Zeroizing<Vec<u8>>;

/// A fresh random data key from the operating system's generator.
pub fn new_data_key() -> DataKey {
	let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
	OsRng.fill_bytes(key.as_mut());
	key
}

/// Fill `buf` as far as the reader allows; returns how many bytes were read (less than
/// `buf.len()` only at the end of the input).
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
	let mut filled = 0;
	while filled < buf.len() {
		match reader.read(&mut buf[filled..]) {
			Ok(0) => break,
			Ok(n) => filled += n,
			Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
			Err(e) => return Err(e),
		}
	}
	Ok(filled)
}

fn chunk_aad(binding: &[u8], header: &[u8]) -> Vec<u8> {
	let mut aad = Vec::with_capacity(16 + binding.len() + header.len());
	aad.extend_from_slice(b"medchain/file/v1");
	aad.extend_from_slice(binding);
	aad.extend_from_slice(header);
	aad
}

/// Encrypt `input` to `output` in chunks of [`CHUNK_LEN`] bytes; memory stays at two
/// chunks whatever the size. `binding` (the patient's account) is authenticated with every
/// chunk. Returns the number of ciphertext bytes written.
pub fn encrypt_stream(
	key: &[u8; DATA_KEY_LEN],
	binding: &[u8],
	mut input: impl Read,
	mut output: impl Write,
) -> Result<u64, CryptoError> {
	let mut prefix = [0u8; NONCE_PREFIX_LEN];
	OsRng.fill_bytes(&mut prefix);
	let mut header = Vec::with_capacity(HEADER_LEN);
	header.extend_from_slice(FILE_MAGIC);
	header.extend_from_slice(&(CHUNK_LEN as u32).to_le_bytes());
	header.extend_from_slice(&prefix);
	output.write_all(&header)?;
	let aad = chunk_aad(binding, &header);
	let cipher = XChaCha20Poly1305::new(key.as_slice().into());
	let mut encryptor = EncryptorBE32::from_aead(cipher, prefix.as_slice().into());
	let mut written = header.len() as u64;

	// One chunk of look-ahead tells which chunk is the last one.
	let mut current = Vec::with_capacity(CHUNK_LEN + TAG_LEN);
	current.resize(CHUNK_LEN, 0);
	let mut len = read_full(&mut input, &mut current)?;
	let mut next = Vec::with_capacity(CHUNK_LEN + TAG_LEN);
	loop {
		next.resize(CHUNK_LEN, 0);
		let next_len = if len == CHUNK_LEN { read_full(&mut input, &mut next)? } else { 0 };
		current.truncate(len);
		if next_len == 0 {
			encryptor
				.encrypt_last_in_place(&aad, &mut current)
				.map_err(|_| CryptoError::Io("encryption failed".into()))?;
			output.write_all(&current)?;
			written += current.len() as u64;
			output.flush()?;
			return Ok(written);
		}
		encryptor
			.encrypt_next_in_place(&aad, &mut current)
			.map_err(|_| CryptoError::Io("too many chunks for one file".into()))?;
		output.write_all(&current)?;
		written += current.len() as u64;
		core::mem::swap(&mut current, &mut next);
		current.resize(CHUNK_LEN, 0);
		len = next_len;
	}
}

/// Decrypt what [`encrypt_stream`] wrote. Plaintext is written chunk by chunk only after
/// that chunk authenticated; on error, what was written so far must be discarded (the
/// command-line client writes to a temporary file and renames it only on success).
pub fn decrypt_stream(
	key: &[u8; DATA_KEY_LEN],
	binding: &[u8],
	mut input: impl Read,
	mut output: impl Write,
) -> Result<u64, CryptoError> {
	let mut header = [0u8; HEADER_LEN];
	if read_full(&mut input, &mut header)? < HEADER_LEN || &header[..4] != FILE_MAGIC {
		return Err(CryptoError::NotEncrypted);
	}
	let chunk_len = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
	if chunk_len == 0 || chunk_len > 16 * 1024 * 1024 {
		return Err(CryptoError::NotEncrypted);
	}
	let aad = chunk_aad(binding, &header);
	let cipher = XChaCha20Poly1305::new(key.as_slice().into());
	let mut decryptor = DecryptorBE32::from_aead(cipher, header[8..].into());
	let sealed_len = chunk_len + TAG_LEN;
	let mut current = vec![0u8; sealed_len];
	let mut next = vec![0u8; sealed_len];
	let mut len = read_full(&mut input, &mut current)?;
	let mut chunk = 0u64;
	let mut written = 0u64;
	loop {
		if len < TAG_LEN {
			return Err(CryptoError::Truncated);
		}
		next.resize(sealed_len, 0);
		let next_len = if len == sealed_len { read_full(&mut input, &mut next)? } else { 0 };
		current.truncate(len);
		if next_len == 0 {
			decryptor
				.decrypt_last_in_place(&aad, &mut current)
				.map_err(|_| CryptoError::Tampered { chunk })?;
			output.write_all(&current)?;
			output.flush()?;
			return Ok(written + current.len() as u64);
		}
		decryptor
			.decrypt_next_in_place(&aad, &mut current)
			.map_err(|_| CryptoError::Tampered { chunk })?;
		output.write_all(&current)?;
		written += current.len() as u64;
		chunk += 1;
		core::mem::swap(&mut current, &mut next);
		current.resize(sealed_len, 0);
		len = next_len;
	}
}

/// What a wrapped data key is bound to: the patient, the record and the key epoch.
///
/// The record is named by the CID of its first version: it exists before the chain assigns
/// the record's number, never changes, and the chain keeps it as version 1.
pub fn wrap_info(patient: &[u8; 32], record_origin_cid: &str, epoch: u32) -> Vec<u8> {
	let mut info = Vec::new();
	info.extend_from_slice(b"medchain/data-key/v1");
	info.extend_from_slice(patient);
	info.extend_from_slice(&(record_origin_cid.len() as u32).to_le_bytes());
	info.extend_from_slice(record_origin_cid.as_bytes());
	info.extend_from_slice(&epoch.to_le_bytes());
	info
}

impl EncryptionKeyPair {
	/// HPKE's DeriveKeyPair (RFC 9180 §7.1.3) from input keying material.
	pub fn derive(ikm: &[u8]) -> Self {
		let (secret, public) = X25519HkdfSha256::derive_keypair(ikm);
		let public = public.to_bytes().into();
		Self { secret, public }
	}

	/// The public half: what the chain stores as the account's encryption key.
	pub fn public(&self) -> [u8; 32] {
		self.public
	}

	/// Open a data key sealed to this key pair by [`wrap_key`].
	pub fn unwrap_key(
		&self,
		wrapped: &[u8],
		info: &[u8],
		reader: &[u8; 32],
	) -> Result<DataKey, CryptoError> {
		if wrapped.len() != WRAPPED_KEY_LEN {
			return Err(CryptoError::CannotUnwrap);
		}
		let opened = self.open(wrapped, info, reader)?;
		let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
		key.copy_from_slice(&opened);
		Ok(key)
	}

	/// Open a key share sealed to this key pair by [`wrap_share`], with its binding
	/// ([`share_info`] or [`release_info`]) and associated data.
	pub fn unwrap_share(
		&self,
		wrapped: &[u8],
		info: &[u8],
		aad: &[u8],
	) -> Result<Share, CryptoError> {
		if wrapped.len() != WRAPPED_SHARE_LEN {
			return Err(CryptoError::CannotUnwrap);
		}
		self.open(wrapped, info, aad)
	}

	fn open(
		&self,
		wrapped: &[u8],
		info: &[u8],
		aad: &[u8],
	) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
		let encapped = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&wrapped[..32])
			.map_err(|_| CryptoError::CannotUnwrap)?;
		let opened = hpke::single_shot_open::<HpkeChaCha, HkdfSha256, X25519HkdfSha256>(
			&OpModeR::Base,
			&self.secret,
			&encapped,
			info,
			&wrapped[32..],
			aad,
		)
		.map_err(|_| CryptoError::CannotUnwrap)?;
		Ok(Zeroizing::new(opened))
	}
}

/// Seal `key` to `reader_public` (HPKE base mode) with `info` from [`wrap_info`] and the
/// reader's account as associated data: `enc || ciphertext`, [`WRAPPED_KEY_LEN`] bytes.
pub fn wrap_key(
	key: &[u8; DATA_KEY_LEN],
	reader_public: &[u8; 32],
	info: &[u8],
	reader: &[u8; 32],
) -> Result<Vec<u8>, CryptoError> {
	seal(key, reader_public, info, reader)
}

/// Seal a key share to `public` (a hospital's key-release key, or a doctor's encryption
/// key) with `info` from [`share_info`] or [`release_info`]: [`WRAPPED_SHARE_LEN`] bytes.
pub fn wrap_share(
	share: &[u8],
	public: &[u8; 32],
	info: &[u8],
	aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
	if share.len() != SHARE_LEN {
		return Err(CryptoError::Sharing(format!(
			"a key share is {SHARE_LEN} bytes, not {}",
			share.len()
		)));
	}
	seal(share, public, info, aad)
}

/// HPKE base-mode single-shot seal: `enc || ciphertext`.
fn seal(plain: &[u8], public: &[u8; 32], info: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
	let public = <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(public)
		.map_err(|_| CryptoError::BadPublicKey)?;
	let mut rng = rand_core_09::UnwrapErr(rand_core_09::OsRng);
	let (encapped, sealed) = hpke::single_shot_seal::<HpkeChaCha, HkdfSha256, X25519HkdfSha256, _>(
		&OpModeS::Base,
		&public,
		info,
		plain,
		aad,
		&mut rng,
	)
	.map_err(|_| CryptoError::BadPublicKey)?;
	let mut out = encapped.to_bytes().to_vec();
	out.extend_from_slice(&sealed);
	Ok(out)
}

/// Split a data key into `count` shares, any `threshold` of which recombine it
/// ([`combine_shares`]); fewer tell nothing about it (Shamir secret sharing over GF(2^8),
/// byte by byte, with fresh randomness from the operating system).
pub fn split_key(
	key: &[u8; DATA_KEY_LEN],
	threshold: usize,
	count: usize,
) -> Result<Vec<Share>, CryptoError> {
	if threshold < 2 || threshold > count || count > 255 {
		return Err(CryptoError::Sharing(format!(
			"cannot split a key {threshold} of {count}: the threshold must be at least 2 and at \
			 most the number of shares, which is at most 255"
		)));
	}
	let shares = vsss_rs::Gf256::split_array(threshold, count, key, OsRng)
		.map_err(|e| CryptoError::Sharing(format!("splitting the key failed: {e:?}")))?;
	Ok(shares.into_iter().map(Zeroizing::new).collect())
}

/// Recombine a data key from shares made by [`split_key`]. With fewer shares than the
/// threshold the result is some other key: check it against the record (its AEAD) before
/// trusting it.
pub fn combine_shares(shares: &[Share]) -> Result<DataKey, CryptoError> {
	if shares.iter().any(|s| s.len() != SHARE_LEN) {
		return Err(CryptoError::Sharing(format!("a key share is not {SHARE_LEN} bytes")));
	}
	let mut ids: Vec<u8> = shares.iter().map(|s| s[0]).collect();
	ids.sort_unstable();
	if ids.windows(2).any(|w| w[0] == w[1]) || ids.contains(&0) {
		return Err(CryptoError::Sharing("two shares have the same identifier".into()));
	}
	let parts: Vec<Vec<u8>> = shares.iter().map(|s| s.to_vec()).collect();
	let parts = Zeroizing::new(parts);
	let combined = Zeroizing::new(
		vsss_rs::Gf256::combine_array(&*parts)
			.map_err(|e| CryptoError::Sharing(format!("recombining the key failed: {e:?}")))?,
	);
	let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
	key.copy_from_slice(&combined);
	Ok(key)
}

fn share_binding(
	label: &[u8],
	patient: &[u8; 32],
	origin: &str,
	epoch: u32,
	hospital: u32,
) -> Vec<u8> {
	let mut info = label.to_vec();
	info.extend_from_slice(patient);
	info.extend_from_slice(&(origin.len() as u32).to_le_bytes());
	info.extend_from_slice(origin.as_bytes());
	info.extend_from_slice(&epoch.to_le_bytes());
	info.extend_from_slice(&hospital.to_le_bytes());
	info
}

/// What a share wrapped to a hospital's key-release key is bound to: the patient, the
/// record (its first CID), the key epoch and the hospital. The hospital's id is also
/// the associated data.
pub fn share_info(
	patient: &[u8; 32],
	record_origin_cid: &str,
	epoch: u32,
	hospital: u32,
) -> Vec<u8> {
	share_binding(b"medchain/key-share/v1", patient, record_origin_cid, epoch, hospital)
}

/// What a share a hospital released to a doctor is bound to: as [`share_info`], under
/// another label; the doctor's account is the associated data.
pub fn release_info(
	patient: &[u8; 32],
	record_origin_cid: &str,
	epoch: u32,
	hospital: u32,
) -> Vec<u8> {
	share_binding(b"medchain/released-share/v1", patient, record_origin_cid, epoch, hospital)
}

/// Encrypt a small document (a profile, a request note) whole, with the file format.
pub fn encrypt_bytes(key: &[u8; DATA_KEY_LEN], binding: &[u8], plain: &[u8]) -> Vec<u8> {
	let mut out = Vec::new();
	encrypt_stream(key, binding, plain, &mut out).expect("writing to memory cannot fail");
	out
}

/// Decrypt a small document encrypted with [`encrypt_bytes`].
pub fn decrypt_bytes(
	key: &[u8; DATA_KEY_LEN],
	binding: &[u8],
	sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
	let mut out = Vec::new();
	decrypt_stream(key, binding, sealed, &mut out)?;
	Ok(out)
}

#[cfg(test)]
mod tests {
	use super::*;

	const PATIENT: [u8; 32] = [7; 32];

	fn sample(len: usize) -> Vec<u8> {
		(0..len).map(|i| (i * 31 % 251) as u8).collect()
	}

	fn encrypt(key: &[u8; 32], plain: &[u8]) -> Vec<u8> {
		encrypt_bytes(key, &PATIENT, plain)
	}

	#[test]
	fn round_trips_at_chunk_edges() {
		let key = new_data_key();
		for len in [0, 1, CHUNK_LEN - 1, CHUNK_LEN, CHUNK_LEN + 1, 3 * CHUNK_LEN, 3 * CHUNK_LEN + 5]
		{
			let plain = sample(len);
			let sealed = encrypt(&key, &plain);
			let chunks = len.div_ceil(CHUNK_LEN).max(1);
			assert_eq!(sealed.len(), HEADER_LEN + len + chunks * TAG_LEN, "length {len}");
			assert_eq!(decrypt_bytes(&key, &PATIENT, &sealed).unwrap(), plain, "length {len}");
		}
	}

	#[test]
	fn every_encryption_is_fresh() {
		let key = new_data_key();
		assert_ne!(encrypt(&key, b"same"), encrypt(&key, b"same"));
	}

	#[test]
	fn any_changed_byte_fails() {
		let key = new_data_key();
		let sealed = encrypt(&key, &sample(2 * CHUNK_LEN + 100));
		for at in [0, 5, 9, HEADER_LEN, HEADER_LEN + CHUNK_LEN + 3, sealed.len() - 1] {
			let mut bad = sealed.clone();
			bad[at] ^= 1;
			assert!(decrypt_bytes(&key, &PATIENT, &bad).is_err(), "byte {at}");
		}
	}

	#[test]
	fn reordered_truncated_or_extended_chunks_fail() {
		let key = new_data_key();
		let sealed = encrypt(&key, &sample(3 * CHUNK_LEN + 10));
		let chunk = CHUNK_LEN + TAG_LEN;
		let (header, body) = sealed.split_at(HEADER_LEN);
		let chunks: Vec<&[u8]> = body.chunks(chunk).collect();
		assert_eq!(chunks.len(), 4);

		let swapped = [header, chunks[1], chunks[0], chunks[2], chunks[3]].concat();
		assert_eq!(
			decrypt_bytes(&key, &PATIENT, &swapped),
			Err(CryptoError::Tampered { chunk: 0 })
		);
		// Cut at a chunk boundary: the new last chunk was not sealed as the last one.
		let cut = [header, chunks[0], chunks[1]].concat();
		assert_eq!(decrypt_bytes(&key, &PATIENT, &cut), Err(CryptoError::Tampered { chunk: 1 }));
		let cut_mid = &sealed[..sealed.len() - 3];
		assert!(decrypt_bytes(&key, &PATIENT, cut_mid).is_err());
		let only_header = header.to_vec();
		assert_eq!(decrypt_bytes(&key, &PATIENT, &only_header), Err(CryptoError::Truncated));
		let extended = [&sealed[..], chunks[3]].concat();
		assert!(decrypt_bytes(&key, &PATIENT, &extended).is_err());
	}

	#[test]
	fn wrong_key_or_binding_fails() {
		let key = new_data_key();
		let sealed = encrypt(&key, b"lab result");
		assert!(decrypt_bytes(&new_data_key(), &PATIENT, &sealed).is_err());
		assert!(decrypt_bytes(&key, &[8; 32], &sealed).is_err());
		assert_eq!(decrypt_bytes(&key, &PATIENT, b"plain text"), Err(CryptoError::NotEncrypted));
	}

	#[test]
	fn wrapped_key_opens_only_for_its_reader_record_and_epoch() {
		let doctor = EncryptionKeyPair::derive(b"doctor's input keying material, 32+ bytes");
		let other = EncryptionKeyPair::derive(b"someone else's keying material, 32+ bytes");
		let reader = [1u8; 32];
		let key = new_data_key();
		let info = wrap_info(&PATIENT, "bafkreiexample", 1);
		let wrapped = wrap_key(&key, &doctor.public(), &info, &reader).unwrap();
		assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
		assert_eq!(*doctor.unwrap_key(&wrapped, &info, &reader).unwrap(), *key);

		let fails = |pair: &EncryptionKeyPair, info: &[u8], reader: &[u8; 32], wrapped: &[u8]| {
			matches!(pair.unwrap_key(wrapped, info, reader), Err(CryptoError::CannotUnwrap))
		};
		assert!(fails(&other, &info, &reader, &wrapped));
		assert!(fails(&doctor, &wrap_info(&PATIENT, "bafkreiexample", 2), &reader, &wrapped));
		assert!(fails(&doctor, &wrap_info(&PATIENT, "bafkreiother", 1), &reader, &wrapped));
		assert!(fails(&doctor, &wrap_info(&[9; 32], "bafkreiexample", 1), &reader, &wrapped));
		assert!(fails(&doctor, &info, &[2; 32], &wrapped));
		let mut bad = wrapped.clone();
		bad[40] ^= 1;
		assert!(fails(&doctor, &info, &reader, &bad));
		assert!(fails(&doctor, &info, &reader, &wrapped[..79]));
		assert_eq!(wrap_key(&key, &[0; 32], &info, &reader), Err(CryptoError::BadPublicKey));
	}

	fn hex32(s: &str) -> Vec<u8> {
		hex::decode(s).unwrap()
	}

	/// RFC 9180, Appendix A.2.1: base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
	/// ChaCha20-Poly1305, the suite MedChain wraps keys with.
	#[test]
	fn rfc9180_test_vectors() {
		let v: serde_json::Value =
			serde_json::from_str(include_str!("../tests/data/hpke-rfc9180-a21.json")).unwrap();
		let s = |k: &str| hex32(v[k].as_str().unwrap());
		assert_eq!(
			(v["mode"].as_u64(), v["kem_id"].as_u64(), v["aead_id"].as_u64()),
			(Some(0), Some(32), Some(3))
		);

		// DeriveKeyPair gives the vectors' receiver and ephemeral keys.
		let receiver = EncryptionKeyPair::derive(&s("ikmR"));
		assert_eq!(receiver.public().to_vec(), s("pkRm"));
		assert_eq!(receiver.secret.to_bytes().to_vec(), s("skRm"));
		let (_, pk_e) = X25519HkdfSha256::derive_keypair(&s("ikmE"));
		assert_eq!(pk_e.to_bytes().to_vec(), s("pkEm"));

		// The receiver's context from `enc` opens every vector ciphertext in order and
		// exports the vectors' secrets.
		let enc = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(&s("enc")).unwrap();
		let mut ctx = hpke::setup_receiver::<HpkeChaCha, HkdfSha256, X25519HkdfSha256>(
			&OpModeR::Base,
			&receiver.secret,
			&enc,
			&s("info"),
		)
		.unwrap();
		let encryptions = v["encryptions"].as_array().unwrap();
		assert!(encryptions.len() >= 4);
		for e in encryptions {
			let h = |k: &str| hex32(e[k].as_str().unwrap());
			assert_eq!(ctx.open(&h("ct"), &h("aad")).unwrap(), h("pt"));
		}
		for e in v["exports"].as_array().unwrap() {
			let context = hex32(e["exporter_context"].as_str().unwrap());
			let expected = hex32(e["exported_value"].as_str().unwrap());
			let mut out = vec![0u8; e["L"].as_u64().unwrap() as usize];
			ctx.export(&context, &mut out).unwrap();
			assert_eq!(out, expected);
		}
	}

	#[test]
	fn any_t_shares_recombine_the_key_and_t_minus_1_recover_nothing() {
		let key = new_data_key();
		let shares = split_key(&key, 3, 5).unwrap();
		assert_eq!(shares.len(), 5);
		assert!(shares.iter().all(|s| s.len() == SHARE_LEN));
		// Every 3 of the 5, in any order.
		for a in 0..5 {
			for b in a + 1..5 {
				for c in b + 1..5 {
					let picked = [shares[c].clone(), shares[a].clone(), shares[b].clone()];
					assert_eq!(*combine_shares(&picked).unwrap(), *key);
				}
			}
		}
		// Two shares give some other key, which the record's AEAD then refuses.
		let two = [shares[0].clone(), shares[4].clone()];
		let wrong = combine_shares(&two).unwrap();
		assert_ne!(*wrong, *key);
		let mut file = Vec::new();
		encrypt_stream(&key, b"patient", &b"lab result"[..], &mut file).unwrap();
		assert!(matches!(
			decrypt_stream(&wrong, b"patient", &file[..], &mut Vec::new()),
			Err(CryptoError::Tampered { .. })
		));
		// A fresh split of the same key shares nothing with the first.
		let again = split_key(&key, 3, 5).unwrap();
		assert_ne!(again[0][1..], shares[0][1..]);
		let mixed = [shares[0].clone(), shares[1].clone(), again[2].clone()];
		assert_ne!(*combine_shares(&mixed).unwrap(), *key);
	}

	#[test]
	fn splits_and_combinations_that_cannot_work_are_refused() {
		let key = new_data_key();
		assert!(matches!(split_key(&key, 1, 3), Err(CryptoError::Sharing(_))));
		assert!(matches!(split_key(&key, 4, 3), Err(CryptoError::Sharing(_))));
		assert!(matches!(split_key(&key, 2, 256), Err(CryptoError::Sharing(_))));
		let shares = split_key(&key, 2, 3).unwrap();
		let twice = [shares[1].clone(), shares[1].clone()];
		assert!(matches!(combine_shares(&twice), Err(CryptoError::Sharing(_))));
		let short = [shares[0].clone(), Zeroizing::new(shares[1][..10].to_vec())];
		assert!(matches!(combine_shares(&short), Err(CryptoError::Sharing(_))));
	}

	#[test]
	fn a_wrapped_share_opens_only_for_its_patient_record_epoch_hospital_and_reader() {
		let hospital = EncryptionKeyPair::derive(&[5; 32]);
		let doctor = EncryptionKeyPair::derive(&[6; 32]);
		let share = split_key(&new_data_key(), 2, 2).unwrap().remove(0);
		let info = share_info(&PATIENT, "bafkreiexample", 1, 2);
		let wrapped = wrap_share(&share, &hospital.public(), &info, &2u32.to_le_bytes()).unwrap();
		assert_eq!(wrapped.len(), WRAPPED_SHARE_LEN);
		let aad = 2u32.to_le_bytes();
		assert_eq!(*hospital.unwrap_share(&wrapped, &info, &aad).unwrap(), *share);
		let refused = |pair: &EncryptionKeyPair, info: &[u8], aad: &[u8]| {
			matches!(pair.unwrap_share(&wrapped, info, aad), Err(CryptoError::CannotUnwrap))
		};
		assert!(refused(&doctor, &info, &aad));
		assert!(refused(&hospital, &share_info(&PATIENT, "bafkreiother", 1, 2), &aad));
		assert!(refused(&hospital, &share_info(&PATIENT, "bafkreiexample", 2, 2), &aad));
		assert!(refused(&hospital, &share_info(&PATIENT, "bafkreiexample", 1, 3), &aad));
		assert!(refused(&hospital, &share_info(&[9; 32], "bafkreiexample", 1, 2), &aad));
		assert!(refused(&hospital, &release_info(&PATIENT, "bafkreiexample", 1, 2), &aad));
		assert!(refused(&hospital, &info, &3u32.to_le_bytes()));

		// Released to a doctor: bound to the doctor's account as well.
		let release = release_info(&PATIENT, "bafkreiexample", 1, 2);
		let to_doctor = wrap_share(&share, &doctor.public(), &release, &[6; 32]).unwrap();
		assert_eq!(*doctor.unwrap_share(&to_doctor, &release, &[6; 32]).unwrap(), *share);
		assert!(matches!(
			doctor.unwrap_share(&to_doctor, &release, &[7; 32]),
			Err(CryptoError::CannotUnwrap)
		));
		assert!(matches!(
			wrap_share(&share[..5], &doctor.public(), &release, &[6; 32]),
			Err(CryptoError::Sharing(_))
		));
	}
}
