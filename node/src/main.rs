//! `medchain-node`: the node each hospital of the MedChain consortium runs.

// `sc_cli::Error` and `sc_service::Error` are the SDK's own error types, large by design;
// every command and service function returns them as the SDK's traits expect.
#![allow(clippy::result_large_err)]

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
