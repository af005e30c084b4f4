//! `sh`: `KEY='value'` lines for `set -a; . FILE; set +a` in any POSIX sh (and `exec
//! --env-file`), every value byte for byte.

use std::io::Write;

use super::quote::write_single_quoted;
use super::{Renderer, written};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Sh;

impl Renderer for Sh {
    // ' -> '\'' and \ -> '\\'
    const EXPANSION: usize = 4;

    fn write(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> Result<(), Error> {
        written(write_sh(out, variables))
    }
}

/// `KEY='value'` lines, quoted so that every value reads back byte for byte.
pub fn write_sh(out: &mut impl Write, variables: &[EnvVar]) -> std::io::Result<()> {
    for variable in variables {
        write!(out, "{}=", variable.name)?;
        write_single_quoted(out, variable.value.expose())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
