//! Output formats: one file per format behind [`Renderer`](renderer::Renderer), each a pure
//! writer on `&mut impl Write` with the limits of its consumer. [`Format`] is the one list of
//! formats; this file dispatches over it.

mod dotenv;
mod env;
mod github;
mod gitlab;
mod json;
mod quote;
mod renderer;
mod sh;
mod shell;

use zeroize::Zeroizing;

use crate::error::Error;
use crate::model::EnvVar;

pub use github::random_delimiter;
pub use renderer::{
    GITLAB_DEFAULT_MAX_BYTES, GITLAB_DEFAULT_MAX_VARIABLES, GITLAB_HIGHEST_MAX_VARIABLES, Options,
};

use renderer::{Renderer, capacity, written};

/// The consumers awssecrets writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Every format, in the order help lists them.
    pub const ALL: [Format; 8] = [
        Format::Sh,
        Format::Dotenv,
        Format::Shell,
        Format::Env,
        Format::Gitlab,
        Format::Github,
        Format::GithubOutput,
        Format::Json,
    ];

    /// Its name on the command line (`github-output`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Sh => "sh",
            Format::Dotenv => "dotenv",
            Format::Shell => "shell",
            Format::Env => "env",
            Format::Gitlab => "gitlab",
            Format::Github => "github",
            Format::GithubOutput => "github-output",
            Format::Json => "json",
        }
    }

    /// What it is, for help and completions (no `"` or `$`, which fish's completions would
    /// read as code).
    pub fn description(self) -> &'static str {
        match self {
            Format::Sh => {
                "KEY='value' lines for `set -a; . FILE; set +a` in any POSIX sh and `exec \
                 --env-file`: every value, byte for byte"
            }
            Format::Dotenv => {
                "KEY='value' lines (double-quoted where a value needs it) every dotenv reader \
                 reads alike (dotenvy, python-dotenv, npm dotenv, node --env-file), and sh too; \
                 refuses a value they would read differently"
            }
            Format::Shell => "export KEY='value' lines, for eval in sh, bash or zsh",
            Format::Env => "Raw KEY=value lines (docker --env-file); refuses multi-line values",
            Format::Gitlab => {
                "A GitLab `artifacts:reports:dotenv` file; refuses what GitLab would reject or \
                 misread"
            }
            Format::Github => {
                "Appends to the file GITHUB_ENV names (or -o) and prints ::add-mask:: for every \
                 value first"
            }
            Format::GithubOutput => {
                "Appends to the file GITHUB_OUTPUT names (or -o), for steps.ID.outputs.NAME, \
                 masks printed first"
            }
            Format::Json => "One JSON object of name -> value",
        }
    }

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
    written(R::write_lines(&mut *body, variables, new_delimiter))?;
    R::check_output(&body, options)?;
    Ok(Rendered { commands, body })
}

#[cfg(test)]
mod tests;
