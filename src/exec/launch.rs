//! Starting the command: its masks, its secret files, its environment, then either becoming
//! it (execve, same PID) or supervising it as a child, whichever the run needs.

use crate::error::Error;
use crate::log::Log;
use crate::mask;
use crate::model::EnvVar;
use crate::process;

use super::environment::child_environment;
use super::locate::locate;
use super::options::{Options, RenderedFile};
use super::replace::replace_process;
use super::secret_files::SecretFiles;
use super::supervise::{Supervision, supervise};

/// Runs `options.command` with `variables` in its environment; returns its exit code (or
/// never returns, having become it). A child is supervised when its output is masked, when
/// awssecrets is PID 1 (orphans are its to reap), or when files must be removed after it.
pub fn launch(
    mut variables: Vec<EnvVar>,
    rendered: Vec<RenderedFile>,
    options: &Options,
    log: Log,
) -> Result<u8, Error> {
    // Masks come from the values (and the forms templates wrote them in), before --file puts
    // paths in their place.
    let mask = options.mask.then(|| {
        let mut patterns = mask::variable_patterns(&variables, options.mask_min_length);
        for file in &rendered {
            for (index, escape, text) in &file.written {
                patterns.add_written_form(*index, escape, text, options.mask_min_length);
            }
        }
        patterns
    });
    let files = if options.files.is_empty() && rendered.is_empty() {
        None
    } else {
        let files = SecretFiles::write(&options.files, rendered, &mut variables)?;
        log.info(format!(
            "wrote {} to 0600 files in {} (removed when the command ends)",
            files.written().join(", "),
            crate::error::shown_path(files.directory())
        ));
        Some(files)
    };
    let mut warnings = Vec::new();
    let environment = child_environment(
        std::env::vars_os(),
        options.pristine,
        &variables,
        &mut warnings,
    );
    log.warn_all(&warnings);
    drop(variables);

    // Found with the PATH awssecrets inherited: never one a secret or an env file set.
    let program = locate(&options.command[0], std::env::var_os("PATH").as_deref())?;
    let name = options.command[0].to_string_lossy().into_owned();
    let as_init = process::is_init();
    if mask.is_none() && !as_init && files.is_none() {
        log.info(format!("replacing awssecrets with {name} (execve)"));
        return Err(replace_process(&program, &options.command, environment));
    }
    match &mask {
        Some(patterns) => log.info(format!(
            "running {name} with {} strings masked in its output",
            patterns.len()
        )),
        None if as_init => log.info(format!("running {name} as PID 1's child, reaping orphans")),
        None => log.info(format!(
            "running {name} as a child, to remove its files after"
        )),
    }
    let supervision = Supervision {
        mask,
        reap_orphans: as_init,
    };
    let status = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::Other(format!("cannot start the async runtime: {error}")))?
        .block_on(supervise(
            &program,
            &options.command,
            environment,
            supervision,
        ));
    // Secret files are removed after the command: awssecrets stays to do it.
    drop(files);
    status
}
