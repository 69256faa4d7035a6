//! `medchain ipfs` and `medchain follow`: content addressing, and the hospital's pinning
//! follower.

use super::*;

/// `medchain ipfs cid|add`: a file's CID, computed here, or the file stored as it is.
pub fn ipfs(ctx: &Ctx, cmd: IpfsCmd) -> Result<()> {
	let (file, cid) = match cmd {
		IpfsCmd::Cid { file, encrypt } => {
			let reader = std::fs::File::open(&file)
				.map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", file.display())))?;
			let reader = std::io::BufReader::new(reader);
			let cid = if encrypt {
				let mut dag = crate::unixfs::DagBuilder::new(|_: &cid::Cid, _: &[u8]| Ok(()));
				crypto::encrypt_stream(
					&crypto::new_data_key(),
					&[0; 32],
					reader,
					DagWriter(&mut dag),
				)?;
				dag.finish()?.0
			} else {
				crate::unixfs::cid_of(reader)?.0
			};
			(file, cid)
		}
		IpfsCmd::Add { file } => {
			let cid = ctx.store.add(&file, &|_| {})?;
			(file, cid)
		}
	};
	if ctx.json {
		ctx.emit(&json!({ "file": file, "cid": cid.to_string() }));
	} else {
		println!("{cid}");
	}
	Ok(())
}

/// The pinning follower (`medchain follow run`) and its status.
pub fn follow(ctx: &Ctx, cmd: FollowCmd) -> Result<()> {
	use crate::{
		follow::{Follower, State, Work},
		replication::Replication,
	};
	let path_of = |state: Option<PathBuf>| state.unwrap_or_else(|| ctx.home.join("follower.json"));
	match cmd {
		FollowCmd::Status { state } => {
			let path = path_of(state);
			let summary = State::load(&path)?.summary();
			if ctx.json {
				ctx.emit(&json!(summary));
			} else {
				println!(
					"block {}: {} pinned, {} unpinned, {} to pin, {} to unpin, {} failed attempts",
					summary.block,
					summary.pinned,
					summary.unpinned,
					summary.pending_pins,
					summary.pending_unpins,
					summary.failures
				);
				for f in &summary.failing {
					println!(
						"  {} {}: {} attempts, last: {}",
						match f.work {
							Work::Pin => "pin",
							Work::Unpin => "unpin",
						},
						f.cid,
						f.attempts,
						f.last_error.as_deref().unwrap_or("")
					);
				}
			}
			Ok(())
		}
		FollowCmd::Run { state, poll, keep, hospital, min_replicas } => {
			if matches!(ctx.store, Store::Embedded(_)) {
				return Err(fail(
					exit::USAGE,
					"the follower keeps an IPFS node's pins: give the hospital's node with \
					 --ipfs-api (or MEDCHAIN_IPFS_API)",
				));
			}
			let replication = match (keep, hospital) {
				(Keep::Own, Some(hospital)) => Replication::Own { hospital, min_replicas },
				(Keep::Own, None) => {
					return Err(fail(exit::USAGE, "--keep own needs --hospital <id>"))
				}
				(Keep::All, _) => Replication::All,
			};
			let path = path_of(state);
			let mut follower = Follower::new(&ctx.chain, &ctx.store, path.clone(), replication)?;
			eprintln!(
				"following {} from block {} (state in {}); keeping {} on the IPFS node",
				ctx.chain.url(),
				follower.state.block + 1,
				path.display(),
				replication.describe()
			);
			loop {
				match follower.read_blocks() {
					Ok(0) => {}
					Ok(n) => eprintln!(
						"read up to block {} ({n} new): {} pieces of work pending",
						follower.state.block,
						follower.state.pending.len()
					),
					// The node may be restarting: try again at the next look.
					Err(e) => eprintln!("cannot read the chain now: {e}"),
				}
				match follower.work() {
					Ok(0) => {}
					Ok(n) => eprintln!(
						"{n} done: {} pinned, {} unpinned so far, {} pending",
						follower.state.pinned,
						follower.state.unpinned,
						follower.state.pending.len()
					),
					Err(e) => {
						return Err(fail(
							exit::STORE,
							format!("cannot write the follower's state {}: {e}", path.display()),
						))
					}
				}
				std::thread::sleep(std::time::Duration::from_secs(poll));
			}
		}
	}
}

#[derive(Subcommand)]
pub enum FollowCmd {
	/// Follow until stopped: read each finalized block, pin new files, unpin erased ones.
	Run {
		/// The follower's state file (default: follower.json in the home directory).
		#[arg(long)]
		state: Option<PathBuf>,
		/// Seconds between looks at the chain's finalized head.
		#[arg(long, default_value_t = 2)]
		poll: u64,
		/// What to keep: `all` live files (the default), or `own`: the files of this
		/// hospital's patients and doctors and its share of every file's copies (needs
		/// --hospital; docs/storage.md).
		#[arg(long, value_enum, default_value_t = Keep::All)]
		keep: Keep,
		/// With --keep own: the id of this follower's hospital.
		#[arg(long, required_if_eq("keep", "own"))]
		hospital: Option<u32>,
		/// With --keep own: how many hospitals keep every file at least (every active
		/// hospital must run a follower for the count to hold).
		#[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
		min_replicas: u32,
	},
	/// Where the follower stands, from its state file: the last block read, files pinned
	/// and unpinned, work pending and failing.
	Status {
		/// The follower's state file (default: follower.json in the home directory).
		#[arg(long)]
		state: Option<PathBuf>,
	},
}

/// What a follower keeps.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
	All,
	Own,
}

#[derive(Subcommand)]
pub enum IpfsCmd {
	/// The CID IPFS gives this file (CIDv1, raw leaves, 256 KiB chunks), computed locally.
	Cid {
		file: PathBuf,
		/// Encrypt the file first (fresh key, as a record upload does) and give the CID of
		/// the ciphertext; nothing is stored. For measuring the upload path.
		#[arg(long)]
		encrypt: bool,
	},
	/// Store a file unencrypted in the configured store (embedded or --ipfs-api); its CID.
	Add { file: PathBuf },
}
