//! Running the command as a supervised child: in a process group of its own (handed the
//! terminal when awssecrets had it), its output masked or passed through, every signal sent to
//! awssecrets forwarded to that group exactly once, killed if awssecrets is killed outright,
//! its status returned; as PID 1, every orphan reaped.

use std::ffi::OsString;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{SigHandler, Signal, killpg, signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getpgrp, getpid, getppid, isatty, tcgetpgrp, tcsetpgrp};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::signal::unix::SignalKind;

use super::replace::spawn_error;
use crate::error::Error;
use crate::mask::{Masker, Patterns};
use crate::process;

/// The signals passed on to the command.
const FORWARDED: [Signal; 6] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// After the child exits, a pipe that stays silent this long is closed: a background process
/// it left behind may hold the pipe open for ever.
const DRAIN_IDLE: Duration = Duration::from_secs(1);

/// How the command is supervised.
pub struct Supervision {
    /// Mask its stdout and stderr with these; `None` passes them through untouched.
    pub mask: Option<Patterns>,
    /// Reap every child that ends, not only the command (awssecrets is PID 1).
    pub reap_orphans: bool,
}

/// Runs `command` (found at `program`) and returns its exit code, or 128+N if signal N
/// killed it.
pub async fn supervise(
    program: &Path,
    command: &[OsString],
    environment: Vec<(OsString, OsString)>,
    supervision: Supervision,
) -> Result<u8, Error> {
    // Listen before the child exists, so that no signal in between takes the default action.
    let mut signals = Signals::listen()?;
    let terminal = Terminal::ours();
    let parent = getpid();
    let hand_over = terminal.is_some();
    let mut spawn = std::process::Command::new(program);
    spawn
        .arg0(&command[0])
        .args(&command[1..])
        .env_clear()
        .envs(environment)
        .stdin(Stdio::inherit())
        .process_group(0);
    if supervision.mask.is_some() {
        spawn.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    // SAFETY: only async-signal-safe calls (prctl, getppid, sigaction, tcsetpgrp, setrlimit).
    unsafe {
        spawn.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            // awssecrets may have died between fork and prctl: then nobody would kill us.
            if getppid() != parent {
                return Err(io::Error::other("awssecrets is gone"));
            }
            if hand_over {
                take_terminal(getpgrp());
            }
            process::restore_for_command();
            Ok(())
        });
    }
    let mut child = spawn
        .spawn()
        .map_err(|error| spawn_error(&command[0], &error))?;
    let pid = Pid::from_raw(child.id() as i32);
    if let Some(terminal) = &terminal {
        // The child does it too; whoever is first, the other changes nothing.
        terminal.give_to(pid);
    }
    let (exited_sender, exited) = tokio::sync::watch::channel(false);
    let mut pumps = Vec::new();
    if let Some(patterns) = &supervision.mask {
        let stdout = tokio::process::ChildStdout::from_std(child.stdout.take().expect("piped"))
            .map_err(|error| Error::Other(format!("cannot read the command's output: {error}")))?;
        let stderr = tokio::process::ChildStderr::from_std(child.stderr.take().expect("piped"))
            .map_err(|error| Error::Other(format!("cannot read the command's output: {error}")))?;
        pumps.push(tokio::spawn(pump(
            stdout,
            tokio::io::stdout(),
            Masker::new(patterns),
            exited.clone(),
        )));
        pumps.push(tokio::spawn(pump(
            stderr,
            tokio::io::stderr(),
            Masker::new(patterns),
            exited,
        )));
    }
    drop(supervision.mask);

    let code = loop {
        if let Some(code) = reap(pid, supervision.reap_orphans)? {
            break code;
        }
        if let Received::Forward(received) = signals.next().await {
            // The child may already be gone; then there is nobody left to tell.
            let _ = killpg(pid, received);
        }
    };
    if let Some(terminal) = &terminal {
        terminal.take_back();
    }
    // The child is gone; what it wrote before exiting is still in the pipes. A signal now
    // stops the draining: nobody else is left to act on it.
    let _ = exited_sender.send(true);
    let aborts: Vec<_> = pumps.iter().map(|pump| pump.abort_handle()).collect();
    let drained = async {
        for pump in pumps {
            let _ = pump.await;
        }
    };
    let interrupted = async {
        loop {
            match signals.next().await {
                Received::Forward(_) => break,
                Received::Child if supervision.reap_orphans => {
                    let _ = reap(pid, true);
                }
                Received::Child => {}
            }
        }
    };
    tokio::select! {
        () = drained => {}
        () = interrupted => aborts.iter().for_each(tokio::task::AbortHandle::abort),
    }
    if supervision.reap_orphans {
        let _ = reap(pid, true);
    }
    Ok(code)
}

/// Collects ended children without waiting: the command's exit code once it has ended; with
/// `all`, every other child that ended too (orphans handed to PID 1).
fn reap(command: Pid, all: bool) -> Result<Option<u8>, Error> {
    let target = if all { None } else { Some(command) };
    loop {
        match waitpid(target, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) if pid == command => return Ok(Some(code as u8)),
            Ok(WaitStatus::Signaled(pid, signal, _)) if pid == command => {
                return Ok(Some(128u8.wrapping_add(signal as u8)));
            }
            Ok(WaitStatus::StillAlive) => return Ok(None),
            // An orphan reaped, or a state change that is no ending: look again.
            Ok(_) | Err(Errno::EINTR) => {}
            Err(error) => {
                return Err(Error::Other(format!(
                    "cannot wait for the command: {error}"
                )));
            }
        }
    }
}

/// What arrived: a signal to pass on, or a child's ending.
enum Received {
    Forward(Signal),
    Child,
}

/// The signals a supervised run listens to.
struct Signals {
    forwarded: Vec<(Signal, tokio::signal::unix::Signal)>,
    child: tokio::signal::unix::Signal,
}

impl Signals {
    fn listen() -> Result<Signals, Error> {
        let listen = |kind: SignalKind, name: &str| {
            tokio::signal::unix::signal(kind)
                .map_err(|error| Error::Other(format!("cannot handle {name}: {error}")))
        };
        let mut forwarded = Vec::new();
        for received in FORWARDED {
            forwarded.push((
                received,
                listen(SignalKind::from_raw(received as i32), received.as_str())?,
            ));
        }
        Ok(Signals {
            forwarded,
            child: listen(SignalKind::child(), "SIGCHLD")?,
        })
    }

    async fn next(&mut self) -> Received {
        let forwarded = std::future::poll_fn(|context| {
            for (received, stream) in &mut self.forwarded {
                if stream.poll_recv(context).is_ready() {
                    return std::task::Poll::Ready(*received);
                }
            }
            std::task::Poll::Pending
        });
        tokio::select! {
            received = forwarded => Received::Forward(received),
            _ = self.child.recv() => Received::Child,
        }
    }
}

/// The terminal awssecrets runs in the foreground of, handed to the command's process group
/// while it runs, so that what is typed there (Ctrl-C, Ctrl-\) reaches the command once, from
/// the kernel, and the command can read from it.
struct Terminal {
    our_group: Pid,
}

impl Terminal {
    /// Some when stdin is a terminal whose foreground process group is ours.
    fn ours() -> Option<Terminal> {
        let stdin = std::io::stdin();
        let our_group = getpgrp();
        (isatty(stdin.as_fd()).unwrap_or(false)
            && tcgetpgrp(stdin.as_fd()).is_ok_and(|group| group == our_group))
        .then_some(Terminal { our_group })
    }

    fn give_to(&self, group: Pid) {
        take_terminal(group);
    }

    fn take_back(&self) {
        take_terminal(self.our_group);
    }
}

/// Makes `group` the terminal's foreground group. A process not in the foreground may do so
/// only while ignoring SIGTTOU; the default is put back after (it must be, before an exec).
/// Async-signal-safe.
fn take_terminal(group: Pid) {
    // SAFETY: sigaction with SIG_IGN or SIG_DFL installs no handler code.
    let previous = unsafe { signal(Signal::SIGTTOU, SigHandler::SigIgn) };
    let _ = tcsetpgrp(std::io::stdin().as_fd(), group);
    let restore = previous.unwrap_or(SigHandler::SigDfl);
    // SAFETY: as above; `restore` is the previous disposition.
    let _ = unsafe { signal(Signal::SIGTTOU, restore) };
}

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
    let mut buffer = zeroize::Zeroizing::new(vec![0u8; 64 * 1024]);
    let mut masked = masker.output_buffer(buffer.len());
    loop {
        masked.clear();
        let read = if *exited.borrow() {
            tokio::time::timeout(DRAIN_IDLE, input.read(&mut buffer[..]))
                .await
                .unwrap_or(Ok(0))
        } else {
            // Reading is cancel-safe: a read interrupted by the exit loses nothing.
            tokio::select! {
                read = input.read(&mut buffer[..]) => read,
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
