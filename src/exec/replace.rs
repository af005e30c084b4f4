//! Becoming the command: execve after the runtime is gone, so the command keeps our PID.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;

use crate::error::{Error, ExitCode};

/// Replaces this process with `command`, found at `program` (execve): same PID, signals go
/// straight to it, its exit status is ours. Returns only on failure (exit code 126 or 127).
pub fn replace_process(
    program: &Path,
    command: &[OsString],
    environment: Vec<(OsString, OsString)>,
) -> Error {
    crate::process::restore_for_command();
    let error = std::process::Command::new(program)
        .arg0(&command[0])
        .args(&command[1..])
        .env_clear()
        .envs(environment)
        .exec();
    spawn_error(&command[0], &error)
}

/// The error for a command that could not be started: 127 not found, 126 cannot run.
pub(super) fn spawn_error(program: &OsStr, error: &io::Error) -> Error {
    let program = program.to_string_lossy();
    let (exit, message) = match error.kind() {
        io::ErrorKind::NotFound => (
            ExitCode::CommandNotFound,
            format!("command not found: {program}"),
        ),
        io::ErrorKind::PermissionDenied => (
            ExitCode::CannotRun,
            format!("cannot run {program}: permission denied (is it an executable file?)"),
        ),
        _ => (
            ExitCode::CannotRun,
            format!("cannot run {program}: {error}"),
        ),
    };
    Error::Command { exit, message }
}
