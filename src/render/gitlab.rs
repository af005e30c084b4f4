//! `gitlab`: a GitLab `artifacts:reports:dotenv` file, refusing what GitLab would reject or
//! misread.

use std::io::Write;

use super::env::write_env;
use super::{Renderer, has_line_break, written};
use crate::error::Error;
use crate::model::EnvVar;

/// GitLab refuses a dotenv report of this many bytes or more (`MAX_ACCEPTABLE_DOTENV_SIZE`).
pub const GITLAB_MAX_BYTES: usize = 5 * 1024;
/// GitLab's default variable count limit for a dotenv report (self-managed; GitLab.com: 50-150).
pub const GITLAB_DEFAULT_MAX_VARIABLES: usize = 20;
/// No GitLab.com tier accepts more variables than this in one dotenv report.
pub const GITLAB_HIGHEST_MAX_VARIABLES: usize = 150;
/// GitLab's longest variable name.
pub const GITLAB_MAX_NAME_LENGTH: usize = 255;

pub struct Gitlab;

impl Renderer for Gitlab {
    const EXPANSION: usize = 1;

    fn check(variables: &[EnvVar], warnings: &mut Vec<String>) -> Result<(), Error> {
        check_gitlab(variables, warnings)
    }

    fn write(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> Result<(), Error> {
        written(write_env(out, variables))
    }

    fn check_output(body: &[u8]) -> Result<(), Error> {
        let size = body.len();
        if size >= GITLAB_MAX_BYTES {
            return Err(Error::bad_content(
                "GitLab dotenv report",
                format!(
                    "it would be {size} bytes; GitLab accepts less than {GITLAB_MAX_BYTES} bytes; \
                     use --format dotenv for large secrets"
                ),
            ));
        }
        Ok(())
    }
}

/// What GitLab's dotenv report would reject or misread: line breaks, leading or trailing
/// whitespace (its parser strips both), `$` (the runner expands dotenv variables), names over
/// 255 characters, too many variables.
fn check_gitlab(variables: &[EnvVar], warnings: &mut Vec<String>) -> Result<(), Error> {
    let mut errors = Vec::new();
    for variable in variables {
        let value = variable.value.expose();
        let subject = || format!("variable {}", variable.name);
        if variable.name.len() > GITLAB_MAX_NAME_LENGTH {
            errors.push(Error::bad_content(
                subject(),
                format!("GitLab variable names have at most {GITLAB_MAX_NAME_LENGTH} characters"),
            ));
        }
        if has_line_break(value) {
            errors.push(Error::bad_content(
                subject(),
                "its value spans several lines, which a GitLab dotenv report cannot carry; use \
                 --format dotenv and load it with `set -a; . ./FILE; set +a`",
            ));
        } else if value != value.trim_matches(is_ruby_strip_whitespace) {
            errors.push(Error::bad_content(
                subject(),
                "its value starts or ends with whitespace, which GitLab's dotenv report parser \
                 strips; use --format dotenv",
            ));
        } else if value.contains('$') {
            errors.push(Error::bad_content(
                subject(),
                "its value holds '$', which GitLab expands in variables from a dotenv report (a \
                 later job would see another value); use --format dotenv",
            ));
        } else if value.contains([' ', '\t']) {
            warnings.push(format!(
                "variable {}: its value holds spaces, which GitLab's documentation says dotenv \
                 reports do not support (current GitLab keeps inner spaces)",
                variable.name
            ));
        }
    }
    if variables.len() > GITLAB_HIGHEST_MAX_VARIABLES {
        errors.push(Error::bad_content(
            "GitLab dotenv report",
            format!(
                "{} variables; no GitLab.com tier accepts more than {GITLAB_HIGHEST_MAX_VARIABLES} \
                 (self-managed default: {GITLAB_DEFAULT_MAX_VARIABLES}); use --format dotenv",
                variables.len()
            ),
        ));
    } else if variables.len() > GITLAB_DEFAULT_MAX_VARIABLES {
        warnings.push(format!(
            "GitLab dotenv report: {} variables; GitLab accepts {GITLAB_DEFAULT_MAX_VARIABLES} by \
             default on self-managed instances and 50 to 150 on GitLab.com depending on the tier",
            variables.len()
        ));
    }
    Error::from_many(errors).map_or(Ok(()), Err)
}

/// Ruby's `String#strip` set: the characters GitLab removes around a dotenv value.
fn is_ruby_strip_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\0')
}
