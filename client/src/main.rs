//! `medchain`: the command-line client for patients, doctors, hospital admins and auditors.
//! docs/client.md walks through every command; the commands themselves are the library's
//! `commands` module.

use clap::Parser;
use medchain_client::commands::{run, Cli};

fn main() {
	let args = Cli::parse();
	let json = args.globals.json;
	match run(args) {
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
