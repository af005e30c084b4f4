//! `awssecrets exec`: templates read and checked, env files, then secrets, merged and checked;
//! templates rendered; then the command starts with them (see [`crate::exec::launch`]).

use crate::error::Error;
use crate::exec::{self, RenderedFile};
use crate::log::Log;
use crate::template::without_template_suffix;

use super::collect::{collect_variables, require_values};
use super::request::Exec;
use super::templates::{read_templates, render_all};

pub fn exec(request: Exec) -> Result<u8, Error> {
    let selection = &request.selection;
    let log = Log::new(selection.verbosity, selection.wording);
    let renders = &request.options.renders;
    let templates = read_templates(renders.iter().map(|render| render.template.as_path()))?;
    require_values(
        selection,
        &request.env_files,
        "nothing to put in the environment",
    )?;
    let variables = collect_variables(selection, &request.env_files, log)?;
    let rendered = render_all(&templates, &variables)?
        .into_iter()
        .zip(renders)
        .map(|(rendered, render)| {
            let name = render
                .template
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            RenderedFile {
                variable: render.variable.clone(),
                file_name: without_template_suffix(&name).to_owned(),
                contents: rendered.bytes,
                written: rendered
                    .written
                    .into_iter()
                    .map(|(index, escape, text)| (index, escape.name(), text))
                    .collect(),
            }
        })
        .collect();
    exec::launch(variables, rendered, &request.options, log)
}
