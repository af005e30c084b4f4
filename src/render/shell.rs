//! `shell`: `export KEY='value'` lines, for `eval`.

use std::io::{self, Write};

use super::quote::write_assignments;
use super::renderer::Renderer;
use crate::model::EnvVar;

pub struct Shell;

impl Renderer for Shell {
    // ' -> '\'' and \ -> '\\'
    const EXPANSION: usize = 4;

    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        write_assignments(out, variables, "export ")
    }
}
