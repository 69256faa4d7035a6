//! `medchain account`: create, import, list, show and export accounts.

use super::*;

pub fn account(ctx: &Ctx, cmd: AccountCmd) -> Result<()> {
	match cmd {
		AccountCmd::New { name } => {
			let (identity, phrase) = Identity::generate(&name);
			let pw = password(&format!("new password for {name}: "))?;
			let info = ctx.keystore.save(&identity, &pw)?;
			if ctx.json {
				ctx.emit(&json!({ "account": info, "mnemonic": *phrase }));
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
				ctx.emit(&json!(all));
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

pub fn show_info(ctx: &Ctx, info: &keys::AccountInfo, verb: &str) {
	if ctx.json {
		ctx.emit(&json!(info));
	} else {
		if !verb.is_empty() {
			println!("account {} {verb}", info.name);
		}
		println!("name:           {}", info.name);
		println!("address:        {}", info.address);
		println!("encryption key: {}", info.encryption_key);
	}
}

#[derive(Subcommand)]
pub enum AccountCmd {
	/// A new account from a fresh 24-word mnemonic (shown once: write it down).
	New { name: String },
	/// An account from an existing mnemonic (read from standard input).
	Import { name: String },
	/// The accounts in the keystore.
	List,
	/// One account's address and encryption key.
	Show { name: String },
	/// Export in the Polkadot.js JSON format (for Apps or the extension).
	Export {
		name: String,
		/// Write here instead of standard output.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}
