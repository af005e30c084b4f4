//! Output formats: one file per format behind [`Renderer`], each a pure writer on
//! `&mut impl Write` with the limits of its consumer. [`Format`] is the one list of formats.

mod dotenv;
mod env;
mod github;
mod gitlab;
mod json;
mod quote;
mod sh;
mod shell;

use std::io::Write;

use zeroize::Zeroizing;

use crate::error::Error;
use crate::model::EnvVar;

pub use github::random_delimiter;
pub use gitlab::{
    GITLAB_DEFAULT_MAX_BYTES, GITLAB_DEFAULT_MAX_VARIABLES, GITLAB_HIGHEST_MAX_VARIABLES,
};

/// What a format may need to know besides the variables: the limits of the consumer as the
/// user configured it.
#[derive(Debug, Clone)]
pub struct Options {
    /// A GitLab instance's `dotenv_variables` limit (`--gitlab-max-variables`).
    pub gitlab_max_variables: usize,
    /// A GitLab instance's `dotenv_size` limit in bytes (`--gitlab-max-bytes`).
    pub gitlab_max_bytes: usize,
    /// Whether the limits were given (no warning about GitLab's defaults then).
    pub gitlab_limits_given: bool,
    /// `--add-mask`: GitHub's `::add-mask::` for every value before any format's output.
    pub add_masks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            gitlab_max_variables: GITLAB_HIGHEST_MAX_VARIABLES,
            gitlab_max_bytes: GITLAB_DEFAULT_MAX_BYTES,
            gitlab_limits_given: false,
            add_masks: false,
        }
    }
}

/// The consumers awssecrets writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// KEY='value' lines for `set -a; . FILE; set +a` in any POSIX sh and `exec --env-file`:
    /// every value, byte for byte
    Sh,
    /// KEY='value' (or "value") lines every dotenv reader reads alike (dotenvy, python-dotenv,
    /// npm dotenv, node --env-file), and sh too; refuses a value they would read differently
    Dotenv,
    /// export KEY='value' lines, for `eval "$(awssecrets ...)"`.
    Shell,
    /// Raw KEY=value lines (docker --env-file); refuses multi-line values.
    Env,
    /// A GitLab `artifacts:reports:dotenv` file; refuses what GitLab would reject or misread.
    Gitlab,
    /// Appends to $GITHUB_ENV (or -o) and prints ::add-mask:: for every value first.
    Github,
    /// Appends to $GITHUB_OUTPUT (or -o), for steps.ID.outputs.NAME, masks printed first.
    GithubOutput,
    /// One JSON object of name -> value.
    Json,
}

impl Format {
    /// The environment variable naming the file this format appends to (a file the CI runner
    /// owns and reads after the step), instead of replacing a file or printing to stdout.
    pub fn appends_to(self) -> Option<&'static str> {
        match self {
            Format::Github => Some("GITHUB_ENV"),
            Format::GithubOutput => Some("GITHUB_OUTPUT"),
            Format::Sh
            | Format::Dotenv
            | Format::Shell
            | Format::Env
            | Format::Gitlab
            | Format::Json => None,
        }
    }
}

/// A rendered output: workflow commands for stdout (GitHub's masks, written first), and the
/// body. Both are wiped when dropped.
pub struct Rendered {
    pub commands: Zeroizing<Vec<u8>>,
    pub body: Zeroizing<Vec<u8>>,
}

/// One output format.
trait Renderer {
    /// How many bytes one byte of a value can become, so that the buffer is sized up front and
    /// no reallocation leaves a copy of a value behind.
    const EXPANSION: usize;

    /// Refuses every variable the consumer would reject or misread (all at once, never a
    /// value in the message); pushes warnings about soft limits.
    fn check(
        _variables: &[EnvVar],
        _options: &Options,
        _warnings: &mut Vec<String>,
    ) -> Result<(), Error> {
        Ok(())
    }

    /// Writes the variables; `new_delimiter` gives random heredoc delimiters.
    fn write(
        out: &mut impl Write,
        variables: &[EnvVar],
        new_delimiter: &mut dyn FnMut() -> String,
    ) -> Result<(), Error>;

    /// Refuses a whole output its consumer cannot take (e.g. too large).
    fn check_output(_body: &[u8], _options: &Options) -> Result<(), Error> {
        Ok(())
    }

    /// Workflow commands for stdout, written before the body (e.g. `::add-mask::`).
    fn write_commands(_out: &mut impl Write, _variables: &[EnvVar]) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders `variables` in `format`, refusing values its consumer cannot carry. Warnings about
/// soft limits are pushed to `warnings`; `new_delimiter` yields random heredoc delimiters.
pub fn render(
    format: Format,
    variables: &[EnvVar],
    options: &Options,
    warnings: &mut Vec<String>,
    new_delimiter: &mut dyn FnMut() -> String,
) -> Result<Rendered, Error> {
    let context = (options, warnings, new_delimiter);
    match format {
        Format::Sh => render_with::<sh::Sh>(variables, context),
        Format::Dotenv => render_with::<dotenv::Dotenv>(variables, context),
        Format::Shell => render_with::<shell::Shell>(variables, context),
        Format::Env => render_with::<env::Env>(variables, context),
        Format::Gitlab => render_with::<gitlab::Gitlab>(variables, context),
        Format::Github => render_with::<github::Github>(variables, context),
        Format::GithubOutput => render_with::<github::GithubOutput>(variables, context),
        Format::Json => render_with::<json::Json>(variables, context),
    }
}

fn render_with<R: Renderer>(
    variables: &[EnvVar],
    (options, warnings, new_delimiter): (&Options, &mut Vec<String>, &mut dyn FnMut() -> String),
) -> Result<Rendered, Error> {
    R::check(variables, options, warnings)?;
    let mut commands = Zeroizing::new(Vec::with_capacity(capacity(variables, 3, 16)));
    R::write_commands(&mut *commands, variables).expect("writing to a Vec cannot fail");
    if options.add_masks && commands.is_empty() {
        github::write_github_masks(&mut *commands, variables)
            .expect("writing to a Vec cannot fail");
    }
    let mut body = Zeroizing::new(Vec::with_capacity(capacity(variables, R::EXPANSION, 100)));
    R::write(&mut *body, variables, new_delimiter)?;
    R::check_output(&body, options)?;
    Ok(Rendered { commands, body })
}

/// An upper bound of the rendered size: every value expanded `factor` times, plus `per_line`
/// bytes of syntax per line of each value.
fn capacity(variables: &[EnvVar], factor: usize, per_line: usize) -> usize {
    variables
        .iter()
        .map(|variable| {
            let value = variable.value.expose();
            let lines = value.bytes().filter(|&byte| byte == b'\n').count() + 1;
            variable.name.len() + value.len() * factor + lines * per_line + 16
        })
        .sum::<usize>()
        + 8
}

/// Whether a value holds a line break (LF or CR).
fn has_line_break(value: &str) -> bool {
    value.contains(['\n', '\r'])
}

/// A write to an in-memory buffer, as an [`Error`] (it cannot fail).
fn written(result: std::io::Result<()>) -> Result<(), Error> {
    result.map_err(|source| Error::output("the output buffer", source))
}

#[cfg(test)]
mod tests;
