//! `shell`: `export KEY='value'` lines, for `eval`.

use std::io::Write;

use super::quote::write_single_quoted;
use super::{Renderer, written};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Shell;

impl Renderer for Shell {
    // ' -> '\'' and \ -> '\\'
    const EXPANSION: usize = 4;

    fn write(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> Result<(), Error> {
        written(write_shell(out, variables))
    }
}

/// `export KEY='value'` lines, single-quoted as sh reads them back exactly.
pub fn write_shell(out: &mut impl Write, variables: &[EnvVar]) -> std::io::Result<()> {
    for variable in variables {
        write!(out, "export {}=", variable.name)?;
        write_single_quoted(out, variable.value.expose())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
