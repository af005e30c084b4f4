//! The commands, one file each: the only place that combines fetching, formatting, writing and
//! running. Each reads a plain request built once from the command line; none sees clap.

mod collect;
mod exec;
mod export;
mod policy;
mod whoami;

use std::ffi::OsString;
use std::path::PathBuf;

pub use collect::fetch_layers;
pub use policy::Trust;

use crate::aws::AwsOptions;
use crate::error::{Error, Wording, printable};
use crate::naming::NamingOptions;
use crate::render::{self, Format};
use crate::source::Spec;

/// The environment variable read when no `--secret` is given.
pub const SECRETS_ENV: &str = "AWSSECRETS_SECRETS";

/// What to do, as the command line and environment asked.
#[derive(Debug)]
pub enum Command {
    Export(Export),
    Exec(Exec),
    Whoami(Whoami),
    Policy(Policy),
}

/// Which values to fetch, how to name their variables, and how to reach AWS.
#[derive(Debug, Clone)]
pub struct Selection {
    pub specs: Vec<Spec>,
    pub naming: NamingOptions,
    pub aws: AwsOptions,
    pub verbose: bool,
    /// Whose words messages use (a CI integration's inputs, or the options).
    pub wording: Wording,
}

/// `export`: print the variables for their consumer.
#[derive(Debug)]
pub struct Export {
    pub selection: Selection,
    pub format: Format,
    /// The consumer's limits as configured (GitLab's).
    pub render: render::Options,
    /// `-o FILE`; for a format that appends, the file to append to.
    pub output: Option<PathBuf>,
    /// `-o -`: stdout, on purpose (even where it is a CI job's log).
    pub stdout_on_purpose: bool,
    /// Running in CI (`CI` set): stdout may be the job's log.
    pub in_ci: bool,
    /// The file an appending format appends to when `-o` is not given (`$GITHUB_ENV`).
    pub append_target: Option<PathBuf>,
}

/// `exec`: run a command with the variables in its environment.
#[derive(Debug)]
pub struct Exec {
    pub selection: Selection,
    pub env_files: Vec<PathBuf>,
    pub pristine: bool,
    pub mask: bool,
    pub mask_min_length: usize,
    /// Variables whose values go to private files, the variables set to their paths.
    pub files: Vec<String>,
    pub command: Vec<OsString>,
}

/// `policy`: the IAM policy SPECs need, or a CI role's trust policy.
#[derive(Debug)]
pub struct Policy {
    pub specs: Vec<Spec>,
    pub aws: AwsOptions,
    /// The account of resources named without an ARN; `None`: the caller's.
    pub account: Option<String>,
    /// Also allow the batch call.
    pub batch: bool,
    /// Customer managed KMS keys to allow decrypting with.
    pub kms_keys: Vec<String>,
    /// Print this trust policy instead.
    pub trust: Option<Trust>,
}

/// `whoami`: the identity a run would use.
#[derive(Debug)]
pub struct Whoami {
    pub aws: AwsOptions,
    pub json: bool,
    pub verbose: bool,
}

/// Runs a command; returns the exit code on success. Before anything is fetched, the process
/// is made undumpable (see [`crate::process::harden`]).
pub fn run(command: Command) -> Result<u8, Error> {
    crate::process::harden();
    let wording = match &command {
        Command::Export(request) => request.selection.wording,
        Command::Exec(request) => request.selection.wording,
        Command::Whoami(_) | Command::Policy(_) => Wording::CommandLine,
    };
    match command {
        Command::Export(request) => export::export(request),
        Command::Exec(request) => exec::exec(request),
        Command::Whoami(request) => whoami::whoami(request),
        Command::Policy(request) => policy::policy(request),
    }
    .map_err(|error| error.reworded(wording))
}

/// What goes to stderr: warnings always, progress with `--verbose`. Never a value; nothing
/// it quotes can drive a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    verbose: bool,
    wording: Wording,
}

impl Log {
    /// A log that shows progress when `verbose`.
    pub fn new(verbose: bool) -> Log {
        Log {
            verbose,
            wording: Wording::CommandLine,
        }
    }

    /// The log of a run with `selection`: its verbosity, its caller's words.
    pub fn of(selection: &Selection) -> Log {
        Log {
            verbose: selection.verbose,
            wording: selection.wording,
        }
    }

    /// Progress line, shown with `--verbose`.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("awssecrets: {}", printable(message.as_ref()));
        }
    }

    /// Warning, always shown.
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!(
            "warning: {}",
            printable(&self.wording.reword(message.as_ref()))
        );
    }

    fn warn_all(&self, warnings: &[String]) {
        for warning in warnings {
            self.warn(warning);
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Other(format!("cannot start the async runtime: {error}")))
}

/// Writes bytes to stdout and flushes.
fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::output("stdout", source))
}
