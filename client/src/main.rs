//! `medchain`: the command-line client for patients, doctors, hospital admins and auditors.
//! docs/client.md walks through every command.

mod cli;
mod flows;
mod output;

use clap::Parser;

fn main() {
	let args = cli::Cli::parse();
	let json = args.json;
	match flows::run(args) {
		Ok(()) => {}
		Err(failure) => {
			if json {
				println!(
					"{}",
					serde_json::json!({ "error": failure.message, "exitCode": failure.code })
				);
			}
			eprintln!("error: {}", failure.message);
			std::process::exit(failure.code);
		}
	}
}
