//! `json`: one object of name to value, in variable order.

use std::io::{self, Write};

use super::renderer::Renderer;
use crate::model::EnvVar;

pub struct Json;

impl Renderer for Json {
    // a control character -> \u001f
    const EXPANSION: usize = 6;

    /// One object of name -> value, pretty-printed, in variable order.
    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
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
}
