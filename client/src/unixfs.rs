//! Content addressing as IPFS does it: a file cut into 256 KiB raw leaves under a balanced
//! UnixFS DAG of dag-pb nodes (at most 174 links each), addressed by CIDv1 with SHA2-256.
//! These are the defaults of `ipfs add --cid-version=1` (Kubo and js-ipfs), so the same
//! bytes get the same CID here as on a hospital's IPFS node.
//!
//! The DAG is built while the bytes stream past; memory holds one leaf and one small link
//! entry per 256 KiB of input.

use cid::Cid;
use multihash::Multihash;
use sha2::{Digest, Sha256};
use std::io::Read;

/// Leaf size (`--chunker=size-262144`).
pub const CHUNK_SIZE: usize = 256 * 1024;
/// Links per node of the balanced layout.
pub const MAX_LINKS: usize = 174;
/// Multicodec of raw leaves.
pub const RAW: u64 = 0x55;
/// Multicodec of dag-pb nodes.
pub const DAG_PB: u64 = 0x70;
const SHA2_256: u64 = 0x12;

/// The CID of a block of `codec` with these bytes.
pub fn block_cid(codec: u64, bytes: &[u8]) -> Cid {
	let digest = Sha256::digest(bytes);
	Cid::new_v1(codec, Multihash::<64>::wrap(SHA2_256, &digest).expect("32 bytes fit"))
}

/// Whether `bytes` are the block `cid` names (SHA2-256 only, which is all MedChain writes).
pub fn block_matches(cid: &Cid, bytes: &[u8]) -> bool {
	cid.hash().code() == SHA2_256 && cid.hash().digest() == Sha256::digest(bytes).as_slice()
}

/// A child of a DAG node.
#[derive(Clone, Debug)]
struct Link {
	cid: Cid,
	/// Bytes of file content under the link.
	file_size: u64,
	/// Bytes of all blocks under the link (dag-pb `Tsize`).
	total_size: u64,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
	while v >= 0x80 {
		out.push((v as u8) | 0x80);
		v >>= 7;
	}
	out.push(v as u8);
}

fn put_bytes_field(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
	out.push(tag);
	put_varint(out, bytes.len() as u64);
	out.extend_from_slice(bytes);
}

/// The dag-pb node of a UnixFS file over `links`, in canonical dag-pb form (links first).
fn file_node(links: &[Link]) -> Vec<u8> {
	// UnixFS `Data`: Type = File (2), filesize, one blocksize per link.
	let mut data = vec![0x08, 0x02];
	data.push(0x18);
	put_varint(&mut data, links.iter().map(|l| l.file_size).sum());
	for link in links {
		data.push(0x20);
		put_varint(&mut data, link.file_size);
	}
	let mut node = Vec::new();
	for link in links {
		let mut pb_link = Vec::new();
		put_bytes_field(&mut pb_link, 0x0a, &link.cid.to_bytes());
		put_bytes_field(&mut pb_link, 0x12, b"");
		pb_link.push(0x18);
		put_varint(&mut pb_link, link.total_size);
		put_bytes_field(&mut node, 0x12, &pb_link);
	}
	put_bytes_field(&mut node, 0x0a, &data);
	node
}

/// Builds the DAG of a stream of bytes. Blocks are handed to `sink` as they are made,
/// leaves first, the root last.
pub struct DagBuilder<F: FnMut(&Cid, &[u8]) -> std::io::Result<()>> {
	sink: F,
	leaves: Vec<Link>,
	buffer: Vec<u8>,
	size: u64,
}

impl<F: FnMut(&Cid, &[u8]) -> std::io::Result<()>> DagBuilder<F> {
	pub fn new(sink: F) -> Self {
		Self { sink, leaves: Vec::new(), buffer: Vec::with_capacity(CHUNK_SIZE), size: 0 }
	}

	/// Feed the next bytes of the file.
	pub fn write(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
		self.size += bytes.len() as u64;
		while !bytes.is_empty() {
			let take = (CHUNK_SIZE - self.buffer.len()).min(bytes.len());
			self.buffer.extend_from_slice(&bytes[..take]);
			bytes = &bytes[take..];
			if self.buffer.len() == CHUNK_SIZE {
				self.flush_leaf()?;
			}
		}
		Ok(())
	}

	fn flush_leaf(&mut self) -> std::io::Result<()> {
		let cid = block_cid(RAW, &self.buffer);
		(self.sink)(&cid, &self.buffer)?;
		let len = self.buffer.len() as u64;
		self.leaves.push(Link { cid, file_size: len, total_size: len });
		self.buffer.clear();
		Ok(())
	}

	/// The root CID and the file's size.
	pub fn finish(mut self) -> std::io::Result<(Cid, u64)> {
		// An empty file is one empty leaf; a last partial chunk is a short leaf.
		if !self.buffer.is_empty() || self.leaves.is_empty() {
			self.flush_leaf()?;
		}
		if self.leaves.len() == 1 {
			return Ok((self.leaves[0].cid, self.size));
		}
		let mut level = core::mem::take(&mut self.leaves);
		loop {
			let mut parents = Vec::with_capacity(level.len().div_ceil(MAX_LINKS));
			for group in level.chunks(MAX_LINKS) {
				let node = file_node(group);
				let cid = block_cid(DAG_PB, &node);
				(self.sink)(&cid, &node)?;
				parents.push(Link {
					cid,
					file_size: group.iter().map(|l| l.file_size).sum(),
					total_size: node.len() as u64 + group.iter().map(|l| l.total_size).sum::<u64>(),
				});
			}
			if parents.len() == 1 {
				return Ok((parents[0].cid, self.size));
			}
			level = parents;
		}
	}
}

/// The CID of everything `reader` yields, blocks discarded.
pub fn cid_of(reader: impl Read) -> std::io::Result<(Cid, u64)> {
	import(reader, |_, _| Ok(()))
}

/// Cut `reader` into blocks handed to `sink`; the root CID and the file size.
pub fn import(
	mut reader: impl Read,
	sink: impl FnMut(&Cid, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<(Cid, u64)> {
	let mut builder = DagBuilder::new(sink);
	let mut buf = vec![0u8; 64 * 1024];
	loop {
		match reader.read(&mut buf) {
			Ok(0) => break,
			Ok(n) => builder.write(&buf[..n])?,
			Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
			Err(e) => return Err(e),
		}
	}
	builder.finish()
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
	let mut value = 0u64;
	for shift in (0..64).step_by(7) {
		let b = *bytes.get(*at)?;
		*at += 1;
		value |= u64::from(b & 0x7f) << shift;
		if b & 0x80 == 0 {
			return Some(value);
		}
	}
	None
}

/// The CIDs a dag-pb node links to, in order. `None` if the bytes are not a dag-pb node.
pub fn node_links(node: &[u8]) -> Option<Vec<Cid>> {
	let mut links = Vec::new();
	let mut at = 0;
	while at < node.len() {
		let tag = read_varint(node, &mut at)?;
		if tag & 7 != 2 {
			return None;
		}
		let len = read_varint(node, &mut at)? as usize;
		let body = node.get(at..at.checked_add(len)?)?;
		at += len;
		if tag >> 3 == 2 {
			// PBLink: field 1 is the child's CID.
			let mut i = 0;
			let mut cid = None;
			while i < body.len() {
				let t = read_varint(body, &mut i)?;
				match t & 7 {
					0 => {
						read_varint(body, &mut i)?;
					}
					2 => {
						let l = read_varint(body, &mut i)? as usize;
						let field = body.get(i..i.checked_add(l)?)?;
						i += l;
						if t >> 3 == 1 {
							cid = Some(Cid::try_from(field).ok()?);
						}
					}
					_ => return None,
				}
			}
			links.push(cid?);
		}
	}
	Some(links)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn cid_of_bytes(bytes: &[u8]) -> String {
		cid_of(bytes).unwrap().0.to_string()
	}

	#[test]
	fn small_files_are_one_raw_leaf() {
		// The empty raw block and "hello\n" as `ipfs add --cid-version=1` names them.
		assert_eq!(
			cid_of_bytes(b""),
			"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
		);
		assert_eq!(
			cid_of_bytes(b"hello\n"),
			"bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"
		);
		let chunk = vec![1u8; CHUNK_SIZE];
		assert_eq!(cid_of(&chunk[..]).unwrap().0, block_cid(RAW, &chunk));
	}

	#[test]
	fn larger_files_get_a_balanced_dag() {
		let mut blocks = Vec::new();
		let data: Vec<u8> = (0..(CHUNK_SIZE * 2 + 1)).map(|i| i as u8).collect();
		let (root, size) = import(&data[..], |cid, bytes| {
			blocks.push((*cid, bytes.to_vec()));
			Ok(())
		})
		.unwrap();
		assert_eq!(size, data.len() as u64);
		assert_eq!(blocks.len(), 4);
		let (root_cid, node) = blocks.last().unwrap();
		assert_eq!(*root_cid, root);
		assert_eq!(root.codec(), DAG_PB);
		let links = node_links(node).unwrap();
		assert_eq!(links, blocks[..3].iter().map(|(c, _)| *c).collect::<Vec<_>>());
		assert!(blocks.iter().all(|(cid, bytes)| block_matches(cid, bytes)));
	}

	#[test]
	fn more_than_174_leaves_add_a_level() {
		let leaves = MAX_LINKS + 1;
		let mut nodes = Vec::new();
		let (root, _) =
			import(std::io::repeat(3).take((leaves * CHUNK_SIZE) as u64), |cid, bytes| {
				if cid.codec() == DAG_PB {
					nodes.push(node_links(bytes).unwrap().len());
				}
				Ok(())
			})
			.unwrap();
		assert_eq!(root.codec(), DAG_PB);
		assert_eq!(nodes, vec![MAX_LINKS, 1, 2]);
	}

	#[test]
	fn malformed_nodes_are_refused() {
		assert!(node_links(&[0x12, 0x05, 0x0a]).is_none());
		assert!(node_links(&[0x08, 0x01]).is_none());
	}
}
