//! Files the client writes that may hold personal data (decrypted records,
//! profiles, keystores, ciphertext in transit): readable by their owner only.

use std::{
	fs::{File, OpenOptions},
	io,
	path::Path,
};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Create `path` afresh (an older file there is removed first), readable and
/// writable by its owner only (mode 0600).
pub fn create_private(path: &Path) -> io::Result<File> {
	match std::fs::remove_file(path) {
		Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
		_ => {}
	}
	let mut options = OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	options.mode(0o600);
	options.open(path)
}

/// Write `bytes` to a new private file at `path`.
pub fn write_private(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
	io::Write::write_all(&mut create_private(path)?, bytes.as_ref())
}

/// Create the directory `path` (and its parents) for its owner only (mode
/// 0700), tightening it if it already exists.
pub fn private_dir(path: &Path) -> io::Result<()> {
	let mut builder = std::fs::DirBuilder::new();
	builder.recursive(true);
	#[cfg(unix)]
	builder.mode(0o700);
	builder.create(path)?;
	#[cfg(unix)]
	std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
	Ok(())
}

#[cfg(all(test, unix))]
mod tests {
	use super::*;

	#[test]
	fn private_files_and_dirs_are_the_owners_only() {
		let home = tempfile::tempdir().unwrap();
		let dir = home.path().join("a/tmp");
		private_dir(&dir).unwrap();
		assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
		let file = dir.join("plain");
		std::fs::write(&file, b"old, world-readable").unwrap();
		std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
		write_private(&file, b"secret").unwrap();
		assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
		assert_eq!(std::fs::read(&file).unwrap(), b"secret");
	}
}

/// A service's JSON state file (the pinning follower's, a release service's): the value in
/// `path`, or a fresh one if there is no such file. `what` names it in the error.
pub fn load_state<T: serde::de::DeserializeOwned + Default>(
	path: &Path,
	what: &str,
) -> io::Result<T> {
	match std::fs::read(path) {
		Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
			io::Error::new(
				io::ErrorKind::InvalidData,
				format!("{} is not {what} ({e}): move it away to start afresh", path.display()),
			)
		}),
		Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(T::default()),
		Err(e) => Err(e),
	}
}

/// Write a service's state to `path` atomically (a new file, then renamed over the old one).
pub fn save_state<T: serde::Serialize>(path: &Path, state: &T) -> io::Result<()> {
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir)?;
	}
	let tmp = path.with_extension("tmp");
	std::fs::write(&tmp, serde_json::to_vec_pretty(state).map_err(io::Error::other)?)?;
	std::fs::rename(tmp, path)
}
