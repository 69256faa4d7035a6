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
