//! Running the command as a child with its output masked and signals forwarded.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::signal::unix::{SignalKind, signal};

use super::replace::spawn_error;
use crate::error::Error;
use crate::mask::Masker;

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

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code(ExitStatus::from_raw(7 << 8)), 7);
        assert_eq!(exit_code(ExitStatus::from_raw(15)), 143);
    }
}
