//! The commands of `medchain`, one module per role, each with its own arguments and
//! `run`-like function taking a [`Ctx`]. The binary (`src/main.rs`) parses the command
//! line into [`Cli`] and calls [`run`]; the dashboards will call the same functions.

mod account;
mod admin;
mod audit;
mod consent;
mod context;
mod doctor;
mod emergency;
mod ipfs;
mod patient;
mod records;

pub use account::*;
pub use admin::*;
pub use audit::*;
pub use consent::*;
pub use context::*;
pub use doctor::*;
pub use emergency::*;
pub use ipfs::*;
pub use patient::*;
pub use records::*;

use crate::{
	chain::{self, Chain, ChainError, Included, Wait},
	crypto::{self, CryptoError},
	files,
	ipfs::{Store, StoreError},
	keys::{self, Identity, KeyError, Keystore},
};
use codec::{Decode, Encode};
use frame_support::{traits::Get, BoundedVec, StorageHasher};
use medchain_api::views::{Grant, Record, Request};
use medchain_primitives::{RecordCategory, WrappedKey};
use medchain_runtime::{RuntimeCall, RuntimeEvent};
use serde_json::{json, Value};
use sp_core::crypto::AccountId32;
use std::{
	cell::RefCell,
	collections::HashMap,
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

use crate::output;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// A command's failure: a sentence and the process exit code. Every layer's error
/// (chain, store, keys, crypto) becomes one, with the exit code of its kind.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
	pub code: i32,
	pub message: String,
	/// The runtime's error, `(pallet, error)`, when a call failed in a block.
	pub module: Option<(String, String)>,
}

/// Exit codes: what kind of thing went wrong.
pub mod exit {
	/// The chain refused or failed the call.
	pub const CHAIN: i32 = 1;
	/// Bad arguments.
	pub const USAGE: i32 = 2;
	/// Keystore or password.
	pub const KEYS: i32 = 3;
	/// IPFS or the block store.
	pub const STORE: i32 = 4;
	/// Decryption or verification.
	pub const CRYPTO: i32 = 5;
	/// No node.
	pub const UNREACHABLE: i32 = 6;
}

pub fn fail(code: i32, message: impl Into<String>) -> Failure {
	Failure { code, message: message.into(), module: None }
}

/// `items` as a call's bounded argument: the chain refuses a longer list
/// before it reaches a block, so say here what is too long.
pub fn bounded<T, S: Get<u32>>(items: Vec<T>, what: &str) -> Result<BoundedVec<T, S>> {
	let len = items.len();
	items
		.try_into()
		.map_err(|_| fail(exit::USAGE, format!("{what} is too long: {len}, at most {}", S::get())))
}

impl From<KeyError> for Failure {
	fn from(e: KeyError) -> Self {
		fail(exit::KEYS, e.to_string())
	}
}

impl From<StoreError> for Failure {
	fn from(e: StoreError) -> Self {
		// Bytes that are not the file the chain names fail verification, whoever served them.
		let code =
			if matches!(e, StoreError::Mismatch { .. }) { exit::CRYPTO } else { exit::STORE };
		fail(code, e.to_string())
	}
}

impl From<CryptoError> for Failure {
	fn from(e: CryptoError) -> Self {
		fail(exit::CRYPTO, e.to_string())
	}
}

impl Failure {
	/// The sentence without the runtime's `[Pallet.Error]` tag: for people, who act on the
	/// words (the command line keeps the tag for operators and the docs).
	pub fn plain(&self) -> String {
		match &self.module {
			Some((pallet, error)) => self.message.replace(&format!(" [{pallet}.{error}]"), ""),
			None => self.message.clone(),
		}
	}
}

impl From<ChainError> for Failure {
	fn from(e: ChainError) -> Self {
		let code = if matches!(e, ChainError::Unreachable { .. }) {
			exit::UNREACHABLE
		} else {
			exit::CHAIN
		};
		let module = match &e {
			ChainError::Failed { pallet, error, .. } => Some((pallet.clone(), error.clone())),
			_ => None,
		};
		Failure { module, ..fail(code, e.to_string()) }
	}
}

impl From<std::io::Error> for Failure {
	fn from(e: std::io::Error) -> Self {
		fail(exit::STORE, e.to_string())
	}
}

pub type Result<T> = std::result::Result<T, Failure>;

/// What every command works with.
pub struct Ctx {
	chain: Chain,
	/// The second node readers' keys are checked against, if any.
	verify: Option<Chain>,
	store: Store,
	keystore: Keystore,
	home: PathBuf,
	json: bool,
	account: Option<String>,
	wait: Option<Wait>,
	names: RefCell<HashMap<String, String>>,
	/// The JSON results of the commands run, when called from code ([`Ctx::capturing`]).
	captured: Option<RefCell<Vec<Value>>>,
	/// The password of `account`, when a caller holds it (the dashboards' session).
	password: Option<zeroize::Zeroizing<String>>,
	globals: Globals,
}

impl Ctx {
	/// What the global options name: the node (and a second one to check
	/// against), the store, the home directory, the account, JSON or text.
	pub fn new(cli: &Globals) -> Self {
		let home = cli.home.clone().unwrap_or_else(|| {
			std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".medchain")
		});
		let store = match cli.ipfs_api.as_str() {
			"embedded" => Store::Embedded(home.join("blocks")),
			url => Store::Kubo(url.trim_end_matches('/').to_string()),
		};
		Ctx {
			chain: Chain::new(&cli.node),
			verify: cli.verify_node.as_deref().map(Chain::new),
			store,
			keystore: Keystore::new(&home),
			home,
			json: cli.json,
			account: cli.as_account.clone(),
			wait: cli.wait,
			names: RefCell::new(HashMap::new()),
			captured: None,
			password: None,
			globals: cli.clone(),
		}
	}

	/// The same context, unlocking its account with `password` instead of asking.
	pub fn with_password(self, password: zeroize::Zeroizing<String>) -> Self {
		Ctx { password: Some(password), ..self }
	}

	/// The same context, telling `on_step` where each call it sends is (pending, in a
	/// block, finalized).
	pub fn with_steps(self, on_step: impl Fn(crate::chain::Step) + 'static) -> Self {
		Ctx { chain: self.chain.with_steps(on_step), ..self }
	}

	/// The node this context talks to.
	pub fn chain(&self) -> &Chain {
		&self.chain
	}

	/// Where the keystore, blocks and temporary files are.
	pub fn home(&self) -> &Path {
		&self.home
	}

	/// A context for calling the commands from code (the dashboards): every command's
	/// result is kept as the JSON `--json` would print, for [`Ctx::take_results`], and
	/// nothing is printed but warnings.
	pub fn capturing(cli: &Globals) -> Self {
		Ctx { json: true, captured: Some(RefCell::new(Vec::new())), ..Ctx::new(cli) }
	}

	/// The results kept since the last call (none unless [`Ctx::capturing`]).
	pub fn take_results(&self) -> Vec<Value> {
		self.captured.as_ref().map(|c| c.take()).unwrap_or_default()
	}

	/// A command's result: printed as JSON, or kept when capturing.
	pub fn emit(&self, value: &Value) {
		match &self.captured {
			Some(kept) => kept.borrow_mut().push(value.clone()),
			None => output::json(value),
		}
	}
}

/// Run one command line.
pub fn run(cli: Cli) -> Result<()> {
	let ctx = Ctx::new(&cli.globals);
	execute(&ctx, cli.command)
}

/// Run one command in a context (from [`Ctx::new`] or [`Ctx::capturing`]).
pub fn execute(ctx: &Ctx, command: Command) -> Result<()> {
	match command {
		Command::Account(cmd) => account(ctx, cmd),
		Command::Admin(cmd) => admin(ctx, cmd),
		Command::Doctor(cmd) => doctor(ctx, cmd),
		Command::Patient(cmd) => patient(ctx, cmd),
		Command::Audit(AuditCmd::Trail { entity, by_actor }) => audit(ctx, &entity, by_actor),
		Command::Follow(cmd) => follow(ctx, cmd),
		Command::Ipfs(cmd) => ipfs(ctx, cmd),
		Command::ReleaseService(cmd) => release_service(ctx, cmd),
		Command::Ui { port, idle_timeout } => {
			let idle = Duration::from_secs(idle_timeout);
			Ok(crate::ui::serve(ctx.globals.clone(), port, idle)?)
		}
	}
}

pub fn password(prompt: &str) -> Result<String> {
	if let Ok(p) = std::env::var("MEDCHAIN_PASSWORD") {
		return Ok(p);
	}
	rpassword::prompt_password(prompt).map_err(|e| {
		fail(exit::KEYS, format!("cannot read a password ({e}): set MEDCHAIN_PASSWORD"))
	})
}

pub fn short(address: &str) -> String {
	if address.len() > 14 {
		format!("{}…{}", &address[..6], &address[address.len() - 6..])
	} else {
		address.to_string()
	}
}

/// A scope in words: `all records`, `LabResult, Imaging`, `records 3, 4`.
pub fn scope_text<C: AsRef<[RecordCategory]>, R: AsRef<[u64]>>(
	scope: &medchain_primitives::Scope<C, R>,
) -> String {
	use medchain_primitives::Scope;
	match scope {
		Scope::All => "all records".into(),
		Scope::Categories(c) => {
			c.as_ref().iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
		}
		Scope::Records(r) => format!(
			"records {}",
			r.as_ref().iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
		),
	}
}

/// A grant's terms as the audit trail records them, in words:
/// `all records, Read, for Treatment, until 2026-…` (or `until revoked`).
pub fn terms_text(terms: &medchain_primitives::GrantTerms) -> String {
	let until = terms.expires_at.map_or_else(|| "revoked".into(), output::local_ms);
	format!(
		"{}, {:?}, for {:?}, until {until}",
		scope_text(&terms.scope),
		terms.permission,
		terms.purpose,
	)
}

pub fn now_ms() -> u64 {
	chrono::Utc::now().timestamp_millis() as u64
}

pub fn expiry(days: Option<u64>) -> Option<u64> {
	days.map(|d| now_ms() + d * 24 * 3600 * 1000)
}

/// The chain's error about a call, reworded for the people of MedChain where the
/// generic documentation is not enough.
pub fn reword(e: Failure, hint: impl Fn(&str, &str) -> Option<String>) -> Failure {
	let Some((pallet, error)) = &e.module else { return e };
	match hint(pallet, error) {
		Some(text) => Failure {
			message: format!("{text} [{pallet}.{error}]"),
			module: e.module.clone(),
			..fail(e.code, "")
		},
		None => e,
	}
}

/// The raw storage key of `pallet`'s `item`, followed by `hashed_keys` (the map's keys,
/// each already hashed as the map hashes it; none for a value or a whole map's prefix).
pub fn storage_key(pallet: &str, item: &str, hashed_keys: &[&[u8]]) -> Vec<u8> {
	let mut key = [
		frame_support::Twox128::hash(pallet.as_bytes()),
		frame_support::Twox128::hash(item.as_bytes()),
	]
	.concat();
	for hashed in hashed_keys {
		key.extend_from_slice(hashed);
	}
	key
}

/// Where a hospital's IPFS node serves its API on the machine it runs on.
pub const DEFAULT_IPFS_API: &str = "http://127.0.0.1:5001";

#[derive(Parser)]
#[command(
	name = "medchain",
	version,
	about = "MedChain client: keys, encrypted records, IPFS and the chain"
)]
pub struct Cli {
	#[command(flatten)]
	pub globals: Globals,
	#[command(subcommand)]
	pub command: Command,
}

/// The options every command takes: where the chain, the store and the keys are, who
/// acts, and how the answer is shown.
#[derive(Args, Clone, Debug)]
pub struct Globals {
	/// The node to talk to (HTTP or WebSocket URL of its RPC port).
	#[arg(long, global = true, env = "MEDCHAIN_NODE_URL", default_value = "http://127.0.0.1:9944")]
	pub node: String,
	/// A second node (of another hospital, or run by the user) to check against: before a
	/// data key is wrapped to a reader, both nodes must give the same encryption key for
	/// that reader at the same finalized block, and before a data key is split among the
	/// hospitals, the same key-release keys.
	#[arg(long, global = true, env = "MEDCHAIN_VERIFY_NODE_URL")]
	pub verify_node: Option<String>,
	/// Your hospital's IPFS node (its Kubo RPC API), where records are stored and fetched
	/// (docs/storage.md). `embedded` keeps files in a block store under the home directory
	/// instead: only for files nobody else will open, and for tests.
	#[arg(long, global = true, env = "MEDCHAIN_IPFS_API", default_value = DEFAULT_IPFS_API)]
	pub ipfs_api: String,
	/// Where keys, blocks and temporary files live.
	#[arg(long, global = true, env = "MEDCHAIN_HOME")]
	pub home: Option<PathBuf>,
	/// The keystore account to act as.
	#[arg(long = "as", global = true, env = "MEDCHAIN_ACCOUNT", value_name = "ACCOUNT")]
	pub as_account: Option<String>,
	/// Print JSON for scripts instead of tables.
	#[arg(long, global = true)]
	pub json: bool,
	/// What a write waits for: `finalized` (the hospitals' validators finalized its block;
	/// the default for grants, revocations, approvals, denials, key rotations and erasures)
	/// or `in-block` (its block is on the best chain; the default for the rest).
	#[arg(long, global = true, value_enum, env = "MEDCHAIN_WAIT")]
	pub wait: Option<Wait>,
}

#[derive(Subcommand)]
pub enum Command {
	/// Create, import, list, show and export accounts.
	#[command(subcommand)]
	Account(AccountCmd),
	/// A hospital admin's work.
	#[command(subcommand)]
	Admin(AdminCmd),
	/// A doctor's work.
	#[command(subcommand)]
	Doctor(DoctorCmd),
	/// A patient's work (or a guardian's, with --for).
	#[command(subcommand)]
	Patient(PatientCmd),
	/// An auditor's work: audit trails, verified.
	#[command(subcommand)]
	Audit(AuditCmd),
	/// Content addressing: a file's CID, or store a file as it is.
	#[command(subcommand)]
	Ipfs(IpfsCmd),
	/// A hospital's pinning follower: keep the IPFS node (--ipfs-api) holding exactly the
	/// files the chain's finalized blocks name as live (docs/storage.md).
	#[command(subcommand)]
	Follow(FollowCmd),
	/// A hospital's key-release service: release the hospital's shares of escrowed record
	/// keys to doctors who break the glass (docs/emergency-access.md).
	#[command(subcommand)]
	ReleaseService(ReleaseCmd),
	/// The dashboards: a web app on 127.0.0.1 for patients, doctors, admins and auditors
	/// (docs/dashboard.md). Prints the link to open, which works once.
	Ui {
		/// The port on 127.0.0.1 (0: any free one).
		#[arg(long, default_value_t = 0)]
		port: u16,
		/// Seconds without a request after which a signed-in session is signed out.
		#[arg(long, default_value_t = crate::ui::IDLE_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
		idle_timeout: u64,
	},
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The commands are the library's: called from code with a capturing context, a
	/// command's result comes back as the JSON `--json` prints, and nothing is printed.
	#[test]
	fn a_command_called_from_code_returns_its_json() {
		let home = tempfile::tempdir().unwrap();
		let cli = Cli::parse_from([
			"medchain",
			"--home",
			home.path().to_str().unwrap(),
			"account",
			"list",
		]);
		let ctx = Ctx::capturing(&cli.globals);
		execute(&ctx, cli.command).map_err(|e| e.message).unwrap();
		assert_eq!(ctx.take_results(), vec![json!([])]);
		assert!(ctx.take_results().is_empty(), "taken once");
		// A failure is a value too, with its exit code.
		let cli = Cli::parse_from([
			"medchain",
			"--home",
			home.path().to_str().unwrap(),
			"account",
			"show",
			"nobody",
		]);
		let failure = execute(&Ctx::capturing(&cli.globals), cli.command).unwrap_err();
		assert_eq!(failure.code, exit::KEYS);
		assert!(failure.message.contains("no account named 'nobody'"), "{}", failure.message);
	}
}
