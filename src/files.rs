//! File edges: atomic 0600 writes, appends, and keeping stdout files private.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Owner read/write only: what every file holding secrets gets.
const PRIVATE_MODE: u32 = 0o600;

/// Replaces `path` with `contents` atomically: a 0600 temp file in the same directory, fsync,
/// rename. On any failure `path` is left as it was and the temp file is removed.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".awssecrets-")
        .suffix(".tmp")
        .tempfile_in(directory)?;
    // fchmod is not subject to the umask, so the mode is exactly 0600 whatever the umask.
    temp.as_file()
        .set_permissions(Permissions::from_mode(PRIVATE_MODE))?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|error| error.error)?;
    // Make the rename itself durable; not every file system supports syncing a directory.
    if let Ok(directory) = File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// Appends `contents` in one write (creating the file 0600 if needed), then fsyncs.
pub fn append(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(PRIVATE_MODE)
        .open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// When stdout is a regular file others may read (`awssecrets > .ci-secrets` under a 022
/// umask), makes it 0600 before anything is written. Returns whether the mode was changed.
pub fn make_stdout_private() -> io::Result<bool> {
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    let metadata = stdout.metadata()?;
    if !metadata.is_file() || metadata.permissions().mode() & 0o077 == 0 {
        return Ok(false);
    }
    stdout.set_permissions(Permissions::from_mode(PRIVATE_MODE))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn atomic_write_creates_0600_and_replaces() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("out");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::read_dir(directory.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn atomic_write_failure_leaves_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("is-a-directory");
        fs::create_dir(&target).unwrap();
        assert!(write_atomically(&target, b"x").is_err());
        assert_eq!(fs::read_dir(directory.path()).unwrap().count(), 1);
    }

    #[test]
    fn append_creates_0600_and_appends() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("env");
        append(&path, b"A=1\n").unwrap();
        append(&path, b"B=2\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "A=1\nB=2\n");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
