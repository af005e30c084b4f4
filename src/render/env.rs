//! `env`: raw `KEY=value` lines, as `docker run --env-file` reads them.

use std::io::{self, Write};

use super::renderer::{Options, Renderer};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Env;

impl Renderer for Env {
    const EXPANSION: usize = 1;

    fn check(variables: &[EnvVar], _options: &Options, _: &mut Vec<String>) -> Result<(), Error> {
        check_env(variables)
    }

    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        write_env(out, variables)
    }
}

/// Raw `KEY=value` lines; the caller checked that no value holds a line break.
pub fn write_env(out: &mut impl Write, variables: &[EnvVar]) -> io::Result<()> {
    for variable in variables {
        writeln!(out, "{}={}", variable.name, variable.value.expose())?;
    }
    Ok(())
}

/// docker reads an env file with a `bufio.Scanner`: a line of this many bytes or more fails
/// the whole file ("token too long").
pub const DOCKER_MAX_LINE: usize = 64 * 1024;

/// Raw lines cannot carry a line feed (a carriage return inside a value is read as it is; one
/// ending it is dropped), nor be as long as docker's line limit: refuse every variable that
/// would.
fn check_env(variables: &[EnvVar]) -> Result<(), Error> {
    let mut errors = Vec::new();
    for variable in variables {
        let value = variable.value.expose();
        let subject = || format!("variable {}", variable.name);
        let line = variable.name.len() + 1 + value.len();
        if value.contains('\n') {
            errors.push(Error::bad_content(
                subject(),
                "its value spans several lines, which the env format (docker --env-file) cannot \
                 carry; use --format sh, or awssecrets exec",
            ));
        } else if value.ends_with('\r') {
            errors.push(Error::bad_content(
                subject(),
                "its value ends with a carriage return, which docker's --env-file reader drops; \
                 use --format sh, or awssecrets exec",
            ));
        } else if line >= DOCKER_MAX_LINE {
            errors.push(Error::bad_content(
                subject(),
                format!(
                    "its line would be {line} bytes; docker's --env-file reader fails on lines of \
                     {DOCKER_MAX_LINE} bytes or more; use --format sh, or awssecrets exec"
                ),
            ));
        }
    }
    Error::from_many(errors).map_or(Ok(()), Err)
}
