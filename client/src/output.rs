//! Human output: aligned tables, local times, progress bars.

use serde_json::Value;

/// Print rows under headers, columns padded to the widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
	if rows.is_empty() {
		println!("(none)");
		return;
	}
	let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
	for row in rows {
		for (i, cell) in row.iter().enumerate() {
			widths[i] = widths[i].max(cell.chars().count());
		}
	}
	let line = |cells: Vec<String>| {
		let padded: Vec<String> =
			cells.iter().enumerate().map(|(i, c)| format!("{c:<w$}", w = widths[i])).collect();
		println!("{}", padded.join("  ").trim_end());
	};
	line(headers.iter().map(|h| h.to_string()).collect());
	line(widths.iter().map(|w| "-".repeat(*w)).collect());
	for row in rows {
		line(row.clone());
	}
}

/// A chain time in the local time zone, ISO 8601 to the second.
pub fn local_time(time: &medchain_api::views::Time) -> String {
	local_ms(time.ms)
}

/// A chain time in milliseconds in the local time zone, ISO 8601 to the second.
pub fn local_ms(ms: u64) -> String {
	match i64::try_from(ms).ok().and_then(chrono::DateTime::from_timestamp_millis) {
		Some(t) => t.with_timezone(&chrono::Local).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
		None => "-".into(),
	}
}

/// Print `value` as JSON.
pub fn json(value: &Value) {
	println!("{}", serde_json::to_string_pretty(value).expect("serializable"));
}

/// A progress bar for transfers over 1 MiB (none below, or when output is JSON).
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
	pub fn new(len: u64, what: &str, quiet: bool) -> Self {
		if quiet || len <= 1024 * 1024 {
			return Self(None);
		}
		let bar = indicatif::ProgressBar::new(len);
		bar.set_style(
			indicatif::ProgressStyle::with_template(
				"{msg:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
			)
			.expect("valid template")
			.progress_chars("=> "),
		);
		bar.set_message(what.to_string());
		Self(Some(bar))
	}

	pub fn set(&self, done: u64) {
		if let Some(bar) = &self.0 {
			bar.set_position(done);
		}
	}

	pub fn finish(&self) {
		if let Some(bar) = &self.0 {
			bar.finish_and_clear();
		}
	}
}
