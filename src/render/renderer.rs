//! What every format is: a [`Renderer`], one file each, and what they share: the consumer's
//! limits as configured ([`Options`]) and the buffer sizing that leaves no copy of a value.

use std::io::{self, Write};

use crate::error::Error;
use crate::model::EnvVar;

/// GitLab's default `dotenv_size` limit: the stored (gzip) report must be smaller.
pub const GITLAB_DEFAULT_MAX_BYTES: usize = 5 * 1024;
/// GitLab's default `dotenv_variables` limit on self-managed instances (GitLab.com: 50-150).
pub const GITLAB_DEFAULT_MAX_VARIABLES: usize = 20;
/// No GitLab.com tier accepts more variables than this in one dotenv report.
pub const GITLAB_HIGHEST_MAX_VARIABLES: usize = 150;
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

/// One output format.
pub trait Renderer {
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

    /// Writes the variables (into memory: it fails only on a value no line can carry);
    /// `new_delimiter` gives random heredoc delimiters to the formats that use them.
    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()>;

    /// Refuses a whole output its consumer cannot take (e.g. too large).
    fn check_output(_body: &[u8], _options: &Options) -> Result<(), Error> {
        Ok(())
    }

    /// Workflow commands for stdout, written before the body (e.g. `::add-mask::`).
    fn write_commands(_out: &mut impl Write, _variables: &[EnvVar]) -> io::Result<()> {
        Ok(())
    }
}

/// An upper bound of the rendered size: every value expanded `factor` times, plus `per_line`
/// bytes of syntax per line of each value.
pub fn capacity(variables: &[EnvVar], factor: usize, per_line: usize) -> usize {
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
pub fn has_line_break(value: &str) -> bool {
    value.contains(['\n', '\r'])
}

/// A write to an in-memory buffer, as an [`Error`]: only a value no line can carry fails it
/// (`InvalidData`, naming the variable).
pub fn written(result: io::Result<()>) -> Result<(), Error> {
    result.map_err(|source| match source.kind() {
        io::ErrorKind::InvalidData => Error::BadContent {
            subject: "the output".into(),
            problem: source.to_string(),
        },
        _ => Error::output("the output buffer", source),
    })
}
