//! The commands, one file each: the only place that combines fetching, formatting, writing and
//! running. Each reads a plain request built once from the command line ([`request`]); none
//! sees clap.

mod collect;
mod exec;
mod export;
mod policy;
mod redact;
mod render;
mod request;
mod scan;
mod stdout;
mod templates;
mod trust;
mod whoami;

pub use collect::fetch_layers;
pub use request::{
    Command, Destination, Exec, Export, Policy, Redact, Render, RenderTo, SECRETS_ENV, Scan,
    Selection, Whoami,
};
pub use trust::Trust;

use crate::error::{Error, ExitCode};

/// Runs a command; returns the exit code on success. Before anything is fetched, the process
/// is made undumpable (see [`crate::process::harden`]). A failure is told in the words of
/// whoever runs awssecrets.
pub fn run(command: Command) -> Result<u8, Error> {
    crate::process::harden();
    let wording = command.wording();
    let policy_command = command.selection().and_then(Selection::policy_command);
    match command {
        Command::Export(request) => export::export(request),
        Command::Exec(request) => exec::exec(request),
        Command::Whoami(request) => whoami::whoami(request),
        Command::Policy(request) => policy::policy(request),
        Command::Render(request) => render::render(request),
        Command::Scan(request) => scan::scan(request),
        Command::Redact(request) => redact::redact(request),
        Command::Print(text) => stdout::write_stdout(&text).map(|()| 0),
    }
    .map_err(|error| match policy_command {
        // Access denied: the policy that allows exactly this run is one command away.
        Some(command) if error.exit_code() == ExitCode::AccessDenied => error.hinted(format!(
            "the IAM policy this run needs (for the role or user above): {command}"
        )),
        _ => error,
    })
    .map_err(|error| error.reworded(wording))
}
