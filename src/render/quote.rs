//! Quoting shared by formats: POSIX single quotes, and GitHub workflow command data.

use std::io::{self, Write};

use crate::model::EnvVar;

/// `KEYWORD NAME='value'` lines (`keyword` empty for `sh`, `export ` for `shell`), quoted so
/// that sh reads every value back byte for byte.
pub fn write_assignments(
    out: &mut impl Write,
    variables: &[EnvVar],
    keyword: &str,
) -> io::Result<()> {
    for variable in variables {
        write!(out, "{keyword}{}=", variable.name)?;
        write_single_quoted(out, variable.value.expose())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes `value` single-quoted, `'` as `'\''` and `\` as `'\\'` (so that dotenvy, which treats
/// `\` inside single quotes as an escape when finding where a value ends, reads it exactly
/// too), piece by piece: no intermediate copy of the value.
pub fn write_single_quoted(out: &mut impl Write, value: &str) -> io::Result<()> {
    out.write_all(b"'")?;
    let mut rest = value;
    while let Some(index) = rest.find(['\'', '\\']) {
        out.write_all(&rest.as_bytes()[..index])?;
        out.write_all(if rest.as_bytes()[index] == b'\'' {
            br"'\''"
        } else {
            br"'\\'"
        })?;
        rest = &rest[index + 1..];
    }
    out.write_all(rest.as_bytes())?;
    out.write_all(b"'")
}

/// Workflow command data escaping, as the runner unescapes it (`%`, CR, LF), written piece by
/// piece.
pub fn write_command_data(out: &mut impl Write, data: &str) -> io::Result<()> {
    let mut rest = data;
    while let Some(index) = rest.find(['%', '\r', '\n']) {
        out.write_all(&rest.as_bytes()[..index])?;
        out.write_all(match rest.as_bytes()[index] {
            b'%' => b"%25",
            b'\r' => b"%0D",
            _ => b"%0A",
        })?;
        rest = &rest[index + 1..];
    }
    out.write_all(rest.as_bytes())
}
