//! `medchain ui`: the dashboards, a web app on 127.0.0.1 served by the same library as the
//! command line (the keystore, the encryption, IPFS and the chain code), so that keys and
//! plaintext never leave the person's machine. docs/dashboard.md walks through it.
//!
//! Sessions: the printed URL carries a one-time random token; opening it sets a session
//! cookie (`HttpOnly`, `SameSite=Strict`) and the token is spent. Signing in unlocks a
//! keystore account with its password, which stays in this process's memory only until
//! sign-out or [`IDLE_TIMEOUT`] without a request. Every form carries the session's CSRF
//! token and every POST without it is refused.
//!
//! Every action runs as a job (`jobs`): its page shows it pending, in a block and
//! finalized, and then its outcome in the command line's words.

/// The signed-in session of a request, or return the refusal (sign-in, no session).
macro_rules! signed_or_return {
	($app:expr, $headers:expr) => {
		match $app.signed(&$headers) {
			Ok(signed) => signed,
			Err(refused) => return axum::response::IntoResponse::into_response(refused),
		}
	};
}

mod admin;
mod audit;
mod doctor;
mod home;
mod jobs;
mod pages;
mod patient;

use crate::{
	commands::{Ctx, Globals},
	keys::{KeyError, Keystore},
};
use axum::{
	extract::{DefaultBodyLimit, Form, Path, Query, State},
	http::{header, HeaderMap, StatusCode},
	response::{Html, IntoResponse, Redirect, Response},
	routing::{get, post},
	Router,
};
use std::{
	collections::HashMap,
	path::PathBuf,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use zeroize::Zeroizing;

/// A signed-in session without a request for this long is signed out.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const COOKIE: &str = "medchain_ui";

/// Random bytes as hex, from the operating system.
fn random_hex(bytes: usize) -> String {
	use rand_core_06::RngCore;
	let mut buf = vec![0u8; bytes];
	rand_core_06::OsRng.fill_bytes(&mut buf);
	hex::encode(buf)
}

/// Who is signed in, and the password that unlocks their account (memory only).
struct Account {
	name: String,
	address: String,
	password: Zeroizing<String>,
	/// The patient this account acts for as their guardian, on the patient's page.
	acting_for: Option<String>,
}

struct Session {
	csrf: String,
	account: Option<Account>,
	last_seen: Instant,
	/// Signed out for inactivity, and not told yet.
	idled_out: bool,
	/// The outcome of the last action, shown once on the next page.
	flash: Option<Flash>,
}

/// What an action did, or why it did not.
#[derive(Clone)]
pub enum Flash {
	Done(String),
	Failed(String),
}

struct Inner {
	globals: Globals,
	home: PathBuf,
	idle_timeout: Duration,
	/// The launch token, until it is used.
	launch: Mutex<Option<String>>,
	sessions: Mutex<HashMap<String, Session>>,
	jobs: Mutex<HashMap<String, jobs::Job>>,
}

#[derive(Clone)]
struct App(Arc<Inner>);

/// What a request's session allows.
enum Access {
	/// No session (no cookie, or an unknown one).
	None,
	/// A session, nobody signed in (`idled_out`: signed out for inactivity, not told yet).
	Anonymous { csrf: String, idled_out: bool },
	/// A session with an account signed in.
	SignedIn(Signed),
}

/// A request from a signed-in session.
#[derive(Clone)]
struct Signed {
	/// The session's id (its cookie).
	session: String,
	csrf: String,
	name: String,
	address: String,
	password: Zeroizing<String>,
	/// The patient the account acts for as their guardian (the patient's page).
	acting_for: Option<String>,
}

/// Why a request is not served as asked.
enum Refused {
	/// No session: the link was not opened (or `medchain ui` restarted).
	NoSession,
	/// A session, but nobody signed in.
	SignedOut,
	/// A form without the session's CSRF token.
	Csrf,
}

impl IntoResponse for Refused {
	fn into_response(self) -> Response {
		match self {
			Refused::NoSession => no_session(),
			Refused::SignedOut => Redirect::to("/signin").into_response(),
			Refused::Csrf => forbidden_without_csrf(),
		}
	}
}

/// A form's fields, in order, as posted (a field may repeat: checkboxes).
#[derive(serde::Deserialize, Default)]
#[serde(transparent)]
struct Fields(Vec<(String, String)>);

/// Forms carry passwords and recovery phrases: their values are wiped when dropped.
impl Drop for Fields {
	fn drop(&mut self) {
		use zeroize::Zeroize;
		for (_, value) in &mut self.0 {
			value.zeroize();
		}
	}
}

impl Fields {
	/// The field's value, trimmed ("" if absent).
	fn get(&self, name: &str) -> &str {
		self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
	}

	/// Every value of a repeated field.
	fn all(&self, name: &str) -> Vec<&str> {
		self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).collect()
	}

	/// The field, or a sentence naming it.
	fn required(&self, name: &str, label: &str) -> Result<String, String> {
		match self.get(name) {
			"" => Err(format!("{label} is missing: fill it in and try again")),
			value => Ok(value.to_string()),
		}
	}
}

impl App {
	fn session_id(headers: &HeaderMap) -> Option<String> {
		let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
		cookies.split(';').find_map(|c| {
			let (name, value) = c.trim().split_once('=')?;
			(name == COOKIE).then(|| value.to_string())
		})
	}

	/// The request's session, touched; an idle signed-in one is signed out first.
	fn access(&self, headers: &HeaderMap) -> Access {
		let Some(id) = Self::session_id(headers) else { return Access::None };
		let mut sessions = self.0.sessions.lock().expect("not poisoned");
		let Some(session) = sessions.get_mut(&id) else { return Access::None };
		if session.account.is_some() && session.last_seen.elapsed() > self.0.idle_timeout {
			// Dropping the account zeroizes the password.
			session.account = None;
			session.idled_out = true;
		}
		session.last_seen = Instant::now();
		match &session.account {
			None => Access::Anonymous { csrf: session.csrf.clone(), idled_out: session.idled_out },
			Some(a) => Access::SignedIn(Signed {
				session: id,
				csrf: session.csrf.clone(),
				name: a.name.clone(),
				address: a.address.clone(),
				password: a.password.clone(),
				acting_for: a.acting_for.clone(),
			}),
		}
	}

	/// The signed-in session of a request, or why there is none.
	fn signed(&self, headers: &HeaderMap) -> Result<Signed, Refused> {
		match self.access(headers) {
			Access::None => Err(Refused::NoSession),
			Access::Anonymous { .. } => Err(Refused::SignedOut),
			Access::SignedIn(signed) => Ok(signed),
		}
	}

	/// The signed-in session of a form's request, if the form carries its CSRF token.
	fn signed_form(&self, headers: &HeaderMap, csrf: &str) -> Result<Signed, Refused> {
		let signed = self.signed(headers)?;
		if signed.csrf != csrf {
			return Err(Refused::Csrf);
		}
		Ok(signed)
	}

	fn update(&self, session: &str, f: impl FnOnce(&mut Session)) {
		if let Some(session) = self.0.sessions.lock().expect("not poisoned").get_mut(session) {
			f(session);
		}
	}

	fn take_flash(&self, signed: &Signed) -> Option<Flash> {
		let mut flash = None;
		self.update(&signed.session, |s| flash = s.flash.take());
		flash
	}

	/// Show `flash` on the session's next page and go to `back`.
	fn flash_and_go(&self, signed: &Signed, flash: Flash, back: &str) -> Response {
		self.update(&signed.session, |s| s.flash = Some(flash));
		Redirect::to(back).into_response()
	}

	/// A context for the library's commands, acting as the signed-in account.
	fn ctx(&self, signed: &Signed) -> Ctx {
		let globals = Globals { as_account: Some(signed.name.clone()), ..self.0.globals.clone() };
		Ctx::capturing(&globals).with_password(signed.password.clone())
	}

	/// A dashboard page: read as the signed-in account, then rendered with the last
	/// action's outcome first.
	async fn show<V: Send + 'static>(
		&self,
		signed: &Signed,
		(title, here): (&str, &str),
		read: impl FnOnce(&Ctx) -> V + Send + 'static,
		render: impl FnOnce(&Signed, &V) -> maud::Markup,
	) -> Response {
		let view = self.read(signed, read).await;
		let flash = self.take_flash(signed);
		Html(pages::signed_page(title, signed, here, flash, render(signed, &view))).into_response()
	}

	/// Read with the library as the signed-in account, off the async threads (the client
	/// library blocks on HTTP).
	async fn read<T: Send + 'static>(
		&self,
		signed: &Signed,
		read: impl FnOnce(&Ctx) -> T + Send + 'static,
	) -> T {
		let (app, signed) = (self.clone(), signed.clone());
		tokio::task::spawn_blocking(move || read(&app.ctx(&signed)))
			.await
			.expect("a read does not panic")
	}
}

/// Run the dashboards on 127.0.0.1:`port` (0: any free port) until stopped. Prints the
/// URL to open, with its one-time token, on standard output.
pub fn serve(globals: Globals, port: u16, idle_timeout: Duration) -> std::io::Result<()> {
	let home = Ctx::new(&globals).home().to_path_buf();
	let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
	runtime.block_on(async move {
		let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
		let address = listener.local_addr()?;
		let token = random_hex(32);
		let app = App(Arc::new(Inner {
			globals,
			home,
			idle_timeout,
			launch: Mutex::new(Some(token.clone())),
			sessions: Mutex::new(HashMap::new()),
			jobs: Mutex::new(HashMap::new()),
		}));
		println!("MedChain dashboards: open http://{address}/?token={token}");
		eprintln!(
			"listening on {address} only (this machine); the link works once; stop with Ctrl-C"
		);
		let router = Router::new()
			.route("/", get(launch))
			.route("/signin", get(signin_page).post(signin))
			.route("/signout", post(signout))
			.route("/account", post(new_account))
			.route("/home", get(home::page))
			.route("/patient", get(patient::page))
			.route("/doctor", get(doctor::page))
			.route("/admin", get(admin::page))
			.route("/audit", get(audit::page))
			.route("/audit/export", get(audit::export))
			.route("/act/{action}", post(act))
			// Files are streamed to disk as they arrive, whatever their size.
			.route("/upload", post(jobs::upload).layer(DefaultBodyLimit::disable()))
			.route("/jobs/{id}", get(jobs::page))
			.route("/jobs/{id}/file", get(jobs::download))
			.route("/app.js", get(pages::script))
			.route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
			.with_state(app.clone());
		let stopped = async {
			let _ = tokio::signal::ctrl_c().await;
		};
		let served = axum::serve(listener, router).with_graceful_shutdown(stopped).await;
		app.remove_files();
		served
	})
}

impl App {
	/// Remove this process's temporary files: uploads in progress, downloads not taken.
	fn remove_files(&self) {
		let prefix = format!("{}-", std::process::id());
		let Ok(entries) = std::fs::read_dir(self.0.home.join("tmp")) else { return };
		for entry in entries.flatten() {
			if entry.file_name().to_string_lossy().starts_with(&prefix) {
				let _ = std::fs::remove_file(entry.path());
			}
		}
	}
}

#[derive(serde::Deserialize)]
struct LaunchQuery {
	token: Option<String>,
}

/// The printed link: spends the token and starts a session.
async fn launch(
	State(app): State<App>,
	headers: HeaderMap,
	Query(query): Query<LaunchQuery>,
) -> Response {
	let spent = {
		let mut launch = app.0.launch.lock().expect("not poisoned");
		match (&*launch, &query.token) {
			(Some(expected), Some(given)) if expected == given => launch.take().is_some(),
			_ => false,
		}
	};
	if !spent {
		return match app.access(&headers) {
			Access::SignedIn(_) => Redirect::to("/home").into_response(),
			Access::Anonymous { .. } => Redirect::to("/signin").into_response(),
			Access::None => (
				StatusCode::FORBIDDEN,
				Html(pages::message(
					"This link does not open MedChain",
					"The link was used already, or it is not the one `medchain ui` printed. Stop \
					 `medchain ui` and start it again for a new link.",
				)),
			)
				.into_response(),
		};
	}
	let id = random_hex(32);
	app.0.sessions.lock().expect("not poisoned").insert(
		id.clone(),
		Session {
			csrf: random_hex(32),
			account: None,
			last_seen: Instant::now(),
			idled_out: false,
			flash: None,
		},
	);
	let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/");
	([(header::SET_COOKIE, cookie)], Redirect::to("/signin")).into_response()
}

fn no_session() -> Response {
	(
		StatusCode::FORBIDDEN,
		Html(pages::message(
			"No session",
			"Open the link `medchain ui` printed (it works once); if it was used already, stop \
			 `medchain ui` and start it again.",
		)),
	)
		.into_response()
}

fn forbidden_without_csrf() -> Response {
	(
		StatusCode::FORBIDDEN,
		Html(pages::message(
			"Refused",
			"This form did not come from this MedChain page (its security token is missing or \
			 wrong). Go back, reload the page and try again.",
		)),
	)
		.into_response()
}

async fn signin_page(State(app): State<App>, headers: HeaderMap) -> Response {
	match app.access(&headers) {
		Access::None => no_session(),
		Access::SignedIn(_) => Redirect::to("/home").into_response(),
		Access::Anonymous { csrf, idled_out } => {
			if let Some(id) = App::session_id(&headers) {
				app.update(&id, |session| session.idled_out = false);
			}
			let notice = idled_out.then(|| {
				format!(
					"You were signed out after {} without activity: sign in again.",
					pages::duration(app.0.idle_timeout)
				)
			});
			let accounts = Keystore::new(&app.0.home).list();
			Html(pages::signin(&csrf, accounts, notice.as_deref(), None)).into_response()
		}
	}
}

/// Fields default to empty, so that a form without its CSRF token gets the 403 below
/// rather than a parse error.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct SigninForm {
	csrf: String,
	account: String,
	password: String,
}

async fn signin(
	State(app): State<App>,
	headers: HeaderMap,
	Form(mut form): Form<SigninForm>,
) -> Response {
	let password = Zeroizing::new(std::mem::take(&mut form.password));
	let csrf = match app.access(&headers) {
		Access::None => return no_session(),
		Access::SignedIn(Signed { csrf, .. }) | Access::Anonymous { csrf, .. } => csrf,
	};
	if form.csrf != csrf {
		return forbidden_without_csrf();
	}
	let home = app.0.home.clone();
	let (name, typed) = (form.account.clone(), password.clone());
	// scrypt: seconds of work, off the async threads.
	let unlocked = tokio::task::spawn_blocking(move || {
		Keystore::new(&home).unlock(&name, &typed).map(|identity| identity.address())
	})
	.await
	.expect("the unlock task does not panic");
	match unlocked {
		Ok(address) => {
			if let Some(id) = App::session_id(&headers) {
				app.update(&id, |session| {
					session.account = Some(Account {
						name: form.account.clone(),
						address,
						password,
						acting_for: None,
					});
				});
			}
			Redirect::to("/home").into_response()
		}
		Err(e) => {
			// The keystore's own sentence, but for its advice about the command line.
			let error = match e {
				KeyError::WrongPassword(name) => {
					format!("wrong password for account '{name}': type it again")
				}
				other => other.to_string(),
			};
			let accounts = Keystore::new(&app.0.home).list();
			(StatusCode::UNAUTHORIZED, Html(pages::signin(&csrf, accounts, None, Some(&error))))
				.into_response()
		}
	}
}

async fn signout(State(app): State<App>, headers: HeaderMap, Form(form): Form<Fields>) -> Response {
	let csrf = match app.access(&headers) {
		Access::None => return no_session(),
		Access::SignedIn(Signed { csrf, .. }) | Access::Anonymous { csrf, .. } => csrf,
	};
	if form.get("csrf") != csrf {
		return forbidden_without_csrf();
	}
	if let Some(id) = App::session_id(&headers) {
		app.update(&id, |session| session.account = None);
	}
	Redirect::to("/signin").into_response()
}

/// A new keystore account, from a fresh recovery phrase (shown once) or a restored one.
async fn new_account(
	State(app): State<App>,
	headers: HeaderMap,
	Form(fields): Form<Fields>,
) -> Response {
	let csrf = match app.access(&headers) {
		Access::None => return no_session(),
		Access::SignedIn(Signed { csrf, .. }) | Access::Anonymous { csrf, .. } => csrf,
	};
	if fields.get("csrf") != csrf {
		return forbidden_without_csrf();
	}
	let refuse = |why: String| {
		let accounts = Keystore::new(&app.0.home).list();
		(StatusCode::BAD_REQUEST, Html(pages::signin(&csrf, accounts, None, Some(&why))))
			.into_response()
	};
	let name = fields.get("name").to_string();
	let password = Zeroizing::new(
		fields
			.0
			.iter()
			.find(|(k, _)| k == "new-password")
			.map_or(String::new(), |(_, v)| v.clone()),
	);
	let repeated = fields.0.iter().find(|(k, _)| k == "repeat-password").map(|(_, v)| v.as_str());
	if password.is_empty() {
		return refuse("choose a password for the new account".into());
	}
	if repeated != Some(password.as_str()) {
		return refuse("the two passwords differ: type the same password twice".into());
	}
	let phrase =
		Zeroizing::new(fields.get("phrase").split_whitespace().collect::<Vec<_>>().join(" "));
	let home = app.0.home.clone();
	let created = tokio::task::spawn_blocking(move || {
		let (identity, shown) = if phrase.is_empty() {
			let (identity, phrase) = crate::keys::Identity::generate(&name);
			(identity, Some(phrase))
		} else {
			(crate::keys::Identity::from_mnemonic(&name, &phrase)?, None)
		};
		Keystore::new(&home).save(&identity, &password).map(|info| (info, shown))
	})
	.await
	.expect("the keystore task does not panic");
	match created {
		Ok((info, phrase)) => (
			// The page shows a recovery phrase: no copy of it in any cache.
			[(header::CACHE_CONTROL, "no-store")],
			Html(pages::account_created(&info, phrase.as_deref().map(|p| p.as_str()))),
		)
			.into_response(),
		Err(e) => refuse(e.to_string()),
	}
}

/// Every form's action: checked, planned by the role's module, and run as a job.
async fn act(
	State(app): State<App>,
	Path(action): Path<String>,
	headers: HeaderMap,
	Form(fields): Form<Fields>,
) -> Response {
	let signed = match app.signed_form(&headers, fields.get("csrf")) {
		Ok(signed) => signed,
		Err(refused) => return refused.into_response(),
	};
	let mut fields = fields;
	patient::acting_for(&signed, &mut fields);
	let planned = home::plan(&action, &fields)
		.or_else(|| patient::plan(&action, &fields))
		.or_else(|| doctor::plan(&action, &fields))
		.or_else(|| admin::plan(&action, &fields));
	match planned {
		None => {
			(StatusCode::NOT_FOUND, Html(pages::message("No such action", &action))).into_response()
		}
		Some(Err((back, why))) => app.flash_and_go(&signed, Flash::Failed(why), back),
		Some(Ok(plan)) => app.start(&signed, plan),
	}
}
