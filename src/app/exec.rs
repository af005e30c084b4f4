//! `awssecrets exec`: env files, then secrets, into the command's environment (some as
//! files); then either become the command (execvp) or run it masked, or to remove its files.

use crate::error::Error;
use crate::exec;
use crate::mask;
use crate::model::merge_layers;
use crate::naming::check_names;
use crate::process;
use crate::source::env_file;

use super::{Exec, Log, SECRETS_ENV, fetch_layers, runtime};

pub fn exec(request: Exec) -> Result<u8, Error> {
    let log = Log::of(&request.selection);
    let mut layers = Vec::new();
    for path in &request.env_files {
        let layer = env_file::read(path)?;
        log.info(format!(
            "read {} variables from {}",
            layer.variables.len(),
            layer.origin
        ));
        layers.push(layer);
    }
    if !request.selection.specs.is_empty() {
        // The runtime is gone before the command starts: nothing of ours runs beside it.
        layers.extend(runtime()?.block_on(fetch_layers(&request.selection, log))?);
    } else if layers.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to put in the environment: pass --secret SPEC, --env-file FILE or set {SECRETS_ENV}"
        )));
    }
    let merged = merge_layers(layers);
    let mut warnings = merged.override_warnings();
    check_names(&merged, request.selection.naming.rules())?;
    let mut variables = merged.variables;
    // Masks come from the values, before --file puts paths in their place; a binary secret's
    // bytes, which --file hands over as they are, are masked too when they are text.
    let mask = if request.mask {
        let decoded = variables
            .iter()
            .filter(|variable| variable.binary)
            .map(exec::secret_bytes)
            .collect::<Result<Vec<_>, Error>>()?;
        let texts = decoded
            .iter()
            .filter_map(|bytes| std::str::from_utf8(bytes).ok());
        Some(mask::mask_patterns(
            variables
                .iter()
                .map(|variable| variable.value.expose())
                .chain(texts),
            request.mask_min_length,
        ))
    } else {
        None
    };
    let files = if request.files.is_empty() {
        None
    } else {
        let files = exec::SecretFiles::write(&request.files, &mut variables)?;
        log.info(format!(
            "wrote {} to 0600 files in {} (removed when the command ends)",
            request.files.join(", "),
            crate::error::shown_path(files.directory())
        ));
        Some(files)
    };
    let environment = exec::child_environment(
        std::env::vars_os(),
        request.pristine,
        &variables,
        &mut warnings,
    );
    log.warn_all(&warnings);

    // Found with the PATH awssecrets inherited: never one a secret or an env file set.
    let program = exec::locate(&request.command[0], std::env::var_os("PATH").as_deref())?;
    let name = request.command[0].to_string_lossy().into_owned();
    let as_init = process::is_init();
    // Secret files are removed after the command: awssecrets stays to do it.
    if mask.is_some() || as_init || files.is_some() {
        match &mask {
            Some(patterns) => log.info(format!(
                "running {name} with {} strings masked in its output",
                patterns.len()
            )),
            None if as_init => {
                log.info(format!("running {name} as PID 1's child, reaping orphans"))
            }
            None => log.info(format!(
                "running {name} as a child, to remove its files after"
            )),
        }
        drop(variables);
        let supervision = exec::Supervision {
            mask,
            reap_orphans: as_init,
        };
        let status = runtime()?.block_on(exec::supervise(
            &program,
            &request.command,
            environment,
            supervision,
        ));
        drop(files);
        return status;
    }
    log.info(format!("replacing awssecrets with {name} (execve)"));
    drop(variables);
    Err(exec::replace_process(
        &program,
        &request.command,
        environment,
    ))
}
