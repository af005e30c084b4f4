//! `sh`: `KEY='value'` lines for `set -a; . FILE; set +a` in any POSIX sh (and `exec
//! --env-file`), every value byte for byte.

use std::io::{self, Write};

use super::quote::write_assignments;
use super::renderer::Renderer;
use crate::model::EnvVar;

pub struct Sh;

impl Renderer for Sh {
    // ' -> '\'' and \ -> '\\'
    const EXPANSION: usize = 4;

    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        write_assignments(out, variables, "")
    }
}
