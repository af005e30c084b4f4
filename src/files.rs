//! File edges: where `-o` really leads and how to write there (a 0600 file replaced
//! atomically; a FIFO, a device or an open descriptor written in place; never a symlink or a
//! device node replaced), appends that end 0600 or leave the file as it was, and keeping a
//! redirected stdout private.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Owner read/write only: what every file holding secrets gets.
const PRIVATE_MODE: u32 = 0o600;

/// What a path given as `-o` leads to.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    /// A regular file, or none yet: replaced (or created) atomically.
    File(PathBuf),
    /// A FIFO or a character device: written in place.
    Stream(PathBuf),
    /// An already-open descriptor (`/dev/stdout`, `/dev/fd/N`).
    Descriptor(i32),
}

/// Where `path` leads: a symbolic link is followed (a link to nothing is refused), the
/// `/dev/stdout`-like names mean the descriptor they name, and what can hold no output (a
/// directory, a block device, a socket, stderr, which goes to the job log) is refused.
fn destination(path: &Path) -> io::Result<Destination> {
    if let Some(descriptor) = open_descriptor(path) {
        match descriptor {
            0 => return Err(refusal("it is stdin")),
            2 => {
                return Err(refusal(
                    "it is stderr, which CI writes to the job log; redirect stdout instead",
                ));
            }
            _ => {}
        }
        return Ok(Destination::Descriptor(descriptor));
    }
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(Destination::File(path.to_owned()));
        }
        Err(error) => return Err(error),
    };
    refuse_what_others_own_in_a_shared_directory(path, &metadata)?;
    let kind = metadata.file_type();
    if kind.is_symlink() {
        return match std::fs::canonicalize(path) {
            Ok(target) if target != path => destination(&target),
            Ok(_) => Err(refusal("it is a symbolic link that loops")),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(refusal(
                "it is a symbolic link to nothing; refusing to create a file through it",
            )),
            Err(error) => Err(error),
        };
    }
    if kind.is_file() {
        Ok(Destination::File(path.to_owned()))
    } else if kind.is_fifo() || kind.is_char_device() {
        Ok(Destination::Stream(path.to_owned()))
    } else if kind.is_dir() {
        Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        ))
    } else {
        Err(refusal(
            "it is a block device or a socket, which holds no output",
        ))
    }
}

/// In a sticky directory anyone may write to (`/tmp`), a file, FIFO, device or symbolic link
/// that another user owns (neither we nor the directory's owner) is refused: whoever planted
/// it there would receive the output, or choose where it goes. The kernel refuses the same
/// with `protected_fifos`, `protected_regular` and `protected_symlinks`, but not for root, and
/// not where those are off.
fn refuse_what_others_own_in_a_shared_directory(
    path: &Path,
    metadata: &std::fs::Metadata,
) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let directory = std::fs::metadata(parent)?;
    let shared = directory.mode() & 0o1002 == 0o1002;
    let owner = metadata.uid();
    let ours = owner == nix::unistd::geteuid().as_raw() || owner == directory.uid();
    if !shared || ours {
        return Ok(());
    }
    let kind = metadata.file_type();
    let what = if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "a file"
    };
    Err(refusal(&format!(
        "it is {what} that another user (uid {owner}) owns in a directory everyone may write \
         to ({}): it could be a trap set to receive the output; write into a directory of your \
         own",
        crate::error::shown(&parent.to_string_lossy())
    )))
}

/// Whether stdout is where the CI job's script writes, i.e. the job's log: the same open file
/// as our parent's stdout (the shell running the script), and not a regular file. `$(...)`,
/// `| cmd` and `> file` each give us a stdout of our own. Where the parent's cannot be read,
/// stdout being the same open file as stderr (as GitLab's runner hands a script) says so.
pub fn stdout_is_the_job_log() -> bool {
    use std::os::unix::fs::MetadataExt;
    let identity = |metadata: std::fs::Metadata| (metadata.dev(), metadata.ino());
    let Ok(ours) = File::from(match io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => fd,
        Err(_) => return false,
    })
    .metadata() else {
        return false;
    };
    if ours.is_file() {
        return false;
    }
    let ours = identity(ours);
    let parent = nix::unistd::getppid().as_raw();
    if parent > 1
        && let Ok(theirs) = std::fs::metadata(format!("/proc/{parent}/fd/1"))
    {
        return identity(theirs) == ours;
    }
    io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| File::from(fd).metadata().ok())
        .is_some_and(|stderr| identity(stderr) == ours)
}

/// The descriptor `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` or `/proc/self/fd/N` names.
fn open_descriptor(path: &Path) -> Option<i32> {
    let text = path.as_os_str().as_bytes();
    match text {
        b"/dev/stdin" => return Some(0),
        b"/dev/stdout" => return Some(1),
        b"/dev/stderr" => return Some(2),
        _ => {}
    }
    let number = text
        .strip_prefix(b"/dev/fd/")
        .or_else(|| text.strip_prefix(b"/proc/self/fd/"))?;
    std::str::from_utf8(number).ok()?.parse().ok()
}

fn refusal(why: &str) -> io::Error {
    io::Error::other(why.to_owned())
}

/// Refuses, before anything is written anywhere, a destination `-o` may not write to (as
/// [`write_output`] and [`append`] would refuse it when writing).
pub fn check_destination(path: &Path) -> io::Result<()> {
    destination(path).map(|_| ())
}

/// Writes `contents` where `path` leads: a regular file (or a new one) is replaced atomically
/// by a 0600 file (see [`write_atomically`]); a FIFO or character device (`/dev/null`) is
/// written in place; an open descriptor is written as stdout is (made private first).
pub fn write_output(path: &Path, contents: &[u8]) -> io::Result<()> {
    match destination(path)? {
        Destination::File(file) => write_atomically(&file, contents),
        other => write_in_place(other, contents),
    }
}

/// Writes each of `outputs` as [`write_output`] does, together: every destination is checked
/// and every file's new contents written and synced to a temp file beside it before any is
/// replaced, so that a failure on the way (a refused destination, a full disk) leaves every
/// one as it was. The failure names its path.
pub fn write_outputs(outputs: &[(&Path, &[u8])]) -> Result<(), (PathBuf, io::Error)> {
    let mut destinations = Vec::with_capacity(outputs.len());
    for (path, contents) in outputs {
        let destination = destination(path).map_err(|error| (path.to_path_buf(), error))?;
        destinations.push((path, destination, contents));
    }
    let mut prepared = Vec::new();
    for (path, destination, contents) in &destinations {
        if let Destination::File(file) = destination {
            let temp =
                prepare_atomically(file, contents).map_err(|error| (path.to_path_buf(), error))?;
            prepared.push((file.clone(), temp));
        }
    }
    for (path, destination, contents) in destinations {
        if !matches!(destination, Destination::File(_)) {
            write_in_place(destination, contents).map_err(|error| (path.to_path_buf(), error))?;
        }
    }
    for (file, temp) in prepared {
        persist(&file, temp).map_err(|error| (file.clone(), error))?;
    }
    Ok(())
}

/// Writes a FIFO, character device or descriptor in place.
fn write_in_place(destination: Destination, contents: &[u8]) -> io::Result<()> {
    match destination {
        Destination::File(file) => write_atomically(&file, contents),
        Destination::Stream(stream) => {
            let mut file = OpenOptions::new()
                .write(true)
                .custom_flags(nix::libc::O_NOCTTY)
                .open(stream)?;
            file.write_all(contents)?;
            file.flush()
        }
        Destination::Descriptor(descriptor) => {
            // SAFETY: the descriptor is only borrowed for the duplication; the caller's stays open.
            let borrowed = unsafe { BorrowedFd::borrow_raw(descriptor) };
            let mut file = File::from(borrowed.try_clone_to_owned()?);
            make_private(&file)?;
            file.write_all(contents)?;
            file.flush()
        }
    }
}

/// Replaces `path` with `contents` atomically: a 0600 temp file in the same directory, fsync,
/// rename. On any failure `path` is left as it was and the temp file is removed.
fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let temp = prepare_atomically(path, contents)?;
    persist(path, temp)
}

/// `contents` in a synced 0600 temp file in `path`'s directory (removed if dropped).
fn prepare_atomically(path: &Path, contents: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let directory = directory_of(path);
    let mut temp = tempfile::Builder::new()
        .prefix(".awssecrets-")
        .suffix(".tmp")
        .tempfile_in(directory)?;
    // fchmod is not subject to the umask, so the mode is exactly 0600 whatever the umask.
    temp.as_file()
        .set_permissions(Permissions::from_mode(PRIVATE_MODE))?;
    temp.write_all(contents)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Renames a prepared temp file over `path`, durably where the file system allows.
fn persist(path: &Path, temp: tempfile::NamedTempFile) -> io::Result<()> {
    let directory = directory_of(path);
    temp.persist(path).map_err(|error| error.error)?;
    // Make the rename itself durable; not every file system supports syncing a directory.
    if let Ok(directory) = File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// Creates the new file `path` holding `contents` (never an existing file, never through a
/// link), mode exactly 0600 whatever the umask. Not synced: it is read, then removed.
pub fn create_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_MODE)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(PRIVATE_MODE))?;
    file.write_all(contents)
}

/// Appends `contents` to the file `path` leads to (creating it 0600), all or nothing: a
/// regular file others may read is made 0600 first (the run refuses if it cannot be), and a
/// failed write is cut back, so the file is byte for byte as it was. A FIFO or character
/// device is written in place.
pub fn append(path: &Path, contents: &[u8]) -> io::Result<()> {
    let path = match destination(path)? {
        Destination::File(file) | Destination::Stream(file) => file,
        Destination::Descriptor(descriptor) => {
            return write_output(&PathBuf::from(format!("/dev/fd/{descriptor}")), contents);
        }
    };
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(PRIVATE_MODE)
        .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NOFOLLOW)
        .open(&path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        file.write_all(contents)?;
        return file.flush();
    }
    make_private(&file)?;
    let before = metadata.len();
    if let Err(error) = file.write_all(contents).and_then(|()| file.sync_all()) {
        // Cut back whatever part of the block was written.
        let _ = file.set_len(before);
        let _ = file.sync_all();
        return Err(error);
    }
    Ok(())
}

/// Makes a regular file others may read 0600; an error if it cannot (then nothing may be
/// written to it). Returns whether the mode was changed.
fn make_private(file: &File) -> io::Result<bool> {
    let metadata = file.metadata()?;
    if !metadata.is_file() || metadata.permissions().mode() & 0o077 == 0 {
        return Ok(false);
    }
    file.set_permissions(Permissions::from_mode(PRIVATE_MODE))
        .map_err(|error| {
            io::Error::new(
                error.kind(),
                format!(
                    "it is a file others can read, and it cannot be made private (0600): {error}; \
                     write to a file you own"
                ),
            )
        })?;
    Ok(true)
}

/// When stdout is a regular file others may read (`awssecrets > .ci-secrets` under a 022
/// umask), makes it 0600 before anything is written; an error when it cannot, so that nothing
/// is. Returns whether the mode was changed.
pub fn make_stdout_private() -> io::Result<bool> {
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    make_private(&stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::symlink;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn atomic_write_creates_0600_and_replaces() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("out");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        write_output(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode(&path), 0o600);
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
        assert!(write_output(&target, b"x").is_err());
        assert_eq!(fs::read_dir(directory.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlink_is_followed_and_kept_and_one_to_nothing_refused() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("real");
        let link = directory.path().join("link");
        fs::write(&target, "old").unwrap();
        symlink(&target, &link).unwrap();
        write_output(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let dangling = directory.path().join("dangling");
        symlink(directory.path().join("nowhere"), &dangling).unwrap();
        let error = write_output(&dangling, b"x").unwrap_err();
        assert!(
            error.to_string().contains("symbolic link to nothing"),
            "{error}"
        );
        assert!(!directory.path().join("nowhere").exists());
    }

    #[test]
    fn devices_are_written_in_place_never_replaced() {
        write_output(Path::new("/dev/null"), b"discarded").unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        append(Path::new("/dev/null"), b"discarded").unwrap();
        let error = write_output(Path::new("/dev/stderr"), b"x").unwrap_err();
        assert!(error.to_string().contains("job log"), "{error}");
    }

    #[test]
    fn an_open_descriptor_is_written_where_it_points() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("via-fd");
        let file = File::create(&path).unwrap();
        fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        let held = file.as_fd().try_clone_to_owned().unwrap();
        let name = PathBuf::from(format!("/dev/fd/{}", held.as_raw_fd()));
        write_output(&name, b"through the descriptor").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "through the descriptor");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn append_creates_0600_makes_an_existing_file_private_and_appends() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("env");
        append(&path, b"A=1\n").unwrap();
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        append(&path, b"B=2\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "A=1\nB=2\n");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn descriptor_names() {
        assert_eq!(open_descriptor(Path::new("/dev/stdout")), Some(1));
        assert_eq!(open_descriptor(Path::new("/dev/fd/7")), Some(7));
        assert_eq!(open_descriptor(Path::new("/proc/self/fd/3")), Some(3));
        assert_eq!(open_descriptor(Path::new("/dev/fd/x")), None);
        assert_eq!(open_descriptor(Path::new("out")), None);
    }
}
