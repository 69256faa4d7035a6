//! Content identifiers (CIDs) of encrypted files in IPFS, checked on chain.
//!
//! Calls take a CID as its text form (what `ipfs add` prints and what a person
//! pastes into Polkadot.js Apps). The chain parses it with the `cid` crate and
//! stores its canonical text: base32 for CIDv1 (`bafy…`, `bafk…`), base58btc
//! for CIDv0 (`Qm…`). So the same content always has the same stored CID,
//! whichever base the caller used.

use alloc::string::ToString;
use sp_runtime::{traits::ConstU32, BoundedVec};

/// The longest CID text accepted, in bytes. A CIDv1 of a SHA-256 digest is 59
/// characters in base32; 128 leaves room for 512-bit digests.
pub const MAX_CID_LEN: u32 = 128;

/// A CID as stored: canonical text, ASCII, at most [`MAX_CID_LEN`] bytes.
pub type Cid = BoundedVec<u8, ConstU32<MAX_CID_LEN>>;

/// Why a CID was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CidError {
	/// Longer than [`MAX_CID_LEN`] bytes.
	TooLong,
	/// Not the text of a CIDv0 or CIDv1.
	Malformed,
}

/// Parse the text of a CIDv0 or CIDv1 and return its canonical text.
pub fn canonical_cid(text: &[u8]) -> Result<Cid, CidError> {
	if text.len() > MAX_CID_LEN as usize {
		return Err(CidError::TooLong);
	}
	let text = core::str::from_utf8(text).map_err(|_| CidError::Malformed)?;
	let cid = ::cid::Cid::try_from(text).map_err(|_| CidError::Malformed)?;
	cid.to_string().into_bytes().try_into().map_err(|_| CidError::TooLong)
}

/// The longest [`FileKey`]: a multihash of a digest of up to 64 bytes with its
/// code and length prefixes.
pub const MAX_FILE_KEY_LEN: u32 = 80;

/// What identifies a file's blocks on an IPFS node: its CID's multihash (hash
/// function and digest). IPFS nodes pin and collect blocks by it, whatever
/// the CID's version, codec or base: `Qm…` (v0) and `bafybei…` (v1 dag-pb) of
/// one file are one file to them, so they are one file to the chain's claims.
pub type FileKey = BoundedVec<u8, ConstU32<MAX_FILE_KEY_LEN>>;

/// The [`FileKey`] of the CID whose text is `text`; `None` if it is not a CID.
pub fn file_key(text: &[u8]) -> Option<FileKey> {
	let text = core::str::from_utf8(text).ok()?;
	let cid = ::cid::Cid::try_from(text).ok()?;
	cid.hash().to_bytes().try_into().ok()
}

/// A valid CID near the longest a client would send: CIDv1 of a SHA-512
/// digest, 110 characters of base32. Benchmarks use it for the worst case of
/// parsing.
#[cfg(feature = "runtime-benchmarks")]
pub const LONG_CID: &[u8] =
	b"bafkrgqcpzas5y7gnudwskljd5j5al4c7kq2ux6nxilgfjdnt6iislx2qcvoxh2xc47lnhwlgy6t5rvdkxrfxdvjihr2jpr5mxogzxqggxjzqa";

/// [`LONG_CID`] as a call takes it.
#[cfg(feature = "runtime-benchmarks")]
pub fn long_cid() -> Cid {
	LONG_CID.to_vec().try_into().expect("LONG_CID is shorter than MAX_CID_LEN")
}

#[cfg(test)]
mod tests {
	use super::*;

	// `ipfs add --cid-version=1 --raw-leaves` and `ipfs add` (v0) of "hello world\n".
	const V1: &str = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
	const V0: &str = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

	#[test]
	fn accepts_v1_and_v0() {
		assert_eq!(canonical_cid(V1.as_bytes()).unwrap().to_vec(), V1.as_bytes());
		assert_eq!(canonical_cid(V0.as_bytes()).unwrap().to_vec(), V0.as_bytes());
	}

	#[test]
	fn other_bases_become_base32() {
		let cid = ::cid::Cid::try_from(V1).unwrap();
		let base58 = cid.to_string_of_base(::cid::multibase::Base::Base58Btc).unwrap();
		assert!(base58.starts_with('z'));
		assert_eq!(canonical_cid(base58.as_bytes()).unwrap().to_vec(), V1.as_bytes());
	}

	#[test]
	fn one_file_has_one_key_whatever_the_cids_version_or_base() {
		let v0 = ::cid::Cid::try_from(V0).unwrap();
		let v1 = v0.into_v1().unwrap().to_string();
		assert!(v1.starts_with("bafybei"));
		assert_eq!(file_key(V0.as_bytes()), file_key(v1.as_bytes()));
		assert_ne!(file_key(V0.as_bytes()), file_key(V1.as_bytes()));
		assert_eq!(file_key(b"not a cid"), None);
	}

	#[test]
	fn refuses_malformed_and_long() {
		assert_eq!(canonical_cid(b""), Err(CidError::Malformed));
		assert_eq!(canonical_cid(b"not a cid"), Err(CidError::Malformed));
		assert_eq!(canonical_cid(&V1.as_bytes()[..40]), Err(CidError::Malformed));
		assert_eq!(canonical_cid(&[0xff, 0xfe]), Err(CidError::Malformed));
		assert_eq!(canonical_cid(&[b'b'; 129]), Err(CidError::TooLong));
	}

	#[cfg(feature = "runtime-benchmarks")]
	#[test]
	fn the_benchmark_cid_is_valid_and_canonical() {
		assert_eq!(canonical_cid(LONG_CID).unwrap().to_vec(), LONG_CID);
	}
}
