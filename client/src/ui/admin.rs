//! The hospital admin's dashboard: doctors' applications (approve, reject), doctors
//! (suspend, reinstate), invitations (patients registered at the desk, doctors),
//! emergency-access reviews to close, and, for council members, the council's motions.

use super::{
	jobs::{bad, Bad, Plan},
	pages, App, Fields, Signed,
};
use crate::commands::{self, AdminCmd, Command, Ctx, Motion, PendingReview, Role};
use axum::{extract::State, http::HeaderMap, response::Response};
use maud::{html, Markup};
use medchain_api::views::{Doctor, Hospital};
use sp_runtime::AccountId32;

const BACK: &str = "/admin";

/// A hospital the signed-in account administers, with its doctors and open reviews.
struct HospitalLine {
	hospital: Hospital,
	doctors: Vec<Doctor>,
	/// Open reviews with the doctor's and the patient's names.
	reviews: Vec<(PendingReview, String, String)>,
}

struct View {
	hospitals: Vec<HospitalLine>,
	/// The council's motions, if the account is a member.
	council: Option<Vec<Motion>>,
	names: std::collections::HashMap<String, String>,
	error: Option<String>,
}

impl View {
	fn read(ctx: &Ctx) -> Self {
		let mut view =
			View { hospitals: Vec::new(), council: None, names: Default::default(), error: None };
		let fill = |v: &mut View| -> commands::Result<()> {
			let me = AccountId32::from(ctx.me()?.account());
			for hospital in commands::hospitals(ctx)? {
				if !hospital.admins.iter().any(|a| a.0 == me) {
					continue;
				}
				let doctors = commands::doctors_of(ctx, hospital.id)?;
				let reviews = commands::pending_reviews(ctx, hospital.id)?
					.into_iter()
					.map(|r| {
						let doctor = ctx.name(&medchain_api::ss58(&r.doctor));
						let patient = ctx.name(&medchain_api::ss58(&r.patient));
						(r, doctor, patient)
					})
					.collect();
				v.hospitals.push(HospitalLine { hospital, doctors, reviews });
			}
			if commands::council_members(ctx)?.contains(&me) {
				let motions = commands::motions(ctx)?;
				for m in &motions {
					for a in m.ayes.iter().chain(&m.nays) {
						let address = medchain_api::ss58(a);
						let name = ctx.name(&address);
						v.names.insert(address, name);
					}
				}
				v.council = Some(motions);
			}
			Ok(())
		};
		if let Err(e) = fill(&mut view) {
			view.error = Some(e.message);
		}
		view
	}
}

/// GET /admin
pub async fn page(State(app): State<App>, headers: HeaderMap) -> Response {
	let signed = signed_or_return!(app, headers);
	app.show(&signed, ("Hospital admin", BACK), View::read, render).await
}

fn render(signed: &Signed, v: &View) -> Markup {
	let csrf = signed.csrf.as_str();
	html! {
		@if let Some(error) = &v.error { p.error role="alert" { (error) } }
		@if v.hospitals.is_empty() && v.error.is_none() {
			section { h2 { "Not an admin" } p { "This account is not an admin of any hospital." } }
		}
		@for h in &v.hospitals { (hospital_section(csrf, h)) }
		@if let Some(motions) = &v.council { (council_section(csrf, motions, &v.names)) }
	}
}

/// A button posting `doctor` to `/act/<action>`.
fn doctor_button(csrf: &str, action: &str, label: &str, d: &Doctor, danger: bool) -> Markup {
	pages::action_form(
		csrf,
		action,
		true,
		html! {
			input type="hidden" name="doctor" value=(d.account.to_string());
			button.danger[danger] type="submit" aria-label=(format!("{label} Dr. {}", d.name)) { (label) }
		},
	)
}

fn hospital_section(csrf: &str, h: &HospitalLine) -> Markup {
	let id = h.hospital.id;
	let pending: Vec<&Doctor> = h.doctors.iter().filter(|d| d.status == "Pending").collect();
	let others: Vec<&Doctor> = h.doctors.iter().filter(|d| d.status != "Pending").collect();
	html! {
		section id=(format!("hospital-{id}")) {
			h2 { (h.hospital.name) " (#" (id) "), " (h.hospital.status) }
			h3 { "Applications" }
			@if pending.is_empty() { p { "No pending applications." } }
			@else {
				table {
					thead { tr { th scope="col" { "Doctor" } th scope="col" { "Specialty" } th scope="col" { "Applied" } th scope="col" { "Address" } th scope="col" { "Decide" } } }
					tbody {
						@for d in &pending {
							tr {
								td { "Dr. " (d.name) } td { (d.specialty) } td { (pages::time(&d.since)) }
								td { code { (d.account.to_string()) } }
								td {
									(doctor_button(csrf, "admin-approve", "Approve", d, false))
									(doctor_button(csrf, "admin-reject", "Reject", d, true))
								}
							}
						}
					}
				}
				p.hint { "Only a slow hash of each applicant's licence number is on chain (" code { "medchain --json admin doctors " (id) } " shows it as licenceHash): check the licence itself with the applicant before approving." }
			}
			h3 { "Doctors" }
			@if others.is_empty() { p { "No doctors yet." } }
			@else {
				table {
					thead { tr { th scope="col" { "Doctor" } th scope="col" { "Specialty" } th scope="col" { "Status" } th scope="col" { "Since" } th scope="col" { "Change" } } }
					tbody {
						@for d in &others {
							tr {
								td { "Dr. " (d.name) } td { (d.specialty) } td { (d.status) } td { (pages::time(&d.since)) }
								td {
									@match d.status.as_str() {
										"Active" => (doctor_button(csrf, "admin-suspend", "Suspend", d, true)),
										"Suspended" => (doctor_button(csrf, "admin-reinstate", "Reinstate", d, false)),
										_ => {},
									}
								}
							}
						}
					}
				}
			}
			h3 { "Invite someone" }
			p.hint { "An invited account registers for free: a patient at the desk, or a doctor who then applies here." }
			(pages::action_form(csrf, "admin-invite", false, html! {
				input type="hidden" name="hospital" value=(id);
				(pages::text_input(&format!("invite-{id}-account"), "account", "Their address", "", true))
				(pages::select(&format!("invite-{id}-role"), "role", "As", &[
					("patient".to_string(), "Patient".to_string()),
					("doctor".to_string(), "Doctor".to_string()),
				]))
				div { button type="submit" { "Invite" } }
			}))
			h3 { "Emergency accesses to review" }
			@if h.reviews.is_empty() { p { "None awaiting review." } }
			@else {
				table {
					thead { tr { th scope="col" { "Entry" } th scope="col" { "Opened" } th scope="col" { "Doctor" } th scope="col" { "Patient" } th scope="col" { "Reason" } th scope="col" { "Verdict" } } }
					tbody {
						@for (r, doctor, patient) in &h.reviews {
							tr {
								td { (r.entry) } td { (pages::time_ms(r.opened_at)) } td { (doctor) } td { (patient) }
								td { (format!("{:?}", r.reason)) }
								td {
									@for (verdict, label, danger) in [("justified", "Justified", false), ("unjustified", "Not justified", true)] {
										(pages::action_form(csrf, "admin-review", true, html! {
											input type="hidden" name="hospital" value=(id);
											input type="hidden" name="entry" value=(r.entry);
											input type="hidden" name="verdict" value=(verdict);
											button.danger[danger] type="submit" aria-label=(format!("{label}: entry {}", r.entry)) { (label) }
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

fn council_section(
	csrf: &str,
	motions: &[Motion],
	names: &std::collections::HashMap<String, String>,
) -> Markup {
	let named = |accounts: &[AccountId32]| {
		accounts
			.iter()
			.map(|a| {
				let address = medchain_api::ss58(a);
				names.get(&address).cloned().unwrap_or(address)
			})
			.collect::<Vec<_>>()
			.join(", ")
	};
	html! {
		section id="council" {
			h2 { "Council motions" }
			@if motions.is_empty() { p { "No open motions." } }
			@for m in motions {
				article {
					h3 { "Motion: " (m.call) }
					p { "Ayes (" (m.ayes.len()) " of " (m.threshold) " needed): " (named(&m.ayes)) }
					p { "Nays: " (named(&m.nays)) }
					p.hint { code { (m.hash) } }
					@for (vote, label, danger) in [("aye", "Vote aye", false), ("nay", "Vote nay", true)] {
						(pages::action_form(csrf, "council-vote", true, html! {
							input type="hidden" name="proposal" value=(m.hash);
							input type="hidden" name="vote" value=(vote);
							button.danger[danger] type="submit" { (label) }
						}))
					}
				}
			}
			details {
				summary { "Propose admitting a hospital" }
				(pages::action_form(csrf, "council-propose", false, html! {
					(pages::text_input("propose-name", "name", "The hospital's name", "", true))
					(pages::text_input("propose-admin", "admin", "Its first admin's address", "", true))
					(pages::text_input("propose-validator", "validator", "Its validator's address", "", true))
					div { button type="submit" { "Propose" } }
				}))
			}
		}
	}
}

/// The admin's actions (`/act/<action>`).
const ACTIONS: [&str; 8] = [
	"admin-approve",
	"admin-reject",
	"admin-suspend",
	"admin-reinstate",
	"admin-invite",
	"admin-review",
	"council-vote",
	"council-propose",
];

/// The admin's actions, planned from their forms.
pub fn plan(action: &str, fields: &Fields) -> Option<Result<Plan, Bad>> {
	ACTIONS.contains(&action).then(|| plan_action(action, fields))
}

fn plan_action(action: &str, fields: &Fields) -> Result<Plan, Bad> {
	let required = |name: &str, label: &str| fields.required(name, label).map_err(|e| bad(BACK, e));
	fn number<T: std::str::FromStr>(fields: &Fields, name: &str) -> Result<T, Bad> {
		super::patient::number(fields, name, BACK)?
			.ok_or_else(|| bad(BACK, format!("the {name} is missing")))
	}
	let doctor = || required("doctor", "The doctor");
	let admin = |title: &str, command: AdminCmd| {
		Ok(Plan::command(title.to_string(), BACK, Command::Admin(command)))
	};
	match action {
		"admin-approve" => admin("Approving a doctor", AdminCmd::Approve { doctor: doctor()? }),
		"admin-reject" => admin("Rejecting an application", AdminCmd::Reject { doctor: doctor()? }),
		"admin-suspend" => admin("Suspending a doctor", AdminCmd::Suspend { doctor: doctor()? }),
		"admin-reinstate" => {
			admin("Reinstating a doctor", AdminCmd::Reinstate { doctor: doctor()? })
		}
		"admin-invite" => admin(
			"Inviting an account",
			AdminCmd::Invite {
				hospital: number(fields, "hospital")?,
				account: required("account", "Their address")?,
				role: super::patient::choice::<Role>(fields, "role", BACK)?,
			},
		),
		"admin-review" => {
			let justified = fields.get("verdict") == "justified";
			admin(
				"Closing an emergency review",
				AdminCmd::CloseReview {
					hospital: number(fields, "hospital")?,
					entry: number(fields, "entry")?,
					justified,
					unjustified: !justified,
				},
			)
		}
		"council-vote" => {
			let aye = fields.get("vote") == "aye";
			admin(
				"Voting on a motion",
				AdminCmd::Vote { proposal: required("proposal", "The motion")?, aye, nay: !aye },
			)
		}
		"council-propose" => admin(
			"Proposing a hospital",
			AdminCmd::ProposeHospital {
				name: required("name", "The hospital's name")?,
				admins: vec![required("admin", "Its first admin")?],
				validator: required("validator", "Its validator")?,
				threshold: None,
			},
		),
		_ => Err(bad(BACK, format!("no action {action}"))),
	}
}
