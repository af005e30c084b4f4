//! `gitlab`: a GitLab `artifacts:reports:dotenv` file, refusing what GitLab would reject or
//! misread, as its parser (`Ci::ParseDotenvArtifactService`) and limits really work: one
//! `KEY=VALUE` per line, both sides stripped, no quoting, no escapes; keys of at most 255 of
//! `[A-Za-z0-9_]`; values expanded later (`$X`, `${X}`, `%X%`); at most `dotenv_variables`
//! distinct keys; and the stored artifact, which the runner uploads gzip-compressed, smaller
//! than `dotenv_size` bytes.

use std::io::{self, Write};

use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
};
use zeroize::Zeroizing;

use super::env::write_env;
use super::renderer::{GITLAB_DEFAULT_MAX_VARIABLES, Options, Renderer};
use crate::error::Error;
use crate::model::EnvVar;

/// GitLab's longest variable name.
pub const GITLAB_MAX_NAME_LENGTH: usize = 255;
/// Room left for what the runner's compressor may do differently from ours (its header names
/// the file; its deflate is Go's, not miniz).
const COMPRESSION_MARGIN: usize = 64;

/// The way out of what a report cannot carry (a component names its own inputs for these).
const USE_SH: &str = "use --format sh and load it with `set -a; . ./FILE; set +a`, or \
    awssecrets exec";

pub struct Gitlab;

impl Renderer for Gitlab {
    const EXPANSION: usize = 1;

    fn check(
        variables: &[EnvVar],
        options: &Options,
        warnings: &mut Vec<String>,
    ) -> Result<(), Error> {
        check_gitlab(variables, options, warnings)
    }

    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        write_env(out, variables)
    }

    fn check_output(body: &[u8], options: &Options) -> Result<(), Error> {
        let stored = gzip_size(body);
        if stored + COMPRESSION_MARGIN >= options.gitlab_max_bytes {
            return Err(Error::bad_content(
                "GitLab dotenv report",
                format!(
                    "it would be {} bytes, {stored} bytes compressed as GitLab stores it; GitLab \
                     accepts less than {} compressed bytes here (--gitlab-max-bytes: your \
                     instance's dotenv_size limit); {USE_SH}",
                    body.len(),
                    options.gitlab_max_bytes
                ),
            ));
        }
        Ok(())
    }
}

/// The name the gzip header carries, as the runner's upload does for a dotenv report.
const GZIP_NAME: &str = "dotenv.env";
/// A gzip member's fixed header and trailer (CRC-32 and size), around the deflate stream.
const GZIP_FRAMING: usize = 10 + 8;

/// The size of `body` gzip-compressed as the runner uploads a dotenv report (named, deflate
/// level 6). The compressor keeps a window of what it read: `reset` zeroes it (and its LZ and
/// Huffman buffers) before it is dropped, so no copy of a value is left behind.
fn gzip_size(body: &[u8]) -> usize {
    let flags = create_comp_flags_from_zip_params(6, -15, 0);
    let mut compressor = Box::new(CompressorOxide::new(flags));
    let mut output = Zeroizing::new(vec![0u8; 64 * 1024]);
    let deflated = deflate_size(&mut compressor, body, &mut output);
    compressor.reset();
    GZIP_FRAMING + GZIP_NAME.len() + 1 + deflated
}

/// How many bytes `input` deflates to (the output is written over and over in `output`).
fn deflate_size(compressor: &mut CompressorOxide, mut input: &[u8], output: &mut [u8]) -> usize {
    let mut total = 0;
    loop {
        let (status, read, written) = compress(compressor, input, output, TDEFLFlush::Finish);
        total += written;
        input = &input[read..];
        if status != TDEFLStatus::Okay {
            return total;
        }
    }
}

/// What GitLab's dotenv report would reject or misread: line breaks, leading or trailing
/// whitespace (its parser strips both), `$` and `%NAME%` (expanded in the jobs that receive
/// it), names over 255 characters, more variables than the instance accepts.
fn check_gitlab(
    variables: &[EnvVar],
    options: &Options,
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
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
        // GitLab splits lines on LF only: a carriage return inside a value stays in it (one
        // at either end is stripped, below).
        if value.contains('\n') {
            errors.push(Error::bad_content(
                subject(),
                format!(
                    "its value spans several lines, which a GitLab dotenv report cannot carry; \
                     {USE_SH}"
                ),
            ));
        } else if value != value.trim_matches(is_ruby_strip_whitespace) {
            errors.push(Error::bad_content(
                subject(),
                format!(
                    "its value starts or ends with whitespace, which GitLab's dotenv report \
                     parser strips; {USE_SH}"
                ),
            ));
        } else if value.contains('$') {
            errors.push(Error::bad_content(
                subject(),
                format!(
                    "its value holds '$', which GitLab expands in variables from a dotenv report \
                     (a later job would see another value); {USE_SH}"
                ),
            ));
        } else if holds_percent_reference(value) {
            errors.push(Error::bad_content(
                subject(),
                format!(
                    "its value holds a %NAME% reference, which GitLab expands in variables from a \
                     dotenv report; {USE_SH}"
                ),
            ));
        } else if value.contains([' ', '\t']) {
            warnings.push(format!(
                "variable {}: its value holds spaces, which GitLab's documentation says dotenv \
                 reports do not support (current GitLab keeps inner spaces)",
                variable.name
            ));
        }
    }
    let count = variables.len();
    if count > options.gitlab_max_variables {
        errors.push(Error::bad_content(
            "GitLab dotenv report",
            format!(
                "{count} variables; GitLab accepts at most {} here (--gitlab-max-variables: your \
                 instance's dotenv_variables limit; GitLab.com: 50, 100 or 150 by tier); {USE_SH}",
                options.gitlab_max_variables
            ),
        ));
    } else if count > GITLAB_DEFAULT_MAX_VARIABLES && !options.gitlab_limits_given {
        warnings.push(format!(
            "GitLab dotenv report: {count} variables; a self-managed GitLab accepts \
             {GITLAB_DEFAULT_MAX_VARIABLES} unless its administrator raised dotenv_variables \
             (GitLab.com: 50 to 150 by tier); pass --gitlab-max-variables to check against \
             your instance's limit"
        ));
    }
    Error::from_many(errors).map_or(Ok(()), Err)
}

/// Whether `value` holds `%NAME%` with NAME a possible variable name: GitLab replaces it when
/// NAME is a variable of the job.
fn holds_percent_reference(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().any(|(index, &byte)| {
        if byte != b'%' {
            return false;
        }
        let rest = &bytes[index + 1..];
        let name = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        name > 0 && !rest[0].is_ascii_digit() && rest.get(name) == Some(&b'%')
    })
}

/// Ruby's `String#strip` set: the characters GitLab removes around a dotenv value.
fn is_ruby_strip_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_references_are_names_between_percent_signs() {
        assert!(holds_percent_reference("a%PATH%b"));
        assert!(holds_percent_reference("%_x1%"));
        assert!(!holds_percent_reference("100% sure, 50%"));
        assert!(!holds_percent_reference("%1A%"));
        assert!(!holds_percent_reference("%%"));
        assert!(!holds_percent_reference("%A B%"));
    }

    #[test]
    fn the_size_is_the_compressed_size() {
        let repetitive = vec![b'x'; 20_000];
        assert!(gzip_size(&repetitive) < 200);
    }
}
