//! `exec`: the child's environment, replacing ourselves with the child, or running it with its
//! output masked and signals forwarded.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{ExitStatus, Stdio};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::signal::unix::{SignalKind, signal};

use crate::error::{Error, ExitCode};
use crate::mask::Masker;
use crate::secret::{EnvVar, Layer};

/// What `--pristine` keeps of the inherited environment.
pub const PRISTINE_VARIABLES: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TERM", "TMPDIR", "SHELL", "TZ",
];

/// Reads a dotenv file (as `export` writes it) into a layer; the error never quotes a line,
/// which may hold a value.
pub fn read_env_file(path: &Path) -> Result<Layer, Error> {
    let origin = format!("env file {}", path.display());
    let entries = dotenvy::from_path_iter(path).map_err(|error| match error {
        dotenvy::Error::Io(source) => Error::Usage(format!("cannot read {origin}: {source}")),
        _ => Error::bad_content(&origin, "cannot be read"),
    })?;
    let mut variables = Vec::new();
    for entry in entries {
        match entry {
            Ok((name, value)) => {
                if value.contains('\0') {
                    return Err(Error::bad_content(
                        format!("{origin}: variable {name}"),
                        "its value holds a NUL byte",
                    ));
                }
                variables.push(EnvVar::new(name, value));
            }
            Err(dotenvy::Error::LineParse(_, position)) => {
                let place = match variables.last() {
                    Some(EnvVar { name, .. }) => format!("the entry after {name}"),
                    None => "the first entry".to_owned(),
                };
                return Err(Error::bad_content(
                    origin,
                    format!("{place} is not valid dotenv (character {position} of its line)"),
                ));
            }
            Err(dotenvy::Error::Io(source)) => {
                return Err(Error::Usage(format!("cannot read {origin}: {source}")));
            }
            Err(_) => return Err(Error::bad_content(origin, "cannot be read")),
        }
    }
    Ok(Layer { origin, variables })
}

/// The child's environment: the inherited one (or only [`PRISTINE_VARIABLES`] of it), then
/// `variables`. Overriding an inherited variable pushes a warning naming it.
pub fn child_environment(
    inherited: impl IntoIterator<Item = (OsString, OsString)>,
    pristine: bool,
    variables: &[EnvVar],
    warnings: &mut Vec<String>,
) -> Vec<(OsString, OsString)> {
    let mut environment: Vec<(OsString, OsString)> = inherited
        .into_iter()
        .filter(|(name, _)| {
            !pristine
                || PRISTINE_VARIABLES
                    .iter()
                    .any(|kept| name == OsStr::new(kept))
        })
        .collect();
    for variable in variables {
        let value = OsString::from(variable.value.expose());
        match environment
            .iter_mut()
            .find(|(name, _)| name == OsStr::new(&variable.name))
        {
            Some((_, inherited_value)) => {
                warnings.push(format!(
                    "variable {} overrides the inherited one",
                    variable.name
                ));
                *inherited_value = value;
            }
            None => environment.push((OsString::from(&variable.name), value)),
        }
    }
    environment
}

fn spawn_error(program: &OsStr, error: &io::Error) -> Error {
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

/// Replaces this process with `command` (execvp): same PID, signals go straight to it, its
/// exit status is ours. Returns only on failure (exit code 126 or 127).
pub fn replace_process(command: &[OsString], environment: Vec<(OsString, OsString)>) -> Error {
    let (program, arguments) = command.split_first().expect("clap requires a command");
    let error = std::process::Command::new(program)
        .args(arguments)
        .env_clear()
        .envs(environment)
        .exec();
    spawn_error(program, &error)
}

/// Runs `command` as a child with stdout and stderr masked, stdin passed through and signals
/// forwarded (INT, TERM, HUP, QUIT, USR1, USR2); returns its exit code, or 128+N if signal N killed it.
pub async fn run_masked(
    command: &[OsString],
    environment: Vec<(OsString, OsString)>,
    patterns: Vec<Vec<u8>>,
) -> Result<u8, Error> {
    let (program, arguments) = command.split_first().expect("clap requires a command");
    // Listen before the child exists, so that no signal in between takes the default action.
    let mut signals = Signals::listen()?;
    // The child shares our process group: what the terminal sends (Ctrl-C, Ctrl-\, hangup)
    // already reaches it, and passing it on would deliver it twice.
    let terminal_delivers = in_terminal_foreground();
    let mut child = tokio::process::Command::new(program)
        .args(arguments)
        .env_clear()
        .envs(environment)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| spawn_error(program, &error))?;
    let pid = Pid::from_raw(child.id().expect("a running child has a pid") as i32);
    let (exited_sender, exited) = tokio::sync::watch::channel(false);
    let stdout = tokio::spawn(pump(
        child.stdout.take().expect("piped"),
        tokio::io::stdout(),
        Masker::new(patterns.clone()),
        exited.clone(),
    ));
    let stderr = tokio::spawn(pump(
        child.stderr.take().expect("piped"),
        tokio::io::stderr(),
        Masker::new(patterns),
        exited,
    ));
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            received = signals.next() => {
                let from_terminal = matches!(received, Signal::SIGINT | Signal::SIGQUIT | Signal::SIGHUP);
                if !(terminal_delivers && from_terminal) {
                    // The child may already be gone; then there is nobody left to tell.
                    let _ = kill(pid, received);
                }
            }
        }
    };
    let status =
        status.map_err(|error| Error::Other(format!("cannot wait for the command: {error}")))?;
    // The child is gone; what it wrote before exiting is still in the pipes. A signal now
    // stops the draining: nobody else is left to act on it.
    let _ = exited_sender.send(true);
    let aborts = [stdout.abort_handle(), stderr.abort_handle()];
    tokio::select! {
        _ = async { tokio::join!(stdout, stderr) } => {}
        _ = signals.next() => aborts.iter().for_each(tokio::task::AbortHandle::abort),
    }
    Ok(exit_code(status))
}

/// The signals a masked run passes on to its child.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    user1: tokio::signal::unix::Signal,
    user2: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> Result<Signals, Error> {
        let listen = |kind: Signal| {
            signal(SignalKind::from_raw(kind as i32))
                .map_err(|error| Error::Other(format!("cannot handle {kind}: {error}")))
        };
        Ok(Signals {
            interrupt: listen(Signal::SIGINT)?,
            terminate: listen(Signal::SIGTERM)?,
            hangup: listen(Signal::SIGHUP)?,
            quit: listen(Signal::SIGQUIT)?,
            user1: listen(Signal::SIGUSR1)?,
            user2: listen(Signal::SIGUSR2)?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.interrupt.recv() => Signal::SIGINT,
            _ = self.terminate.recv() => Signal::SIGTERM,
            _ = self.hangup.recv() => Signal::SIGHUP,
            _ = self.quit.recv() => Signal::SIGQUIT,
            _ = self.user1.recv() => Signal::SIGUSR1,
            _ = self.user2.recv() => Signal::SIGUSR2,
        }
    }
}

/// Whether stdin is a terminal whose foreground process group is ours.
fn in_terminal_foreground() -> bool {
    let stdin = std::io::stdin();
    nix::unistd::isatty(&stdin).unwrap_or(false)
        && nix::unistd::tcgetpgrp(&stdin).is_ok_and(|group| group == nix::unistd::getpgrp())
}

/// After the child exits, a pipe that stays silent this long is closed: a background process
/// it left behind may hold the pipe open for ever.
const DRAIN_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Copies `input` to `output` through `masker`, flushing after every read so that output is
/// never held longer than masking needs. Stops copying (and closes the pipe, so the child gets
/// SIGPIPE like any writer to a closed pipe) if `output` fails, and once the child has exited
/// and the pipe has been idle for [`DRAIN_IDLE`].
async fn pump(
    mut input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    mut masker: Masker,
    mut exited: tokio::sync::watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut masked = Vec::with_capacity(buffer.len());
    loop {
        masked.clear();
        let read = if *exited.borrow() {
            tokio::time::timeout(DRAIN_IDLE, input.read(&mut buffer))
                .await
                .unwrap_or(Ok(0))
        } else {
            // Reading is cancel-safe: a read interrupted by the exit loses nothing.
            tokio::select! {
                read = input.read(&mut buffer) => read,
                _ = exited.changed() => continue,
            }
        };
        let read = match read {
            Ok(0) | Err(_) => {
                masker.finish(&mut masked);
                let _ = output.write_all(&masked).await;
                let _ = output.flush().await;
                return;
            }
            Ok(read) => read,
        };
        masker.feed(&buffer[..read], &mut masked);
        if output.write_all(&masked).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

/// The child's exit code, or 128+N when signal N ended it.
pub fn exit_code(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => (128 + signal) as u8,
        (None, None) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(n, v)| (OsString::from(n), OsString::from(v)))
            .collect()
    }

    #[test]
    fn later_wins_and_overriding_an_inherited_variable_warns() {
        let mut warnings = Vec::new();
        let environment = child_environment(
            os(&[("PATH", "/bin"), ("TOKEN", "old"), ("KEEP", "k")]),
            false,
            &[EnvVar::new("TOKEN", "new"), EnvVar::new("EXTRA", "e")],
            &mut warnings,
        );
        assert_eq!(
            environment,
            os(&[
                ("PATH", "/bin"),
                ("TOKEN", "new"),
                ("KEEP", "k"),
                ("EXTRA", "e")
            ])
        );
        assert_eq!(warnings, vec!["variable TOKEN overrides the inherited one"]);
    }

    #[test]
    fn pristine_keeps_only_the_allow_list() {
        let environment = child_environment(
            os(&[
                ("PATH", "/bin"),
                ("HOME", "/h"),
                ("AWS_SECRET_ACCESS_KEY", "x"),
                ("CI", "true"),
            ]),
            true,
            &[EnvVar::new("A", "1")],
            &mut Vec::new(),
        );
        assert_eq!(
            environment,
            os(&[("PATH", "/bin"), ("HOME", "/h"), ("A", "1")])
        );
    }

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code(ExitStatus::from_raw(7 << 8)), 7);
        assert_eq!(exit_code(ExitStatus::from_raw(15)), 143);
    }

    #[test]
    fn env_file_errors_never_quote_a_line() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("bad.env");
        std::fs::write(&path, "GOOD='ok'\nBAD='unterminated canary-value\n").unwrap();
        let message = read_env_file(&path).unwrap_err().to_string();
        assert!(
            message.contains("the entry after GOOD is not valid dotenv"),
            "{message}"
        );
        assert!(!message.contains("canary-value"), "{message}");
        let missing = read_env_file(&directory.path().join("missing")).unwrap_err();
        assert_eq!(missing.exit_code(), crate::error::ExitCode::Usage);
    }

    #[test]
    fn env_file_values_are_read_exactly() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("ok.env");
        std::fs::write(&path, "A='it'\\''s'\nB='x\ny'\n").unwrap();
        let layer = read_env_file(&path).unwrap();
        assert_eq!(
            layer.variables,
            vec![EnvVar::new("A", "it's"), EnvVar::new("B", "x\ny")]
        );
    }
}
