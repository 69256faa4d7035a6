//! Where encrypted files go: the hospital's IPFS node through the Kubo RPC API
//! (`--ipfs-api`, the default) or the embedded block store (`--ipfs-api embedded`, no
//! daemon). Either way the CID is computed here, and every download is checked against the
//! CID the chain holds before anything is decrypted.

use cid::Cid;
use std::{
	io::{Read, Write},
	path::{Path, PathBuf},
	time::Duration,
};

use crate::unixfs;

/// Errors of the storage layer, in words.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// An IPFS node did not serve the file.
	#[error(
		"the IPFS node did not serve the file {0}: no hospital's node holds it yet (the \
		 hospitals' followers may still be fetching it: `medchain follow status` on their side), \
		 or it was erased"
	)]
	NotFound(String),
	/// The embedded store does not hold the file.
	#[error(
		"the file {0} is not in the embedded store on this machine, which holds only files \
		 stored from here: open other people's records through your hospital's IPFS node \
		 (--ipfs-api http://<node>:5001, or MEDCHAIN_IPFS_API; docs/storage.md)"
	)]
	NotInEmbedded(String),
	/// The bytes received are not the file the chain names.
	#[error(
		"the bytes received hash to {got}, not to {expected} as the chain records: the download \
		 was refused and nothing was decrypted"
	)]
	Mismatch { expected: String, got: String },
	/// No IPFS API at the URL.
	#[error(
		"cannot reach the IPFS API at {0} ({1}): that is your hospital's IPFS node \
		 (docs/storage.md): start it or point --ipfs-api (MEDCHAIN_IPFS_API) at it; \
		 `--ipfs-api embedded` keeps files on this machine only, for files nobody else will open"
	)]
	Unreachable(String, String),
	/// The IPFS node answered with an error.
	#[error("the IPFS node refused the request: {0}")]
	Api(String),
	/// Reading or writing failed.
	#[error("{0}")]
	Io(String),
}

impl From<std::io::Error> for StoreError {
	fn from(e: std::io::Error) -> Self {
		Self::Io(e.to_string())
	}
}

/// A place that stores files by CID.
pub enum Store {
	/// Blocks as files under a directory, one per CID.
	Embedded(PathBuf),
	/// An IPFS node's Kubo RPC API, e.g. `http://127.0.0.1:5001`.
	Kubo(String),
}

/// Reports bytes moved, for progress bars.
pub type Progress<'a> = &'a dyn Fn(u64);

struct Counting<'a, R> {
	inner: R,
	done: u64,
	progress: Progress<'a>,
}

impl<R: Read> Read for Counting<'_, R> {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		let n = self.inner.read(buf)?;
		self.done += n as u64;
		(self.progress)(self.done);
		Ok(n)
	}
}

impl Store {
	/// Store the file at `path`; its CID.
	pub fn add(&self, path: &Path, progress: Progress) -> Result<Cid, StoreError> {
		let file = std::fs::File::open(path)?;
		let reader = Counting { inner: std::io::BufReader::new(file), done: 0, progress };
		match self {
			Self::Embedded(dir) => {
				std::fs::create_dir_all(dir)?;
				let (cid, _) = unixfs::import(reader, |cid, bytes| write_block(dir, cid, bytes))?;
				Ok(cid)
			}
			Self::Kubo(url) => {
				// The CID is computed locally first, so a node using other settings is caught.
				let (local, _) = unixfs::cid_of(std::fs::File::open(path)?)?;
				let boundary = "medchain-7d3a9f2c41b8e6";
				let head = format!(
					"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
					 filename=\"record.mce\"\r\nContent-Type: application/octet-stream\r\n\r\n"
				);
				let tail = format!("\r\n--{boundary}--\r\n");
				let body = head.as_bytes().chain(reader).chain(std::io::Cursor::new(tail));
				let endpoint = format!(
					"{url}/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-{}&hash=sha2-256&pin=true&progress=false",
					unixfs::CHUNK_SIZE
				);
				let response = transfer_agent(STALL_TIMEOUT)
					.post(&endpoint)
					.set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
					.send(body)
					.map_err(|e| api_error(url, e))?;
				let text = response.into_string()?;
				let last = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
				let answer: serde_json::Value = serde_json::from_str(last)
					.map_err(|_| StoreError::Api(format!("unexpected answer to add: {text}")))?;
				let remote = answer["Hash"]
					.as_str()
					.and_then(|h| Cid::try_from(h).ok())
					.ok_or_else(|| StoreError::Api(format!("no CID in the answer: {text}")))?;
				if remote != local {
					return Err(StoreError::Api(format!(
						"the node stored the file as {remote}, but MedChain's settings (CIDv1, raw \
						 leaves, 256 KiB chunks, balanced DAG) give {local}"
					)));
				}
				agent()
					.post(&format!("{url}/api/v0/pin/add?arg={remote}"))
					.call()
					.map_err(|e| api_error(url, e))?;
				Ok(local)
			}
		}
	}

	/// Stop keeping the file `cid`: unpin it on the IPFS node (which deletes its blocks at
	/// its next garbage collection), or delete its blocks from the embedded store. A file
	/// that is not there is no error. Returns whether the store held it.
	pub fn unpin(&self, cid: &Cid) -> Result<bool, StoreError> {
		match self {
			Self::Embedded(dir) => remove_blocks(dir, cid),
			Self::Kubo(url) => pin_command(url, &format!("pin/rm?arg={cid}")),
		}
	}

	/// Keep the file `cid` on the IPFS node, fetching whatever blocks it lacks from its
	/// peers, for at most `timeout`. Returns whether it was pinned already.
	pub fn pin(&self, cid: &Cid, timeout: Duration) -> Result<bool, StoreError> {
		let url = self.kubo_url()?;
		if self.is_pinned(cid)? {
			return Ok(true);
		}
		let secs = timeout.as_secs().max(1);
		agent()
			.post(&format!("{url}/api/v0/pin/add?arg={cid}&timeout={secs}s"))
			.timeout(timeout + Duration::from_secs(5))
			.call()
			.map_err(|e| api_error(url, e))?;
		Ok(false)
	}

	/// Whether the store holds the block `cid` itself, asking no peer for it.
	pub fn holds_block(&self, cid: &Cid) -> Result<bool, StoreError> {
		match self {
			Self::Embedded(dir) => Ok(block_path(dir, cid).exists()),
			Self::Kubo(url) => {
				yes_or_no(url, &format!("block/stat?arg={cid}&offline=true"), "not found")
			}
		}
	}

	/// Whether the IPFS node keeps the file `cid` (a recursive pin).
	pub fn is_pinned(&self, cid: &Cid) -> Result<bool, StoreError> {
		pin_command(self.kubo_url()?, &format!("pin/ls?arg={cid}&type=recursive"))
	}

	/// Delete every block no pin keeps (the IPFS node's garbage collection).
	pub fn collect_garbage(&self) -> Result<(), StoreError> {
		let url = self.kubo_url()?;
		agent()
			.post(&format!("{url}/api/v0/repo/gc"))
			.call()
			.map_err(|e| api_error(url, e))?
			.into_string()?;
		Ok(())
	}

	fn kubo_url(&self) -> Result<&str, StoreError> {
		match self {
			Self::Kubo(url) => Ok(url),
			Self::Embedded(_) => Err(StoreError::Api(
				"pinning needs an IPFS node: give --ipfs-api (or MEDCHAIN_IPFS_API)".into(),
			)),
		}
	}

	/// Fetch `cid` into `out` (a new file), checking it is the file `cid` names. On any error
	/// the file is removed.
	pub fn get(&self, cid: &Cid, out: &Path, progress: Progress) -> Result<u64, StoreError> {
		let result = self.get_unchecked(cid, out, progress).and_then(|_| {
			let (got, size) = unixfs::cid_of(std::io::BufReader::new(std::fs::File::open(out)?))?;
			if got != *cid {
				return Err(StoreError::Mismatch {
					expected: cid.to_string(),
					got: got.to_string(),
				});
			}
			Ok(size)
		});
		if result.is_err() {
			let _ = std::fs::remove_file(out);
		}
		result
	}

	fn get_unchecked(&self, cid: &Cid, out: &Path, progress: Progress) -> Result<(), StoreError> {
		let mut file = std::io::BufWriter::new(crate::files::create_private(out)?);
		match self {
			Self::Embedded(dir) => {
				let mut done = 0u64;
				copy_blocks(dir, cid, &mut file, &mut done, progress)?;
			}
			Self::Kubo(url) => cat_into(url, cid, &mut file, progress, STALL_TIMEOUT)?,
		}
		file.flush()?;
		Ok(())
	}
}

/// `cat` the file `cid` from the Kubo API at `url` into `out`, giving up after `stall`
/// without a byte.
fn cat_into(
	url: &str,
	cid: &Cid,
	out: &mut impl Write,
	progress: Progress,
	stall: Duration,
) -> Result<(), StoreError> {
	let not_served = |text: &str| {
		text.contains("not found") || text.contains("timeout") || text.contains("deadline")
	};
	let response =
		transfer_agent(stall).post(&format!("{url}/api/v0/cat?arg={cid}")).call().map_err(|e| {
			match e {
				ureq::Error::Status(_, r) => {
					let text = r.into_string().unwrap_or_default();
					if not_served(&text) {
						StoreError::NotFound(cid.to_string())
					} else {
						StoreError::Api(text)
					}
				}
				// Not even the answer's head within the stall timeout: the node is still
				// looking, and no peer it has sends the file.
				ureq::Error::Transport(t) if is_timeout(&t) => {
					StoreError::NotFound(cid.to_string())
				}
				other => api_error(url, other),
			}
		})?;
	let mut reader = Counting { inner: response.into_reader(), done: 0, progress };
	std::io::copy(&mut reader, out).map_err(|e| match e.kind() {
		std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => StoreError::Io(format!(
			"the transfer of {cid} stalled: no byte for {} s (the node's peers went away?); \
			 try again",
			stall.as_secs()
		)),
		_ => e.into(),
	})?;
	Ok(())
}

/// A Kubo pin command about one file: true if it succeeded, false if the node answered
/// that the file is not pinned.
fn pin_command(url: &str, command: &str) -> Result<bool, StoreError> {
	yes_or_no(url, command, "not pinned")
}

/// A Kubo command whose success means yes and whose error containing `no` means no; any
/// other error is an error.
fn yes_or_no(url: &str, command: &str, no: &str) -> Result<bool, StoreError> {
	match agent().post(&format!("{url}/api/v0/{command}")).call() {
		Ok(_) => Ok(true),
		Err(ureq::Error::Status(_, r)) => {
			let text = r.into_string().unwrap_or_default();
			if text.contains(no) {
				Ok(false)
			} else {
				Err(StoreError::Api(text))
			}
		}
		Err(other) => Err(api_error(url, other)),
	}
}

/// How long a transfer may go without a byte either way before it counts as stalled: a
/// file no node of the swarm holds gives no first byte.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// For commands that answer once done (pins, collections): never wait for ever.
fn agent() -> ureq::Agent {
	ureq::AgentBuilder::new()
		.timeout_connect(Duration::from_secs(5))
		.timeout(Duration::from_secs(600))
		.build()
}

/// For files going up or down: as long as bytes move (a large file on a slow link takes
/// what it takes), but not past [`STALL_TIMEOUT`] without any.
fn transfer_agent(stall: Duration) -> ureq::Agent {
	ureq::AgentBuilder::new()
		.timeout_connect(Duration::from_secs(5))
		.timeout_read(stall)
		.timeout_write(stall)
		.build()
}

fn is_timeout(t: &ureq::Transport) -> bool {
	use std::error::Error;
	let mut source = t.source();
	while let Some(e) = source {
		if let Some(io) = e.downcast_ref::<std::io::Error>() {
			if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
				return true;
			}
		}
		source = e.source();
	}
	t.to_string().contains("timed out")
}

fn api_error(url: &str, e: ureq::Error) -> StoreError {
	match e {
		ureq::Error::Status(code, r) => {
			StoreError::Api(format!("HTTP {code}: {}", r.into_string().unwrap_or_default()))
		}
		ureq::Error::Transport(t) => StoreError::Unreachable(url.into(), t.to_string()),
	}
}

fn block_path(dir: &Path, cid: &Cid) -> PathBuf {
	dir.join(cid.to_string())
}

fn write_block(dir: &Path, cid: &Cid, bytes: &[u8]) -> std::io::Result<()> {
	let path = block_path(dir, cid);
	if path.exists() {
		return Ok(());
	}
	let tmp = path.with_extension("tmp");
	std::fs::write(&tmp, bytes)?;
	std::fs::rename(tmp, path)
}

/// Delete the blocks of the file `cid` from an embedded store. Blocks are
/// ciphertext under a random key and nonce, so no other file shares them.
fn remove_blocks(dir: &Path, cid: &Cid) -> Result<bool, StoreError> {
	let path = block_path(dir, cid);
	let bytes = match std::fs::read(&path) {
		Ok(bytes) => bytes,
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
		Err(e) => return Err(e.into()),
	};
	if cid.codec() == unixfs::DAG_PB {
		for link in unixfs::node_links(&bytes).unwrap_or_default() {
			remove_blocks(dir, &link)?;
		}
	}
	std::fs::remove_file(path)?;
	Ok(true)
}

fn copy_blocks(
	dir: &Path,
	cid: &Cid,
	out: &mut impl Write,
	done: &mut u64,
	progress: Progress,
) -> Result<(), StoreError> {
	let bytes = std::fs::read(block_path(dir, cid)).map_err(|e| match e.kind() {
		std::io::ErrorKind::NotFound => StoreError::NotInEmbedded(cid.to_string()),
		_ => e.into(),
	})?;
	if !unixfs::block_matches(cid, &bytes) {
		return Err(StoreError::Mismatch {
			expected: cid.to_string(),
			got: unixfs::block_cid(cid.codec(), &bytes).to_string(),
		});
	}
	match cid.codec() {
		unixfs::RAW => {
			out.write_all(&bytes)?;
			*done += bytes.len() as u64;
			progress(*done);
		}
		unixfs::DAG_PB => {
			let links = unixfs::node_links(&bytes)
				.ok_or_else(|| StoreError::Io(format!("block {cid} is not a dag-pb node")))?;
			for link in links {
				copy_blocks(dir, &link, out, done, progress)?;
			}
		}
		other => return Err(StoreError::Io(format!("block {cid} has unknown codec {other:#x}"))),
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A Kubo API that accepts a connection, answers a head (or not), and then sends the
	/// bytes in `body` and nothing more, never closing: a node still looking for a file.
	fn silent_node(head: bool, body: &'static [u8]) -> String {
		let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let url = format!("http://{}", listener.local_addr().unwrap());
		std::thread::spawn(move || {
			let (mut stream, _) = listener.accept().unwrap();
			let mut request = [0u8; 1024];
			let _ = std::io::Read::read(&mut stream, &mut request);
			if head {
				let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n");
				let _ = stream.write_all(body);
			}
			std::thread::sleep(Duration::from_secs(30));
		});
		url
	}

	#[test]
	fn a_file_nobody_sends_fails_after_the_stall_timeout_and_says_why() {
		let cid = unixfs::cid_of(&b"nobody has this"[..]).unwrap().0;
		let stall = Duration::from_millis(500);
		let mut out = Vec::new();
		let err = cat_into(&silent_node(false, b""), &cid, &mut out, &|_| {}, stall).unwrap_err();
		assert!(matches!(err, StoreError::NotFound(ref c) if *c == cid.to_string()), "{err}");
		assert!(err.to_string().contains("no hospital's node holds it yet"));
		// A transfer that starts and then stops is a stall, not a missing file.
		let err = cat_into(&silent_node(true, b"some bytes"), &cid, &mut out, &|_| {}, stall)
			.unwrap_err();
		assert!(err.to_string().contains("stalled"), "{err}");
		assert_eq!(out, b"some bytes");
	}

	#[test]
	fn embedded_store_round_trip_and_tamper() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::Embedded(dir.path().join("blocks"));
		let input = dir.path().join("in");
		let data: Vec<u8> = (0..(unixfs::CHUNK_SIZE * 3 + 77)).map(|i| (i % 253) as u8).collect();
		std::fs::write(&input, &data).unwrap();
		let cid = store.add(&input, &|_| {}).unwrap();
		assert_eq!(cid, unixfs::cid_of(&data[..]).unwrap().0);

		let out = dir.path().join("out");
		assert_eq!(store.get(&cid, &out, &|_| {}).unwrap(), data.len() as u64);
		assert_eq!(std::fs::read(&out).unwrap(), data);

		// A damaged leaf is caught and nothing is left behind.
		let leaf = unixfs::block_cid(unixfs::RAW, &data[..unixfs::CHUNK_SIZE]);
		std::fs::write(block_path(&dir.path().join("blocks"), &leaf), b"changed").unwrap();
		assert!(matches!(store.get(&cid, &out, &|_| {}), Err(StoreError::Mismatch { .. })));
		assert!(!out.exists());
		// A file stored elsewhere: the error sends the reader to their hospital's node.
		let unknown = unixfs::block_cid(unixfs::RAW, b"never stored");
		let error = store.get(&unknown, &out, &|_| {}).unwrap_err();
		assert!(matches!(error, StoreError::NotInEmbedded(_)));
		assert!(error.to_string().contains("your hospital's IPFS node (--ipfs-api"));
	}

	#[test]
	fn unpinning_from_the_embedded_store_deletes_every_block_of_the_file() {
		let dir = tempfile::tempdir().unwrap();
		let blocks = dir.path().join("blocks");
		let store = Store::Embedded(blocks.clone());
		let input = dir.path().join("in");
		let data: Vec<u8> = (0..(unixfs::CHUNK_SIZE * 2 + 5)).map(|i| (i % 251) as u8).collect();
		std::fs::write(&input, &data).unwrap();
		let cid = store.add(&input, &|_| {}).unwrap();
		let other = dir.path().join("other");
		std::fs::write(&other, b"another file").unwrap();
		let kept = store.add(&other, &|_| {}).unwrap();
		assert_eq!(std::fs::read_dir(&blocks).unwrap().count(), 5);

		assert!(store.unpin(&cid).unwrap());
		assert_eq!(std::fs::read_dir(&blocks).unwrap().count(), 1);
		let out = dir.path().join("out");
		assert!(matches!(store.get(&cid, &out, &|_| {}), Err(StoreError::NotInEmbedded(_))));
		assert!(!store.unpin(&cid).unwrap());
		assert!(store.get(&kept, &out, &|_| {}).is_ok());
	}
}
