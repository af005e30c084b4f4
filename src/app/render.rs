//! `awssecrets render`: templates read and checked first, the values fetched once for all,
//! every template rendered, then every output written together (0600, atomically), or none.

use crate::error::{Error, shown_path};
use crate::files;
use crate::log::Log;

use super::collect::{collect_variables, require_values};
use super::request::{Render, RenderTo};
use super::stdout::write_private_stdout;
use super::templates::{read_templates, render_all};

pub fn render(request: Render) -> Result<u8, Error> {
    let log = Log::new(request.selection.verbosity, request.selection.wording);
    let templates = read_templates(request.pairs.iter().map(|(input, _)| input.as_path()))?;
    require_values(
        &request.selection,
        &request.env_files,
        "no values for the templates",
    )?;
    let variables = collect_variables(&request.selection, &request.env_files, log)?;
    let rendered = render_all(&templates, &variables)?;
    drop(variables);
    let mut files = Vec::new();
    let mut stdout = Vec::new();
    for ((_, destination), one) in request.pairs.iter().zip(&rendered) {
        match destination {
            RenderTo::File(path) => files.push((path.as_path(), one.bytes.as_slice())),
            RenderTo::Stdout => stdout.push(one.bytes.as_slice()),
        }
    }
    files::write_outputs(&files)
        .map_err(|(path, source)| Error::output(shown_path(&path), source))?;
    for (path, _) in &files {
        log.info(format!("wrote {} (mode 0600)", shown_path(path)));
    }
    for bytes in stdout {
        write_private_stdout(bytes, log)?;
    }
    Ok(0)
}
