//! The doctor's dashboard: their patients and what each grant allows, the patients'
//! records (open, add a version), a new record from a file, requests for access with a
//! reason, and break-glass emergency access.

use super::{
	jobs::{bad, Bad, Plan},
	pages,
	patient::{choice, number, open_plan, scope_from},
	App, Fields, Signed,
};
use crate::commands::{
	self, Command, CreateArgs, Ctx, DoctorCmd, PermissionArg, PurposeArg, ReasonArg,
};
use axum::{extract::State, http::HeaderMap, response::Response};
use maud::{html, Markup};
use medchain_api::views::{Doctor, Grant, Record};
use medchain_primitives::Purpose;
use sp_runtime::AccountId32;
use std::path::Path;

const BACK: &str = "/doctor";

/// One patient of the doctor: their name and address, the grant, and their records.
struct PatientLine {
	name: String,
	address: String,
	grant: Option<Grant>,
	records: Vec<Record>,
}

struct View {
	doctor: Option<Doctor>,
	patients: Vec<PatientLine>,
	error: Option<String>,
}

impl View {
	fn read(ctx: &Ctx) -> Self {
		let mut view = View { doctor: None, patients: Vec::new(), error: None };
		let fill = |v: &mut View| -> commands::Result<()> {
			let me = AccountId32::from(ctx.me()?.account());
			v.doctor = ctx.chain().doctor(&me, None)?;
			if v.doctor.is_none() {
				return Ok(());
			}
			for patient in ctx.chain().patients_of(&me)? {
				let grant =
					ctx.chain().grants_of(&patient)?.into_iter().find(|g| g.grantee.0 == me);
				let records = ctx.chain().records_of(&patient)?;
				let address = medchain_api::ss58(&patient);
				v.patients.push(PatientLine { name: ctx.name(&address), address, grant, records });
			}
			Ok(())
		};
		if let Err(e) = fill(&mut view) {
			view.error = Some(e.message);
		}
		view
	}
}

/// GET /doctor
pub async fn page(State(app): State<App>, headers: HeaderMap) -> Response {
	let signed = signed_or_return!(app, headers);
	app.show(&signed, ("Doctor", BACK), View::read, render).await
}

fn render(signed: &Signed, v: &View) -> Markup {
	let csrf = signed.csrf.as_str();
	html! {
		@if let Some(error) = &v.error { p.error role="alert" { (error) } }
		@match &v.doctor {
			None => section {
				h2 { "Not a doctor" }
				p { "This account has not applied to a hospital. " a href="/home" { "Apply on the home page" } "." }
			},
			Some(d) => {
				section {
					h2 { "Dr. " (d.name) }
					p { (d.specialty) ", hospital #" (d.hospital) ". Status: " strong id="doctor-status" { (d.status) } "." }
					@if d.status != "Active" {
						p.warning { "Only an active doctor can ask for access, read or write records: an admin of your hospital must approve (or reinstate) you." }
					}
				}
				(patients_section(csrf, &v.patients))
				(request_section(csrf))
				(create_section(csrf, &v.patients))
				(emergency_section(csrf))
			}
		}
	}
}

fn patients_section(csrf: &str, patients: &[PatientLine]) -> Markup {
	html! {
		section id="patients" {
			h2 { "Your patients" }
			@if patients.is_empty() { p { "No patient has given you access yet. Ask one below." } }
			details {
				summary { "Open a record by its number" }
				(pages::action_form(csrf, "doctor-open", false, html! {
					(pages::text_input("open-record", "record", "Record number", "", true))
					div { button type="submit" { "Open" } }
				}))
			}
			@for p in patients {
				article.patient {
					h3 { (p.name) " " small { code { (p.address) } } }
					@match &p.grant {
						Some(g) => p {
							@if g.purpose == Purpose::Emergency { strong.broken { "Emergency access. " } }
							"You may " (if format!("{:?}", g.permission) == "ReadWrite" { "read and add to " } else { "read " })
							(commands::scope_text(&g.scope)) ", for " (format!("{:?}", g.purpose)) ", "
							(g.expires_at.as_ref().map_or_else(|| "until the patient revokes it".into(), |t| format!("until {}", pages::time(t))))
							"."
						},
						None => p { "No grant." },
					}
					@if p.records.is_empty() { p { "No records." } }
					@else {
						table {
							caption.sr-only { "Records of " (p.name) }
							thead { tr {
								th scope="col" { "Record" } th scope="col" { "Category" } th scope="col" { "Version" }
								th scope="col" { "Updated" } th scope="col" { "Open" } th scope="col" { "New version" }
							} }
							tbody {
								@for r in &p.records {
									tr {
										td { (r.id) } td { (format!("{:?}", r.category)) } td { "v" (r.version) }
										td { (pages::time(&r.updated_at)) }
										td {
											(pages::action_form(csrf, "doctor-open", true, html! {
												input type="hidden" name="record" value=(r.id);
												button type="submit" aria-label=(format!("Open record {}", r.id)) { "Open" }
											}))
										}
										td {
											details {
												summary { "Upload a new version" }
												(pages::upload_form(csrf, "doctor-update", BACK, &format!("update-{}", r.id), html! {
													input type="hidden" name="record" value=(r.id);
												}))
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
}

fn request_section(csrf: &str) -> Markup {
	html! {
		section id="request" {
			h2 { "Ask a patient for access" }
			(pages::action_form(csrf, "request", false, html! {
				(pages::text_input("request-patient", "patient", "The patient's address", "", true))
				(pages::category_boxes("request", "Records of these categories (none ticked: all records)"))
				(pages::select("request-permission", "permission", "Permission", &pages::permission_options()))
				(pages::select("request-purpose", "purpose", "Purpose", &pages::purpose_options()))
				label for="request-reason" { "Why you ask (only the patient can read it)" }
				textarea id="request-reason" name="reason" rows="3" {}
				div { button type="submit" { "Ask for access" } }
			}))
		}
	}
}

fn create_section(csrf: &str, patients: &[PatientLine]) -> Markup {
	let options: Vec<(String, String)> =
		patients.iter().map(|p| (p.address.clone(), p.name.clone())).collect();
	html! {
		section id="create" {
			h2 { "Create a record from a file" }
			@if options.is_empty() {
				p { "You need a patient's read-and-write grant first." }
			} @else {
				p.hint { "The file is encrypted on this machine to the patient, you and the patient's readers before it is stored; any size, streamed." }
				(pages::upload_form(csrf, "doctor-create", BACK, "create", html! {
					(pages::select("create-patient", "patient", "Patient", &options))
					(pages::select("create-category", "category", "Category", &pages::category_options()))
				}))
			}
		}
	}
}

fn emergency_section(csrf: &str) -> Markup {
	let reasons: Vec<(String, String)> = [
		("patient-unconscious", "The patient is unconscious"),
		("life-threatening", "Life-threatening condition"),
		("guardian-unreachable", "The guardian cannot be reached"),
		("other", "Other"),
	]
	.iter()
	.map(|(v, t)| (v.to_string(), t.to_string()))
	.collect();
	html! {
		section.danger id="emergency" {
			h2 { "Break the glass: emergency access" }
			p { "Read every record of a patient for 4 hours without their consent. It is written to the patient's audit trail at once, shown to the patient, and reviewed by your hospital." }
			(pages::action_form(csrf, "emergency", false, html! {
				(pages::text_input("emergency-patient", "patient", "The patient's address", "", true))
				(pages::select("emergency-reason", "reason", "Reason", &reasons))
				label.box { input type="checkbox" name="confirm" value="1" required; " This is an emergency, and I will answer for it" }
				div { button.danger type="submit" { "Break the glass" } }
			}))
		}
	}
}

/// The doctor's actions (`/act/<action>`).
const ACTIONS: [&str; 3] = ["request", "doctor-open", "emergency"];

/// The doctor's actions, planned from their forms.
pub fn plan(action: &str, fields: &Fields) -> Option<Result<Plan, Bad>> {
	ACTIONS.contains(&action).then(|| plan_action(action, fields))
}

fn plan_action(action: &str, fields: &Fields) -> Result<Plan, Bad> {
	let patient = || fields.required("patient", "The patient's address").map_err(|e| bad(BACK, e));
	let doctor = |title: &str, command: DoctorCmd| {
		Ok(Plan::command(title.to_string(), BACK, Command::Doctor(command)))
	};
	match action {
		"request" => doctor(
			"Asking for access",
			DoctorCmd::Request {
				patient: patient()?,
				scope: scope_from(fields, BACK)?,
				permission: choice::<PermissionArg>(fields, "permission", BACK)?,
				purpose: choice::<PurposeArg>(fields, "purpose", BACK)?,
				reason: Some(fields.get("reason").to_string()).filter(|r| !r.is_empty()),
			},
		),
		"doctor-open" => Ok(open_plan(
			BACK,
			number(fields, "record", BACK)?.ok_or_else(|| bad(BACK, "the record is missing"))?,
			number(fields, "version", BACK)?,
			|open| Command::Doctor(DoctorCmd::Open(open)),
		)),
		"emergency" => {
			if fields.get("confirm") != "1" {
				return Err(bad(BACK, "tick the box to confirm that this is an emergency"));
			}
			doctor(
				"Breaking the glass",
				DoctorCmd::Emergency {
					patient: patient()?,
					reason: choice::<ReasonArg>(fields, "reason", BACK)?,
				},
			)
		}
		_ => Err(bad(BACK, format!("no action {action}"))),
	}
}

/// A doctor's upload: a new record for a patient, or a new version of a record.
pub fn plan_upload(fields: &Fields, file: &Path) -> Option<Result<Plan, Bad>> {
	let file = file.to_path_buf();
	match fields.get("action") {
		"doctor-create" => Some((|| {
			let category = choice(fields, "category", BACK)?;
			let patient = fields.required("patient", "The patient").map_err(|e| bad(BACK, e))?;
			Ok(Plan::command(
				format!("Creating a {category:?} record"),
				BACK,
				Command::Doctor(DoctorCmd::CreateRecord(CreateArgs { patient, category, file })),
			))
		})()),
		"doctor-update" => Some((|| {
			let record = number(fields, "record", BACK)?
				.ok_or_else(|| bad(BACK, "the record is missing"))?;
			Ok(Plan::command(
				format!("Storing a new version of record {record}"),
				BACK,
				Command::Doctor(DoctorCmd::UpdateRecord { record, file }),
			))
		})()),
		_ => None,
	}
}
