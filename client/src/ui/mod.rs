//! `medchain ui`: the dashboards, a web app on 127.0.0.1 served by the same library as the
//! command line (the keystore, the encryption, IPFS and the chain code), so that keys and
//! plaintext never leave the person's machine. docs/dashboard.md walks through it.
//!
//! Sessions: the printed URL carries a one-time random token; opening it sets a session
//! cookie (`HttpOnly`, `SameSite=Strict`) and the token is spent. Signing in unlocks a
//! keystore account with its password, which stays in this process's memory only until
//! sign-out or [`IDLE_TIMEOUT`] without a request. Every form carries the session's CSRF
//! token and every POST without it is refused.

mod pages;

use crate::{
	commands::{execute, Command, Ctx, ForArgs, Globals, PatientCmd},
	keys::{KeyError, Keystore},
};
use axum::{
	extract::{Form, Path, Query, State},
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
struct SignedIn {
	name: String,
	address: String,
	password: Zeroizing<String>,
}

struct Session {
	csrf: String,
	account: Option<SignedIn>,
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
	SignedIn { csrf: String, name: String, address: String, password: Zeroizing<String> },
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
			Some(s) => Access::SignedIn {
				csrf: session.csrf.clone(),
				name: s.name.clone(),
				address: s.address.clone(),
				password: s.password.clone(),
			},
		}
	}

	fn update(&self, headers: &HeaderMap, f: impl FnOnce(&mut Session)) {
		if let Some(id) = Self::session_id(headers) {
			if let Some(session) = self.0.sessions.lock().expect("not poisoned").get_mut(&id) {
				f(session);
			}
		}
	}

	/// A context for the library's commands, acting as `name` with `password`.
	fn ctx(&self, name: &str, password: &Zeroizing<String>) -> Ctx {
		let globals = Globals { as_account: Some(name.to_string()), ..self.0.globals.clone() };
		Ctx::capturing(&globals).with_password(password.clone())
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
		}));
		println!("MedChain dashboards: open http://{address}/?token={token}");
		eprintln!(
			"listening on {address} only (this machine); the link works once; stop with Ctrl-C"
		);
		let router = Router::new()
			.route("/", get(launch))
			.route("/signin", get(signin_page).post(signin))
			.route("/signout", post(signout))
			.route("/home", get(home_page))
			.route("/patient/{action}", post(patient_action))
			.with_state(app);
		axum::serve(listener, router).await
	})
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
			Access::SignedIn { .. } => Redirect::to("/home").into_response(),
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
		Access::SignedIn { .. } => Redirect::to("/home").into_response(),
		Access::Anonymous { csrf, idled_out } => {
			app.update(&headers, |session| session.idled_out = false);
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
		Access::SignedIn { csrf, .. } | Access::Anonymous { csrf, .. } => csrf,
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
			app.update(&headers, |session| {
				session.account = Some(SignedIn { name: form.account.clone(), address, password });
			});
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

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CsrfForm {
	csrf: String,
}

async fn signout(
	State(app): State<App>,
	headers: HeaderMap,
	Form(form): Form<CsrfForm>,
) -> Response {
	let csrf = match app.access(&headers) {
		Access::None => return no_session(),
		Access::SignedIn { csrf, .. } | Access::Anonymous { csrf, .. } => csrf,
	};
	if form.csrf != csrf {
		return forbidden_without_csrf();
	}
	app.update(&headers, |session| session.account = None);
	Redirect::to("/signin").into_response()
}

async fn home_page(State(app): State<App>, headers: HeaderMap) -> Response {
	let (csrf, name, address, password) = match app.access(&headers) {
		Access::None => return no_session(),
		Access::Anonymous { .. } => return Redirect::to("/signin").into_response(),
		Access::SignedIn { csrf, name, address, password } => (csrf, name, address, password),
	};
	let ctx = app.clone();
	let who = name.clone();
	let overview =
		tokio::task::spawn_blocking(move || pages::Overview::read(&ctx.ctx(&who, &password)))
			.await
			.expect("the read task does not panic");
	let mut flash = None;
	app.update(&headers, |session| flash = session.flash.take());
	Html(pages::home(&csrf, &name, &address, overview, flash)).into_response()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DoctorForm {
	csrf: String,
	doctor: String,
}

/// A patient's action on one doctor's request or grant (`approve`, `deny`, `revoke`),
/// through the library's own command as the signed-in account; its outcome is shown
/// once on the home page.
async fn patient_action(
	State(app): State<App>,
	Path(action): Path<String>,
	headers: HeaderMap,
	Form(form): Form<DoctorForm>,
) -> Response {
	let (csrf, name, password) = match app.access(&headers) {
		Access::None => return no_session(),
		Access::Anonymous { .. } => return Redirect::to("/signin").into_response(),
		Access::SignedIn { csrf, name, password, .. } => (csrf, name, password),
	};
	if form.csrf != csrf {
		return forbidden_without_csrf();
	}
	let (doctor, who) = (form.doctor, ForArgs { patient: None });
	let command = match action.as_str() {
		"approve" => PatientCmd::Approve { doctor, days: None, who },
		"deny" => PatientCmd::Deny { doctor, who },
		"revoke" => PatientCmd::Revoke { doctor, who },
		_ => return StatusCode::NOT_FOUND.into_response(),
	};
	let ctx = app.clone();
	let outcome = tokio::task::spawn_blocking(move || {
		let ctx = ctx.ctx(&name, &password);
		match execute(&ctx, Command::Patient(command)) {
			Ok(()) => Flash::Done(pages::outcome(&ctx.take_results())),
			Err(failure) => Flash::Failed(failure.message),
		}
	})
	.await
	.expect("the action task does not panic");
	app.update(&headers, |session| session.flash = Some(outcome));
	Redirect::to("/home").into_response()
}
