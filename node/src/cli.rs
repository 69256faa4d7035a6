//! Command-line interface of `medchain-node`.

use sc_cli::RunCmd;
use std::path::PathBuf;

#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: RunCmd,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys, generate node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (deprecated upstream; prefer `export-chain-spec`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification of `--chain` as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Generate the chain specification of a consortium from a JSON file of
	/// hospitals (see docs/chain-specs.md).
	ConsortiumSpec(ConsortiumSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: `benchmark pallet` produces the weights of the pallets.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Write the development chain with a large synthetic state (patients,
	/// records, audit entries) as a raw chain spec, for the query latency
	/// benchmark (scripts/rpc-latency.sh).
	BenchState(crate::bench_state::BenchStateCmd),
}

/// `medchain-node consortium-spec --hospitals hospitals.json`
#[derive(Debug, clap::Parser)]
pub struct ConsortiumSpecCmd {
	/// The JSON file listing the consortium's hospitals.
	#[arg(long, value_name = "FILE")]
	pub hospitals: PathBuf,

	/// Write the chain spec here instead of standard output.
	#[arg(long, short, value_name = "FILE")]
	pub output: Option<PathBuf>,

	/// Output the raw (storage) form, as nodes load it.
	#[arg(long)]
	pub raw: bool,

	/// Accept a `sudo` account in the hospitals file. Sudo can do anything on the chain,
	/// overriding the council and every hospital: only for a test network.
	#[arg(long)]
	pub allow_sudo: bool,
}
