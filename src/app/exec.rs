//! `awssecrets exec`: env files, then secrets, into the command's environment; then either
//! become the command (execvp) or run it masked.

use crate::error::Error;
use crate::exec;
use crate::mask;
use crate::model::merge_layers;
use crate::naming::check_reserved;
use crate::process;
use crate::source::env_file;

use super::{Exec, Log, SECRETS_ENV, fetch_layers, runtime};

pub fn exec(request: Exec) -> Result<u8, Error> {
    let log = Log::new(request.selection.verbose);
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
    let mut warnings = Vec::new();
    let merged = merge_layers(layers, &mut warnings);
    check_reserved(&merged, &request.selection.naming.allowed_names)?;
    let variables = merged.variables;
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
    if request.mask || as_init {
        let mask = request.mask.then(|| {
            mask::mask_patterns(
                variables.iter().map(|variable| variable.value.expose()),
                request.mask_min_length,
            )
        });
        match &mask {
            Some(patterns) => log.info(format!(
                "running {name} with {} strings masked in its output",
                patterns.len()
            )),
            None => log.info(format!("running {name} as PID 1's child, reaping orphans")),
        }
        drop(variables);
        let supervision = exec::Supervision {
            mask,
            reap_orphans: as_init,
        };
        return runtime()?.block_on(exec::supervise(
            &program,
            &request.command,
            environment,
            supervision,
        ));
    }
    log.info(format!("replacing awssecrets with {name} (execve)"));
    drop(variables);
    Err(exec::replace_process(
        &program,
        &request.command,
        environment,
    ))
}
