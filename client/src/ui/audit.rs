//! The auditor's dashboard: any patient's, doctor's or hospital's trail, or any actor's
//! actions, with the hash chain verified here (each entry's hash recomputed from its own
//! bytes), filterable by actor, action and date, and exported as CSV or JSON.

use super::{pages, patient, App, Signed};
use crate::commands::{self, Ctx, TrailRead};
use axum::{
	extract::{Query, State},
	http::{header, HeaderMap},
	response::{Html, IntoResponse, Response},
};
use maud::{html, Markup};
use serde_json::json;

/// The trail asked for, and the filters.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct Filter {
	/// A patient's or doctor's address (or keystore name), `hospital:<id>`, `root`, ….
	entity: String,
	/// `on` for the entries the entity wrote rather than its trail.
	by_actor: String,
	/// Part of the actor's name or address.
	actor: String,
	/// One action (its type).
	action: String,
	/// Dates, `YYYY-MM-DD`, in this machine's time zone.
	from: String,
	to: String,
	/// `csv` or `json`, for the export.
	format: String,
}

/// A trail read with the rows it shows.
struct View {
	trail: Result<TrailRead, String>,
	/// Every entry in words, with whether it passes the filter.
	rows: Vec<(patient::EntryRow, bool)>,
}

impl View {
	fn read(ctx: &Ctx, filter: &Filter) -> Self {
		if filter.entity.is_empty() {
			return View { trail: Err(String::new()), rows: Vec::new() };
		}
		let trail = commands::read_trail(ctx, &filter.entity, filter.by_actor == "on")
			.map_err(|e| e.message);
		let rows = match &trail {
			Ok(t) => t
				.entries
				.iter()
				.map(|e| {
					let row = patient::entry_row(ctx, e);
					let keep = filter.keeps(&row, &e.actor);
					(row, keep)
				})
				.collect(),
			Err(_) => Vec::new(),
		};
		View { trail, rows }
	}
}

impl Filter {
	fn keeps(&self, row: &patient::EntryRow, actor: &medchain_api::views::EntityView) -> bool {
		let actor_text =
			format!("{} {}", row.actor, medchain_api::params::entity_text(&actor.into()))
				.to_lowercase();
		let date = row.time.get(..10).unwrap_or_default();
		(self.actor.is_empty() || actor_text.contains(&self.actor.trim().to_lowercase()))
			&& (self.action.is_empty() || row.kind == self.action)
			&& (self.from.is_empty() || date >= self.from.as_str())
			&& (self.to.is_empty() || date <= self.to.as_str())
	}

	fn query(&self, format: &str) -> String {
		let pairs = [
			("entity", &self.entity),
			("by_actor", &self.by_actor),
			("actor", &self.actor),
			("action", &self.action),
			("from", &self.from),
			("to", &self.to),
		];
		let mut out = url_encoded(&pairs);
		out.push_str(&format!("&format={format}"));
		out
	}
}

fn url_encoded(pairs: &[(&str, &String)]) -> String {
	pairs
		.iter()
		.map(|(k, v)| {
			let v: String = v
				.bytes()
				.map(|b| match b {
					b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
						(b as char).to_string()
					}
					b => format!("%{b:02X}"),
				})
				.collect();
			format!("{k}={v}")
		})
		.collect::<Vec<_>>()
		.join("&")
}

/// GET /audit
pub async fn page(
	State(app): State<App>,
	headers: HeaderMap,
	Query(filter): Query<Filter>,
) -> Response {
	let signed = signed_or_return!(app, headers);
	let f = filter.clone();
	let read = move |ctx: &Ctx| View::read(ctx, &f);
	app.show(&signed, ("Audit", "/audit"), read, |signed, view| render(signed, &filter, view)).await
}

fn render(signed: &Signed, f: &Filter, v: &View) -> Markup {
	let mut kinds: Vec<&str> = v.rows.iter().map(|(r, _)| r.kind.as_str()).collect();
	kinds.sort_unstable();
	kinds.dedup();
	let shown: Vec<patient::EntryRow> =
		v.rows.iter().filter(|(_, keep)| *keep).map(|(r, _)| r.clone()).collect();
	html! {
		section {
			h2 { "Audit trails" }
			form method="get" action="/audit" {
				(pages::text_input("audit-entity", "entity", "Whose trail (an address, hospital:<id>, root, council)", if f.entity.is_empty() { &signed.address } else { &f.entity }, true))
				label.box { input type="checkbox" name="by_actor" checked[f.by_actor == "on"]; " What this account or hospital did, rather than what was done about it" }
				fieldset {
					legend { "Filters" }
					(pages::text_input("audit-actor", "actor", "Actor (part of a name or address)", &f.actor, false))
					label for="audit-action" { "Action" }
					select id="audit-action" name="action" {
						option value="" { "Any" }
						@for k in &kinds { option value=(k) selected[*k == f.action] { (k) } }
					}
					label for="audit-from" { "From" }
					input id="audit-from" name="from" type="date" value=(f.from);
					label for="audit-to" { "To" }
					input id="audit-to" name="to" type="date" value=(f.to);
				}
				div { button type="submit" { "Show" } }
			}
		}
		@match &v.trail {
			Err(why) if why.is_empty() => {},
			Err(why) => p.error role="alert" { (why) },
			Ok(trail) => section id="trail" {
				h2 { "Trail of " code { (trail.entity) } }
				@if trail.by_actor {
					p { "Entries written by this actor, each in its subject's own hash-linked trail." }
				} @else {
					@match &trail.problem {
						None => p.verified id="verdict" { "Hash chain verified: all " (trail.entries.len()) " entries, each hash recomputed here from the entry's bytes, linked to the one before, ending at the head the chain stores." },
						Some(problem) => p.broken id="verdict" role="alert" { "Hash chain BROKEN: " (problem) },
					}
				}
				p { (shown.len()) " of " (v.rows.len()) " entries shown. Export them: "
					a id="export-csv" href=(format!("/audit/export?{}", f.query("csv"))) { "CSV" } ", "
					a id="export-json" href=(format!("/audit/export?{}", f.query("json"))) { "JSON" } "." }
				(patient::trail_table(&shown))
			},
		}
	}
}

/// GET /audit/export: the filtered entries as CSV or JSON, with the verdict.
pub async fn export(
	State(app): State<App>,
	headers: HeaderMap,
	Query(filter): Query<Filter>,
) -> Response {
	let signed = signed_or_return!(app, headers);
	let f = filter.clone();
	let exported = app
		.read(&signed, move |ctx| {
			let trail =
				commands::read_trail(ctx, &f.entity, f.by_actor == "on").map_err(|e| e.message)?;
			let kept: Vec<(patient::EntryRow, &medchain_api::views::AuditEntry)> = trail
				.entries
				.iter()
				.map(|e| (patient::entry_row(ctx, e), e))
				.filter(|(row, e)| f.keeps(row, &e.actor))
				.collect();
			let verified = (!trail.by_actor).then_some(trail.problem.is_none());
			Ok::<_, String>(if f.format == "csv" {
				let mut csv = String::from("seq,time,block,actor,action,details,prev,hash\n");
				for (row, e) in &kept {
					let cells = [
						row.seq.to_string(),
						row.time.clone(),
						e.block.to_string(),
						row.actor.clone(),
						row.kind.clone(),
						row.text.clone(),
						format!("{:?}", e.prev),
						format!("{:?}", e.hash),
					];
					csv.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
					csv.push('\n');
				}
				("text/csv; charset=utf-8", "csv", csv)
			} else {
				let entries: Vec<_> = kept.iter().map(|(_, e)| *e).collect();
				let body = json!({
					"entity": trail.entity,
					"byActor": trail.by_actor,
					"verified": verified,
					"problem": trail.problem,
					"entries": entries,
				});
				(
					"application/json",
					"json",
					serde_json::to_string_pretty(&body).unwrap_or_default(),
				)
			})
		})
		.await;
	match exported {
		Ok((kind, extension, body)) => (
			[
				(header::CONTENT_TYPE, kind.to_string()),
				(
					header::CONTENT_DISPOSITION,
					format!("attachment; filename=\"medchain-audit.{extension}\""),
				),
			],
			body,
		)
			.into_response(),
		Err(why) => Html(pages::message("The trail could not be read", &why)).into_response(),
	}
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
	if text.contains([',', '"', '\n', '\r']) {
		format!("\"{}\"", text.replace('"', "\"\""))
	} else {
		text.to_string()
	}
}
