//! The dashboards' layout and the parts every page shares: HTML rendered here (maud,
//! checked at compile time), with the style sheet inline and one small script served by
//! this program ([`SCRIPT`]). Nothing is fetched from anywhere else.

use super::{Flash, Signed};
use crate::keys::{AccountInfo, KeyError};
use axum::{http::header, response::IntoResponse};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
header { background: #0b5394; color: white; padding: .6rem 1.5rem; display: flex;
  flex-wrap: wrap; gap: 1rem; justify-content: space-between; align-items: center; }
header h1 { font-size: 1.2rem; margin: 0; }
header nav a { color: white; margin-right: 1rem; }
header nav a[aria-current=page] { font-weight: 700; text-decoration: none;
  border-bottom: 2px solid white; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem;
  background: white; padding: .4rem; }
main { max-width: 68rem; margin: 1.5rem auto; padding: 0 1.5rem; }
section { background: white; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem 1.5rem;
  margin-bottom: 1.5rem; }
section.danger { border: 2px solid #cf222e; }
h2 { font-size: 1.25rem; } h3 { font-size: 1.05rem; margin-top: 1.2rem; }
label { display: block; margin: .8rem 0 .3rem; font-weight: 600; }
fieldset { border: 1px solid #d0d7de; border-radius: 4px; margin: .8rem 0; }
fieldset.boxes label, label.box { display: inline-block; font-weight: 400;
  margin: .2rem 1rem .2rem 0; }
input, select, button, textarea { font: inherit; padding: .4rem .6rem; }
input[type=text], textarea { width: min(100%, 36rem); box-sizing: border-box; }
button { background: #0b5394; color: white; border: 0; border-radius: 4px; cursor: pointer;
  margin-top: 1rem; }
button.danger { background: #cf222e; }
header button { background: white; color: #0b5394; margin: 0; }
button:focus, input:focus, select:focus, a:focus, textarea:focus { outline: 3px solid #f6b73c; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de;
  vertical-align: top; }
.error { background: #ffebe9; border: 1px solid #ff8182; padding: .6rem 1rem; border-radius: 4px; }
.notice { background: #dafbe1; border: 1px solid #4ac26b; padding: .6rem 1rem; border-radius: 4px; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: .6rem 1rem; border-radius: 4px; }
.banner { background: #cf222e; color: white; padding: .8rem 1rem; border-radius: 4px;
  font-weight: 600; }
.verified { color: #1a7f37; font-weight: 700; } .broken { color: #cf222e; font-weight: 700; }
code { font-size: .9em; word-break: break-all; }
form.inline { display: inline; }
form.inline button { margin: 0 .3rem .3rem 0; }
details { margin: .3rem 0; } summary { cursor: pointer; color: #0b5394; }
progress { width: min(100%, 36rem); display: block; margin-top: .8rem; }
progress[hidden] { display: none; }
ol.steps li { margin: .3rem 0; }
.hint { color: #57606a; font-size: .9em; margin: .2rem 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
";

/// The one script: uploads with a progress bar. Without it every form still posts.
pub const SCRIPT: &str = r#"// MedChain dashboards: uploads with a progress bar.
document.querySelectorAll('form[data-upload]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const bar = form.querySelector('progress');
    const status = form.querySelector('.upload-status');
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    bar.hidden = false;
    const xhr = new XMLHttpRequest();
    // (`form.action` would be the form's field named "action".)
    xhr.open('POST', form.getAttribute('action'));
    xhr.setRequestHeader('X-MedChain-Upload', '1');
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      status.textContent = `Sending the file: ${Math.floor((100 * e.loaded) / e.total)} %`;
    };
    xhr.upload.onload = () => { status.textContent = 'Sent; encrypting and storing…'; };
    xhr.onload = () => {
      if (xhr.status === 200 && xhr.responseText.startsWith('/')) {
        window.location.href = xhr.responseText;
      } else {
        document.open(); document.write(xhr.responseText); document.close();
      }
    };
    xhr.onerror = () => {
      status.textContent = 'The upload stopped: check that medchain ui still runs, then try again.';
      button.disabled = false;
    };
    xhr.send(new FormData(form));
  });
});
"#;

/// GET /app.js
pub async fn script() -> axum::response::Response {
	([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// The pages of the navigation bar: `(path, label)`.
const NAV: [(&str, &str); 5] = [
	("/home", "Home"),
	("/patient", "Patient"),
	("/doctor", "Doctor"),
	("/admin", "Hospital admin"),
	("/audit", "Audit"),
];

/// A whole page; `who` signed in (with the navigation and sign-out), `here` its path.
pub fn page(title: &str, who: Option<(&Signed, &str)>, extra_head: Markup, body: Markup) -> String {
	html! {
		(DOCTYPE)
		html lang="en" {
			head {
				meta charset="utf-8";
				meta name="viewport" content="width=device-width, initial-scale=1";
				(extra_head)
				title { (title) " · MedChain" }
				style { (PreEscaped(STYLE)) }
				script src="/app.js" defer {}
			}
			body {
				a.skip href="#main" { "Skip to the page's content" }
				header {
					h1 { "MedChain" }
					@if let Some((signed, here)) = who {
						nav aria-label="Dashboards" {
							@for (path, label) in NAV {
								@if path == here {
									a href=(path) aria-current="page" { (label) }
								} @else {
									a href=(path) { (label) }
								}
							}
						}
						form method="post" action="/signout" {
							input type="hidden" name="csrf" value=(signed.csrf);
							span { "Signed in as " strong { (signed.name) } " " }
							button type="submit" { "Sign out" }
						}
					}
				}
				main id="main" { (body) }
			}
		}
	}
	.into_string()
}

/// A signed-in page with the last action's outcome first.
pub fn signed_page(
	title: &str,
	signed: &Signed,
	here: &str,
	flash: Option<Flash>,
	body: Markup,
) -> String {
	let body = html! {
		h2.sr-only { (title) }
		@match &flash {
			Some(Flash::Done(text)) => p.notice role="status" { (text) },
			Some(Flash::Failed(text)) => p.error role="alert" { (text) },
			None => {},
		}
		(body)
	};
	page(title, Some((signed, here)), html! {}, body)
}

/// A page that only says something.
pub fn message(title: &str, text: &str) -> String {
	page(title, None, html! {}, html! { section { h2 { (title) } p { (text) } } })
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
			@if let Some(notice) = notice { p.warning role="status" { (notice) } }
			@if let Some(error) = error { p.error role="alert" { (error) } }
			@match accounts {
				Err(e) => p.error role="alert" { (e.to_string()) },
				Ok(accounts) if accounts.is_empty() => p {
					"This keystore has no account yet: create one below (or with "
					code { "medchain account new <name>" }
					")."
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
		section {
			h2 { "A new account on this machine" }
			p.hint { "Keys are made and kept here, sealed with the password; nothing is sent anywhere. Leave the recovery phrase empty for new keys, or type yours to restore an account." }
			form method="post" action="/account" {
				input type="hidden" name="csrf" value=(csrf);
				(text_input("new-name", "name", "Name of the account (letters, digits, - and _)", "", true))
				label for="new-phrase" { "Recovery phrase, to restore an account (optional)" }
				textarea id="new-phrase" name="phrase" rows="2" autocomplete="off" {}
				label for="new-password" { "Password" }
				input id="new-password" name="new-password" type="password" required autocomplete="new-password";
				label for="repeat-password" { "The same password again" }
				input id="repeat-password" name="repeat-password" type="password" required autocomplete="new-password";
				div { button type="submit" { "Create the account" } }
			}
		}
	};
	page("Sign in", None, html! {}, body)
}

/// A keystore account just made: its address and, for new keys, the recovery phrase, once.
pub fn account_created(info: &AccountInfo, phrase: Option<&str>) -> String {
	let body = html! {
		section {
			h2 { "Account " (info.name) " is ready" }
			p { "Address: " code id="new-address" { (info.address) } }
			p { "Encryption key: " code { (info.encryption_key) } }
			@if let Some(phrase) = phrase {
				p.warning role="alert" {
					"Write down this recovery phrase and keep it safe: it is shown once, and it \
					 alone restores this account's keys on another machine."
				}
				p { code id="new-phrase-words" { (phrase) } }
			}
			p { "Give the address to your hospital for an invitation. " a href="/signin" { "Sign in" } }
		}
	};
	page("New account", None, html! {}, body)
}

/// A running job: what it is and where it is; the page reloads itself every second.
pub fn job_running(signed: &Signed, title: &str, steps: &[String], seconds: u64) -> String {
	let head = html! { meta http-equiv="refresh" content="1"; };
	let body = html! {
		section aria-busy="true" {
			h2 { (title) }
			ol.steps role="status" aria-live="polite" {
				@for step in steps { li { (step) } }
				li { "Working… (" (seconds) " s)" }
			}
			p.hint { "This page follows the action by itself; you may leave it, the action goes on." }
		}
	};
	page(title, Some((signed, "")), head, body)
}

/// A finished job with a file to download.
pub fn job_download(
	signed: &Signed,
	title: &str,
	steps: &[String],
	text: &str,
	id: &str,
	name: &str,
	back: &str,
) -> String {
	let body = html! {
		section {
			h2 { (title) }
			ol.steps { @for step in steps { li { (step) } } }
			p.notice role="status" { (text) }
			p { a id="download" href=(format!("/jobs/{id}/file")) download=(name) { "Download " (name) } }
			p.hint { "The decrypted file is on this machine only until you download it (once)." }
			p { a href=(back) { "Back" } }
		}
	};
	page(title, Some((signed, "")), html! {}, body)
}

/// A duration in words: `15 minutes`, `30 seconds`.
pub fn duration(d: std::time::Duration) -> String {
	match d.as_secs() {
		s if s >= 120 => format!("{} minutes", s / 60),
		1 => "1 second".into(),
		s => format!("{s} seconds"),
	}
}

/// A size in words: `5.0 MiB`.
pub fn bytes(n: u64) -> String {
	match n {
		n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
		n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
		n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
		n => format!("{n} bytes"),
	}
}

/// A chain time as pages show it: local date and time to the second.
pub fn time(t: &medchain_api::views::Time) -> String {
	time_ms(t.ms)
}

/// A chain time in milliseconds as pages show it.
pub fn time_ms(ms: u64) -> String {
	match i64::try_from(ms).ok().and_then(chrono::DateTime::from_timestamp_millis) {
		Some(t) => t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string(),
		None => "-".into(),
	}
}

pub fn short(address: &str) -> String {
	crate::commands::short(address)
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
pub fn capitalized(text: &str) -> String {
	let mut chars = text.chars();
	chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A form posting to `/act/<action>` with the session's CSRF token.
pub fn action_form(csrf: &str, action: &str, inline: bool, body: Markup) -> Markup {
	html! {
		form.inline[inline] method="post" action=(format!("/act/{action}")) {
			input type="hidden" name="csrf" value=(csrf);
			(body)
		}
	}
}

/// A form uploading a file to `/upload` (streamed), with a progress bar.
pub fn upload_form(csrf: &str, action: &str, back: &str, id: &str, body: Markup) -> Markup {
	html! {
		form method="post" action="/upload" enctype="multipart/form-data" data-upload {
			input type="hidden" name="csrf" value=(csrf);
			input type="hidden" name="action" value=(action);
			input type="hidden" name="back" value=(back);
			(body)
			label for=(format!("{id}-file")) { "File" }
			input id=(format!("{id}-file")) name="file" type="file" required;
			progress hidden max="1" value="0" aria-label="Upload progress" {}
			p.upload-status.hint role="status" aria-live="polite" {}
			div { button type="submit" { "Upload" } }
		}
	}
}

/// A labelled select of `options` (`(value, text)`).
pub fn select(id: &str, name: &str, label: &str, options: &[(String, String)]) -> Markup {
	html! {
		label for=(id) { (label) }
		select id=(id) name=(name) {
			@for (value, text) in options { option value=(value) { (text) } }
		}
	}
}

/// A labelled text input.
pub fn text_input(id: &str, name: &str, label: &str, value: &str, required: bool) -> Markup {
	html! {
		label for=(id) { (label) }
		input id=(id) name=(name) type="text" value=(value) required[required];
	}
}

/// The record categories, as forms offer them.
pub const CATEGORIES: [&str; 10] = [
	"Consultation",
	"Diagnosis",
	"Prescription",
	"LabResult",
	"Imaging",
	"Allergy",
	"Immunization",
	"Procedure",
	"Discharge",
	"Other",
];

/// `(value, text)` pairs of the categories.
pub fn category_options() -> Vec<(String, String)> {
	CATEGORIES.iter().map(|c| (c.to_string(), c.to_string())).collect()
}

/// Checkboxes for a scope's categories, none ticked meaning `none_means`.
pub fn category_boxes(id: &str, legend: &str) -> Markup {
	html! {
		fieldset.boxes {
			legend { (legend) }
			@for c in CATEGORIES {
				label { input type="checkbox" name="categories" value=(c) id=(format!("{id}-{c}")); " " (c) }
			}
		}
	}
}

/// The options of a permission select.
pub fn permission_options() -> Vec<(String, String)> {
	vec![
		("read".into(), "Read".into()),
		("read-write".into(), "Read and write (add records)".into()),
	]
}

/// The options of a purpose select.
pub fn purpose_options() -> Vec<(String, String)> {
	[
		("treatment", "Treatment"),
		("second-opinion", "Second opinion"),
		("research", "Research"),
		("emergency", "Emergency"),
		("other", "Other"),
	]
	.iter()
	.map(|(v, t)| (v.to_string(), t.to_string()))
	.collect()
}
