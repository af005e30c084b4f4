//! `awssecrets [export]`: fetch, merge, render for the consumer, write (stdout, a 0600 file
//! replaced atomically, or the file a CI runner reads).

use std::path::PathBuf;
use std::time::Instant;

use crate::error::{Error, shown_path};
use crate::files;
use crate::model::merge_layers;
use crate::naming::check_names;
use crate::render::{self, Format};

use super::{Export, Log, SECRETS_ENV, fetch_layers, runtime, write_stdout};

/// Where `export` writes.
enum Destination {
    Stdout,
    File(PathBuf),
    /// Commands to stdout, variables appended to this file.
    Append(PathBuf),
}

impl Destination {
    fn choose(request: &Export) -> Result<Self, Error> {
        match (request.format.appends_to(), &request.output) {
            (Some(_), None) if request.stdout_on_purpose => Err(Error::Usage(format!(
                "-o - prints to stdout, but --format {} appends to a file: pass -o FILE, or \
                 leave -o out to append to ${}",
                format_name(request.format),
                request.format.appends_to().unwrap_or_default()
            ))),
            (Some(_), Some(path)) => Ok(Destination::Append(path.clone())),
            (Some(variable), None) => request
                .append_target
                .clone()
                .map(Destination::Append)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--format {} appends to ${variable}, which is not set: run it in a GitHub \
                         Actions step or pass -o FILE",
                        format_name(request.format)
                    ))
                }),
            (None, Some(path)) => Ok(Destination::File(path.clone())),
            (None, None) => Ok(Destination::Stdout),
        }
    }
}

fn format_name(format: Format) -> String {
    clap::ValueEnum::to_possible_value(&format)
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default()
}

pub fn export(request: Export) -> Result<u8, Error> {
    let started = Instant::now();
    let log = Log::of(&request.selection);
    let destination = Destination::choose(&request)?;
    if request.selection.specs.is_empty() {
        return Err(Error::Usage(format!(
            "no secrets to fetch: pass --secret SPEC or set {SECRETS_ENV}"
        )));
    }
    let layers = runtime()?.block_on(fetch_layers(&request.selection, log))?;
    let merged = merge_layers(layers);
    log.warn_all(&merged.override_warnings());
    check_names(&merged, request.selection.naming.rules())?;
    let variables = merged.variables;

    let mut warnings = Vec::new();
    let rendered = render::render(
        request.format,
        &variables,
        &request.render,
        &mut warnings,
        &mut render::random_delimiter,
    )?;
    log.warn_all(&warnings);
    match destination {
        Destination::Append(path) => {
            // The masks go first, but not before the file is known to be writable.
            files::check_destination(&path)
                .map_err(|source| Error::output(shown_path(&path), source))?;
            write_private_stdout(&rendered.commands, log)?;
            files::append(&path, &rendered.body)
                .map_err(|source| Error::output(shown_path(&path), source))?;
            log.info(format!(
                "appended {} variables to {}",
                variables.len(),
                shown_path(&path)
            ));
        }
        Destination::Stdout => {
            if request.in_ci && !request.stdout_on_purpose && files::stdout_is_the_job_log() {
                return Err(Error::output(
                    "stdout",
                    std::io::Error::other(
                        "it is the CI job's log (CI is set, and awssecrets writes where the \
                         job's script writes): every value would be printed there; write a file \
                         with -o FILE (and load it in later jobs), or pass -o - to print to \
                         stdout on purpose",
                    ),
                ));
            }
            write_private_stdout(&rendered.commands, log)?;
            write_private_stdout(&rendered.body, log)?
        }
        Destination::File(path) => {
            if !rendered.commands.is_empty() {
                files::check_destination(&path)
                    .map_err(|source| Error::output(shown_path(&path), source))?;
                write_private_stdout(&rendered.commands, log)?;
            }
            files::write_output(&path, &rendered.body)
                .map_err(|source| Error::output(shown_path(&path), source))?;
            log.info(format!(
                "wrote {} variables to {} (mode 0600)",
                variables.len(),
                shown_path(&path)
            ));
        }
    }
    log.info(format!("done in {} ms", started.elapsed().as_millis()));
    Ok(0)
}

/// Writes secret-bearing output to stdout, first making a redirected file private; when that
/// cannot be done, writes nothing (exit 8).
fn write_private_stdout(bytes: &[u8], log: Log) -> Result<(), Error> {
    if files::make_stdout_private().map_err(|source| Error::output("stdout", source))? {
        log.info("stdout is a file others could read: made it 0600");
    }
    write_stdout(bytes)
}
