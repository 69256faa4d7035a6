//! Actions as jobs: each runs the library's code in a worker thread while its page shows
//! where it is (pending, in a block, finalized), then its outcome in the command line's
//! words, or the file it opened to download. Uploads are streamed to disk as they arrive.

use super::{pages, App, Fields, Flash, Inner, Signed};
use crate::{
	chain::Step,
	commands::{execute, Command, Ctx, Failure},
	files,
};
use axum::{
	body::Body,
	extract::{Multipart, Path, State},
	http::{header, HeaderMap, StatusCode},
	response::{Html, IntoResponse, Redirect, Response},
};
use std::{
	path::PathBuf,
	sync::Arc,
	time::{Duration, Instant},
};
use tokio::io::AsyncWriteExt;

/// What a job does, as the signed-in account.
pub type Work = Box<dyn FnOnce(&Ctx, &Progress) -> Result<Outcome, Failure> + Send>;

/// An action, ready to run: what to call it, where to go after, and its work.
pub struct Plan {
	pub title: String,
	pub back: &'static str,
	pub work: Work,
}

impl Plan {
	/// Run one of the command line's commands.
	pub fn command(title: impl Into<String>, back: &'static str, command: Command) -> Self {
		Plan {
			title: title.into(),
			back,
			work: Box::new(move |ctx, _| {
				execute(ctx, command)?;
				Ok(Outcome::said(ctx))
			}),
		}
	}

	/// Any work.
	pub fn work(
		title: impl Into<String>,
		back: &'static str,
		work: impl FnOnce(&Ctx, &Progress) -> Result<Outcome, Failure> + Send + 'static,
	) -> Self {
		Plan { title: title.into(), back, work: Box::new(work) }
	}

	/// The same plan for an uploaded `file` of `size` bytes: said received, and removed
	/// when the work is over.
	fn uploaded(self, file: PathBuf, size: u64) -> Self {
		let work = self.work;
		Plan {
			work: Box::new(move |ctx, progress| {
				progress.note(format!("Received the file ({})", pages::bytes(size)));
				let outcome = work(ctx, progress);
				let _ = std::fs::remove_file(&file);
				outcome
			}),
			..self
		}
	}
}

/// What a job came to.
pub struct Outcome {
	pub text: String,
	pub file: Option<Download>,
}

impl Outcome {
	/// What the last command run in `ctx` said (its sentence, block and finality).
	pub fn said(ctx: &Ctx) -> Self {
		Outcome { text: pages::outcome(&ctx.take_results()), file: None }
	}
}

/// A decrypted file waiting to be downloaded once: it is removed when sent.
pub struct Download {
	pub path: PathBuf,
	pub name: String,
}

enum State_ {
	Running,
	Done(Outcome),
	Failed(String),
}

pub struct Job {
	session: String,
	title: String,
	back: &'static str,
	steps: Vec<String>,
	state: State_,
	started: Instant,
	ended: Option<Instant>,
}

/// A running job's log.
#[derive(Clone)]
pub struct Progress {
	inner: Arc<Inner>,
	id: String,
}

impl Progress {
	/// Add a line to the job's page.
	pub fn note(&self, text: impl Into<String>) {
		if let Some(job) = self.inner.jobs.lock().expect("not poisoned").get_mut(&self.id) {
			job.steps.push(text.into());
		}
	}

	fn step(&self, step: Step) {
		self.note(match step {
			Step::Sent { extrinsic } => format!(
				"Pending: the node took the call ({}) and it waits for a block",
				crate::commands::short(&format!("{extrinsic:?}"))
			),
			Step::InBlock { number } => format!("In block #{number}"),
			Step::Finalized { number } => {
				format!("Finalized: the hospitals' validators finalized block #{number}")
			}
		});
	}
}

/// Finished jobs are kept this long for their page (and download), then dropped.
const KEEP: Duration = Duration::from_secs(10 * 60);

impl App {
	/// Start `plan` as the signed-in account and go to its page.
	pub(super) fn start(&self, signed: &Signed, plan: Plan) -> Response {
		let id = super::random_hex(16);
		{
			let mut jobs = self.0.jobs.lock().expect("not poisoned");
			jobs.retain(|_, job| {
				let keep = job.ended.is_none_or(|t| t.elapsed() < KEEP);
				if !keep {
					if let State_::Done(Outcome { file: Some(f), .. }) = &job.state {
						let _ = std::fs::remove_file(&f.path);
					}
				}
				keep
			});
			jobs.insert(
				id.clone(),
				Job {
					session: signed.session.clone(),
					title: plan.title,
					back: plan.back,
					steps: Vec::new(),
					state: State_::Running,
					started: Instant::now(),
					ended: None,
				},
			);
		}
		let progress = Progress { inner: self.0.clone(), id: id.clone() };
		let (app, signed, work) = (self.clone(), signed.clone(), plan.work);
		tokio::task::spawn_blocking(move || {
			let on_step = progress.clone();
			let ctx = app.ctx(&signed).with_steps(move |step| on_step.step(step));
			let state = match work(&ctx, &progress) {
				Ok(outcome) => State_::Done(outcome),
				Err(failure) => State_::Failed(failure.plain()),
			};
			if let Some(job) = app.0.jobs.lock().expect("not poisoned").get_mut(&progress.id) {
				job.state = state;
				job.ended = Some(Instant::now());
			}
		});
		Redirect::to(&format!("/jobs/{id}")).into_response()
	}
}

fn no_job() -> Response {
	(
		StatusCode::NOT_FOUND,
		Html(pages::message(
			"No such action",
			"This action is over, or it was started in another session. Go back to your page.",
		)),
	)
		.into_response()
}

/// A job's page: where it is while it runs (the page reloads itself every second); then
/// its outcome on the page it came from, or its file to download.
pub async fn page(State(app): State<App>, headers: HeaderMap, Path(id): Path<String>) -> Response {
	let signed = signed_or_return!(app, headers);
	let mut jobs = app.0.jobs.lock().expect("not poisoned");
	let Some(job) = jobs.get(&id).filter(|job| job.session == signed.session) else {
		return no_job();
	};
	let (title, back, steps) = (job.title.clone(), job.back, job.steps.clone());
	match &job.state {
		State_::Running => {
			Html(pages::job_running(&signed, &title, &steps, job.started.elapsed().as_secs()))
				.into_response()
		}
		State_::Done(Outcome { text, file: Some(file) }) => {
			Html(pages::job_download(&signed, &title, &steps, text, &id, &file.name, back))
				.into_response()
		}
		State_::Done(Outcome { file: None, .. }) | State_::Failed(_) => {
			let Some(job) = jobs.remove(&id) else { return no_job() };
			drop(jobs);
			let flash = match job.state {
				State_::Done(outcome) => Flash::Done(outcome.text),
				State_::Failed(why) => Flash::Failed(why),
				State_::Running => unreachable!("matched above"),
			};
			app.flash_and_go(&signed, flash, back)
		}
	}
}

/// A job's decrypted file, sent once and removed.
pub async fn download(
	State(app): State<App>,
	headers: HeaderMap,
	Path(id): Path<String>,
) -> Response {
	let signed = signed_or_return!(app, headers);
	let file = {
		let mut jobs = app.0.jobs.lock().expect("not poisoned");
		match jobs.get(&id) {
			Some(job) if job.session == signed.session => match jobs.remove(&id) {
				Some(Job { state: State_::Done(Outcome { file: Some(file), .. }), .. }) => file,
				_ => return no_job(),
			},
			_ => return no_job(),
		}
	};
	let opened = tokio::fs::File::open(&file.path).await;
	// The open file stays readable; its name is gone at once.
	let _ = std::fs::remove_file(&file.path);
	let Ok(opened) = opened else { return no_job() };
	let length = opened.metadata().await.map(|m| m.len()).unwrap_or_default();
	let body = Body::from_stream(tokio_util::io::ReaderStream::new(opened));
	(
		[
			(header::CONTENT_TYPE, "application/octet-stream".to_string()),
			(header::CONTENT_LENGTH, length.to_string()),
			(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", file.name)),
			(header::CACHE_CONTROL, "no-store".to_string()),
		],
		body,
	)
		.into_response()
}

/// A form with a file (`multipart/form-data`), its `csrf` field first and its `file` field
/// last: the file is streamed to a private temporary file as it arrives, whatever its size,
/// and the form's `action` is planned by the role's module.
pub async fn upload(State(app): State<App>, headers: HeaderMap, form: Multipart) -> Response {
	let from_script = headers.contains_key("x-medchain-upload");
	let response = receive(app, headers, form).await;
	// The page's script follows the way on by itself (it shows the progress of the
	// upload, and a redirect followed inside it would spend the next page's message).
	match response.headers().get(header::LOCATION) {
		Some(location) if from_script => {
			(StatusCode::OK, location.to_str().unwrap_or("/home").to_string()).into_response()
		}
		_ => response,
	}
}

async fn receive(app: App, headers: HeaderMap, mut form: Multipart) -> Response {
	let signed = signed_or_return!(app, headers);
	let mut fields = Fields::default();
	let mut stored: Option<(PathBuf, u64)> = None;
	let received = async {
		while let Some(mut field) = form.next_field().await.map_err(|e| e.body_text())? {
			let name = field.name().unwrap_or_default().to_string();
			if name != "file" {
				let value = field.text().await.map_err(|e| e.body_text())?;
				fields.0.push((name, value));
				continue;
			}
			if fields.get("csrf") != signed.csrf {
				return Err("csrf".to_string());
			}
			if field.file_name().unwrap_or_default().is_empty() {
				continue;
			}
			if stored.is_some() {
				return Err("one file per upload".to_string());
			}
			let path = app.upload_path().map_err(|e| e.to_string())?;
			let file = files::create_private(&path).map_err(|e| e.to_string())?;
			let mut file = tokio::fs::File::from_std(file);
			let mut size = 0u64;
			stored = Some((path, 0));
			while let Some(chunk) = field.chunk().await.map_err(|e| e.body_text())? {
				size += chunk.len() as u64;
				file.write_all(&chunk).await.map_err(|e| e.to_string())?;
			}
			file.flush().await.map_err(|e| e.to_string())?;
			if let Some(stored) = stored.as_mut() {
				stored.1 = size;
			}
		}
		Ok::<_, String>(())
	}
	.await;
	let back = match fields.get("back") {
		"/doctor" => "/doctor",
		_ => "/patient",
	};
	let fail_upload = |why: String| {
		if let Some((path, _)) = &stored {
			let _ = std::fs::remove_file(path);
		}
		why
	};
	match received {
		Err(why) if why == "csrf" => {
			fail_upload(why);
			return super::forbidden_without_csrf();
		}
		Err(why) => {
			let why = fail_upload(format!("the upload did not arrive whole ({why}): try again"));
			return app.flash_and_go(&signed, Flash::Failed(why), back);
		}
		Ok(()) => {}
	}
	let Some((path, size)) = stored.clone() else {
		return app.flash_and_go(
			&signed,
			Flash::Failed("no file was chosen: choose the file to upload and try again".into()),
			back,
		);
	};
	super::patient::acting_for(&signed, &mut fields);
	let planned = super::patient::plan_upload(&fields, &path)
		.or_else(|| super::doctor::plan_upload(&fields, &path));
	match planned {
		Some(Ok(plan)) => app.start(&signed, plan.uploaded(path, size)),
		Some(Err((back, why))) => {
			let why = fail_upload(why);
			app.flash_and_go(&signed, Flash::Failed(why), back)
		}
		None => {
			fail_upload(String::new());
			(StatusCode::NOT_FOUND, Html(pages::message("No such action", fields.get("action"))))
				.into_response()
		}
	}
}

impl App {
	/// A new private temporary file's path for an upload (removed when its job ends).
	fn upload_path(&self) -> std::io::Result<PathBuf> {
		let dir = self.0.home.join("tmp");
		crate::files::private_dir(&dir)?;
		Ok(dir.join(format!("{}-upload-{}", std::process::id(), super::random_hex(8))))
	}
}

/// A form's fields were wrong: the page to go back to, and why in words.
pub type Bad = (&'static str, String);

/// A failure in words, for fields a form got wrong.
pub fn bad(back: &'static str, why: impl Into<String>) -> Bad {
	(back, why.into())
}
