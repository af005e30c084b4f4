//! Templates read and parsed before anything is fetched, then rendered with the values: what
//! `render` and `exec --render` share.

use std::path::Path;

use crate::error::{Error, shown_path};
use crate::model::EnvVar;
use crate::template::{Problem, Rendered, Template};

/// Reads and parses every template; every unreadable file (exit 2) or problem (exit 7) is
/// reported at once.
pub fn read_templates<'a>(paths: impl Iterator<Item = &'a Path>) -> Result<Vec<Template>, Error> {
    let mut templates = Vec::new();
    let mut unreadable = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = shown_path(path);
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => match Template::parse(&name, text) {
                    Ok(template) => templates.push(template),
                    Err(found) => problems.extend(found),
                },
                Err(_) => unreadable.push(format!(
                    "template {name} is not UTF-8 text (a binary file cannot be a template)"
                )),
            },
            Err(error) => unreadable.push(format!("cannot read template {name}: {error}")),
        }
    }
    if !unreadable.is_empty() {
        return Err(Error::Usage(unreadable.join("\n")));
    }
    if !problems.is_empty() {
        return Err(problems_error(problems));
    }
    Ok(templates)
}

/// Renders every template with `variables`, every problem reported at once (exit 7).
pub fn render_all(templates: &[Template], variables: &[EnvVar]) -> Result<Vec<Rendered>, Error> {
    let mut rendered = Vec::with_capacity(templates.len());
    let mut problems = Vec::new();
    for template in templates {
        match template.render(variables) {
            Ok(one) => rendered.push(one),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        Ok(rendered)
    } else {
        Err(problems_error(problems))
    }
}

/// Template problems as one error (exit 7): each names its template, line and column.
fn problems_error(problems: Vec<Problem>) -> Error {
    let mut errors: Vec<Error> = problems
        .into_iter()
        .map(|problem| {
            Error::bad_content(
                format!("{}:{}:{}", problem.template, problem.line, problem.column),
                problem.problem,
            )
        })
        .collect();
    if errors.len() == 1 {
        errors.remove(0)
    } else {
        Error::Several(errors)
    }
}
