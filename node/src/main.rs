//! `medchain-node`: the node each hospital of the MedChain consortium runs.

mod bench_state;
mod chain_spec;
mod cli;
mod command;
mod consortium_spec;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
