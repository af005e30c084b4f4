//! `json`: one object of name to value, in variable order.

use std::io::Write;

use super::{Renderer, written};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Json;

impl Renderer for Json {
    // a control character -> \u001f
    const EXPANSION: usize = 6;

    fn write(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> Result<(), Error> {
        written(write_json(out, variables))
    }
}

/// One object of name -> value, pretty-printed, in variable order.
pub fn write_json(out: &mut impl Write, variables: &[EnvVar]) -> std::io::Result<()> {
    if variables.is_empty() {
        return writeln!(out, "{{}}");
    }
    writeln!(out, "{{")?;
    for (index, variable) in variables.iter().enumerate() {
        let separator = if index + 1 < variables.len() { "," } else { "" };
        out.write_all(b"  ")?;
        serde_json::to_writer(&mut *out, &variable.name)?;
        out.write_all(b": ")?;
        serde_json::to_writer(&mut *out, variable.value.expose())?;
        writeln!(out, "{separator}")?;
    }
    writeln!(out, "}}")
}
