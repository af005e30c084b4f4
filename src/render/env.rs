//! `env`: raw `KEY=value` lines, as `docker run --env-file` reads them.

use std::io::Write;

use super::{Renderer, has_line_break, written};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Env;

impl Renderer for Env {
    const EXPANSION: usize = 1;

    fn check(variables: &[EnvVar], _warnings: &mut Vec<String>) -> Result<(), Error> {
        check_env(variables)
    }

    fn write(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> Result<(), Error> {
        written(write_env(out, variables))
    }
}

/// Raw `KEY=value` lines; the caller checked that no value holds a line break.
pub fn write_env(out: &mut impl Write, variables: &[EnvVar]) -> std::io::Result<()> {
    for variable in variables {
        writeln!(out, "{}={}", variable.name, variable.value.expose())?;
    }
    Ok(())
}

/// Raw lines cannot carry a line break: refuse every variable holding one.
fn check_env(variables: &[EnvVar]) -> Result<(), Error> {
    let errors = variables
        .iter()
        .filter(|variable| has_line_break(variable.value.expose()))
        .map(|variable| {
            Error::bad_content(
                format!("variable {}", variable.name),
                "its value spans several lines, which the env format (docker --env-file) cannot \
                 carry; use --format dotenv",
            )
        })
        .collect();
    Error::from_many(errors).map_or(Ok(()), Err)
}
