//! `awssecrets exec`: env files, then secrets, merged and checked; then the command starts
//! with them (see [`crate::exec::launch`]).

use crate::error::Error;
use crate::exec;
use crate::log::Log;
use crate::model::merge_layers;
use crate::naming::check_names;
use crate::source::env_file;

use super::collect::fetch_layers;
use super::request::{Exec, SECRETS_ENV};
use super::stdout::runtime;

pub fn exec(request: Exec) -> Result<u8, Error> {
    let selection = &request.selection;
    let log = Log::new(selection.verbosity, selection.wording);
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
    if !selection.specs.is_empty() {
        // The runtime is gone before the command starts: nothing of ours runs beside it.
        layers.extend(runtime()?.block_on(fetch_layers(selection, log))?);
    } else if layers.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to put in the environment: pass --secret SPEC, --env-file FILE or set {SECRETS_ENV}"
        )));
    }
    let merged = merge_layers(layers);
    log.warn_all(&merged.override_warnings());
    check_names(&merged, selection.naming.rules())?;
    exec::launch(merged.variables, &request.options, log)
}
