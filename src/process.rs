//! The process itself: nothing of it lands in a core dump or is readable through /proc by
//! anyone but root, a write past the file size limit fails instead of killing it, and a
//! command it starts gets back the ordinary state it changed.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::{SigHandler, Signal, signal};

/// The core size limits awssecrets started with (soft, hard), for the command it starts;
/// `unlimited` (RLIM_INFINITY) is a limit like any other.
static CORE_LIMITS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
/// Whether [`CORE_LIMITS`] holds the limits read at start (else there is nothing to restore).
static CORE_LIMITS_SAVED: AtomicBool = AtomicBool::new(false);

/// No core dump at all (soft RLIMIT_CORE 0), and not dumpable: no core, no ptrace by another
/// process of the same user, and /proc/PID/environ and /proc/PID/mem owned by root. Best
/// effort: a failure here must not stop a CI job.
pub fn harden() {
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_CORE) {
        CORE_LIMITS[0].store(soft, Ordering::SeqCst);
        CORE_LIMITS[1].store(hard, Ordering::SeqCst);
        CORE_LIMITS_SAVED.store(true, Ordering::SeqCst);
        // Only the soft limit: lowering the hard one could not be undone for the command.
        let _ = setrlimit(Resource::RLIMIT_CORE, 0, hard);
    }
    let _ = nix::sys::prctl::set_dumpable(false);
    // A write past the file size limit then fails with EFBIG, which the writers undo, instead
    // of killing the process halfway through an append.
    // SAFETY: SIG_IGN installs no handler code.
    let _ = unsafe { signal(Signal::SIGXFSZ, SigHandler::SigIgn) };
}

/// Gives back the core limit awssecrets started with, and SIGXFSZ's default action, for the
/// command about to be exec'd (execve makes it dumpable again by itself). Async-signal-safe:
/// fit for `pre_exec`.
pub fn restore_for_command() {
    // SAFETY: SIG_DFL installs no handler code.
    let _ = unsafe { signal(Signal::SIGXFSZ, SigHandler::SigDfl) };
    let (soft, hard) = (
        CORE_LIMITS[0].load(Ordering::SeqCst),
        CORE_LIMITS[1].load(Ordering::SeqCst),
    );
    if CORE_LIMITS_SAVED.load(Ordering::SeqCst) {
        let _ = setrlimit(Resource::RLIMIT_CORE, soft, hard);
    }
}

/// Whether this process is the first of its PID namespace (a container's init): orphans are
/// then its to reap.
pub fn is_init() -> bool {
    nix::unistd::getpid().as_raw() == 1
}
