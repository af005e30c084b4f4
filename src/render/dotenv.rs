//! `dotenv`: lines that every dotenv reader in use reads back to the same bytes (dotenvy,
//! python-dotenv, the npm `dotenv` package, node's `--env-file` and `process.loadEnvFile`), and
//! POSIX sh and `exec --env-file` too. Each value is single-quoted when they all agree on it
//! that way, else double-quoted when they agree on that, else refused: no quoting makes them
//! agree on a value holding both `'` and one of `"`, `\`, `$` or a backtick, or holding a
//! carriage return (measured; docs/formats.md lists where each reader differs).

use std::io::{self, Write};

use super::renderer::{Options, Renderer};
use crate::error::Error;
use crate::model::EnvVar;

pub struct Dotenv;

/// How a value is written, if at all.
#[derive(Debug, PartialEq, Eq)]
enum Quoting {
    Single,
    Double,
}

/// The quoting every reader reads `value` back from exactly, or why there is none.
fn quoting(value: &str) -> Result<Quoting, &'static str> {
    if value.contains('\r') {
        return Err(
            "its value holds a carriage return, which dotenv readers turn into a line break or drop",
        );
    }
    // Inside '...': python-dotenv reads \\ as \ and \' as ', and expands ${...} (a `${` with a
    // `}` after it; a lone one is read as it is); dotenvy and python-dotenv take a final \ as
    // escaping the closing quote.
    let single = !value.contains('\'')
        && !value.contains("\\\\")
        && !value.ends_with('\\')
        && !holds_reference(value);
    if single {
        return Ok(Quoting::Single);
    }
    // Inside "...": every reader has its own escapes and expansions for \ and $; a backtick
    // is a command substitution to sh.
    if !value.contains(['"', '\\', '$', '`']) {
        return Ok(Quoting::Double);
    }
    Err(if value.contains('\'') {
        "its value holds a single quote and one of \", \\, $ or a backtick, which dotenv readers \
         (dotenvy, python-dotenv, npm dotenv, node --env-file) would each read differently"
    } else {
        "its value holds \\\\, a final \\ or ${...}, which dotenv readers (dotenvy, python-dotenv, \
         npm dotenv, node --env-file) would each read differently"
    })
}

/// Whether `value` holds a `${...}` python-dotenv would expand: a `${` with a `}` after it.
fn holds_reference(value: &str) -> bool {
    value
        .match_indices("${")
        .any(|(start, _)| value[start..].contains('}'))
}

impl Renderer for Dotenv {
    const EXPANSION: usize = 1;

    fn check(variables: &[EnvVar], _options: &Options, _: &mut Vec<String>) -> Result<(), Error> {
        let errors = variables
            .iter()
            .filter_map(|variable| {
                let problem = quoting(variable.value.expose()).err()?;
                Some(Error::bad_content(
                    format!("variable {}", variable.name),
                    format!(
                        "{problem}; use --format sh (read by `set -a; . FILE; set +a` and \
                         awssecrets exec --env-file) or awssecrets exec"
                    ),
                ))
            })
            .collect();
        Error::from_many(errors).map_or(Ok(()), Err)
    }

    /// `KEY='value'` or `KEY="value"` lines; `check` made sure every value has a quoting.
    fn write_lines(
        out: &mut impl Write,
        variables: &[EnvVar],
        _new_delimiter: &mut dyn FnMut() -> String,
    ) -> io::Result<()> {
        for variable in variables {
            let value = variable.value.expose();
            let quote = match quoting(value) {
                Ok(Quoting::Double) => b'"',
                _ => b'\'',
            };
            write!(out, "{}=", variable.name)?;
            out.write_all(&[quote])?;
            out.write_all(value.as_bytes())?;
            out.write_all(&[quote, b'\n'])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_gets_the_quoting_every_reader_agrees_on() {
        assert_eq!(quoting("plain $HOME `id` \\n # x"), Ok(Quoting::Single));
        assert_eq!(quoting("multi\nline"), Ok(Quoting::Single));
        assert_eq!(quoting("it's"), Ok(Quoting::Double));
        assert_eq!(quoting("it's\nmulti"), Ok(Quoting::Double));
        assert!(quoting("a${B}").is_err());
        assert!(quoting("a${B and } later").is_err());
        assert_eq!(quoting("costs ${ 5"), Ok(Quoting::Single));
        assert_eq!(quoting("} then ${"), Ok(Quoting::Single));
        assert!(quoting("ends\\").is_err());
        assert!(quoting("it's \"quoted\"").is_err());
        assert!(quoting("it's $HOME").is_err());
        assert_eq!(quoting("C:\\share"), Ok(Quoting::Single));
        assert!(quoting("C:\\\\share").is_err());
        assert!(quoting("C:\\\\share's").is_err());
        assert!(quoting("windows\r\n").is_err());
        assert!(quoting("${A} and \\").is_err());
    }
}
