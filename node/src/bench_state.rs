//! `medchain-node bench-state`: the development chain with a large state,
//! as a raw chain spec, for the query latency benchmark
//! (`scripts/rpc-latency.sh`, docs/performance.md).
//!
//! The state is made by the pallets' own calls, run natively on the dev
//! genesis storage: each synthetic patient registers, creates records (with
//! a wrapped key for themself), and opens each record a few times, which
//! writes read receipts to the audit trail. So the state is what the chain
//! itself would have written, only without the blocks.

use crate::chain_spec;
use medchain_primitives::RecordCategory;
use medchain_runtime::{AccountId, Patients, Records, Runtime, RuntimeOrigin};
use sp_runtime::BuildStorage;
use std::{io::Write, path::PathBuf, time::Instant};

/// `medchain-node bench-state --output bench.json`
#[derive(Debug, clap::Parser)]
pub struct BenchStateCmd {
	/// How many patients register.
	#[arg(long, default_value_t = 1_000)]
	pub patients: u32,

	/// How many records each patient creates (at most 1,000).
	#[arg(long, default_value_t = 100)]
	pub records_per_patient: u32,

	/// How many times each patient opens each record (one audit entry each).
	#[arg(long, default_value_t = 9)]
	pub opens_per_record: u32,

	/// Where to write the raw chain spec.
	#[arg(long, short, value_name = "FILE")]
	pub output: PathBuf,
}

/// The account of synthetic patient `i`: BLAKE2b-256 of
/// `"medchain-bench-patient"` followed by `i` as 4 little-endian bytes
/// (`scripts/rpc-latency.mjs` derives the same).
pub fn patient(i: u32) -> AccountId {
	let mut seed = b"medchain-bench-patient".to_vec();
	seed.extend_from_slice(&i.to_le_bytes());
	sp_io::hashing::blake2_256(&seed).into()
}

const CATEGORIES: [RecordCategory; 10] = [
	RecordCategory::Consultation,
	RecordCategory::Diagnosis,
	RecordCategory::Prescription,
	RecordCategory::LabResult,
	RecordCategory::Imaging,
	RecordCategory::Allergy,
	RecordCategory::Immunization,
	RecordCategory::Procedure,
	RecordCategory::Discharge,
	RecordCategory::Other,
];

/// Some CIDv1 (of "hello world\n").
const CID: &[u8] = b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";

/// 2026-01-01T00:00:00Z, the chain time of every synthetic entry.
const START: u64 = 1_767_225_600_000;

fn fill(cmd: &BenchStateCmd) -> Result<(), String> {
	let fail = |what: &str, e: sp_runtime::DispatchError| format!("{what}: {e:?}");
	// Chain time as a block would set it (without Aura's slot check).
	pallet_timestamp::Now::<Runtime>::put(START);
	for i in 0..cmd.patients {
		let who = patient(i);
		let origin = || RuntimeOrigin::signed(who.clone());
		Patients::register(origin(), [7; 32], None).map_err(|e| fail("register", e))?;
		for r in 0..cmd.records_per_patient {
			let id = pallet_records::NextRecordId::<Runtime>::get();
			let category = CATEGORIES[r as usize % CATEGORIES.len()];
			let wrapped = vec![0xab; 80].try_into().expect("80 bytes fit a wrapped key");
			let keys = vec![(who.clone(), wrapped)].try_into().expect("one reader fits");
			let cid = CID.to_vec().try_into().expect("the CID fits");
			Records::create_record(origin(), who.clone(), category, cid, keys)
				.map_err(|e| fail("create_record", e))?;
			for _ in 0..cmd.opens_per_record {
				Records::open_record(origin(), id).map_err(|e| fail("open_record", e))?;
			}
		}
		if (i + 1) % 100 == 0 {
			eprintln!("  {} patients done", i + 1);
		}
	}
	Ok(())
}

/// Build the state and write the raw chain spec.
pub fn run(cmd: &BenchStateCmd) -> Result<(), String> {
	let spec = chain_spec::development()?;
	let mut storage = spec.build_storage()?;
	let started = Instant::now();
	sp_state_machine::BasicExternalities::execute_with_storage(&mut storage, || fill(cmd))?;
	let (records, entries) =
		sp_state_machine::BasicExternalities::execute_with_storage(&mut storage, || {
			(
				pallet_records::NextRecordId::<Runtime>::get(),
				pallet_audit::NextSeq::<Runtime>::get(),
			)
		});
	eprintln!(
		"{records} records, {entries} audit entries, {} storage items, made in {:.1?}",
		storage.top.len(),
		started.elapsed()
	);

	// The dev spec's name, properties etc., with this state as its raw genesis.
	let mut head: serde_json::Value = serde_json::from_str(&spec.as_json(false)?)
		.map_err(|e| format!("the dev chain spec is not JSON: {e}"))?;
	let fields = head.as_object_mut().ok_or("the dev chain spec is not a JSON object")?;
	fields.remove("genesis");
	fields.insert("name".into(), "MedChain Benchmark".into());
	fields.insert("id".into(), "medchain_bench".into());
	let head = serde_json::to_string(&head).map_err(|e| e.to_string())?;

	let file = std::fs::File::create(&cmd.output)
		.map_err(|e| format!("cannot write {}: {e}", cmd.output.display()))?;
	let mut out = std::io::BufWriter::new(file);
	let mut write = || -> std::io::Result<()> {
		let fields = head.strip_suffix('}').unwrap_or(&head);
		write!(out, "{fields},\"genesis\":{{\"raw\":{{\"top\":{{")?;
		for (n, (key, value)) in storage.top.iter().enumerate() {
			let comma = if n == 0 { "" } else { "," };
			write!(
				out,
				"{comma}\"{}\":\"{}\"",
				sp_core::bytes::to_hex(key, false),
				sp_core::bytes::to_hex(value, false)
			)?;
		}
		write!(out, "}},\"childrenDefault\":{{}}}}}}}}")?;
		out.flush()
	};
	write().map_err(|e| format!("cannot write {}: {e}", cmd.output.display()))
}
