//! Consent as patients give it: grants and their scope, and lists of grants and
//! requests.

use super::*;

pub fn scope(args: &ScopeArgs) -> Result<pallet_access::ScopeOf<medchain_runtime::Runtime>> {
	Ok(if !args.categories.is_empty() {
		let categories = args.categories.iter().map(|c| category(*c)).collect();
		pallet_access::Scope::Categories(bounded(categories, "the list of categories")?)
	} else if !args.records.is_empty() {
		pallet_access::Scope::Records(bounded(args.records.clone(), "the list of records")?)
	} else {
		pallet_access::Scope::All
	})
}

pub fn permission(p: PermissionArg) -> pallet_access::Permission {
	match p {
		PermissionArg::Read => pallet_access::Permission::Read,
		PermissionArg::ReadWrite => pallet_access::Permission::ReadWrite,
	}
}

pub fn purpose(p: PurposeArg) -> pallet_access::Purpose {
	match p {
		PurposeArg::Treatment => pallet_access::Purpose::Treatment,
		PurposeArg::SecondOpinion => pallet_access::Purpose::SecondOpinion,
		PurposeArg::Research => pallet_access::Purpose::Research,
		PurposeArg::Emergency => pallet_access::Purpose::Emergency,
		PurposeArg::Other => pallet_access::Purpose::Other,
	}
}

/// A grant or a request as one row of a list.
pub struct ConsentRow<'a> {
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

pub fn list_consents<'a, T>(ctx: &Ctx, items: &'a [T], header: &str)
where
	T: serde::Serialize,
	ConsentRow<'a>: From<&'a T>,
{
	if ctx.json {
		ctx.emit(&json!(items));
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

pub fn grant(ctx: &Ctx, args: GrantArgs, change: bool) -> Result<()> {
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
	let scope = medchain_api::views::scope_view(&s);
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
