//! Finding the command to run: as execvp would, but always through the PATH awssecrets itself
//! inherited, never a PATH a secret or an env file put in the command's environment.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::unistd::{AccessFlags, access};

use crate::error::{Error, ExitCode};

/// What execvp searches when PATH is not set at all.
const DEFAULT_SEARCH_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// The file `program` names: itself when it holds a `/`, else the first executable file of
/// that name in `search_path` (an empty entry is the working directory). 127 when there is
/// none; 126 when the only match is not executable.
pub fn locate(program: &OsStr, search_path: Option<&OsStr>) -> Result<PathBuf, Error> {
    let shown = program.to_string_lossy();
    if program.as_bytes().contains(&b'/') {
        return Ok(PathBuf::from(program));
    }
    let not_found = || Error::Command {
        exit: ExitCode::CommandNotFound,
        message: format!("command not found: {shown}"),
    };
    if program.is_empty() {
        return Err(not_found());
    }
    let search_path = search_path.unwrap_or(OsStr::new(DEFAULT_SEARCH_PATH));
    let mut not_executable = None;
    for directory in search_path.as_bytes().split(|&byte| byte == b':') {
        let directory = if directory.is_empty() {
            Path::new(".")
        } else {
            Path::new(OsStr::from_bytes(directory))
        };
        let candidate = directory.join(program);
        if !candidate
            .metadata()
            .is_ok_and(|metadata| metadata.is_file())
        {
            continue;
        }
        if access(&candidate, AccessFlags::X_OK).is_ok() {
            return Ok(candidate);
        }
        not_executable.get_or_insert(candidate);
    }
    match not_executable {
        Some(_) => Err(Error::Command {
            exit: ExitCode::CannotRun,
            message: format!("cannot run {shown}: permission denied (is it an executable file?)"),
        }),
        None => Err(not_found()),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_first_executable_in_the_search_path_wins() {
        let directory = tempfile::tempdir().unwrap();
        let (first, second) = (directory.path().join("a"), directory.path().join("b"));
        fs::create_dir(&first).unwrap();
        fs::create_dir(&second).unwrap();
        fs::write(first.join("tool"), "").unwrap();
        fs::set_permissions(first.join("tool"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(second.join("tool"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(second.join("tool"), fs::Permissions::from_mode(0o755)).unwrap();
        let search = format!("{}:{}", first.display(), second.display());
        assert_eq!(
            locate(OsStr::new("tool"), Some(OsStr::new(&search))).unwrap(),
            second.join("tool")
        );
        let only_first = first.display().to_string();
        let denied = locate(OsStr::new("tool"), Some(OsStr::new(&only_first))).unwrap_err();
        assert_eq!(denied.exit_code(), ExitCode::CannotRun);
        let missing = locate(OsStr::new("nope"), Some(OsStr::new(&search))).unwrap_err();
        assert_eq!(missing.exit_code(), ExitCode::CommandNotFound);
    }

    #[test]
    fn a_path_with_a_slash_is_taken_as_it_is() {
        assert_eq!(
            locate(OsStr::new("./run.sh"), Some(OsStr::new("/nowhere"))).unwrap(),
            PathBuf::from("./run.sh")
        );
    }
}
