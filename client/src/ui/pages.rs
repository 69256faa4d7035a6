//! The dashboards' pages: HTML rendered here (maud, checked at compile time), with the
//! style sheet inline and no script. Nothing is fetched from anywhere else.

use crate::{
	commands::Ctx,
	keys::{AccountInfo, KeyError},
	output,
};
use maud::{html, Markup, DOCTYPE};
use medchain_api::views::{Doctor, Grant, Patient, Request};
use serde_json::Value;
use sp_runtime::AccountId32;

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
header { background: #0b5394; color: white; padding: .8rem 1.5rem; display: flex;
  justify-content: space-between; align-items: center; }
header h1 { font-size: 1.2rem; margin: 0; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1.5rem; }
section { background: white; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem 1.5rem;
  margin-bottom: 1.5rem; }
label { display: block; margin: .8rem 0 .3rem; font-weight: 600; }
input, select, button { font: inherit; padding: .4rem .6rem; }
button { background: #0b5394; color: white; border: 0; border-radius: 4px; cursor: pointer;
  margin-top: 1rem; }
header button { background: white; color: #0b5394; margin: 0; }
button:focus, input:focus, select:focus, a:focus { outline: 3px solid #f6b73c; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; }
.error { background: #ffebe9; border: 1px solid #ff8182; padding: .6rem 1rem; border-radius: 4px; }
.notice { background: #fff8c5; border: 1px solid #d4a72c; padding: .6rem 1rem; border-radius: 4px; }
code { font-size: .9em; word-break: break-all; }
form.inline { display: inline; }
form.inline button { margin: 0 .3rem 0 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
";

fn page(title: &str, top: Option<Markup>, body: Markup) -> String {
	html! {
		(DOCTYPE)
		html lang="en" {
			head {
				meta charset="utf-8";
				meta name="viewport" content="width=device-width, initial-scale=1";
				title { (title) " · MedChain" }
				style { (STYLE) }
			}
			body {
				header {
					h1 { "MedChain" }
					@if let Some(top) = top { (top) }
				}
				main { (body) }
			}
		}
	}
	.into_string()
}

/// A page that only says something.
pub fn message(title: &str, text: &str) -> String {
	page(title, None, html! { section { h2 { (title) } p { (text) } } })
}

/// Sign in: pick an account of the keystore, give its password.
pub fn signin(
	csrf: &str,
	accounts: Result<Vec<AccountInfo>, KeyError>,
	notice: Option<&str>,
	error: Option<&str>,
) -> String {
	let body = html! {
		section {
			h2 { "Sign in" }
			@if let Some(notice) = notice { p.notice role="status" { (notice) } }
			@if let Some(error) = error { p.error role="alert" { (error) } }
			@match accounts {
				Err(e) => p.error role="alert" { (e.to_string()) },
				Ok(accounts) if accounts.is_empty() => p {
					"This keystore has no account yet. Create one with "
					code { "medchain account new <name>" }
					" (or import one with "
					code { "medchain account import <name>" }
					"), then reload this page."
				},
				Ok(accounts) => form method="post" action="/signin" {
					input type="hidden" name="csrf" value=(csrf);
					label for="account" { "Account" }
					select id="account" name="account" {
						@for a in &accounts {
							option value=(a.name) { (a.name) " (" (short(&a.address)) ")" }
						}
					}
					label for="password" { "Password" }
					input id="password" name="password" type="password" required
						autocomplete="current-password" autofocus;
					div { button type="submit" { "Sign in" } }
				},
			}
		}
	};
	page("Sign in", None, body)
}

/// A duration in words: `15 minutes`, `30 seconds`.
pub fn duration(d: std::time::Duration) -> String {
	match d.as_secs() {
		s if s >= 120 => format!("{} minutes", s / 60),
		1 => "1 second".into(),
		s => format!("{s} seconds"),
	}
}

fn short(address: &str) -> String {
	crate::commands::short(address)
}

/// One version of a record, as the patient's list shows it.
pub struct VersionRow {
	pub record: u64,
	pub category: String,
	pub version: String,
	pub author: String,
	pub time: String,
	pub cid: String,
}

/// What the home page shows: the roles of the account and, for a patient, their records.
pub struct Overview {
	pub patient: Option<Patient>,
	pub doctor: Option<Doctor>,
	pub records: Vec<VersionRow>,
	/// A patient's pending requests and grants, with each doctor's name.
	pub requests: Vec<(String, Request)>,
	pub grants: Vec<(String, Grant)>,
	/// What could not be read, in words.
	pub error: Option<String>,
}

impl Overview {
	/// Read it from the chain, as the signed-in account.
	pub fn read(ctx: &Ctx) -> Self {
		let mut overview = Overview {
			patient: None,
			doctor: None,
			records: Vec::new(),
			requests: Vec::new(),
			grants: Vec::new(),
			error: None,
		};
		if let Err(e) = overview.fill(ctx) {
			overview.error = Some(e.message);
		}
		overview
	}

	fn fill(&mut self, ctx: &Ctx) -> crate::commands::Result<()> {
		let me = AccountId32::from(ctx.me()?.account());
		self.patient = ctx.chain().patient(&me, None)?;
		self.doctor = ctx.chain().doctor(&me, None)?;
		if self.patient.is_some() {
			for request in ctx.chain().requests_of(&me)? {
				self.requests.push((ctx.name(&request.doctor.to_string()), request));
			}
			for grant in ctx.chain().grants_of(&me)? {
				self.grants.push((ctx.name(&grant.grantee.to_string()), grant));
			}
			for record in ctx.chain().records_of(&me)? {
				for v in &record.versions {
					let current = if v.version == record.version { " (current)" } else { "" };
					self.records.push(VersionRow {
						record: record.id,
						category: format!("{:?}", record.category),
						version: format!("v{}{current}", v.version),
						author: ctx.name(&v.author.to_string()),
						time: output::local_time(&v.at),
						cid: v.cid.clone(),
					});
				}
			}
		}
		Ok(())
	}
}

/// An action's outcome in words, from the JSON its command gives: its sentence, block and
/// finality.
pub fn outcome(results: &[Value]) -> String {
	let Some(result) = results.last() else { return "Done.".into() };
	let message = capitalized(result["message"].as_str().unwrap_or("done"));
	match result["blockNumber"].as_u64() {
		Some(n) => {
			let finality = if result["finalized"] == true { ", finalized" } else { ", in a block" };
			format!("{message} (block #{n}{finality}).")
		}
		None => format!("{message}."),
	}
}

/// A sentence of the command line's, which starts in lower case, as a page shows it.
fn capitalized(text: &str) -> String {
	let mut chars = text.chars();
	chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A doctor's request or grant as one row, with what the patient can do about it.
struct ConsentLine<'a> {
	who: &'a str,
	doctor: String,
	scope: String,
	permission: String,
	purpose: String,
	since: String,
	until: String,
	/// `(action, label)`: each a button posting the doctor to `/patient/<action>`.
	actions: &'static [(&'static str, &'static str)],
}

/// A section listing requests or grants; `headers` names the time and action columns.
fn consent_table<'a>(
	csrf: &str,
	title: &str,
	empty: &str,
	headers: [&str; 2],
	lines: impl ExactSizeIterator<Item = ConsentLine<'a>>,
) -> Markup {
	html! {
		section {
			h2 { (title) }
			@if lines.len() == 0 {
				p { (empty) }
			} @else {
				table {
					thead { tr {
						th scope="col" { "Doctor" } th scope="col" { "Records" }
						th scope="col" { "Permission" } th scope="col" { "Purpose" }
						th scope="col" { (headers[0]) } th scope="col" { "Until" }
						th scope="col" { (headers[1]) }
					} }
					tbody {
						@for line in lines {
							tr {
								td { (line.who) } td { (line.scope) } td { (line.permission) }
								td { (line.purpose) } td { (line.since) } td { (line.until) }
								td {
									@for (action, label) in line.actions {
										form.inline method="post" action=(format!("/patient/{action}")) {
											input type="hidden" name="csrf" value=(csrf);
											input type="hidden" name="doctor" value=(line.doctor);
											button type="submit" aria-label=(format!("{label} {}", line.who)) { (label) }
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

/// The signed-in person's home: who they are on the chain and, for a patient, their
/// records, the doctors' requests and the grants.
pub fn home(
	csrf: &str,
	name: &str,
	address: &str,
	overview: Overview,
	flash: Option<super::Flash>,
) -> String {
	let top = html! {
		form method="post" action="/signout" {
			input type="hidden" name="csrf" value=(csrf);
			span { "Signed in as " strong { (name) } " " }
			button type="submit" { "Sign out" }
		}
	};
	let body = html! {
		@match &flash {
			Some(super::Flash::Done(text)) => p.notice role="status" { (text) },
			Some(super::Flash::Failed(text)) => p.error role="alert" { (text) },
			None => {},
		}
		section {
			h2 { "Your account" }
			p { "Address: " code id="address" { (address) } }
			@if let Some(error) = &overview.error { p.error role="alert" { (error) } }
			ul {
				@if let Some(p) = &overview.patient {
					li { "Patient since " (output::local_time(&p.registered_at)) }
				}
				@if let Some(d) = &overview.doctor {
					li { "Doctor " (d.name) " (" (d.specialty) "), " (d.status) ", hospital #" (d.hospital) }
				}
				@if overview.patient.is_none() && overview.doctor.is_none() && overview.error.is_none() {
					li { "Not registered on the chain yet: no patient or doctor with this address." }
				}
			}
		}
		@if overview.patient.is_some() {
			(consent_table(csrf, "Requests from doctors", "No pending requests.", ["Asked", "Decide"],
				overview.requests.iter().map(|(who, r)| ConsentLine {
					who,
					doctor: r.doctor.to_string(),
					scope: crate::commands::scope_text(&r.scope),
					permission: format!("{:?}", r.permission),
					purpose: format!("{:?}", r.purpose),
					since: output::local_time(&r.requested_at),
					until: output::local_time(&r.expires_at),
					actions: &[("approve", "Approve"), ("deny", "Deny")],
				})))
			(consent_table(csrf, "Who can read your records", "Nobody but you.", ["Since", "Change"],
				overview.grants.iter().map(|(who, g)| ConsentLine {
					who,
					doctor: g.grantee.to_string(),
					scope: crate::commands::scope_text(&g.scope),
					permission: format!("{:?}", g.permission),
					purpose: format!("{:?}", g.purpose),
					since: output::local_time(&g.granted_at),
					until: g.expires_at.as_ref()
						.map_or_else(|| "until you revoke it".into(), output::local_time),
					actions: &[("revoke", "Revoke")],
				})))
			section {
				h2 { "Your records" }
				@if overview.records.is_empty() {
					p { "No records yet." }
				} @else {
					table {
						caption.sr-only { "Every version of every record" }
						thead { tr {
							th scope="col" { "Record" } th scope="col" { "Category" }
							th scope="col" { "Version" } th scope="col" { "Author" }
							th scope="col" { "Time" } th scope="col" { "IPFS CID" }
						} }
						tbody {
							@for r in &overview.records {
								tr {
									td { (r.record) } td { (r.category) } td { (r.version) }
									td { (r.author) } td { (r.time) } td { code { (r.cid) } }
								}
							}
						}
					}
				}
			}
		}
	};
	page("Home", Some(top), body)
}
