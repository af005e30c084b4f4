//! `awssecrets exec`: env files, then secrets, into the command's environment; then either
//! become the command (execvp) or run it masked.

use crate::error::Error;
use crate::exec;
use crate::mask;
use crate::model::merge_layers;
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
    let variables = merge_layers(layers, &mut warnings).variables;
    let environment = exec::child_environment(
        std::env::vars_os(),
        request.pristine,
        &variables,
        &mut warnings,
    );
    log.warn_all(&warnings);

    let program = request.command[0].to_string_lossy().into_owned();
    if request.mask {
        let patterns = mask::mask_patterns(
            variables.iter().map(|variable| variable.value.expose()),
            request.mask_min_length,
        );
        log.info(format!(
            "running {program} with {} values masked in its output",
            patterns.len()
        ));
        drop(variables);
        return runtime()?.block_on(exec::run_masked(&request.command, environment, patterns));
    }
    log.info(format!("replacing awssecrets with {program} (execvp)"));
    drop(variables);
    Err(exec::replace_process(&request.command, environment))
}
