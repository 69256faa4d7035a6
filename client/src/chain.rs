//! Talking to a MedChain node over JSON-RPC (HTTP): signed calls built with the runtime's
//! own types, their inclusion and events, storage reads, and the `medchain_*` queries.

use codec::{Decode, Encode};
use frame_support::StorageHasher as _;
use medchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use serde_json::{json, Value};
use sp_core::{Pair as _, H256};
use sp_runtime::{generic::Era, MultiAddress, MultiSignature};
use std::time::{Duration, Instant};

use crate::keys::Identity;

/// How long a call may take to reach a block before the client stops waiting.
pub const INCLUSION_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a block holding a call may take to be finalized, with `Wait::Finalized`.
pub const FINALITY_TIMEOUT: Duration = Duration::from_secs(90);

/// What a write waits for before it is reported done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Wait {
	/// The call is in a block of the best chain (about 6 s); that block may still be
	/// replaced by another fork.
	InBlock,
	/// The block holding the call is finalized by the hospitals' validators: it will not be
	/// reverted (about 12–18 s).
	Finalized,
}
/// Blocks a signed call stays valid for.
const MORTALITY: u64 = 64;

/// What went wrong talking to the chain, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
	/// No node answers at the URL.
	#[error(
		"no MedChain node answers at {url} ({why}): start one (scripts/run-dev.sh) or pass \
		 --node <url>"
	)]
	Unreachable { url: String, why: String },
	/// The transaction pool refused the call before it reached a block.
	#[error("the chain refused the call ({reason}): {advice}")]
	Refused { reason: String, advice: String },
	/// The call was in a block but failed: the runtime's error and what it means.
	#[error("{meaning} [{pallet}.{error}]")]
	Failed { pallet: String, error: String, meaning: String },
	/// In a block, but that block was not finalized in time.
	#[error(
		"the call is in block #{number} but that block was not finalized within {} s: the \
		 hospitals' validators may be too few online for finality (two thirds are needed). The \
		 call may still be finalized or dropped: check `medchain` again later before resending",
		FINALITY_TIMEOUT.as_secs()
	)]
	NotFinalized { number: u64 },
	/// Not seen in a block in time.
	#[error(
		"the call {hash} was sent but not seen in a block within {} s: check the node's log and \
		 your account's nonce before sending it again",
		INCLUSION_TIMEOUT.as_secs()
	)]
	NotIncluded { hash: String },
	/// A query's answer said no such thing (JSON-RPC error 4004).
	#[error("{0}")]
	NotFound(String),
	/// Any other JSON-RPC error.
	#[error("the node answered error {code}: {message}")]
	Rpc { code: i64, message: String },
	/// An answer that is not the view this client reads for the method.
	#[error(
		"the node's answer to {method} is not what this client reads ({why}): use a client \
		 built for this chain's version"
	)]
	Malformed { method: &'static str, why: String },
}

/// A call that made it into a block.
pub struct Included {
	pub block: H256,
	pub block_number: u64,
	pub extrinsic: H256,
	pub events: Vec<RuntimeEvent>,
	/// Whether the call was free (a MedChain call by a role holder).
	pub feeless: bool,
	/// Whether the block is known finalized (always, with `Wait::Finalized`).
	pub finalized: bool,
}

/// What a signed call needs from the node and does not change while a client runs, but
/// for a runtime upgrade: read once per session, again when the node refuses a call.
#[derive(Clone, Copy, Debug)]
struct Session {
	spec_version: u32,
	tx_version: u32,
	genesis: H256,
}

/// Where a signed call is, as [`Chain::submit`] sees it go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
	/// The node took the call into its pool: pending.
	Sent { extrinsic: H256 },
	/// The call is in block `number` of the best chain.
	InBlock { number: u64 },
	/// Block `number`, holding the call, is finalized.
	Finalized { number: u64 },
}

/// A node's JSON-RPC endpoint.
pub struct Chain {
	url: String,
	agent: ureq::Agent,
	session: std::cell::Cell<Option<Session>>,
	/// Told each [`Step`] of every call sent (the dashboards show them).
	on_step: Option<Box<dyn Fn(Step)>>,
}

impl Chain {
	/// `url` may be `ws://` (as Polkadot.js writes it) or `http://`: the node serves both on
	/// one port, and the client speaks HTTP.
	pub fn new(url: &str) -> Self {
		let url = url.replacen("ws://", "http://", 1).replacen("wss://", "https://", 1);
		let agent = ureq::AgentBuilder::new()
			.timeout_connect(Duration::from_secs(5))
			.timeout(Duration::from_secs(60))
			.build();
		Self { url, agent, session: Default::default(), on_step: None }
	}

	pub fn url(&self) -> &str {
		&self.url
	}

	/// The same endpoint, telling `on_step` where each call it sends is.
	pub fn with_steps(self, on_step: impl Fn(Step) + 'static) -> Self {
		Self { on_step: Some(Box::new(on_step)), ..self }
	}

	fn step(&self, step: Step) {
		if let Some(on_step) = &self.on_step {
			on_step(step);
		}
	}

	/// One JSON-RPC call.
	pub fn rpc(&self, method: &str, params: Value) -> Result<Value, ChainError> {
		let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let response = self.agent.post(&self.url).send_json(body).map_err(|e| match e {
			ureq::Error::Transport(t) => {
				ChainError::Unreachable { url: self.url.clone(), why: t.to_string() }
			}
			ureq::Error::Status(code, r) => {
				ChainError::Rpc { code: code.into(), message: r.into_string().unwrap_or_default() }
			}
		})?;
		let answer: Answer = response
			.into_json()
			.map_err(|e| ChainError::Rpc { code: 0, message: format!("unreadable answer: {e}") })?;
		if let Some(AnswerError { code, message, data }) = answer.error {
			let data = data.as_ref().and_then(Value::as_str).map(str::to_string);
			return Err(match code {
				4004 => ChainError::NotFound(message),
				1010..=1019 => refused(code, &message, data.as_deref()),
				_ => ChainError::Rpc {
					code,
					message: match data {
						Some(d) => format!("{message}: {d}"),
						None => message,
					},
				},
			});
		}
		Ok(answer.result)
	}

	/// A `medchain_*` query; `None` when the chain has no such thing.
	pub fn query(&self, method: &str, params: Value) -> Result<Option<Value>, ChainError> {
		match self.rpc(method, params) {
			Ok(v) => Ok(Some(v)),
			Err(ChainError::NotFound(_)) => Ok(None),
			Err(e) => Err(e),
		}
	}

	/// A storage value at the best block, decoded with the runtime's type.
	pub fn storage<T: Decode>(
		&self,
		key: &[u8],
		at: Option<H256>,
	) -> Result<Option<T>, ChainError> {
		let value = self.rpc("state_getStorage", json!([hex0x(key), at]))?;
		match value.as_str() {
			None => Ok(None),
			Some(hex) => {
				let bytes = unhex(hex)?;
				T::decode(&mut &bytes[..]).map(Some).map_err(|_| ChainError::Rpc {
					code: 0,
					message: "storage value does not decode: is this client built for this \
					          chain's runtime?"
						.into(),
				})
			}
		}
	}

	/// Storage keys under `prefix` at the best block (all pages).
	pub fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, ChainError> {
		self.keys_at(prefix, None)
	}

	/// Storage keys under `prefix` at block `at` (the best block if `None`), all pages.
	pub fn keys_at(&self, prefix: &[u8], at: Option<H256>) -> Result<Vec<Vec<u8>>, ChainError> {
		let mut out = Vec::new();
		let mut start: Option<String> = None;
		loop {
			let page = self.rpc("state_getKeysPaged", json!([hex0x(prefix), 500, start, at]))?;
			let keys: Vec<String> = serde_json::from_value(page).unwrap_or_default();
			let done = keys.len() < 500;
			start = keys.last().cloned();
			for key in keys {
				out.push(unhex(&key)?);
			}
			if done {
				return Ok(out);
			}
		}
	}

	/// The hash of the best block.
	pub fn best_hash(&self) -> Result<H256, ChainError> {
		self.hash_of(None)
	}

	fn hash_of(&self, number: Option<u64>) -> Result<H256, ChainError> {
		let value = self.rpc("chain_getBlockHash", json!([number]))?;
		parse_hash(&value)
	}

	/// The hash of block `number` (of the best chain: below the finalized head, the
	/// finalized one).
	pub fn block_hash(&self, number: u64) -> Result<H256, ChainError> {
		self.hash_of(Some(number))
	}

	fn best_number(&self) -> Result<u64, ChainError> {
		let header = self.rpc("chain_getHeader", json!([]))?;
		header_number(header)
	}

	/// The number of the last finalized block.
	/// The hash of the last finalized block.
	pub fn finalized_hash(&self) -> Result<H256, ChainError> {
		parse_hash(&self.rpc("chain_getFinalizedHead", json!([]))?)
	}

	pub fn finalized_number(&self) -> Result<u64, ChainError> {
		let head = self.rpc("chain_getFinalizedHead", json!([]))?;
		header_number(self.rpc("chain_getHeader", json!([head]))?)
	}

	/// Every event of the block `at`, decoded with the runtime's types.
	pub fn events(
		&self,
		at: H256,
	) -> Result<Vec<frame_system::EventRecord<RuntimeEvent, H256>>, ChainError> {
		// `System::Events` (the storage item is private to frame-system).
		let key =
			[frame_support::Twox128::hash(b"System"), frame_support::Twox128::hash(b"Events")]
				.concat();
		Ok(self.storage(&key, Some(at))?.unwrap_or_default())
	}

	/// Sign `call` as `who`, send it, and wait until it is in a block. A call that fails in
	/// the block returns [`ChainError::Failed`] with the runtime's reason.
	/// The runtime version and genesis hash of the node, read once per session.
	fn session(&self) -> Result<Session, ChainError> {
		if let Some(session) = self.session.get() {
			return Ok(session);
		}
		let version = self.rpc("state_getRuntimeVersion", json!([]))?;
		let number = |field: &'static str| {
			version[field].as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
				ChainError::Malformed {
					method: "state_getRuntimeVersion",
					why: format!("no `{field}`"),
				}
			})
		};
		let (spec_version, tx_version) = (number("specVersion")?, number("transactionVersion")?);
		let ours = &medchain_runtime::VERSION;
		if spec_version != ours.spec_version || tx_version != ours.transaction_version {
			eprintln!(
				"warning: the node runs runtime version {spec_version} (transactions {tx_version}); \
				 this client was built for {} ({}); calls may be refused",
				ours.spec_version, ours.transaction_version
			);
		}
		let session = Session { spec_version, tx_version, genesis: self.hash_of(Some(0))? };
		self.session.set(Some(session));
		Ok(session)
	}

	/// Sign `call` as `who`, send it, and wait as `wait` says. A call the node refuses
	/// after a runtime upgrade (the signature covers the runtime version) is signed again
	/// with the new version, once.
	pub fn submit(
		&self,
		who: &Identity,
		call: RuntimeCall,
		wait: Wait,
	) -> Result<Included, ChainError> {
		match self.submit_once(who, call.clone(), wait) {
			Err(ChainError::Refused { .. }) if self.upgraded()? => {
				self.submit_once(who, call, wait)
			}
			other => other,
		}
	}

	/// Whether the node's runtime changed since the session began (and forget it if so).
	fn upgraded(&self) -> Result<bool, ChainError> {
		let Some(before) = self.session.take() else { return Ok(false) };
		let now = self.session()?;
		Ok((now.spec_version, now.tx_version) != (before.spec_version, before.tx_version))
	}

	fn submit_once(
		&self,
		who: &Identity,
		call: RuntimeCall,
		wait: Wait,
	) -> Result<Included, ChainError> {
		let Session { spec_version, tx_version, genesis } = self.session()?;
		let best = self.best_number()?;
		let era = Era::mortal(MORTALITY, best);
		let era_block = self.hash_of(Some(era.birth(best)))?;
		let nonce =
			self.rpc("system_accountNextIndex", json!([who.address()]))?.as_u64().unwrap_or(0)
				as u32;

		let extension: medchain_runtime::TxExtension = (
			frame_system::CheckNonZeroSender::new(),
			frame_system::CheckSpecVersion::new(),
			frame_system::CheckTxVersion::new(),
			frame_system::CheckGenesis::new(),
			frame_system::CheckEra::from(era),
			frame_system::CheckNonce::from(nonce),
			frame_system::CheckWeight::new(),
			pallet_skip_feeless_payment::SkipCheckIfFeeless::from(
				pallet_transaction_payment::ChargeTransactionPayment::from(0),
			),
			pallet_feeless::LimitFeelessCalls::new(),
			frame_system::WeightReclaim::new(),
		);
		let implicit = ((), spec_version, tx_version, genesis, era_block, (), (), (), (), ());
		let payload =
			medchain_runtime::SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		let signature = payload.using_encoded(|bytes| who.signer.sign(bytes));
		let extrinsic = medchain_runtime::UncheckedExtrinsic::new_signed(
			call,
			MultiAddress::Id(who.account().into()),
			MultiSignature::Sr25519(signature),
			extension,
		);
		let encoded = hex0x(&extrinsic.encode());
		let start_number = best;
		let hash = parse_hash(&self.rpc("author_submitExtrinsic", json!([encoded]))?)?;
		self.step(Step::Sent { extrinsic: hash });

		let started = Instant::now();
		let mut next = start_number + 1;
		while started.elapsed() < INCLUSION_TIMEOUT {
			let best = self.best_number()?;
			while next <= best {
				let block = self.hash_of(Some(next))?;
				let body: SignedBlock =
					typed("chain_getBlock", self.rpc("chain_getBlock", json!([block]))?)?;
				if let Some(index) = body.block.extrinsics.iter().position(|x| *x == encoded) {
					let included = self.outcome(block, next, hash, index as u32)?;
					self.step(Step::InBlock { number: next });
					match wait {
						Wait::InBlock => return Ok(included),
						Wait::Finalized => match self.finalize(included)? {
							Some(finalized) => return Ok(finalized),
							// Its block left the best chain: look again from there.
							None => continue,
						},
					}
				}
				next += 1;
			}
			std::thread::sleep(Duration::from_millis(250));
		}
		Err(ChainError::NotIncluded { hash: format!("{hash:?}") })
	}

	/// Wait until the block holding a call is finalized; `None` if another block was
	/// finalized at its height (the call may then be in a later block).
	fn finalize(&self, included: Included) -> Result<Option<Included>, ChainError> {
		let started = Instant::now();
		while started.elapsed() < FINALITY_TIMEOUT {
			if self.finalized_number()? >= included.block_number {
				let kept = self.hash_of(Some(included.block_number))? == included.block;
				if kept {
					self.step(Step::Finalized { number: included.block_number });
				}
				return Ok(kept.then_some(Included { finalized: true, ..included }));
			}
			std::thread::sleep(Duration::from_millis(500));
		}
		Err(ChainError::NotFinalized { number: included.block_number })
	}

	fn outcome(
		&self,
		block: H256,
		block_number: u64,
		extrinsic: H256,
		index: u32,
	) -> Result<Included, ChainError> {
		let records = self.events(block)?;
		let mut events = Vec::new();
		let mut feeless = false;
		for record in records {
			if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
				continue;
			}
			match &record.event {
				RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
					dispatch_error,
					..
				}) => return Err(explain(*dispatch_error)),
				RuntimeEvent::SkipFeelessPayment(_) => feeless = true,
				_ => {}
			}
			events.push(record.event);
		}
		Ok(Included { block, block_number, extrinsic, events, feeless, finalized: false })
	}
}

/// A pool refusal (JSON-RPC errors 1010–1019) as a sentence with what to do.
fn refused(code: i64, message: &str, data: Option<&str>) -> ChainError {
	let detail = data.unwrap_or(message);
	let (reason, advice) = if detail.contains("Custom error: 1") {
		(
			"too many free calls".to_string(),
			format!(
				"this account has used the {} free calls it may make per {} blocks (about a \
				 minute); wait for the next window and send it again",
				medchain_runtime::configs::MAX_FEELESS_CALLS_PER_WINDOW,
				medchain_runtime::configs::FEELESS_WINDOW
			),
		)
	} else if detail.contains("Inability to pay") || detail.contains("Payment") {
		(
			"no tokens for the fee".to_string(),
			"this account holds no MedChain role that makes this call free and has no tokens to \
			 pay for it: ask a hospital admin for an invitation (`medchain admin invite`) or for \
			 tokens"
				.to_string(),
		)
	} else if detail.contains("Transaction is outdated") || detail.contains("Stale") {
		(
			"outdated nonce".to_string(),
			"another call from this account was just included; send it again".to_string(),
		)
	} else if detail.contains("Priority is too low") || code == 1014 {
		(
			"another call with the same nonce is waiting".to_string(),
			"wait for this account's previous call to be included, then send it again".to_string(),
		)
	} else if detail.contains("bad signature") || detail.contains("BadProof") {
		(
			"bad signature".to_string(),
			"the node did not accept the signature: is this client built for the chain's \
			 current runtime?"
				.to_string(),
		)
	} else {
		(detail.to_string(), "check the call's arguments and the account".to_string())
	};
	ChainError::Refused { reason, advice }
}

/// A dispatch error as pallet, error name and the runtime's own documentation of it.
pub fn explain(error: sp_runtime::DispatchError) -> ChainError {
	use frame_metadata::RuntimeMetadata;
	let sp_runtime::DispatchError::Module(module) = error else {
		let text: &'static str = error.into();
		return ChainError::Failed {
			pallet: "System".into(),
			error: format!("{error:?}"),
			meaning: format!("the call failed: {text}"),
		};
	};
	let metadata = Runtime::metadata();
	let RuntimeMetadata::V14(metadata) = metadata.1 else {
		return ChainError::Failed {
			pallet: format!("pallet {}", module.index),
			error: format!("{:?}", module.error),
			meaning: "the call failed".into(),
		};
	};
	let pallet = metadata.pallets.iter().find(|p| p.index == module.index);
	let name = pallet.map(|p| p.name.clone()).unwrap_or_else(|| format!("pallet {}", module.index));
	let variant = pallet
		.and_then(|p| p.error.as_ref())
		.and_then(|e| metadata.types.resolve(e.ty.id))
		.and_then(|ty| match &ty.type_def {
			scale_info::TypeDef::Variant(v) => {
				v.variants.iter().find(|v| v.index == module.error[0]).cloned()
			}
			_ => None,
		});
	match variant {
		Some(v) => {
			let docs = v.docs.join(" ").trim().to_string();
			ChainError::Failed {
				pallet: name,
				error: v.name.clone(),
				meaning: if docs.is_empty() { v.name } else { docs },
			}
		}
		None => ChainError::Failed {
			pallet: name,
			error: format!("error {}", module.error[0]),
			meaning: "the call failed".into(),
		},
	}
}

pub fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

fn unhex(text: &str) -> Result<Vec<u8>, ChainError> {
	hex::decode(text.trim_start_matches("0x"))
		.map_err(|_| ChainError::Rpc { code: 0, message: format!("not hex: {text}") })
}

/// A JSON-RPC 2.0 answer: its result (`null` for "none"), or its error.
#[derive(serde::Deserialize)]
struct Answer {
	#[serde(default)]
	result: Value,
	error: Option<AnswerError>,
}

#[derive(serde::Deserialize)]
struct AnswerError {
	code: i64,
	message: String,
	data: Option<Value>,
}

/// The parts of `chain_getHeader` and `chain_getBlock` the client reads.
#[derive(serde::Deserialize)]
struct Header {
	number: String,
}

#[derive(serde::Deserialize)]
struct SignedBlock {
	block: Block,
}

#[derive(serde::Deserialize)]
struct Block {
	extrinsics: Vec<String>,
}

fn typed<T: serde::de::DeserializeOwned>(
	method: &'static str,
	value: Value,
) -> Result<T, ChainError> {
	serde_json::from_value(value).map_err(|e| ChainError::Malformed { method, why: e.to_string() })
}

fn header_number(header: Value) -> Result<u64, ChainError> {
	let header: Header = typed("chain_getHeader", header)?;
	u64::from_str_radix(header.number.trim_start_matches("0x"), 16).map_err(|_| {
		ChainError::Malformed { method: "chain_getHeader", why: "the number is not hex".into() }
	})
}

fn parse_hash(value: &Value) -> Result<H256, ChainError> {
	let bytes = unhex(value.as_str().unwrap_or(""))?;
	if bytes.len() != 32 {
		return Err(ChainError::Rpc { code: 0, message: format!("not a hash: {value}") });
	}
	Ok(H256::from_slice(&bytes))
}
