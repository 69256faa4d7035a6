//! What each command does: the steps of every role's flow, on top of the library.

use codec::{Decode, Encode};
use frame_support::{traits::Get, BoundedVec, StorageHasher};
use medchain_api::views::{Grant, Record, Request};
use medchain_client::{
	chain::{self, Chain, ChainError, Included},
	crypto::{self, CryptoError},
	files,
	ipfs::{Store, StoreError},
	keys::{self, Identity, KeyError, Keystore},
};
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

use crate::{cli::*, output};

/// A command's failure: a sentence and the process exit code.
pub struct Failure {
	pub code: i32,
	pub message: String,
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

fn fail(code: i32, message: impl Into<String>) -> Failure {
	Failure { code, message: message.into() }
}

/// `items` as a call's bounded argument: the chain refuses a longer list
/// before it reaches a block, so say here what is too long.
fn bounded<T, S: Get<u32>>(items: Vec<T>, what: &str) -> Result<BoundedVec<T, S>> {
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
impl From<ChainError> for Failure {
	fn from(e: ChainError) -> Self {
		let code = if matches!(e, ChainError::Unreachable { .. }) {
			exit::UNREACHABLE
		} else {
			exit::CHAIN
		};
		fail(code, e.to_string())
	}
}
impl From<std::io::Error> for Failure {
	fn from(e: std::io::Error) -> Self {
		fail(exit::STORE, e.to_string())
	}
}

type Result<T> = std::result::Result<T, Failure>;

struct Ctx {
	chain: Chain,
	/// The second node readers' keys are checked against, if any.
	verify: Option<Chain>,
	store: Store,
	keystore: Keystore,
	home: PathBuf,
	json: bool,
	account: Option<String>,
	names: RefCell<HashMap<String, String>>,
}

pub fn run(cli: Cli) -> Result<()> {
	let home = cli.home.clone().unwrap_or_else(|| {
		std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".medchain")
	});
	let store = match cli.ipfs_api.as_str() {
		"embedded" => Store::Embedded(home.join("blocks")),
		url => Store::Kubo(url.trim_end_matches('/').to_string()),
	};
	let ctx = Ctx {
		chain: Chain::new(&cli.node),
		verify: cli.verify_node.as_deref().map(Chain::new),
		store,
		keystore: Keystore::new(&home),
		home,
		json: cli.json,
		account: cli.as_account.clone(),
		names: RefCell::new(HashMap::new()),
	};
	match cli.command {
		Command::Account(cmd) => account(&ctx, cmd),
		Command::Admin(cmd) => admin(&ctx, cmd),
		Command::Doctor(cmd) => doctor(&ctx, cmd),
		Command::Patient(cmd) => patient(&ctx, cmd),
		Command::Audit(AuditCmd::Trail { entity, by_actor }) => audit(&ctx, &entity, by_actor),
		Command::Follow(cmd) => follow(&ctx, cmd),
		Command::Ipfs(cmd) => {
			let (file, cid) = match cmd {
				IpfsCmd::Cid { file, encrypt } => {
					let reader = std::fs::File::open(&file).map_err(|e| {
						fail(exit::USAGE, format!("cannot read {}: {e}", file.display()))
					})?;
					let reader = std::io::BufReader::new(reader);
					let cid = if encrypt {
						let mut dag =
							medchain_client::unixfs::DagBuilder::new(|_: &cid::Cid, _: &[u8]| {
								Ok(())
							});
						crypto::encrypt_stream(
							&crypto::new_data_key(),
							&[0; 32],
							reader,
							DagWriter(&mut dag),
						)?;
						dag.finish()?.0
					} else {
						medchain_client::unixfs::cid_of(reader)?.0
					};
					(file, cid)
				}
				IpfsCmd::Add { file } => {
					let cid = ctx.store.add(&file, &|_| {})?;
					(file, cid)
				}
			};
			if ctx.json {
				output::json(&json!({ "file": file, "cid": cid.to_string() }));
			} else {
				println!("{cid}");
			}
			Ok(())
		}
	}
}

fn password(prompt: &str) -> Result<String> {
	if let Ok(p) = std::env::var("MEDCHAIN_PASSWORD") {
		return Ok(p);
	}
	rpassword::prompt_password(prompt).map_err(|e| {
		fail(exit::KEYS, format!("cannot read a password ({e}): set MEDCHAIN_PASSWORD"))
	})
}

impl Ctx {
	/// The unlocked account this command acts as.
	fn me(&self) -> Result<Identity> {
		let name = match &self.account {
			Some(name) => name.clone(),
			None => {
				let all = self.keystore.list()?;
				match all.as_slice() {
					[one] => one.name.clone(),
					[] => return Err(fail(exit::KEYS, "no account yet: `medchain account new <name>`")),
					_ => return Err(fail(
						exit::USAGE,
						"several accounts in the keystore: say which with --as <name> (or MEDCHAIN_ACCOUNT)",
					)),
				}
			}
		};
		let pw = password(&format!("password for {name}: "))?;
		Ok(self.keystore.unlock(&name, &pw)?)
	}

	/// An account from an address (any SS58 prefix, 0x hex) or a keystore name.
	fn account(&self, text: &str) -> Result<[u8; 32]> {
		if let Some(acc) = keys::parse_account(text) {
			return Ok(acc);
		}
		if let Ok(info) = self.keystore.info(text) {
			return Ok(keys::parse_account(&info.address).expect("stored addresses parse"));
		}
		Err(fail(
			exit::USAGE,
			format!("'{text}' is neither an address nor an account in this keystore"),
		))
	}

	/// The patient this command concerns: `--for` or oneself.
	fn patient_of(&self, me: &Identity, who: &ForArgs) -> Result<[u8; 32]> {
		match &who.patient {
			Some(p) => self.account(p),
			None => Ok(me.account()),
		}
	}

	/// A readable name: `"Dr. <name>"` for doctors, the keystore name, or the address.
	fn name(&self, address: &str) -> String {
		if let Some(n) = self.names.borrow().get(address) {
			return n.clone();
		}
		let acc = keys::parse_account(address);
		let mut name = None;
		if let Some(acc) = acc {
			if let Ok(Some(doctor)) = self.chain.doctor(&AccountId32::from(acc), None) {
				name = Some(format!("Dr. {}", doctor.name));
			}
			if name.is_none() {
				if let Ok(list) = self.keystore.list() {
					let me = keys::address_of(&acc);
					name = list.into_iter().find(|i| i.address == me).map(|i| i.name);
				}
			}
		}
		let name = name.unwrap_or_else(|| short(address));
		self.names.borrow_mut().insert(address.to_string(), name.clone());
		name
	}

	fn hospital_name(&self, id: medchain_primitives::HospitalId) -> String {
		match self.chain.hospital(id, None) {
			Ok(Some(hospital)) => format!("{} (#{id})", hospital.name),
			_ => format!("hospital #{id}"),
		}
	}

	/// Send a call and report it; `what` names it for the human.
	fn send(&self, me: &Identity, call: RuntimeCall) -> Result<Included> {
		Ok(self.chain.submit(me, call)?)
	}

	fn done(&self, included: &Included, text: String, extra: Value) {
		if self.json {
			let mut v = json!({
				"block": format!("{:?}", included.block),
				"blockNumber": included.block_number,
				"extrinsic": format!("{:?}", included.extrinsic),
				"feeless": included.feeless,
			});
			if let (Some(map), Value::Object(extra)) = (v.as_object_mut(), extra) {
				map.extend(extra);
			}
			output::json(&v);
		} else {
			let fee = if included.feeless { "free" } else { "fee paid" };
			println!("{text} (block #{}, {fee})", included.block_number);
		}
	}

	/// A path for a temporary file of this process, in a directory only the
	/// user can read. Temporary files of processes that are gone (a crash, a
	/// kill) are removed here. They only ever hold ciphertext: no command
	/// writes plaintext anywhere but the output it was asked for.
	fn tmp(&self, name: &str) -> Result<PathBuf> {
		let dir = self.home.join("tmp");
		files::private_dir(&dir)?;
		for entry in std::fs::read_dir(&dir)?.flatten() {
			let file = entry.file_name();
			let pid =
				file.to_str().and_then(|f| f.split('-').next()).and_then(|p| p.parse::<u32>().ok());
			if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
				let _ = std::fs::remove_file(entry.path());
			}
		}
		Ok(dir.join(format!("{}-{name}", std::process::id())))
	}

	/// The public encryption key a reader registered (doctor or patient): a data
	/// key wrapped to it is readable by whoever holds the private key, so with a
	/// second node (`--verify-node`) both must agree on it at the same finalized
	/// block, and that block's key is the one used.
	fn reader_key(&self, account: &[u8; 32]) -> Result<[u8; 32]> {
		let address = keys::address_of(account);
		let Some(second) = &self.verify else {
			return Self::encryption_key_at(&self.chain, account, None)?
				.ok_or_else(|| self.no_key(&address));
		};
		let at = self.chain.finalized_hash()?;
		let block = format!("{at:?}");
		let mine = Self::encryption_key_at(&self.chain, account, Some(at))?;
		// The second node may be a block or two behind: give it a few seconds.
		let mut theirs = Self::encryption_key_at(second, account, Some(at));
		for _ in 0..10 {
			if theirs.is_ok() {
				break;
			}
			std::thread::sleep(std::time::Duration::from_secs(1));
			theirs = Self::encryption_key_at(second, account, Some(at));
		}
		let theirs = theirs.map_err(|e| {
			fail(
				exit::CHAIN,
				format!(
					"the second node ({}) could not answer for block {block}: {}",
					second.url(),
					Failure::from(e).message
				),
			)
		})?;
		if mine != theirs {
			return Err(fail(
				exit::CHAIN,
				format!(
					"the two nodes disagree about {}'s encryption key at block {block} ({} says {}, \
					 {} says {}): nothing was wrapped or sent. One of them is lying or broken",
					self.name(&address),
					self.chain.url(),
					mine.map_or("none".into(), |k| chain::hex0x(&k)),
					second.url(),
					theirs.map_or("none".into(), |k| chain::hex0x(&k)),
				),
			));
		}
		mine.ok_or_else(|| self.no_key(&address))
	}

	/// The encryption key `node` gives for the doctor or patient `account`
	/// (at block `at`, or its best block).
	fn encryption_key_at(
		node: &Chain,
		account: &[u8; 32],
		at: Option<sp_core::H256>,
	) -> std::result::Result<Option<[u8; 32]>, ChainError> {
		let account = AccountId32::from(*account);
		if let Some(doctor) = node.doctor(&account, at)? {
			return Ok(Some(doctor.encryption_key.0));
		}
		Ok(node.patient(&account, at)?.map(|patient| patient.encryption_key.0))
	}

	fn no_key(&self, address: &str) -> Failure {
		fail(
			exit::CHAIN,
			format!(
				"{} has no encryption key on chain (not a patient or doctor)",
				self.name(address)
			),
		)
	}

	fn record(&self, id: u64) -> Result<Record> {
		self.chain.record(id, None)?.ok_or_else(|| {
			fail(exit::CHAIN, format!("there is no record {id} (it may have been erased)"))
		})
	}

	/// Unwrap `me`'s current key to `record`.
	fn data_key(&self, me: &Identity, record: &Record) -> Result<crypto::DataKey> {
		let id = record.id;
		let wrapped =
			self.chain.wrapped_key(id, &AccountId32::from(me.account()))?.ok_or_else(|| {
				fail(
					exit::CHAIN,
					format!(
						"you hold no key to record {id}: the patient must grant you access (or \
						 approve your request) to share it"
					),
				)
			})?;
		let info = crypto::wrap_info(&patient_bytes(record), &origin_cid(record)?, wrapped.epoch);
		Ok(me.encryption.unwrap_key(&wrapped.wrapped, &info, &me.account())?)
	}

	/// Wrap `key` for each reader.
	fn wrap_for(
		&self,
		key: &[u8; 32],
		patient: &[u8; 32],
		origin: &str,
		epoch: u32,
		readers: &[[u8; 32]],
	) -> Result<Vec<(AccountId32, WrappedKey)>> {
		let info = crypto::wrap_info(patient, origin, epoch);
		let mut out = Vec::new();
		for reader in readers {
			if out
				.iter()
				.any(|(a, _): &(AccountId32, WrappedKey)| <[u8; 32]>::from(a.clone()) == *reader)
			{
				continue;
			}
			let public = self.reader_key(reader)?;
			let wrapped = crypto::wrap_key(key, &public, &info, reader)?;
			out.push((AccountId32::from(*reader), bounded(wrapped, "a wrapped key")?));
		}
		Ok(out)
	}

	/// Encrypt a file for `patient` and store it; the CID text.
	fn encrypt_and_store(&self, key: &[u8; 32], patient: &[u8; 32], file: &Path) -> Result<String> {
		let size = std::fs::metadata(file)
			.map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", file.display())))?
			.len();
		let sealed_path = self.tmp("sealed")?;
		let bar = output::Bar::new(size, "encrypting", self.json);
		let input = Progress {
			inner: std::io::BufReader::new(std::fs::File::open(file)?),
			done: 0,
			bar: &bar,
		};
		let result = (|| {
			let out = std::io::BufWriter::new(files::create_private(&sealed_path)?);
			crypto::encrypt_stream(key, patient, input, out)?;
			bar.finish();
			let sealed_size = std::fs::metadata(&sealed_path)?.len();
			let up = output::Bar::new(sealed_size, "storing", self.json);
			let cid = self.store.add(&sealed_path, &|n| up.set(n))?;
			up.finish();
			Ok::<_, Failure>(cid.to_string())
		})();
		let _ = std::fs::remove_file(&sealed_path);
		result
	}

	/// Re-encrypt the file `cid` (checked against it) from `key` to `new_key` and store
	/// the result; its CID. The plaintext is never written anywhere: decryption feeds
	/// encryption through a pipe.
	fn reencrypt(
		&self,
		cid: &str,
		key: &[u8; 32],
		new_key: &[u8; 32],
		patient: &[u8; 32],
	) -> Result<String> {
		let parsed: cid::Cid = cid
			.parse()
			.map_err(|_| fail(exit::CHAIN, format!("the chain holds a malformed CID {cid}")))?;
		let fetched = self.tmp("fetched")?;
		let sealed = self.tmp("sealed")?;
		let result = (|| {
			let bar = output::Bar::new(0, "downloading", true);
			self.store.get(&parsed, &fetched, &|n| bar.set(n))?;
			let (from_decrypt, to_encrypt) = std::io::pipe()?;
			let source = std::io::BufReader::new(std::fs::File::open(&fetched)?);
			let (key, binding) = (*key, *patient);
			let decrypting = std::thread::spawn(move || {
				crypto::decrypt_stream(&key, &binding, source, to_encrypt)
			});
			let out = std::io::BufWriter::new(files::create_private(&sealed)?);
			let encrypted = crypto::encrypt_stream(new_key, patient, from_decrypt, out);
			let decrypted =
				decrypting.join().map_err(|_| fail(exit::CRYPTO, "decryption failed"))?;
			// A failed encryption breaks the pipe under decryption: report it first. A failed
			// decryption ends the stream early, which encryption cannot see: check it too.
			encrypted?;
			decrypted?;
			let up = output::Bar::new(std::fs::metadata(&sealed)?.len(), "storing", self.json);
			let new_cid = self.store.add(&sealed, &|n| up.set(n))?;
			up.finish();
			Ok(new_cid.to_string())
		})();
		let _ = std::fs::remove_file(&fetched);
		let _ = std::fs::remove_file(&sealed);
		result
	}

	/// Fetch a version's file, check it against its CID, decrypt it to `out`.
	fn fetch_and_decrypt(
		&self,
		cid: &str,
		key: &[u8; 32],
		patient: &[u8; 32],
		out: &Path,
	) -> Result<u64> {
		let cid: cid::Cid = cid
			.parse()
			.map_err(|_| fail(exit::CHAIN, format!("the chain holds a malformed CID {cid}")))?;
		let fetched = self.tmp("fetched")?;
		let bar = output::Bar::new(0, "downloading", true);
		self.store.get(&cid, &fetched, &|n| bar.set(n))?;
		let partial = out.with_extension("medchain-partial");
		let result = (|| {
			let input = std::io::BufReader::new(std::fs::File::open(&fetched)?);
			let output = std::io::BufWriter::new(files::create_private(&partial)?);
			let size = crypto::decrypt_stream(key, patient, input, output)?;
			std::fs::rename(&partial, out)?;
			Ok::<_, Failure>(size)
		})();
		let _ = std::fs::remove_file(&fetched);
		if result.is_err() {
			let _ = std::fs::remove_file(&partial);
		}
		result
	}
}

/// Bytes written into a DAG builder.
struct DagWriter<'a, F: FnMut(&cid::Cid, &[u8]) -> std::io::Result<()>>(
	&'a mut medchain_client::unixfs::DagBuilder<F>,
);

impl<F: FnMut(&cid::Cid, &[u8]) -> std::io::Result<()>> std::io::Write for DagWriter<'_, F> {
	fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
		self.0.write(buf)?;
		Ok(buf.len())
	}
	fn flush(&mut self) -> std::io::Result<()> {
		Ok(())
	}
}

struct Progress<'a, R> {
	inner: R,
	done: u64,
	bar: &'a output::Bar,
}

impl<R: std::io::Read> std::io::Read for Progress<'_, R> {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		let n = self.inner.read(buf)?;
		self.done += n as u64;
		self.bar.set(self.done);
		Ok(n)
	}
}

fn short(address: &str) -> String {
	if address.len() > 14 {
		format!("{}…{}", &address[..6], &address[address.len() - 6..])
	} else {
		address.to_string()
	}
}

fn patient_bytes(record: &Record) -> [u8; 32] {
	record.patient.0.clone().into()
}

/// The CID of a record's first version: the record's name in key bindings.
fn origin_cid(record: &Record) -> Result<String> {
	record
		.versions
		.first()
		.map(|v| v.cid.clone())
		.ok_or_else(|| fail(exit::CHAIN, "the record has no versions (erased?)"))
}

fn category(c: CategoryArg) -> RecordCategory {
	match c {
		CategoryArg::Consultation => RecordCategory::Consultation,
		CategoryArg::Diagnosis => RecordCategory::Diagnosis,
		CategoryArg::Prescription => RecordCategory::Prescription,
		CategoryArg::LabResult => RecordCategory::LabResult,
		CategoryArg::Imaging => RecordCategory::Imaging,
		CategoryArg::Allergy => RecordCategory::Allergy,
		CategoryArg::Immunization => RecordCategory::Immunization,
		CategoryArg::Procedure => RecordCategory::Procedure,
		CategoryArg::Discharge => RecordCategory::Discharge,
		CategoryArg::Other => RecordCategory::Other,
	}
}

fn scope(args: &ScopeArgs) -> Result<pallet_access::ScopeOf<medchain_runtime::Runtime>> {
	Ok(if !args.categories.is_empty() {
		let categories = args.categories.iter().map(|c| category(*c)).collect();
		pallet_access::Scope::Categories(bounded(categories, "the list of categories")?)
	} else if !args.records.is_empty() {
		pallet_access::Scope::Records(bounded(args.records.clone(), "the list of records")?)
	} else {
		pallet_access::Scope::All
	})
}

fn permission(p: PermissionArg) -> pallet_access::Permission {
	match p {
		PermissionArg::Read => pallet_access::Permission::Read,
		PermissionArg::ReadWrite => pallet_access::Permission::ReadWrite,
	}
}

fn purpose(p: PurposeArg) -> pallet_access::Purpose {
	match p {
		PurposeArg::Treatment => pallet_access::Purpose::Treatment,
		PurposeArg::SecondOpinion => pallet_access::Purpose::SecondOpinion,
		PurposeArg::Research => pallet_access::Purpose::Research,
		PurposeArg::Emergency => pallet_access::Purpose::Emergency,
		PurposeArg::Other => pallet_access::Purpose::Other,
	}
}

/// A scope in words: `all records`, `LabResult, Imaging`, `records 3, 4`.
fn scope_text<C: AsRef<[RecordCategory]>, R: AsRef<[u64]>>(
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
fn terms_text(terms: &medchain_primitives::GrantTerms) -> String {
	let until = terms.expires_at.map_or_else(|| "revoked".into(), output::local_ms);
	format!(
		"{}, {:?}, for {:?}, until {until}",
		scope_text(&terms.scope),
		terms.permission,
		terms.purpose,
	)
}

fn now_ms() -> u64 {
	chrono::Utc::now().timestamp_millis() as u64
}

fn expiry(days: Option<u64>) -> Option<u64> {
	days.map(|d| now_ms() + d * 24 * 3600 * 1000)
}

/// The chain's error about a call, reworded for the people of MedChain where the
/// generic documentation is not enough.
fn reword(e: Failure, hint: impl Fn(&str, &str) -> Option<String>) -> Failure {
	let Some(start) = e.message.rfind(" [") else { return e };
	let tag = e.message[start + 2..].trim_end_matches(']').to_string();
	let Some((pallet, error)) = tag.split_once('.') else { return e };
	match hint(pallet, error) {
		Some(text) => fail(e.code, format!("{text} [{pallet}.{error}]")),
		None => e,
	}
}

fn account(ctx: &Ctx, cmd: AccountCmd) -> Result<()> {
	match cmd {
		AccountCmd::New { name } => {
			let (identity, phrase) = Identity::generate(&name);
			let pw = password(&format!("new password for {name}: "))?;
			let info = ctx.keystore.save(&identity, &pw)?;
			if ctx.json {
				output::json(&json!({ "account": info, "mnemonic": *phrase }));
			} else {
				println!("account {} created", info.name);
				println!("address:        {}", info.address);
				println!("encryption key: {}", info.encryption_key);
				println!("mnemonic (write it down; it restores both keys):\n  {}", *phrase);
			}
		}
		AccountCmd::Import { name } => {
			let mut phrase = String::new();
			if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
				eprintln!("type the mnemonic, then Enter:");
			}
			std::io::stdin().read_line(&mut phrase)?;
			let identity = Identity::from_mnemonic(&name, phrase.trim())?;
			let pw = password(&format!("new password for {name}: "))?;
			let info = ctx.keystore.save(&identity, &pw)?;
			show_info(ctx, &info, "imported");
		}
		AccountCmd::List => {
			let all = ctx.keystore.list()?;
			if ctx.json {
				output::json(&json!(all));
			} else {
				let rows =
					all.iter().map(|i| vec![i.name.clone(), i.address.clone()]).collect::<Vec<_>>();
				output::table(&["NAME", "ADDRESS"], &rows);
			}
		}
		AccountCmd::Show { name } => show_info(ctx, &ctx.keystore.info(&name)?, ""),
		AccountCmd::Export { name, out } => {
			let pw = password(&format!("password for {name}: "))?;
			let identity = ctx.keystore.unlock(&name, &pw)?;
			let exported = keys::export_polkadot_js(&identity, &pw);
			let text = serde_json::to_string_pretty(&exported).expect("serializable");
			match out {
				Some(path) => {
					files::write_private(&path, text)?;
					if !ctx.json {
						println!(
							"exported {name} to {} (Polkadot.js JSON, same password; the \
							 encryption key stays with the mnemonic)",
							path.display()
						);
					}
				}
				None => println!("{text}"),
			}
		}
	}
	Ok(())
}

fn show_info(ctx: &Ctx, info: &keys::AccountInfo, verb: &str) {
	if ctx.json {
		output::json(&json!(info));
	} else {
		if !verb.is_empty() {
			println!("account {} {verb}", info.name);
		}
		println!("name:           {}", info.name);
		println!("address:        {}", info.address);
		println!("encryption key: {}", info.encryption_key);
	}
}

fn admin(ctx: &Ctx, cmd: AdminCmd) -> Result<()> {
	use pallet_doctors::Call as D;
	match cmd {
		AdminCmd::Represent { hospital, patient, end } => {
			let me = ctx.me()?;
			let patient = ctx.account(&patient)?;
			let call = RuntimeCall::Patients(pallet_patients::Call::set_represented {
				hospital,
				patient: patient.into(),
				represented: !end,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"NotRepresented" => {
						Some("no hospital has recorded that this patient cannot act".into())
					}
					"NotRegistered" => Some("this account is not a registered patient".into()),
					_ => None,
				})
			})?;
			let address = keys::address_of(&patient);
			let what = if end {
				format!("{address} acts for themself again")
			} else {
				format!("{address} cannot act for themself: your hospital's admins manage their guardians")
			};
			ctx.done(&inc, what, json!({ "patient": address, "represented": !end }));
		}
		AdminCmd::Invite { hospital, account, role } => {
			let me = ctx.me()?;
			let who = ctx.account(&account)?;
			let role = match role {
				Role::Patient => medchain_primitives::InviteRole::Patient,
				Role::Doctor => medchain_primitives::InviteRole::Doctor,
			};
			let call = RuntimeCall::Consortium(pallet_consortium::Call::invite {
				hospital,
				account: who.into(),
				role,
			});
			let inc = ctx.send(&me, call)?;
			ctx.done(&inc, format!("invited {} ({role:?})", keys::address_of(&who)), json!({}));
		}
		AdminCmd::Approve { doctor } => {
			doctor_status(ctx, &doctor, "approved", |d| D::approve { doctor: d })?
		}
		AdminCmd::Reject { doctor } => {
			doctor_status(ctx, &doctor, "rejected", |d| D::reject { doctor: d })?
		}
		AdminCmd::Suspend { doctor } => {
			doctor_status(ctx, &doctor, "suspended", |d| D::suspend { doctor: d })?
		}
		AdminCmd::Reinstate { doctor } => {
			doctor_status(ctx, &doctor, "reinstated", |d| D::reinstate { doctor: d })?
		}
		AdminCmd::ReleaseLicence { doctor } => {
			doctor_status(ctx, &doctor, "no longer holds their licence hash", |d| {
				D::release_licence { doctor: d }
			})?
		}
		AdminCmd::Doctors { hospital } => {
			let prefix = [
				frame_support::Twox128::hash(b"Doctors").to_vec(),
				frame_support::Twox128::hash(b"DoctorsOf").to_vec(),
				frame_support::Twox64Concat::hash(&hospital.encode()),
			]
			.concat();
			let mut doctors = Vec::new();
			for key in ctx.chain.keys(&prefix)? {
				let Some(acc) =
					key.get(key.len() - 32..).and_then(|a| <[u8; 32]>::try_from(a).ok())
				else {
					continue;
				};
				if let Some(doctor) = ctx.chain.doctor(&AccountId32::from(acc), None)? {
					doctors.push(doctor);
				}
			}
			if ctx.json {
				output::json(&json!(doctors));
			} else {
				println!("doctors of {}:", ctx.hospital_name(hospital.into()));
				let rows = doctors
					.iter()
					.map(|d| {
						vec![
							format!("Dr. {}", d.name),
							d.specialty.clone(),
							d.status.clone(),
							output::local_time(&d.since),
							d.account.to_string(),
						]
					})
					.collect::<Vec<_>>();
				output::table(&["NAME", "SPECIALTY", "STATUS", "SINCE", "ACCOUNT"], &rows);
			}
		}
		AdminCmd::ProposeHospital { name, admins, validator, threshold } => {
			let me = ctx.me()?;
			let admins = admins
				.iter()
				.map(|a| ctx.account(a).map(AccountId32::from))
				.collect::<Result<Vec<_>>>()?;
			let inner = RuntimeCall::Consortium(pallet_consortium::Call::admit_hospital {
				name: name.clone().into_bytes(),
				admins,
				validator: ctx.account(&validator)?.into(),
			});
			let members: Vec<Value> = ctx
				.chain
				.storage::<Vec<AccountId32>>(
					&[
						frame_support::Twox128::hash(b"Council"),
						frame_support::Twox128::hash(b"Members"),
					]
					.concat(),
					None,
				)?
				.unwrap_or_default()
				.into_iter()
				.map(|m| json!(keys::address_of(&m.into())))
				.collect();
			let threshold = threshold.unwrap_or((members.len() as u32 * 2).div_ceil(3).max(1));
			let length_bound = inner.encoded_size() as u32;
			let proposal = frame_support::Blake2_256::hash(&inner.encode());
			let call = RuntimeCall::Council(pallet_collective::Call::propose {
				threshold,
				proposal: Box::new(inner),
				length_bound,
			});
			let inc = ctx.send(&me, call)?;
			let hash = format!("0x{}", hex::encode(proposal));
			ctx.done(
				&inc,
				format!(
					"proposed admitting {name}: proposal {hash}, {threshold} of {} council votes needed",
					members.len()
				),
				json!({ "proposal": hash, "threshold": threshold }),
			);
		}
		AdminCmd::Vote { proposal, aye, nay } => {
			let me = ctx.me()?;
			if aye == nay {
				return Err(fail(exit::USAGE, "say --aye or --nay"));
			}
			let hash = sp_core::H256::from_slice(
				&hex::decode(proposal.trim_start_matches("0x"))
					.ok()
					.filter(|h| h.len() == 32)
					.ok_or_else(|| fail(exit::USAGE, "a proposal is 0x and 64 hex digits"))?,
			);
			let key = [
				frame_support::Twox128::hash(b"Council").to_vec(),
				frame_support::Twox128::hash(b"Voting").to_vec(),
				frame_support::Identity::hash(&hash.encode()),
			]
			.concat();
			let votes: CouncilVotes = ctx.chain.storage(&key, None)?.ok_or_else(|| {
				fail(
					exit::CHAIN,
					format!("no open proposal {proposal}: it passed, failed or never existed"),
				)
			})?;
			let inc = ctx.send(
				&me,
				RuntimeCall::Council(pallet_collective::Call::vote {
					proposal: hash,
					index: votes.index,
					approve: aye,
				}),
			)?;
			ctx.done(
				&inc,
				format!("voted {} on {proposal}", if aye { "aye" } else { "nay" }),
				json!({}),
			);
			// Close it once the vote decided it: this is what dispatches the admission.
			let after: Option<CouncilVotes> = ctx.chain.storage(&key, None)?;
			if let Some(v) = after {
				let members = ctx
					.chain
					.storage::<Vec<AccountId32>>(
						&[
							frame_support::Twox128::hash(b"Council"),
							frame_support::Twox128::hash(b"Members"),
						]
						.concat(),
						None,
					)?
					.unwrap_or_default()
					.len() as u32;
				if v.ayes.len() as u32 >= v.threshold || v.nays.len() as u32 > members - v.threshold
				{
					let proposal_key = [
						frame_support::Twox128::hash(b"Council").to_vec(),
						frame_support::Twox128::hash(b"ProposalOf").to_vec(),
						frame_support::Identity::hash(&hash.encode()),
					]
					.concat();
					let call: Option<RuntimeCall> = ctx.chain.storage(&proposal_key, None)?;
					let length_bound = call.map(|c| c.encoded_size() as u32).unwrap_or(0);
					let close = RuntimeCall::Council(pallet_collective::Call::close {
						proposal_hash: hash,
						index: v.index,
						proposal_weight_bound: frame_support::weights::Weight::from_parts(
							1_000_000_000_000,
							1_000_000,
						),
						length_bound,
					});
					let inc = ctx.send(&me, close)?;
					let outcome = inc.events.iter().find_map(|e| match e {
						RuntimeEvent::Council(pallet_collective::Event::Executed {
							result,
							..
						}) => Some(match result {
							Ok(()) => "executed".to_string(),
							Err(e) => format!("failed: {}", medchain_client::chain::explain(*e)),
						}),
						RuntimeEvent::Council(pallet_collective::Event::Disapproved { .. }) => {
							Some("rejected".to_string())
						}
						_ => None,
					});
					ctx.done(
						&inc,
						format!("closed {proposal}: {}", outcome.clone().unwrap_or_default()),
						json!({ "closed": outcome }),
					);
				}
			}
		}
	}
	Ok(())
}

/// A council motion's votes, as `pallet-collective` stores them (its fields are private).
#[derive(Decode)]
struct CouncilVotes {
	index: u32,
	threshold: u32,
	ayes: Vec<AccountId32>,
	nays: Vec<AccountId32>,
	#[allow(dead_code)]
	end: u32,
}

/// Approve, reject, suspend or reinstate a doctor.
fn doctor_status(
	ctx: &Ctx,
	doctor: &str,
	verb: &str,
	call: impl FnOnce(AccountId32) -> pallet_doctors::Call<medchain_runtime::Runtime>,
) -> Result<()> {
	let me = ctx.me()?;
	let acc = ctx.account(doctor)?;
	let address = keys::address_of(&acc);
	let name = ctx.name(&address);
	let inc = ctx.send(&me, RuntimeCall::Doctors(call(acc.into()))).map_err(|e| {
		reword(e, |_, error| match error {
			"NotHospitalAdmin" => Some(format!("you are not an admin of {name}'s hospital")),
			"NotPending" => Some(format!("{name} has no pending application")),
			"NotDoctor" => Some(format!("{address} has not applied to any hospital")),
			"NotSuspended" => Some(format!("{name} is not suspended: suspend them first")),
			"LicenceNotHeld" => Some(format!("{name} holds no licence hash")),
			"LicenceInUse" => Some(format!(
				"{name}'s licence hash is held by another account: release it there first"
			)),
			_ => None,
		})
	})?;
	ctx.done(&inc, format!("{name} {verb}"), json!({ "doctor": address }));
	Ok(())
}

fn doctor(ctx: &Ctx, cmd: DoctorCmd) -> Result<()> {
	match cmd {
		DoctorCmd::Apply { hospital, name, specialty, licence } => {
			let me = ctx.me()?;
			// Only a slow hash of the licence number goes on chain.
			let licence_hash = keys::licence_hash(&licence);
			let call = RuntimeCall::Doctors(pallet_doctors::Call::apply {
				hospital,
				name: bounded(name.clone().into_bytes(), "the name")?,
				specialty: bounded(specialty.into_bytes(), "the specialty")?,
				licence_hash,
				encryption_key: me.encryption.public(),
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"LicenceInUse" => Some(
						"a hospital already verified this licence number for another account: if it is yours, ask that hospital to suspend that account and release the licence (`medchain admin release-licence`)".into(),
					),
					"HospitalNotActive" => Some(format!(
						"hospital #{hospital} is not an active member of the consortium"
					)),
					_ => None,
				})
			})?;
			ctx.done(
				&inc,
				format!(
					"Dr. {name} applied to {}; an admin must approve",
					ctx.hospital_name(hospital.into())
				),
				json!({ "doctor": me.address() }),
			);
		}
		DoctorCmd::Request { patient, scope: s, permission: p, purpose: u } => {
			let me = ctx.me()?;
			let patient = ctx.account(&patient)?;
			let call = RuntimeCall::Access(pallet_access::Call::request_access {
				patient: patient.into(),
				scope: scope(&s)?,
				permission: permission(p),
				purpose: purpose(u),
				note: None,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"RequestExists" => {
						Some("you already have a pending request to this patient".into())
					}
					"NotActiveDoctor" => {
						Some("only an approved, active doctor can request access".into())
					}
					_ => None,
				})
			})?;
			ctx.done(
				&inc,
				format!("asked {} for access", ctx.name(&keys::address_of(&patient))),
				json!({}),
			);
		}
		DoctorCmd::Patients => {
			let me = ctx.me()?;
			let patients: Vec<String> = ctx
				.chain
				.patients_of(&AccountId32::from(me.account()))?
				.iter()
				.map(medchain_api::ss58)
				.collect();
			if ctx.json {
				output::json(&json!(patients));
			} else {
				let rows =
					patients.iter().map(|p| vec![ctx.name(p), p.clone()]).collect::<Vec<_>>();
				output::table(&["PATIENT", "ADDRESS"], &rows);
			}
		}
		DoctorCmd::CreateRecord(args) => {
			let me = ctx.me()?;
			let patient = ctx.account(&args.patient)?;
			create_record(ctx, &me, patient, args.category, &args.file)?;
		}
		DoctorCmd::UpdateRecord { record, file } => update_record(ctx, record, &file)?,
		DoctorCmd::Open(args) => open_record(ctx, &args)?,
		DoctorCmd::Emergency { patient, reason } => {
			let me = ctx.me()?;
			let patient = ctx.account(&patient)?;
			let reason = match reason {
				ReasonArg::PatientUnconscious => {
					medchain_primitives::EmergencyReason::PatientUnconscious
				}
				ReasonArg::LifeThreatening => medchain_primitives::EmergencyReason::LifeThreatening,
				ReasonArg::GuardianUnreachable => {
					medchain_primitives::EmergencyReason::GuardianUnreachable
				}
				ReasonArg::Other => medchain_primitives::EmergencyReason::Other,
			};
			let call = RuntimeCall::Access(pallet_access::Call::emergency_access {
				patient: patient.into(),
				reason,
			});
			let inc = ctx.send(&me, call)?;
			ctx.done(
				&inc,
				format!(
					"emergency access to {}'s records for 4 hours; your hospital will review it. \
					 The patient's keys are shared only by the patient: records open once they do",
					ctx.name(&keys::address_of(&patient))
				),
				json!({}),
			);
		}
	}
	Ok(())
}

/// Readers who must get a new record's key besides the patient and the author: holders of
/// a live grant whose scope covers the category.
fn readers_for_category(
	ctx: &Ctx,
	patient: &[u8; 32],
	category: CategoryArg,
) -> Result<Vec<[u8; 32]>> {
	let grants = ctx.chain.grants_of(&AccountId32::from(*patient))?;
	let category = self::category(category);
	let now = now_ms();
	Ok(grants
		.into_iter()
		.filter(|g| g.scope.covers(None, category))
		.filter(|g| g.expires_at.as_ref().is_none_or(|t| t.ms > now))
		.map(|g| g.grantee.0.into())
		.collect())
}

fn create_record(
	ctx: &Ctx,
	me: &Identity,
	patient: [u8; 32],
	cat: CategoryArg,
	file: &Path,
) -> Result<()> {
	let patient_address = keys::address_of(&patient);
	if ctx.chain.patient(&AccountId32::from(patient), None)?.is_none() {
		return Err(fail(exit::CHAIN, format!("{patient_address} is not a registered patient")));
	}
	let key = crypto::new_data_key();
	let cid = ctx.encrypt_and_store(&key, &patient, file)?;
	let mut readers = vec![patient, me.account()];
	readers.extend(readers_for_category(ctx, &patient, cat)?);
	let keys = ctx.wrap_for(&key, &patient, &cid, 0, &readers)?;
	let reader_count = keys.len();
	let call = RuntimeCall::Records(pallet_records::Call::create_record {
		patient: patient.into(),
		category: category(cat),
		cid: bounded(cid.clone().into_bytes(), "the CID")?,
		keys: bounded(keys, "the list of readers")?,
	});
	let name = ctx.name(&me.address());
	let inc = ctx.send(me, call).map_err(|e| {
		let e = reword(e, |_, error| match error {
			"NoWriteAccess" => Some(format!(
				"{name} has no read-write grant for {cat:?} records of this patient: ask the patient to approve your request"
			)),
			_ => None,
		});
		fail(e.code, format!("{}. The encrypted file was stored as {cid}; the chain was not changed", e.message))
	})?;
	let id = inc.events.iter().find_map(|e| match e {
		RuntimeEvent::Records(pallet_records::Event::RecordCreated { record, .. }) => Some(*record),
		_ => None,
	});
	ctx.done(
		&inc,
		format!(
			"record {} created: {cat:?}, {cid}, keys for {reader_count} readers",
			id.unwrap_or_default()
		),
		json!({ "record": id, "cid": cid, "readers": reader_count }),
	);
	Ok(())
}

fn update_record(ctx: &Ctx, id: u64, file: &Path) -> Result<()> {
	let me = ctx.me()?;
	let record = ctx.record(id)?;
	let patient = patient_bytes(&record);
	let key = ctx.data_key(&me, &record)?;
	let cid = ctx.encrypt_and_store(&key, &patient, file)?;
	let call = RuntimeCall::Records(pallet_records::Call::update_record {
		record: id,
		cid: bounded(cid.clone().into_bytes(), "the CID")?,
	});
	let inc = ctx.send(&me, call).map_err(|e| {
		fail(
			e.code,
			format!(
				"{}. The encrypted file was stored as {cid}; the chain was not changed",
				e.message
			),
		)
	})?;
	ctx.done(&inc, format!("record {id}: new version {cid}"), json!({ "record": id, "cid": cid }));
	Ok(())
}

fn open_record(ctx: &Ctx, args: &OpenArgs) -> Result<()> {
	let me = ctx.me()?;
	let record = ctx.record(args.record)?;
	let patient = patient_bytes(&record);
	// The read receipt comes first, always: no receipt, no key. (What a receipt
	// proves, and what it cannot: docs/records-and-consent.md.)
	let call = RuntimeCall::Records(pallet_records::Call::open_record { record: args.record });
	let name = ctx.name(&me.address());
	let category = format!("{:?}", record.category);
	ctx.send(&me, call).map_err(|e| {
		reword(e, |_, error| match error {
			"NoReadAccess" => Some(format!(
				"{name} has no grant covering {category} records of this patient: ask the patient to approve your request"
			)),
			"NoKey" => Some(format!("{name} holds no current key to record {}: ask the patient to share it", args.record)),
			_ => None,
		})
	})?;
	let key = ctx.data_key(&me, &record)?;
	let cid = &record.cid;
	let size = ctx.fetch_and_decrypt(cid, &key, &patient, &args.out)?;
	if ctx.json {
		output::json(
			&json!({ "record": args.record, "cid": cid, "version": record.version, "bytes": size, "out": args.out }),
		);
	} else {
		println!(
			"record {} version {} ({category}) verified against {cid} and decrypted to {} ({size} bytes)",
			args.record,
			record.version,
			args.out.display()
		);
	}
	Ok(())
}

fn patient(ctx: &Ctx, cmd: PatientCmd) -> Result<()> {
	use pallet_access::Call as A;
	let guardian_hint = |_: &str, error: &str| {
		match error {
		"NotPatientOrGuardian" => {
			Some("you are neither this patient nor one of their guardians".to_string())
		}
		"UnknownPatient" => Some(
			"this account is not a registered patient: `medchain patient register`".to_string(),
		),
		"NotPatient" => Some(
			"only the patient may do this: a guardian cannot replace or remove the patient's own keys"
				.to_string(),
		),
		_ => None,
	}
	};
	// Rotating and erasing replace or remove the patient's own keys: the
	// chain refuses them from a guardian (`NotPatient`), so say so first.
	let only_the_patient = |me: &Identity, patient: &[u8; 32], what: &str| {
		if *patient == me.account() {
			Ok(())
		} else {
			Err(fail(
				exit::USAGE,
				format!("only the patient may {what}: a guardian cannot replace or remove the patient's own keys"),
			))
		}
	};
	match cmd {
		PatientCmd::Register { profile } => {
			let me = ctx.me()?;
			let profile =
				profile.map(|p| store_profile(ctx, &me, &me.account(), &p)).transpose()?;
			let call = RuntimeCall::Patients(pallet_patients::Call::register {
				encryption_key: me.encryption.public(),
				profile: profile.clone().map(|p| bounded(p.into_bytes(), "the CID")).transpose()?,
			});
			let inc = ctx.send(&me, call).map_err(|e| {
				reword(e, |_, error| match error {
					"AlreadyRegistered" => {
						Some("this account is already a registered patient".into())
					}
					_ => None,
				})
			})?;
			ctx.done(
				&inc,
				format!("registered {} as a patient", me.address()),
				json!({ "patient": me.address(), "profile": profile }),
			);
		}
		PatientCmd::Profile(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let info = ctx
				.chain
				.patient(&AccountId32::from(patient), None)?
				.ok_or_else(|| fail(exit::CHAIN, "not a registered patient"))?;
			let cid = info.profile.ok_or_else(|| {
				fail(exit::CHAIN, "no profile yet: `medchain patient set-profile <file.json>`")
			})?;
			let sealed_path = ctx.tmp("profile")?;
			let cid_parsed: cid::Cid =
				cid.parse().map_err(|_| fail(exit::CHAIN, "malformed profile CID"))?;
			ctx.store.get(&cid_parsed, &sealed_path, &|_| {})?;
			let sealed = std::fs::read(&sealed_path)?;
			let _ = std::fs::remove_file(&sealed_path);
			let profile = open_profile(&me, &patient, &sealed)?;
			if ctx.json {
				output::json(&profile);
			} else {
				for (k, v) in profile.as_object().into_iter().flatten() {
					println!(
						"{k:>12}: {}",
						v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
					);
				}
			}
		}
		PatientCmd::SetProfile { file, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let cid = store_profile(ctx, &me, &patient, &file)?;
			let call = RuntimeCall::Patients(pallet_patients::Call::set_profile {
				patient: patient.into(),
				profile: Some(bounded(cid.clone().into_bytes(), "the CID")?),
			});
			let inc = ctx.send(&me, call).map_err(|e| reword(e, guardian_hint))?;
			ctx.done(&inc, format!("profile updated ({cid})"), json!({ "profile": cid }));
		}
		PatientCmd::Upload { category, file, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			create_record(ctx, &me, patient, category, &file)?;
		}
		PatientCmd::Records(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let items = ctx.chain.records_of(&AccountId32::from(patient))?;
			if ctx.json {
				output::json(&json!(items));
			} else {
				let mut rows = Vec::new();
				for r in &items {
					for v in &r.versions {
						let current = if v.version == r.version { " (current)" } else { "" };
						rows.push(vec![
							r.id.to_string(),
							format!("{:?}", r.category),
							format!("v{}{current}", v.version),
							ctx.name(&v.author.to_string()),
							output::local_time(&v.at),
							v.epoch.to_string(),
							v.cid.clone(),
						]);
					}
				}
				output::table(
					&["RECORD", "CATEGORY", "VERSION", "AUTHOR", "TIME", "EPOCH", "CID"],
					&rows,
				);
			}
		}
		PatientCmd::Open { open } => open_record(ctx, &open)?,
		PatientCmd::Grant(args) => grant(ctx, args, false)?,
		PatientCmd::ChangeGrant(args) => grant(ctx, args, true)?,
		PatientCmd::Revoke { doctor, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let grantee = ctx.account(&doctor)?;
			let name = ctx.name(&keys::address_of(&grantee));
			let inc = ctx
				.send(
					&me,
					RuntimeCall::Access(A::revoke {
						patient: patient.into(),
						grantee: grantee.into(),
					}),
				)
				.map_err(|e| {
					reword(e, |p, error| match error {
						"NoGrant" => Some(format!("{name} holds no grant from this patient")),
						_ => guardian_hint(p, error),
					})
				})?;
			ctx.done(
				&inc,
				format!(
					"revoked {name}'s access and keys; rotate the records they could read \
					 (`medchain patient rotate <id>`) so future versions are sealed from them"
				),
				json!({}),
			);
		}
		PatientCmd::Grants(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let items = ctx.chain.grants_of(&AccountId32::from(patient))?;
			list_consents(ctx, &items, "DOCTOR");
		}
		PatientCmd::Requests(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let items = ctx.chain.requests_of(&AccountId32::from(patient))?;
			list_consents(ctx, &items, "DOCTOR");
		}
		PatientCmd::Approve { doctor, days, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let doctor = ctx.account(&doctor)?;
			let doctor_address = keys::address_of(&doctor);
			let name = ctx.name(&doctor_address);
			let requests = ctx.chain.requests_of(&AccountId32::from(patient))?;
			let request =
				requests.iter().find(|r| r.doctor.0 == AccountId32::from(doctor)).ok_or_else(
					|| fail(exit::CHAIN, format!("{name} has no pending request to this patient")),
				)?;
			let keys = keys_in_scope(ctx, &me, &patient, &request.scope, &doctor)?;
			let count = keys.len();
			let call = RuntimeCall::Access(A::approve_request {
				patient: patient.into(),
				doctor: doctor.into(),
				scope: None,
				permission: None,
				expires_at: expiry(days),
				keys: bounded(keys, "the keys to share (records in the request's scope)")?,
			});
			let inc = ctx.send(&me, call).map_err(|e| reword(e, guardian_hint))?;
			ctx.done(
				&inc,
				format!(
					"approved {name}'s request ({}), {count} record keys shared",
					scope_text(&request.scope)
				),
				json!({ "keys": count }),
			);
		}
		PatientCmd::Deny { doctor, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			let doctor = ctx.account(&doctor)?;
			let name = ctx.name(&keys::address_of(&doctor));
			let inc = ctx
				.send(
					&me,
					RuntimeCall::Access(A::deny_request {
						patient: patient.into(),
						doctor: doctor.into(),
					}),
				)
				.map_err(|e| {
					reword(e, |p, error| match error {
						"NoRequest" => {
							Some(format!("{name} has no pending request to this patient"))
						}
						_ => guardian_hint(p, error),
					})
				})?;
			ctx.done(&inc, format!("denied {name}'s request"), json!({}));
		}
		PatientCmd::Rotate { record, who } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			only_the_patient(&me, &patient, "rotate a record's key")?;
			rotate(ctx, &me, record)?;
		}
		PatientCmd::Erase { record, who, wait } => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			only_the_patient(&me, &patient, "erase a record")?;
			// Every version's CID, read before the chain forgets them.
			let cids: Vec<cid::Cid> = ctx
				.record(record)?
				.versions
				.iter()
				.map(|v| v.cid.parse())
				.collect::<std::result::Result<_, _>>()
				.map_err(|_| fail(exit::CHAIN, format!("record {record} names a malformed CID")))?;
			let inc = ctx
				.send(&me, RuntimeCall::Records(pallet_records::Call::erase_record { record }))
				.map_err(|e| reword(e, guardian_hint))?;
			// Then the ciphertext: unpinned from (or deleted in) this client's store at once.
			let mut unpinned = 0;
			let mut failed = Vec::new();
			for cid in &cids {
				match ctx.store.unpin(cid) {
					Ok(held) => unpinned += held as usize,
					Err(e) => failed.push(format!("{cid}: {e}")),
				}
			}
			let mut note = if failed.is_empty() {
				String::new()
			} else {
				format!(
					"; could not unpin {} (unpin them by hand): {}",
					failed.len(),
					failed.join("; ")
				)
			};
			// The hospital's node deletes the blocks when its follower collects garbage after
			// the erasure's block is finalized; every hospital's follower does the same.
			let mut dropped = Value::Null;
			if let (Store::Kubo(url), true) = (&ctx.store, wait > 0 && !cids.is_empty()) {
				if !ctx.json {
					eprintln!(
						"record {record} erased in block #{}; waiting up to {wait} s for the \
						 erasure to be finalized and your hospital's IPFS node to drop the file \
						 (--wait 0 skips this)",
						inc.block_number
					);
				}
				let deadline = Instant::now() + Duration::from_secs(wait);
				let started = Instant::now();
				match until_dropped(ctx, inc.block_number, &cids, deadline) {
					Ok(true) => {
						let secs = started.elapsed().as_secs_f64();
						note += &format!(
							"; {secs:.1} s later the erasure was finalized and your hospital's IPFS \
							 node no longer holds the file (every hospital's follower drops it at \
							 that block: `medchain follow status` on theirs)"
						);
						dropped = json!(true);
					}
					Ok(false) => {
						note += &format!(
							"; your hospital's IPFS node ({url}) still holds the file after {wait} \
							 s: is its follower running (`medchain follow status`, \
							 docs/storage.md)? The erasure on chain stands"
						);
						dropped = json!(false);
					}
					Err(e) => {
						note +=
							&format!("; could not check your hospital's IPFS node: {}", e.message);
					}
				}
			}
			ctx.done(
				&inc,
				format!(
					"record {record} erased: its CIDs and keys are gone from the chain's state (the \
					 audit trail keeps that it existed; old blocks still hold what was sent); \
					 {unpinned} of {} versions unpinned from this client's IPFS store{note}",
					cids.len()
				),
				json!({
					"record": record,
					"versions": cids.len(),
					"unpinned": unpinned,
					"unpinFailed": failed,
					"droppedByHospitalNode": dropped,
				}),
			);
		}
		PatientCmd::Audit(who) => {
			let me = ctx.me()?;
			let patient = ctx.patient_of(&me, &who)?;
			audit(ctx, &keys::address_of(&patient), false)?;
		}
	}
	Ok(())
}

/// A grant or a request as one row of a list.
struct ConsentRow<'a> {
	who: &'a medchain_api::Address,
	scope: &'a medchain_api::views::ScopeView,
	permission: medchain_primitives::Permission,
	purpose: medchain_primitives::Purpose,
	since: &'a medchain_api::views::Time,
	expires: Option<&'a medchain_api::views::Time>,
}

impl<'a> From<&'a Grant> for ConsentRow<'a> {
	fn from(g: &'a Grant) -> Self {
		ConsentRow {
			who: &g.grantee,
			scope: &g.scope,
			permission: g.permission,
			purpose: g.purpose,
			since: &g.granted_at,
			expires: g.expires_at.as_ref(),
		}
	}
}

impl<'a> From<&'a Request> for ConsentRow<'a> {
	fn from(r: &'a Request) -> Self {
		ConsentRow {
			who: &r.doctor,
			scope: &r.scope,
			permission: r.permission,
			purpose: r.purpose,
			since: &r.requested_at,
			expires: Some(&r.expires_at),
		}
	}
}

fn list_consents<'a, T>(ctx: &Ctx, items: &'a [T], header: &str)
where
	T: serde::Serialize,
	ConsentRow<'a>: From<&'a T>,
{
	if ctx.json {
		output::json(&json!(items));
		return;
	}
	let rows = items
		.iter()
		.map(ConsentRow::from)
		.map(|c| {
			vec![
				ctx.name(&c.who.to_string()),
				scope_text(c.scope),
				format!("{:?}", c.permission),
				format!("{:?}", c.purpose),
				output::local_time(c.since),
				c.expires.map_or_else(|| "never".into(), output::local_time),
			]
		})
		.collect::<Vec<_>>();
	output::table(&[header, "SCOPE", "PERMISSION", "PURPOSE", "SINCE", "EXPIRES"], &rows);
}

/// Keys of every record of `patient` in `scope`, unwrapped by `me` and sealed to `reader`.
fn keys_in_scope(
	ctx: &Ctx,
	me: &Identity,
	patient: &[u8; 32],
	scope: &medchain_api::views::ScopeView,
	reader: &[u8; 32],
) -> Result<Vec<(u64, WrappedKey)>> {
	let records = ctx.chain.records_of(&AccountId32::from(*patient))?;
	let mut out = Vec::new();
	for record in records.iter().filter(|r| scope.covers(Some(r.id), r.category)) {
		let key = ctx.data_key(me, record)?;
		let mut wrapped =
			ctx.wrap_for(&key, patient, &origin_cid(record)?, record.epoch, &[*reader])?;
		out.push((record.id, wrapped.remove(0).1));
	}
	Ok(out)
}

fn grant(ctx: &Ctx, args: GrantArgs, change: bool) -> Result<()> {
	use pallet_access::Call as A;
	let me = ctx.me()?;
	let patient = ctx.patient_of(&me, &args.who)?;
	let doctor = ctx.account(&args.doctor)?;
	let name = ctx.name(&keys::address_of(&doctor));
	let (p, s, u, e) = (
		permission(args.permission),
		scope(&args.scope)?,
		purpose(args.purpose),
		expiry(args.days),
	);
	let call = if change {
		A::change_grant {
			patient: patient.into(),
			grantee: doctor.into(),
			scope: s.clone(),
			permission: p,
			purpose: u,
			expires_at: e,
		}
	} else {
		A::grant {
			patient: patient.into(),
			grantee: doctor.into(),
			scope: s.clone(),
			permission: p,
			purpose: u,
			expires_at: e,
		}
	};
	let inc = ctx.send(&me, RuntimeCall::Access(call)).map_err(|e| {
		reword(e, |_, error| match error {
			"GrantExists" => {
				Some(format!("{name} already holds a grant: `medchain patient change-grant`"))
			}
			"NotActiveDoctor" => Some(format!("{name} is not an active doctor")),
			"NoGrant" => Some(format!("{name} holds no grant to change: `medchain patient grant`")),
			_ => None,
		})
	})?;
	let scope: medchain_api::views::ScopeView = match &s {
		pallet_access::Scope::All => pallet_access::Scope::All,
		pallet_access::Scope::Categories(c) => pallet_access::Scope::Categories(c.to_vec()),
		pallet_access::Scope::Records(r) => pallet_access::Scope::Records(r.to_vec()),
	};
	let verb = if change { "changed the grant of" } else { "granted" };
	let keys = keys_in_scope(ctx, &me, &patient, &scope, &doctor)?;
	let count = keys.len();
	// One call shares at most `MaxKeysPerCall` keys: a wide scope takes several.
	let per_call: u32 =
		<medchain_runtime::Runtime as pallet_records::Config>::MaxKeysPerCall::get();
	for chunk in keys.chunks(per_call as usize) {
		let share = RuntimeCall::Records(pallet_records::Call::share_keys {
			patient: patient.into(),
			reader: doctor.into(),
			keys: bounded(chunk.to_vec(), "the keys to share")?,
		});
		ctx.send(&me, share).map_err(|e| {
			fail(e.code, format!("{verb} {name} access, but sharing the record keys failed: {}. Run the same command with change-grant to share them again", e.message))
		})?;
	}
	ctx.done(
		&inc,
		format!("{verb} {name}: {}, {count} record keys shared", scope_text(&scope)),
		json!({ "keys": count }),
	);
	Ok(())
}

/// Re-encrypt the current version under a new key for the record's current readers.
fn rotate(ctx: &Ctx, me: &Identity, id: u64) -> Result<()> {
	let record = ctx.record(id)?;
	let patient = patient_bytes(&record);
	let key = ctx.data_key(me, &record)?;
	let cid = record.cid.clone();
	{
		let new_key = crypto::new_data_key();
		let new_cid = ctx.reencrypt(&cid, &key, &new_key, &patient)?;
		let readers: Vec<[u8; 32]> =
			ctx.chain.readers_of(id)?.into_iter().map(Into::into).collect();
		let mut all = vec![patient];
		all.extend(readers);
		let epoch = record.epoch + 1;
		let keys = ctx.wrap_for(&new_key, &patient, &origin_cid(&record)?, epoch, &all)?;
		let count = keys.len();
		let call = RuntimeCall::Records(pallet_records::Call::rotate_key {
			record: id,
			cid: bounded(new_cid.clone().into_bytes(), "the CID")?,
			keys: bounded(keys, "the list of readers")?,
		});
		let inc = ctx.send(me, call).map_err(|e| {
			fail(
				e.code,
				format!(
					"{}. The re-encrypted file was stored as {new_cid}; the chain was not changed",
					e.message
				),
			)
		})?;
		ctx.done(
			&inc,
			format!("record {id} re-encrypted under epoch {epoch} for {count} readers: {new_cid}"),
			json!({ "record": id, "epoch": epoch, "cid": new_cid, "readers": count }),
		);
		Ok(())
	}
}

/// Encrypt a profile JSON file to the patient (its own data key, wrapped to the patient and
/// stored beside it) and store it; its CID.
fn store_profile(ctx: &Ctx, me: &Identity, patient: &[u8; 32], file: &Path) -> Result<String> {
	let text = std::fs::read_to_string(file)
		.map_err(|e| fail(exit::USAGE, format!("cannot read {}: {e}", file.display())))?;
	let profile: Value = serde_json::from_str(&text)
		.map_err(|e| fail(exit::USAGE, format!("{} is not JSON: {e}", file.display())))?;
	if !profile.is_object() {
		return Err(fail(
			exit::USAGE,
			"a profile is a JSON object, e.g. {\"name\": ..., \"birthDate\": ...}",
		));
	}
	let public =
		if *patient == me.account() { me.encryption.public() } else { ctx.reader_key(patient)? };
	let key = crypto::new_data_key();
	let wrapped =
		crypto::wrap_key(&key, &public, &crypto::wrap_info(patient, "profile", 0), patient)?;
	// Envelope: wrapped key (80 bytes) then the encrypted document.
	let mut envelope = wrapped;
	envelope.extend(crypto::encrypt_bytes(&key, patient, profile.to_string().as_bytes()));
	let path = ctx.tmp("profile")?;
	files::write_private(&path, envelope)?;
	let cid = ctx.store.add(&path, &|_| {});
	let _ = std::fs::remove_file(&path);
	Ok(cid?.to_string())
}

fn open_profile(me: &Identity, patient: &[u8; 32], envelope: &[u8]) -> Result<Value> {
	if envelope.len() < crypto::WRAPPED_KEY_LEN || *patient != me.account() {
		return Err(fail(
			exit::CRYPTO,
			"the profile is sealed to the patient's own key; only the patient can open it",
		));
	}
	let (wrapped, sealed) = envelope.split_at(crypto::WRAPPED_KEY_LEN);
	let key =
		me.encryption.unwrap_key(wrapped, &crypto::wrap_info(patient, "profile", 0), patient)?;
	let plain = crypto::decrypt_bytes(&key, patient, sealed)?;
	serde_json::from_slice(&plain)
		.map_err(|_| fail(exit::CRYPTO, "the decrypted profile is not JSON"))
}

/// Wait until block `number` is finalized and the client's store holds no block of
/// `cids`, or `deadline` passes. Whether it happened in time.
fn until_dropped(ctx: &Ctx, number: u64, cids: &[cid::Cid], deadline: Instant) -> Result<bool> {
	loop {
		if ctx.chain.finalized_number()? >= number {
			let mut held = false;
			for cid in cids {
				held |= ctx.store.holds_block(cid)?;
			}
			if !held {
				return Ok(true);
			}
		}
		if Instant::now() >= deadline {
			return Ok(false);
		}
		std::thread::sleep(Duration::from_millis(500));
	}
}

/// The pinning follower (`medchain follow run`) and its status.
fn follow(ctx: &Ctx, cmd: FollowCmd) -> Result<()> {
	use medchain_client::{
		follow::{Follower, State},
		replication::Replication,
	};
	let path_of = |state: Option<PathBuf>| state.unwrap_or_else(|| ctx.home.join("follower.json"));
	match cmd {
		FollowCmd::Status { state } => {
			let path = path_of(state);
			let summary = State::load(&path)?.summary();
			if ctx.json {
				output::json(&summary);
			} else {
				println!(
					"block {}: {} pinned, {} unpinned, {} to pin, {} to unpin, {} failed attempts",
					summary["block"],
					summary["pinned"],
					summary["unpinned"],
					summary["pendingPins"],
					summary["pendingUnpins"],
					summary["failures"]
				);
				for f in summary["failing"].as_array().into_iter().flatten() {
					println!(
						"  {} {}: {} attempts, last: {}",
						f["work"].as_str().unwrap_or(""),
						f["cid"].as_str().unwrap_or(""),
						f["attempts"],
						f["lastError"].as_str().unwrap_or("")
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

/// Take one entry of a trail from its SCALE bytes, and check that the node's JSON
/// says the same as the bytes.
fn check_entry(
	walk: &mut medchain_api::TrailWalk<'_, AccountId32>,
	entry: &medchain_api::views::AuditEntry,
) -> std::result::Result<(), String> {
	let seq = entry.seq;
	let scale = entry.scale.as_ref().ok_or(format!("entry {seq} came without its bytes"))?;
	let decoded = walk
		.take_bytes::<medchain_runtime::BlockNumber>(scale)
		.map_err(|e| format!("entry {seq}: {e}"))?;
	if decoded.seq != seq {
		return Err(format!("entry {seq}'s bytes say it is entry {}", decoded.seq));
	}
	if walk.last_hash() != entry.hash.0 {
		return Err(format!("entry {seq}'s hash is not the hash of its bytes"));
	}
	Ok(())
}

/// Who an entity is, in words: a person's name, a hospital's name, or `root`, `council`, ...
fn entity_name(ctx: &Ctx, entity: &medchain_api::views::EntityView) -> String {
	use medchain_api::views::EntityView;
	match entity {
		EntityView::Account { account } => ctx.name(&account.to_string()),
		EntityView::Hospital { hospital } => ctx.hospital_name(*hospital),
		other => medchain_api::params::entity_text(&other.into()),
	}
}

/// An audit action in words: its name, then its fields with accounts named.
fn action_text(ctx: &Ctx, action: &medchain_api::views::ActionView) -> String {
	use medchain_primitives::AuditAction as A;
	let json = serde_json::to_value(action).unwrap_or_default();
	let kind = json["type"].as_str().unwrap_or_default().to_string();
	let terms = match action {
		A::AccessGranted { terms, .. }
		| A::AccessChanged { terms, .. }
		| A::AccessRequestApproved { terms, .. } => Some(terms),
		_ => None,
	};
	let fields = json
		.as_object()
		.into_iter()
		.flatten()
		.filter(|(k, _)| k.as_str() != "type")
		.map(|(k, v)| match (k.as_str(), terms) {
			("terms", Some(terms)) => format!("terms=({})", terms_text(terms)),
			("expiresAt", _) => format!("until={}", output::local_ms(v.as_u64().unwrap_or(0))),
			_ => match v.as_str() {
				Some(s) if keys::parse_account(s).is_some() => format!("{k}={}", ctx.name(s)),
				Some(s) => format!("{k}={s}"),
				None => format!("{k}={v}"),
			},
		})
		.collect::<Vec<_>>()
		.join(" ");
	format!("{kind} {fields}").trim().to_string()
}

/// Page through a trail, recompute every hash from the entry's SCALE bytes, check the links
/// and the stored head, and show the entries.
fn audit(ctx: &Ctx, entity: &str, by_actor: bool) -> Result<()> {
	// Root, the council and the runtime act, but no entry is about them: their trail as a
	// subject is always empty, so show what they did.
	let acts_only = matches!(entity, "root" | "council" | "runtime" | "rootOrCouncil");
	if acts_only && !by_actor && !ctx.json {
		eprintln!(
			"{entity} acts but is never an entry's subject: the entries it wrote (each in its \
			 subject's hash-linked trail)"
		);
	}
	let by_actor = by_actor || acts_only;
	let subject = match ctx.account(entity) {
		Ok(account) => medchain_primitives::Entity::Account(AccountId32::from(account)),
		Err(_) => medchain_api::params::parse_entity("entity", entity)
			.map_err(|e| fail(exit::USAGE, e.0))?,
	};
	let entity_arg = medchain_api::params::entity_text(&subject);
	let mut entries = Vec::new();
	let mut problem: Option<String> = None;
	// One state for the whole walk.
	let at = ctx.chain.best_hash()?;
	if by_actor {
		let mut from = 0;
		loop {
			let page = ctx.chain.audit_by_actor(&subject, from, at)?;
			entries.extend(page.items);
			match page.next {
				Some(next) => from = next,
				None => break,
			}
		}
	} else {
		// The walk hashes each entry's own bytes: neither the node's `hash` nor its
		// `check` is trusted.
		let mut walk = medchain_api::TrailWalk::from_start(&subject);
		let mut head;
		loop {
			let page = ctx.chain.audit_trail(&subject, walk.position(), at)?;
			head = page.head;
			for entry in page.items {
				if problem.is_none() {
					problem = check_entry(&mut walk, &entry).err();
				}
				entries.push(entry);
			}
			if page.next.is_none() || problem.is_some() {
				break;
			}
		}
		if problem.is_none() {
			problem = walk.finish(head.0).err().map(|e| e.to_string());
		}
	}
	let verified = problem.is_none();
	if ctx.json {
		output::json(&json!({
			"entity": entity_arg,
			"byActor": by_actor,
			"entries": entries,
			"verified": if by_actor { Value::Null } else { json!(verified) },
			"problem": problem,
		}));
	} else {
		let rows = entries
			.iter()
			.map(|e| {
				vec![
					e.seq.to_string(),
					output::local_time(&e.at),
					entity_name(ctx, &e.actor),
					action_text(ctx, &e.action),
				]
			})
			.collect::<Vec<_>>();
		output::table(&["SEQ", "TIME", "ACTOR", "ACTION"], &rows);
		if by_actor {
			println!("{} entries written by {entity_arg}", entries.len());
		} else if verified {
			println!("hash chain VERIFIED: {} entries, each hash recomputed from its bytes, linked, ending at the stored head", entries.len());
		} else {
			println!("hash chain BROKEN: {}", problem.clone().unwrap_or_default());
		}
	}
	if verified {
		Ok(())
	} else {
		Err(fail(
			exit::CRYPTO,
			format!("the audit trail of {entity_arg} is broken: {}", problem.unwrap_or_default()),
		))
	}
}
