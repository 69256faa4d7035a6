//! `medchain audit`: audit trails, verified on the entries' own bytes.

use super::*;

/// Take one entry of a trail from its SCALE bytes, and check that the node's JSON
/// says the same as the bytes.
pub fn check_entry(
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
pub fn entity_name(ctx: &Ctx, entity: &medchain_api::views::EntityView) -> String {
	use medchain_api::views::EntityView;
	match entity {
		EntityView::Account { account } => ctx.name(&account.to_string()),
		EntityView::Hospital { hospital } => ctx.hospital_name(*hospital),
		other => medchain_api::params::entity_text(&other.into()),
	}
}

/// An audit action in words: its name, then its fields with accounts named.
pub fn action_text(ctx: &Ctx, action: &medchain_api::views::ActionView) -> String {
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

/// A trail as read and checked: its entries, and what is wrong with its hash chain.
pub struct TrailRead {
	/// The entity, as the RPC names it (`account:…`, `hospital:1`, …).
	pub entity: String,
	/// The entries the entity wrote, rather than its trail (not hash-linked).
	pub by_actor: bool,
	pub entries: Vec<medchain_api::views::AuditEntry>,
	/// Why the hash chain does not hold (`None`: verified, or not a trail).
	pub problem: Option<String>,
}

/// Page through a trail, recompute every hash from the entry's SCALE bytes, and check the
/// links and the stored head. With `by_actor`, the entries the entity wrote instead.
pub fn read_trail(ctx: &Ctx, entity: &str, by_actor: bool) -> Result<TrailRead> {
	// Root, the council and the runtime act, but no entry is about them: their trail as a
	// subject is always empty, so show what they did.
	let acts_only = matches!(entity, "root" | "council" | "runtime" | "rootOrCouncil");
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
	Ok(TrailRead { entity: entity_arg, by_actor, entries, problem })
}

/// Show a trail, verified (`medchain audit trail`).
pub fn audit(ctx: &Ctx, entity: &str, by_actor: bool) -> Result<()> {
	let acts_only = matches!(entity, "root" | "council" | "runtime" | "rootOrCouncil");
	if acts_only && !by_actor && !ctx.json {
		eprintln!(
			"{entity} acts but is never an entry's subject: the entries it wrote (each in its \
			 subject's hash-linked trail)"
		);
	}
	let TrailRead { entity: entity_arg, by_actor, entries, problem } =
		read_trail(ctx, entity, by_actor)?;
	let verified = problem.is_none();
	if ctx.json {
		ctx.emit(&json!({
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

#[derive(Subcommand)]
pub enum AuditCmd {
	/// The audit trail of a patient, doctor, `hospital:<id>`, `root`, `council` or
	/// `runtime`, with its hash chain checked entry by entry.
	Trail {
		entity: String,
		/// The entries this entity wrote instead (not hash-linked).
		#[arg(long)]
		by_actor: bool,
	},
}
