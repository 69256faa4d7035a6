//! The patient's dashboard: profile, records (upload, open, rotate, erase), who may read
//! them (grant, change, revoke), the doctors' requests (approve, possibly narrowed, or
//! deny), emergency accesses, and the latest of their audit trail.

use super::{
	home::{profile_from, profile_inputs},
	jobs::{bad, Bad, Download, Outcome, Plan},
	pages, App, Fields, Signed,
};
use crate::commands::{
	self, execute, CategoryArg, Command, Ctx, ForArgs, GrantArgs, NarrowArgs, OpenArgs, PatientCmd,
	PermissionArg, PurposeArg, ScopeArgs,
};
use axum::{
	extract::{Query, State},
	http::HeaderMap,
	response::Response,
};
use clap::ValueEnum;
use maud::{html, Markup};
use medchain_api::views::{Grant, Patient, Record, Request};
use medchain_primitives::{AuditAction, Purpose};
use serde_json::{Map, Value};
use sp_runtime::AccountId32;
use std::path::Path;

const BACK: &str = "/patient";

/// One entry of the trail as a page shows it.
#[derive(Clone)]
pub struct EntryRow {
	pub seq: u64,
	pub time: String,
	pub actor: String,
	pub kind: String,
	pub text: String,
}

/// What the patient's page shows.
struct View {
	patient: Option<Patient>,
	/// The decrypted profile, or why it could not be opened.
	profile: Result<Map<String, Value>, String>,
	records: Vec<Record>,
	/// The records available in an emergency: id, custodian hospitals, threshold.
	escrowed: std::collections::HashMap<u64, (usize, u32)>,
	/// Authors' names, by address.
	names: std::collections::HashMap<String, String>,
	/// Requests with the doctor's name and their reason, opened.
	requests: Vec<(String, Request, Option<String>)>,
	grants: Vec<(String, Grant)>,
	/// Emergency accesses not reviewed yet, in words.
	emergencies: Vec<String>,
	/// A key recovery of the patient's keys, pending or in effect, in words.
	recovery: Option<String>,
	/// The newest entries of the patient's trail, newest first; and its check.
	latest: Vec<EntryRow>,
	problem: Option<String>,
	/// The patient shown: the account itself, or a ward (`Some(address)`).
	ward: Option<String>,
	/// The patients the account acts for, and the patient's guardians: names and addresses.
	wards: Vec<(String, String)>,
	guardians: Vec<(String, String)>,
	error: Option<String>,
}

impl View {
	fn read(ctx: &Ctx, ward: Option<String>) -> Self {
		let mut view = View {
			ward,
			wards: Vec::new(),
			guardians: Vec::new(),
			patient: None,
			profile: Ok(Map::new()),
			records: Vec::new(),
			escrowed: Default::default(),
			names: Default::default(),
			requests: Vec::new(),
			grants: Vec::new(),
			emergencies: Vec::new(),
			recovery: None,
			latest: Vec::new(),
			problem: None,
			error: None,
		};
		if let Err(e) = view.fill(ctx) {
			view.error = Some(e.message);
		}
		view
	}

	fn fill(&mut self, ctx: &Ctx) -> commands::Result<()> {
		let me = ctx.me()?;
		let named = |a: &AccountId32| {
			let address = medchain_api::ss58(a);
			(ctx.name(&address), address)
		};
		self.wards = commands::wards_of(ctx, &me.account())?.iter().map(named).collect();
		let who = ForArgs { patient: self.ward.clone() };
		let account = AccountId32::from(ctx.patient_of(&me, &who)?);
		let own = self.ward.is_none();
		self.patient = ctx.chain().patient(&account, None)?;
		let Some(patient) = &self.patient else { return Ok(()) };
		self.guardians = patient.guardians.iter().map(|g| named(&g.0)).collect();
		if patient.profile.is_some() {
			self.profile = if own {
				commands::profile(ctx, &who)
					.map(|p| p.as_object().cloned().unwrap_or_default())
					.map_err(|e| e.message)
			} else {
				Err("it is sealed to the patient's own key: only the patient opens it".into())
			};
		}
		for request in ctx.chain().requests_of(&account)? {
			let reason = request.note.as_ref().map(|cid| match own {
				true => commands::request_note(ctx, &me, &me.account(), cid)
					.unwrap_or_else(|e| format!("(the reason could not be opened: {})", e.message)),
				false => "(sealed to the patient: only the patient reads it)".into(),
			});
			self.requests.push((ctx.name(&request.doctor.to_string()), request, reason));
		}
		for grant in ctx.chain().grants_of(&account)? {
			self.grants.push((ctx.name(&grant.grantee.to_string()), grant));
		}
		self.records = ctx.chain().records_of(&account)?;
		for r in &self.records {
			if let Some(escrow) = crate::release::escrow(ctx.chain(), r.id)? {
				self.escrowed.insert(r.id, (escrow.shares.len(), escrow.threshold));
			}
		}
		for v in self.records.iter().flat_map(|r| &r.versions) {
			let author = v.author.to_string();
			let name = ctx.name(&author);
			self.names.insert(author, name);
		}
		let trail = commands::read_trail(ctx, &medchain_api::ss58(&account), false)?;
		self.problem = trail.problem;
		self.emergencies = open_emergencies(ctx, &trail.entries);
		self.recovery =
			commands::recovery_summary(ctx, &account.clone().into())?.map(|(text, _)| text);
		self.latest = trail.entries.iter().rev().take(10).map(|e| entry_row(ctx, e)).collect();
		Ok(())
	}
}

/// One trail entry in words.
pub fn entry_row(ctx: &Ctx, e: &medchain_api::views::AuditEntry) -> EntryRow {
	let kind = serde_json::to_value(&e.action)
		.ok()
		.and_then(|v| v["type"].as_str().map(str::to_string))
		.unwrap_or_default();
	EntryRow {
		seq: e.seq,
		time: pages::time(&e.at),
		actor: commands::entity_name(ctx, &e.actor),
		kind,
		text: commands::action_text(ctx, &e.action),
	}
}

/// Emergency accesses in a trail whose review is not closed, in words.
fn open_emergencies(ctx: &Ctx, entries: &[medchain_api::views::AuditEntry]) -> Vec<String> {
	let closed: Vec<u64> = entries
		.iter()
		.filter_map(|e| match e.action {
			AuditAction::EmergencyReviewClosed { entry, .. } => Some(entry),
			_ => None,
		})
		.collect();
	entries
		.iter()
		.filter(|e| !closed.contains(&e.seq))
		.filter_map(|e| match &e.action {
			AuditAction::EmergencyAccessOpened { hospital, reason, expires_at } => Some(format!(
				"Emergency access: {} opened your records at {} ({reason:?}), readable until \
				 {}. {} reviews it; this stays here until the review is closed.",
				commands::entity_name(ctx, &e.actor),
				pages::time(&e.at),
				pages::time_ms(*expires_at),
				ctx.hospital_name(*hospital),
			)),
			AuditAction::EmergencyAccessOpenedWithoutExpiry { hospital, reason } => Some(format!(
				"Emergency access: {} opened your records at {} ({reason:?}). {} reviews it.",
				commands::entity_name(ctx, &e.actor),
				pages::time(&e.at),
				ctx.hospital_name(*hospital),
			)),
			_ => None,
		})
		.collect()
}

/// `?for=<patient>`: act for that patient as their guardian; `?for=` (empty): as oneself.
#[derive(serde::Deserialize)]
pub struct ForQuery {
	#[serde(rename = "for")]
	ward: Option<String>,
}

/// GET /patient
pub async fn page(
	State(app): State<App>,
	headers: HeaderMap,
	Query(query): Query<ForQuery>,
) -> Response {
	let mut signed = signed_or_return!(app, headers);
	if let Some(ward) = query.ward {
		let ward = Some(ward.trim().to_string()).filter(|w| !w.is_empty());
		signed.acting_for = ward.clone();
		app.update(&signed.session, |s| {
			if let Some(account) = &mut s.account {
				account.acting_for = ward;
			}
		});
	}
	let ward = signed.acting_for.clone();
	app.show(&signed, ("Patient", BACK), move |ctx| View::read(ctx, ward), render).await
}

fn render(signed: &Signed, v: &View) -> Markup {
	let csrf = signed.csrf.as_str();
	html! {
		@if let Some(error) = &v.error { p.error role="alert" { (error) } }
		@for banner in &v.emergencies { p.banner role="alert" { (banner) } }
		@if let Some(recovery) = &v.recovery {
			section id="recovery" {
				p.banner role="alert" { (recovery) }
				(pages::action_form(csrf, "cancel-recovery", true, html! {
					button.danger type="submit" { "Cancel the key recovery" }
				}))
			}
		}
		@if let Some(ward) = &v.ward {
			p.warning role="status" {
				"You act for the patient " code { (ward) } " as their guardian: what you do here is in their trail, under your name. "
				a href="/patient?for=" { "Back to your own page" }
			}
		}
		@if !v.wards.is_empty() {
			nav aria-label="Patients you act for" {
				p { "You are the guardian of: "
					@for (name, address) in &v.wards {
						a href=(format!("/patient?for={address}")) { (name) } " "
					}
				}
			}
		}
		@if v.patient.is_none() && v.error.is_none() {
			section {
				h2 { "Not a patient" }
				@if v.ward.is_some() {
					p { "This address is not a registered patient." }
				} @else {
					p { "This account is not a registered patient. " a href="/home" { "Register on the home page" } "." }
				}
			}
		}
		@if v.patient.is_some() {
			(profile_section(csrf, &v.profile, v.ward.is_none()))
			@if v.ward.is_none() { (guardians_section(csrf, &v.guardians)) }
			(requests_section(csrf, &v.requests))
			(grants_section(csrf, &v.grants, v.ward.is_none()))
			(records_section(csrf, v))
			(upload_section(csrf))
			(trail_section(v))
		}
	}
}

fn guardians_section(csrf: &str, guardians: &[(String, String)]) -> Markup {
	html! {
		section id="guardians" {
			h2 { "Your guardians" }
			p.hint { "A guardian (a parent, a carer) manages your consent for you: requests, grants, revocations. They cannot open your profile." }
			@if guardians.is_empty() { p { "None." } }
			ul {
				@for (name, address) in guardians {
					li {
						(name) " " code { (address) } " "
						(pages::action_form(csrf, "remove-guardian", true, html! {
							input type="hidden" name="guardian" value=(address);
							button.danger type="submit" aria-label=(format!("Remove {name} as guardian")) { "Remove" }
						}))
					}
				}
			}
			(pages::action_form(csrf, "add-guardian", false, html! {
				(pages::text_input("guardian-address", "guardian", "A guardian's address", "", true))
				div { button type="submit" { "Add the guardian" } }
			}))
		}
	}
}

fn profile_section(csrf: &str, profile: &Result<Map<String, Value>, String>, own: bool) -> Markup {
	html! {
		section id="profile" {
			h2 { @if own { "Your profile" } @else { "The patient's profile" } }
			p.hint { "Encrypted to the patient's key: only the patient can open it. Saving stores a new encrypted copy." }
			@match profile {
				Err(why) => p.error role="alert" { "Your profile could not be opened: " (why) },
				Ok(profile) => {
					dl {
						@for (key, value) in profile {
							dt { (super::home::PROFILE_FIELDS.iter().find(|(k, _, _)| k == key).map_or(key.as_str(), |(_, label, _)| label)) }
							dd { (value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())) }
						}
					}
					details {
						summary { "Edit your profile" }
						(pages::action_form(csrf, "set-profile", false, html! {
							(profile_inputs("profile", profile))
							div { button type="submit" { "Save the profile" } }
						}))
					}
				}
			}
		}
	}
}

fn requests_section(csrf: &str, requests: &[(String, Request, Option<String>)]) -> Markup {
	html! {
		section id="requests" {
			h2 { "Requests from doctors" }
			@if requests.is_empty() { p { "No pending requests." } }
			@for (i, (who, r, reason)) in requests.iter().enumerate() {
				article.request {
					h3 { (who) " asks to " (permission_words(&format!("{:?}", r.permission))) " " (commands::scope_text(&r.scope)) }
					p { "Purpose: " (format!("{:?}", r.purpose)) ". Asked " (pages::time(&r.requested_at))
						"; the request lapses " (pages::time(&r.expires_at)) "." }
					@if let Some(reason) = reason { p { "Reason: " q { (reason) } } }
					(pages::action_form(csrf, "approve", true, html! {
						input type="hidden" name="doctor" value=(r.doctor.to_string());
						button type="submit" aria-label=(format!("Approve {who}")) { "Approve" }
					}))
					(pages::action_form(csrf, "deny", true, html! {
						input type="hidden" name="doctor" value=(r.doctor.to_string());
						button.danger type="submit" aria-label=(format!("Deny {who}")) { "Deny" }
					}))
					details {
						summary { "Approve with less" }
						(pages::action_form(csrf, "approve", false, html! {
							input type="hidden" name="doctor" value=(r.doctor.to_string());
							(pages::category_boxes(&format!("narrow-{i}"), "Only these categories (none ticked: as asked)"))
							label.box { input type="checkbox" name="read_only" value="1"; " Reading only" }
							(pages::text_input(&format!("narrow-{i}-days"), "days", "For how many days (empty: until you revoke it)", "", false))
							div { button type="submit" aria-label=(format!("Approve {who} narrowed")) { "Approve narrowed" } }
						}))
					}
				}
			}
		}
	}
}

fn permission_words(permission: &str) -> &'static str {
	if permission == "ReadWrite" {
		"read and add to"
	} else {
		"read"
	}
}

fn grants_section(csrf: &str, grants: &[(String, Grant)], own: bool) -> Markup {
	html! {
		section id="grants" {
			h2 { @if own { "Who can read your records" } @else { "Who can read the patient's records" } }
			@if grants.is_empty() { p { @if own { "Nobody but you." } @else { "Nobody but the patient." } } }
			@else {
				table {
					thead { tr {
						th scope="col" { "Doctor" } th scope="col" { "Records" }
						th scope="col" { "Permission" } th scope="col" { "Purpose" }
						th scope="col" { "Since" } th scope="col" { "Until" } th scope="col" { "Change" }
					} }
					tbody {
						@for (who, g) in grants {
							tr {
								td { (who) @if g.purpose == Purpose::Emergency { " " strong.broken { "(emergency)" } } }
								td { (commands::scope_text(&g.scope)) }
								td { (format!("{:?}", g.permission)) } td { (format!("{:?}", g.purpose)) }
								td { (pages::time(&g.granted_at)) }
								td { (g.expires_at.as_ref().map_or_else(|| "until you revoke it".into(), pages::time)) }
								td {
									(pages::action_form(csrf, "revoke", true, html! {
										input type="hidden" name="doctor" value=(g.grantee.to_string());
										button.danger type="submit" aria-label=(format!("Revoke {who}")) { "Revoke" }
									}))
									details {
										summary { "Change" }
										(grant_form(csrf, "change-grant", &format!("change-{}", g.grantee), Some(&g.grantee.to_string())))
									}
								}
							}
						}
					}
				}
				p.hint { "After a revocation, rotate the key of the records the doctor could read: the doctor may have kept the old key." }
			}
			details {
				summary { "Give a doctor access" }
				(grant_form(csrf, "grant", "grant", None))
			}
		}
	}
}

/// The fields of a grant: who (unless given), categories, permission, purpose, days.
fn grant_form(csrf: &str, action: &str, id: &str, doctor: Option<&str>) -> Markup {
	pages::action_form(
		csrf,
		action,
		false,
		html! {
			@match doctor {
				Some(doctor) => input type="hidden" name="doctor" value=(doctor);,
				None => (pages::text_input(&format!("{id}-doctor"), "doctor", "The doctor's address", "", true)),
			}
			(pages::category_boxes(id, "Records of these categories (none ticked: all records)"))
			(pages::select(&format!("{id}-permission"), "permission", "Permission", &pages::permission_options()))
			(pages::select(&format!("{id}-purpose"), "purpose", "Purpose", &pages::purpose_options()))
			(pages::text_input(&format!("{id}-days"), "days", "For how many days (empty: until you revoke it)", "", false))
			div { button type="submit" { @if doctor.is_some() { "Save the change" } @else { "Grant" } } }
		},
	)
}

fn records_section(csrf: &str, v: &View) -> Markup {
	html! {
		section id="records" {
			h2 { @if v.ward.is_none() { "Your records" } @else { "The patient's records" } }
			@if v.records.is_empty() { p { "No records yet." } }
			@for r in &v.records {
				article.record {
					h3 { "Record " (r.id) ": " (format!("{:?}", r.category)) }
					table {
						caption.sr-only { "Versions of record " (r.id) }
						thead { tr {
							th scope="col" { "Version" } th scope="col" { "Author" } th scope="col" { "Time" }
							th scope="col" { "IPFS CID" } th scope="col" { "Open" }
						} }
						tbody {
							@for ver in &r.versions {
								tr {
									td { "v" (ver.version) @if ver.version == r.version { " (current)" } }
									td { (v.names.get(&ver.author.to_string()).cloned().unwrap_or_default()) }
									td { (pages::time(&ver.at)) }
									td { code { (ver.cid) } }
									td {
										@if ver.epoch == r.epoch {
											(pages::action_form(csrf, "open", true, html! {
												input type="hidden" name="record" value=(r.id);
												input type="hidden" name="version" value=(ver.version);
												button type="submit" aria-label=(format!("Open record {} version {}", r.id, ver.version)) { "Open" }
											}))
										} @else {
											span.hint { "key rotated since" }
										}
									}
								}
							}
						}
					}
					p.hint { (r.readers) " readers hold its key (epoch " (r.epoch) ")." }
					@if let Some((custodians, threshold)) = v.escrowed.get(&r.id) {
						p.hint {
							"Available in an emergency: its key is split among " (custodians)
							" hospitals, " (threshold) " of which release it to a doctor who breaks the glass."
						}
						@if v.ward.is_none() {
							(pages::action_form(csrf, "emergency-opt-out", true, html! {
								input type="hidden" name="record" value=(r.id);
								button type="submit" aria-label=(format!("Withdraw record {} from emergency availability", r.id)) { "Withdraw from emergencies" }
							}))
						}
					} @else if v.ward.is_none() {
						(pages::action_form(csrf, "emergency-opt-in", true, html! {
							input type="hidden" name="record" value=(r.id);
							button type="submit" aria-label=(format!("Make record {} available in an emergency", r.id)) { "Make available in an emergency" }
						}))
					}
					(pages::action_form(csrf, "rotate", true, html! {
						input type="hidden" name="record" value=(r.id);
						button type="submit" aria-label=(format!("Rotate the key of record {}", r.id)) { "Rotate its key" }
					}))
					details {
						summary { "Erase record " (r.id) }
						(pages::action_form(csrf, "erase", false, html! {
							input type="hidden" name="record" value=(r.id);
							label.box { input type="checkbox" name="confirm" value="1" required; " I understand every version and key is removed for good" }
							div { button.danger type="submit" aria-label=(format!("Erase record {}", r.id)) { "Erase" } }
						}))
					}
				}
			}
		}
	}
}

fn upload_section(csrf: &str) -> Markup {
	html! {
		section id="upload" {
			h2 { "Upload a record" }
			p.hint { "The file is encrypted on this machine before it is stored; any size, streamed." }
			(pages::upload_form(csrf, "patient-upload", BACK, "upload", html! {
				(pages::select("upload-category", "category", "Category", &pages::category_options()))
			}))
		}
	}
}

fn trail_section(v: &View) -> Markup {
	let whose = v.patient.as_ref().map(|p| p.account.to_string()).unwrap_or_default();
	html! {
		section id="trail" {
			h2 { @if v.ward.is_none() { "Your audit trail" } @else { "The patient's audit trail" } }
			@match &v.problem {
				None => p.verified { "Hash chain verified: every entry's hash recomputed from its bytes, linked to the one before, ending at the chain's stored head." },
				Some(problem) => p.broken role="alert" { "Hash chain BROKEN: " (problem) },
			}
			(trail_table(&v.latest))
			p { a href=(format!("/audit?entity={whose}")) { "The whole trail, with filters and export" } }
		}
	}
}

/// Trail entries as a table.
pub fn trail_table(rows: &[EntryRow]) -> Markup {
	html! {
		table {
			thead { tr {
				th scope="col" { "#" } th scope="col" { "Time" } th scope="col" { "Who" } th scope="col" { "What" }
			} }
			tbody {
				@for e in rows {
					tr { td { (e.seq) } td { (e.time) } td { (e.actor) } td { (e.text) } }
				}
			}
		}
	}
}

/// The categories ticked in a form.
pub fn categories(fields: &Fields, back: &'static str) -> Result<Vec<CategoryArg>, Bad> {
	fields
		.all("categories")
		.into_iter()
		.map(|c| CategoryArg::from_str(c, true).map_err(|_| bad(back, format!("no category {c}"))))
		.collect()
}

/// The scope a form's category boxes give (none ticked: every record).
pub fn scope_from(fields: &Fields, back: &'static str) -> Result<ScopeArgs, Bad> {
	Ok(ScopeArgs { all: false, categories: categories(fields, back)?, records: Vec::new() })
}

/// A value of a select, as the command line's enum.
pub fn choice<T: ValueEnum>(fields: &Fields, name: &str, back: &'static str) -> Result<T, Bad> {
	T::from_str(fields.get(name), true).map_err(|_| bad(back, format!("choose the {name}")))
}

/// A number field (empty: `None`).
pub fn number<T: std::str::FromStr>(
	fields: &Fields,
	name: &str,
	back: &'static str,
) -> Result<Option<T>, Bad> {
	match fields.get(name) {
		"" => Ok(None),
		text => text
			.parse()
			.map(Some)
			.map_err(|_| bad(back, format!("the {name} must be a whole number, not '{text}'"))),
	}
}

fn required_number<T: std::str::FromStr>(
	fields: &Fields,
	name: &str,
	back: &'static str,
) -> Result<T, Bad> {
	number(fields, name, back)?.ok_or_else(|| bad(back, format!("the {name} is missing")))
}

/// Open a record's version to a private temporary file, offered once for download.
pub fn open_plan(
	back: &'static str,
	record: u64,
	version: Option<u32>,
	command: fn(OpenArgs) -> Command,
) -> Plan {
	let title = format!("Opening record {record}");
	Plan::work(title, back, move |ctx, progress| {
		let out = ctx.tmp(&format!("open-{}", super::random_hex(8)))?;
		progress
			.note("Recording the read receipt on chain, then fetching, verifying and decrypting");
		let opened = execute(ctx, command(OpenArgs { record, out: out.clone(), version }));
		if let Err(e) = opened {
			let _ = std::fs::remove_file(&out);
			return Err(e);
		}
		let result = ctx.take_results().pop().unwrap_or_default();
		let version = result["version"].as_u64().unwrap_or_default();
		let text = format!(
			"Record {record} version {version} verified against {} and decrypted ({}).",
			result["cid"].as_str().unwrap_or_default(),
			pages::bytes(result["bytes"].as_u64().unwrap_or_default()),
		);
		Ok(Outcome {
			text,
			file: Some(Download { path: out, name: format!("record-{record}-v{version}") }),
		})
	})
}

/// The patient's actions (`/act/<action>`).
const ACTIONS: [&str; 14] = [
	"approve",
	"deny",
	"revoke",
	"grant",
	"change-grant",
	"rotate",
	"erase",
	"emergency-opt-in",
	"emergency-opt-out",
	"open",
	"set-profile",
	"add-guardian",
	"remove-guardian",
	"cancel-recovery",
];

/// The patient a guardian acts for, as the session holds it, into a form's fields (the
/// server decides whom a form acts for, not the form).
pub fn acting_for(signed: &Signed, fields: &mut Fields) {
	fields.0.retain(|(k, _)| k != "for");
	if let Some(ward) = &signed.acting_for {
		fields.0.push(("for".into(), ward.clone()));
	}
}

/// The patient's actions, planned from their forms.
pub fn plan(action: &str, fields: &Fields) -> Option<Result<Plan, Bad>> {
	ACTIONS.contains(&action).then(|| plan_action(action, fields))
}

fn plan_action(action: &str, fields: &Fields) -> Result<Plan, Bad> {
	// The patient acted for: the account itself, or the ward the session acts for.
	let me = || ForArgs { patient: Some(fields.get("for").to_string()).filter(|p| !p.is_empty()) };
	let doctor = || fields.required("doctor", "The doctor's address").map_err(|e| bad(BACK, e));
	let grant = |change: bool| -> Result<Plan, Bad> {
		let args = GrantArgs {
			doctor: doctor()?,
			scope: scope_from(fields, BACK)?,
			permission: choice::<PermissionArg>(fields, "permission", BACK)?,
			purpose: choice::<PurposeArg>(fields, "purpose", BACK)?,
			days: number(fields, "days", BACK)?,
			who: me(),
		};
		let (title, command) = if change {
			("Changing a grant", PatientCmd::ChangeGrant(args))
		} else {
			("Granting access", PatientCmd::Grant(args))
		};
		Ok(Plan::command(title, BACK, Command::Patient(command)))
	};
	let patient = |title: String, command: PatientCmd| {
		Ok(Plan::command(title, BACK, Command::Patient(command)))
	};
	match action {
		"approve" => patient(
			"Approving a request".into(),
			PatientCmd::Approve {
				doctor: doctor()?,
				days: number(fields, "days", BACK)?,
				narrow: NarrowArgs { categories: categories(fields, BACK)?, records: Vec::new() },
				read_only: fields.get("read_only") == "1",
				who: me(),
			},
		),
		"deny" => {
			patient("Denying a request".into(), PatientCmd::Deny { doctor: doctor()?, who: me() })
		}
		"revoke" => {
			patient("Revoking access".into(), PatientCmd::Revoke { doctor: doctor()?, who: me() })
		}
		"grant" => grant(false),
		"change-grant" => grant(true),
		"rotate" => {
			let record = required_number(fields, "record", BACK)?;
			patient(
				format!("Rotating the key of record {record}"),
				PatientCmd::Rotate { record, who: me() },
			)
		}
		"emergency-opt-in" => {
			let record = required_number(fields, "record", BACK)?;
			patient(
				format!("Making record {record} available in an emergency"),
				PatientCmd::EmergencyOptIn {
					narrow: NarrowArgs { categories: Vec::new(), records: vec![record] },
				},
			)
		}
		"emergency-opt-out" => {
			let record = required_number(fields, "record", BACK)?;
			patient(
				format!("Withdrawing record {record} from emergency availability"),
				PatientCmd::EmergencyOptOut { record },
			)
		}
		"erase" => {
			let record = required_number(fields, "record", BACK)?;
			if fields.get("confirm") != "1" {
				return Err(bad(BACK, "tick the box to confirm the erasure: it cannot be undone"));
			}
			patient(
				format!("Erasing record {record}"),
				PatientCmd::Erase { record, who: me(), drop_timeout: 0 },
			)
		}
		"open" => Ok(open_plan(
			BACK,
			required_number(fields, "record", BACK)?,
			number(fields, "version", BACK)?,
			|open| Command::Patient(PatientCmd::Open { open }),
		)),
		"set-profile" => {
			let edited = profile_from(fields, Map::new());
			let (reading, writing) = (me(), me());
			Ok(Plan::work("Saving your profile", BACK, move |ctx, progress| {
				// Fields the form does not show (set with the command line) are kept.
				let mut profile = commands::profile(ctx, &reading)
					.ok()
					.and_then(|p| p.as_object().cloned())
					.unwrap_or_default();
				for (key, _, _) in super::home::PROFILE_FIELDS {
					profile.remove(key);
				}
				profile.extend(edited.as_object().cloned().unwrap_or_default());
				progress.note("Encrypting your profile to your key and storing it");
				commands::set_profile(ctx, &writing, &Value::Object(profile))?;
				Ok(Outcome::said(ctx))
			}))
		}
		"add-guardian" => patient(
			"Adding a guardian".into(),
			PatientCmd::AddGuardian {
				guardian: fields
					.required("guardian", "The guardian's address")
					.map_err(|e| bad(BACK, e))?,
			},
		),
		"cancel-recovery" => {
			patient("Cancelling the key recovery".into(), PatientCmd::CancelRecovery(me()))
		}
		"remove-guardian" => patient(
			"Removing a guardian".into(),
			PatientCmd::RemoveGuardian {
				guardian: fields.required("guardian", "The guardian").map_err(|e| bad(BACK, e))?,
				who: me(),
			},
		),
		_ => Err(bad(BACK, format!("no action {action}"))),
	}
}

/// The patient's upload of a new record from `file`.
pub fn plan_upload(fields: &Fields, file: &Path) -> Option<Result<Plan, Bad>> {
	(fields.get("action") == "patient-upload").then(|| {
		let category = choice::<CategoryArg>(fields, "category", BACK)?;
		Ok(Plan::command(
			format!("Uploading a {category:?} record"),
			BACK,
			Command::Patient(PatientCmd::Upload {
				category,
				file: file.to_path_buf(),
				who: ForArgs {
					patient: Some(fields.get("for").to_string()).filter(|p| !p.is_empty()),
				},
			}),
		))
	})
}
