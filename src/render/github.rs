//! `github` and `github-output`: `::add-mask::` for every value on stdout first, then
//! `NAME=value` or heredoc blocks for `$GITHUB_ENV` (every later step's environment) or
//! `$GITHUB_OUTPUT` (the step's outputs, for the steps that ask), as the Actions runner reads
//! both.

use std::io::{self, Write};

use super::quote::write_command_data;
use super::renderer::{Options, Renderer, has_line_break};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Github;

/// Names the Actions runner will not take from `$GITHUB_ENV` (FileCommandManager's block
/// list, compared without case): it reports an error and drops them.
pub const RUNNER_BLOCKED: &[&str] = &["NODE_OPTIONS"];

impl Renderer for Github {
    const EXPANSION: usize = 1;

    fn check(variables: &[EnvVar], _options: &Options, _: &mut Vec<String>) -> Result<(), Error> {
        let errors = variables
            .iter()
            .filter(|variable| {
                RUNNER_BLOCKED
                    .iter()
                    .any(|blocked| blocked.eq_ignore_ascii_case(&variable.name))
            })
            .map(|variable| {
                Error::bad_content(
                    format!("variable {}", variable.name),
                    format!(
                        "the Actions runner refuses it in $GITHUB_ENV (\"Can't store {} output \
                         parameter using '$GITHUB_ENV' command.\") and drops it; give it to the \
                         one step that needs it with awssecrets exec",
                        variable.name.to_ascii_uppercase()
                    ),
                )
            })
            .collect();
        Error::from_many(errors).map_or(Ok(()), Err)
    }

    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        write_github_env(out, variables, new_delimiter)
    }

    fn write_commands(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
        write_github_masks(out, variables)
    }
}

pub struct GithubOutput;

impl Renderer for GithubOutput {
    const EXPANSION: usize = 1;

    /// Output names are compared without case: two variables that differ only in case would be
    /// one output.
    fn check(variables: &[EnvVar], _options: &Options, _: &mut Vec<String>) -> Result<(), Error> {
        let mut errors = Vec::new();
        for (index, variable) in variables.iter().enumerate() {
            if let Some(earlier) = variables[..index]
                .iter()
                .find(|earlier| earlier.name.eq_ignore_ascii_case(&variable.name))
            {
                errors.push(Error::bad_content(
                    format!("variable {}", variable.name),
                    format!(
                        "step output names are compared without case: it and {} would be one \
                         output; rename one with an ALIAS",
                        earlier.name
                    ),
                ));
            }
        }
        Error::from_many(errors).map_or(Ok(()), Err)
    }

    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        write_github_env(out, variables, new_delimiter)
    }

    fn write_commands(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
        write_github_masks(out, variables)
    }
}

/// `::add-mask::` for every non-blank line of every value, escaped as workflow command data.
pub fn write_github_masks(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    for variable in variables {
        for line in variable.value.expose().split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !line.trim().is_empty() {
                out.write_all(b"::add-mask::")?;
                write_command_data(out, line)?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

/// `NAME=value` for single-line values; `NAME<<DELIMITER` / value / `DELIMITER` otherwise,
/// with a delimiter that does not occur anywhere in the value.
fn write_github_env(
    out: &mut impl Write,
    variables: &[EnvVar],
    new_delimiter: &mut dyn FnMut() -> String,
) -> io::Result<()> {
    for variable in variables {
        let value = variable.value.expose();
        if !has_line_break(value) {
            writeln!(out, "{}={value}", variable.name)?;
            continue;
        }
        let delimiter = unused_delimiter(value, new_delimiter).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "variable {}: no heredoc delimiter absent from its value could be found",
                    variable.name
                ),
            )
        })?;
        write!(
            out,
            "{}<<{delimiter}\n{value}\n{delimiter}\n",
            variable.name
        )?;
    }
    Ok(())
}

/// A delimiter not contained in `value`; a few random tries suffice (128 random bits each).
fn unused_delimiter(value: &str, new_delimiter: &mut dyn FnMut() -> String) -> Option<String> {
    (0..8)
        .map(|_| new_delimiter())
        .find(|delimiter| !delimiter.is_empty() && !value.contains(delimiter.as_str()))
}

/// `ghadelimiter_` and 32 random hex digits, as GitHub's own toolkit does.
pub fn random_delimiter() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("ghadelimiter_{hex}")
}
