//! `awssecrets [export]`: fetch, merge, render for the consumer, write (stdout, a 0600 file
//! replaced atomically, or the file a CI runner reads).

use std::time::Instant;

use crate::error::{Error, shown_path};
use crate::files;
use crate::log::Log;
use crate::model::merge_layers;
use crate::naming::check_names;
use crate::render;

use super::collect::fetch_layers;
use super::request::{Destination, Export, SECRETS_ENV};
use super::stdout::{runtime, write_private_stdout};

pub fn export(request: Export) -> Result<u8, Error> {
    let started = Instant::now();
    let log = Log::new(request.selection.verbosity, request.selection.wording);
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
    match request.destination {
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
        Destination::Stdout { on_purpose } => {
            if request.in_ci && !on_purpose && files::stdout_is_the_job_log() {
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
