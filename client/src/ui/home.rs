//! The home page: who the signed-in account is on the chain, and how to become a patient
//! or a doctor.

use super::{
	jobs::{bad, Bad, Plan},
	pages, App, Fields, Signed,
};
use crate::commands::{self, Command, Ctx, DoctorCmd};
use axum::{extract::State, http::HeaderMap, response::Response};
use maud::{html, Markup};
use medchain_api::views::{Doctor, Hospital, Patient};
use serde_json::{Map, Value};
use sp_runtime::AccountId32;

/// The profile fields the forms offer: `(key, label, input type)`. A profile may hold
/// others (set with the command line); the editor keeps them.
pub const PROFILE_FIELDS: [(&str, &str, &str); 5] = [
	("name", "Full name", "text"),
	("birthDate", "Date of birth", "date"),
	("phone", "Phone", "tel"),
	("emergencyContact", "Emergency contact", "text"),
	("notes", "Notes for your doctors", "text"),
];

/// The profile fields of a form, over `base` (the fields it had), as one JSON object.
pub fn profile_from(fields: &Fields, base: Map<String, Value>) -> Value {
	let mut profile = base;
	for (key, _, _) in PROFILE_FIELDS {
		match fields.get(key) {
			"" => profile.remove(key),
			value => profile.insert(key.to_string(), Value::String(value.to_string())),
		};
	}
	Value::Object(profile)
}

/// Inputs for the profile's fields, filled from `profile`.
pub fn profile_inputs(prefix: &str, profile: &Map<String, Value>) -> Markup {
	html! {
		@for (key, label, kind) in PROFILE_FIELDS {
			label for=(format!("{prefix}-{key}")) { (label) }
			input id=(format!("{prefix}-{key}")) name=(key) type=(kind)
				value=(profile.get(key).and_then(Value::as_str).unwrap_or_default());
		}
	}
}

/// What the home page shows.
struct Overview {
	patient: Option<Patient>,
	doctor: Option<Doctor>,
	hospitals: Vec<Hospital>,
	error: Option<String>,
}

impl Overview {
	fn read(ctx: &Ctx) -> Self {
		let mut overview =
			Overview { patient: None, doctor: None, hospitals: Vec::new(), error: None };
		let read = |o: &mut Overview| -> commands::Result<()> {
			let me = AccountId32::from(ctx.me()?.account());
			o.patient = ctx.chain().patient(&me, None)?;
			o.doctor = ctx.chain().doctor(&me, None)?;
			o.hospitals = commands::hospitals(ctx)?;
			Ok(())
		};
		if let Err(e) = read(&mut overview) {
			overview.error = Some(e.message);
		}
		overview
	}
}

/// GET /home
pub async fn page(State(app): State<App>, headers: HeaderMap) -> Response {
	let signed = signed_or_return!(app, headers);
	app.show(&signed, ("Home", "/home"), Overview::read, render).await
}

fn render(signed: &Signed, o: &Overview) -> Markup {
	let admin_of: Vec<&Hospital> = o
		.hospitals
		.iter()
		.filter(|h| h.admins.iter().any(|a| a.to_string() == signed.address))
		.collect();
	let active: Vec<(String, String)> = o
		.hospitals
		.iter()
		.filter(|h| h.status == "Active")
		.map(|h| (h.id.to_string(), format!("{} (#{})", h.name, h.id)))
		.collect();
	html! {
		section {
			h2 { "Your account" }
			p { "Address: " code id="address" { (signed.address) } }
			@if let Some(error) = &o.error { p.error role="alert" { (error) } }
			ul id="roles" {
				@if let Some(p) = &o.patient {
					li { a href="/patient" { "Patient" } " since " (pages::time(&p.registered_at)) }
				}
				@if let Some(d) = &o.doctor {
					li { a href="/doctor" { "Doctor" } ": Dr. " (d.name) " (" (d.specialty) "), " (d.status) " at hospital #" (d.hospital) }
				}
				@for h in &admin_of {
					li { a href="/admin" { "Admin" } " of " (h.name) " (#" (h.id) ")" }
				}
				@if o.patient.is_none() && o.doctor.is_none() && admin_of.is_empty() && o.error.is_none() {
					li { "Not registered on the chain yet: no patient or doctor with this address." }
				}
			}
			p { "Anyone may read and verify audit trails: " a href="/audit" { "Audit" } "." }
		}
		@if o.patient.is_none() && o.error.is_none() {
			section {
				h2 { "Register as a patient" }
				p.hint {
					"Your profile is encrypted to your own key before it leaves this machine; the \
					 chain holds only where it is stored. Registration is free with a hospital's \
					 invitation for this address: choose the hospital whose desk invited you, \
					 which becomes your hospital."
				}
				(pages::action_form(&signed.csrf, "register-patient", false, html! {
					(pages::select("register-hospital", "hospital", "Your hospital", &register_choices(&active)))
					(profile_inputs("register", &Map::new()))
					div { button type="submit" { "Register" } }
				}))
			}
		}
		@if o.doctor.is_none() && o.error.is_none() {
			section {
				h2 { "Apply as a doctor" }
				@if active.is_empty() {
					p { "No hospital is active in the consortium." }
				} @else {
					p.hint {
						"Your licence number never leaves this machine: only a slow hash of it goes \
						 on chain, for the hospital to check. An admin of the hospital approves you."
					}
					(pages::action_form(&signed.csrf, "apply-doctor", false, html! {
						(pages::select("apply-hospital", "hospital", "Hospital", &active))
						(pages::text_input("apply-name", "name", "Your name (as patients see it)", "", true))
						(pages::text_input("apply-specialty", "specialty", "Specialty", "", true))
						(pages::text_input("apply-licence", "licence", "Licence number", "", true))
						div { button type="submit" { "Apply" } }
					}))
				}
			}
		}
	}
}

/// The registration form's hospitals: none chosen until the person chooses, so that no
/// invitation is used without their word.
fn register_choices(active: &[(String, String)]) -> Vec<(String, String)> {
	let mut choices = vec![(String::new(), "Choose the hospital whose desk invited you".into())];
	choices.extend(active.iter().cloned());
	choices.push(("none".into(), "No hospital: register on my own, paying the fee".into()));
	choices
}

/// The home page's actions.
pub fn plan(action: &str, fields: &Fields) -> Option<Result<Plan, Bad>> {
	const BACK: &str = "/home";
	Some(match action {
		"register-patient" => {
			let profile = profile_from(fields, Map::new());
			let (hospital, no_hospital) = match fields.get("hospital") {
				"none" => (None, true),
				chosen => match chosen.parse() {
					Ok(id) => (Some(id), false),
					Err(_) => return Some(Err(bad(BACK, "choose your hospital, or none"))),
				},
			};
			Ok(Plan::work("Registering as a patient", "/patient", move |ctx, progress| {
				progress.note("Encrypting your profile to your key and storing it");
				crate::commands::register(ctx, Some(profile), hospital, no_hospital)?;
				Ok(super::jobs::Outcome::said(ctx))
			}))
		}
		"apply-doctor" => (|| {
			let hospital = fields
				.get("hospital")
				.parse()
				.map_err(|_| bad(BACK, "choose the hospital to apply to"))?;
			let apply = DoctorCmd::Apply {
				hospital,
				name: fields.required("name", "Your name").map_err(|e| bad(BACK, e))?,
				specialty: fields
					.required("specialty", "The specialty")
					.map_err(|e| bad(BACK, e))?,
				licence: fields
					.required("licence", "The licence number")
					.map_err(|e| bad(BACK, e))?,
			};
			Ok(Plan::command("Applying as a doctor", "/doctor", Command::Doctor(apply)))
		})(),
		_ => return None,
	})
}
