//! Env files for `exec --env-file`: variables a first CI stage wrote, read without any AWS call,
//! by one documented rule: the part of POSIX sh's grammar that `--format sh`, `dotenv` and
//! `shell` write, so that a file is read exactly as `set -a; . FILE; set +a` reads it, and
//! anything sh would read differently (or run) is refused, never guessed at.
//!
//! - One assignment per line, `NAME=VALUE` or `export NAME=VALUE`; blank lines and `#` comment
//!   lines are skipped (a comment after a value is refused: docker would keep it in the value).
//! - VALUE is a run of: single-quoted text (anything but `'`, line breaks included);
//!   double-quoted text without `"`, `\`, `$` or a backtick (which sh would interpret);
//!   `\` and one character (that character); and unquoted letters, digits and `_@%+=:,./-`.
//! - Nothing is expanded: `$`, backticks, `~`, globs and spaces outside quotes are refused, as
//!   is a carriage return outside quotes (a file with Windows line ends).
//!
//! Errors name the file, the line and the variable, never a value. Every buffer is wiped.

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, shown};
use crate::model::{ChosenBy, EnvVar, Layer, Origin, SecretValue};
use crate::naming::is_valid_variable_name;

/// Reads `path` into a layer of variables, in file order.
pub fn read(path: &Path) -> Result<Layer, Error> {
    let origin = format!("env file {}", shown(&path.to_string_lossy()));
    let bytes = Zeroizing::new(
        std::fs::read(path)
            .map_err(|error| Error::Usage(format!("cannot read {origin}: {error}")))?,
    );
    let variables =
        parse(&bytes).map_err(|problem| Error::bad_content(&origin, problem.to_string()))?;
    Ok(Layer {
        origin: Origin::of(origin),
        variables,
    })
}

/// Why a file cannot be read: where, and what was found (never the text itself).
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub variable: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.variable {
            Some(name) => write!(f, "line {} (variable {name}): {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Unquoted characters sh takes literally in an assignment's value.
fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&byte) || byte >= 0x80
}

/// The variables of an env file's text.
pub fn parse(text: &[u8]) -> Result<Vec<EnvVar>, Problem> {
    let mut reader = Reader {
        text,
        at: 0,
        line: 1,
        // One buffer for every value, as large as the file: no reallocation leaves a partial
        // copy of a value behind.
        scratch: Zeroizing::new(Vec::with_capacity(text.len())),
    };
    let mut variables = Vec::new();
    loop {
        reader.skip_blanks();
        let Some(byte) = reader.peek() else {
            return Ok(variables);
        };
        match byte {
            b'\n' => reader.advance(),
            b'#' => reader.skip_comment(),
            _ => variables.push(reader.assignment()?),
        }
    }
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
    scratch: Zeroizing<Vec<u8>>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn advance(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.at += 1;
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.advance();
        }
    }

    fn skip_comment(&mut self) {
        while !matches!(self.peek(), None | Some(b'\n')) {
            self.advance();
        }
    }

    fn problem(&self, variable: Option<&str>, reason: impl Into<String>) -> Problem {
        Problem {
            line: self.line,
            variable: variable.map(str::to_owned),
            reason: reason.into(),
        }
    }

    /// `[export ]NAME=VALUE[ # comment]` and the end of its line.
    fn assignment(&mut self) -> Result<EnvVar, Problem> {
        let mut name = self.word_name();
        if name == "export" && matches!(self.peek(), Some(b' ' | b'\t')) {
            self.skip_blanks();
            name = self.word_name();
        }
        if self.peek() != Some(b'=') || !is_valid_variable_name(&name) {
            return Err(self.problem(
                None,
                "not an assignment NAME=VALUE (NAME: letters, digits and _, not first a digit)",
            ));
        }
        self.advance();
        let value = self.value(&name)?;
        self.skip_blanks();
        match self.peek() {
            None | Some(b'\n') => {}
            Some(b'#') => {
                return Err(self.problem(
                    Some(&name),
                    "a # comment follows the value (sh drops it, docker's --env-file keeps it in \
                     the value): quote the value, or put the comment on a line of its own",
                ));
            }
            Some(_) => {
                return Err(self.problem(
                    Some(&name),
                    "more follows the value on its line (one assignment per line; quote a value \
                     holding spaces)",
                ));
            }
        }
        Ok(EnvVar {
            name,
            value,
            binary: false,
            chosen_by: ChosenBy::File,
        })
    }

    fn word_name(&mut self) -> String {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        {
            self.advance();
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    /// The value, up to the blank or line end that ends it.
    fn value(&mut self, name: &str) -> Result<SecretValue, Problem> {
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        let value = self.value_into(name, &mut bytes);
        self.scratch = bytes;
        value
    }

    /// The inside of a quoted part, opened by `quote` (`'` takes anything; `"` anything sh
    /// would not interpret there), into `bytes`; the cursor ends after the closing quote.
    fn quoted(&mut self, quote: u8, name: &str, bytes: &mut Vec<u8>) -> Result<(), Problem> {
        self.advance();
        let start_line = self.line;
        loop {
            match self.peek() {
                None => {
                    return Err(Problem {
                        line: start_line,
                        variable: Some(name.to_owned()),
                        reason: format!(
                            "a {} quote is never closed",
                            if quote == b'"' { "double" } else { "single" }
                        ),
                    });
                }
                Some(byte) if byte == quote => break,
                Some(b'\\' | b'$' | b'`') if quote == b'"' => {
                    return Err(self.problem(
                        Some(name),
                        "a double-quoted value holds \\, $ or a backtick, which sh would \
                         interpret (write the file with --format sh)",
                    ));
                }
                Some(byte) => {
                    bytes.push(byte);
                    self.advance();
                }
            }
        }
        self.advance();
        Ok(())
    }

    fn value_into(&mut self, name: &str, bytes: &mut Vec<u8>) -> Result<SecretValue, Problem> {
        loop {
            match self.peek() {
                None | Some(b' ' | b'\t' | b'\n') => break,
                Some(quote @ (b'\'' | b'"')) => self.quoted(quote, name, bytes)?,
                Some(b'\\') => {
                    self.advance();
                    match self.peek() {
                        None | Some(b'\n') => {
                            return Err(self.problem(
                                Some(name),
                                "a backslash ends the line (a continuation line is not read)",
                            ));
                        }
                        Some(byte) => {
                            bytes.push(byte);
                            self.advance();
                        }
                    }
                }
                Some(b'\r') => {
                    return Err(self.problem(
                        Some(name),
                        "a carriage return outside quotes (Windows line ends?): sh would keep it \
                         in the value",
                    ));
                }
                Some(byte) if is_plain(byte) => {
                    bytes.push(byte);
                    self.advance();
                }
                Some(_) => {
                    return Err(self.problem(
                        Some(name),
                        "an unquoted character that sh would interpret ($, `, ~, ;, &, |, <, >, \
                         (, ), *, ?, [, ], {, }, #, !, ^): quote the value, or write the file with \
                         --format sh",
                    ));
                }
            }
        }
        if bytes.contains(&0) {
            return Err(self.problem(
                Some(name),
                "its value holds a NUL byte, which no environment variable can carry",
            ));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| self.problem(Some(name), "its value is not UTF-8"))?;
        Ok(SecretValue::new(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|variable| (variable.name, variable.value.expose().to_owned()))
            .collect()
    }

    fn problem(text: &str) -> String {
        parse(text.as_bytes()).unwrap_err().to_string()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.into(), value.into())
    }

    #[test]
    fn what_sh_and_shell_and_dotenv_write_is_read_exactly() {
        assert_eq!(
            pairs("A='it'\\''s'\nB='x\ny'\nexport C='a\\b'\nD=\"say 'hi'\"\nE=''\n"),
            vec![
                pair("A", "it's"),
                pair("B", "x\ny"),
                pair("C", "a\\b"),
                pair("D", "say 'hi'"),
                pair("E", "")
            ]
        );
        assert_eq!(
            pairs("A='back'\\\\'slash'\nB='line 1\r\nline 2\r\n'\n"),
            vec![pair("A", "back\\slash"), pair("B", "line 1\r\nline 2\r\n")]
        );
    }

    #[test]
    fn comments_blank_lines_and_plain_values() {
        assert_eq!(
            pairs("# first stage\n\n  A=plain/value-1.2@x:y,z+%  \nB=\nexport C=é\n"),
            vec![
                pair("A", "plain/value-1.2@x:y,z+%"),
                pair("B", ""),
                pair("C", "é")
            ]
        );
    }

    #[test]
    fn nothing_is_expanded_or_guessed_at() {
        assert!(problem("A='x' # note\n").contains("a # comment follows the value"));
        assert!(problem("A=$HOME\n").contains("line 1 (variable A): an unquoted character"));
        assert!(problem("A=x\nB=a b\n").contains("line 2 (variable B): more follows the value"));
        assert!(problem("A=\"$HOME\"\n").contains("double-quoted value holds"));
        assert!(problem("A=`id`\n").contains("unquoted character"));
        assert!(problem("A=~/x\n").contains("unquoted character"));
        assert!(problem("A=x\r\n").contains("carriage return"));
        assert!(problem("A=#x\n").contains("unquoted character"));
        assert!(
            problem("A='open\n").contains("line 1 (variable A): a single quote is never closed")
        );
        assert!(problem("not an assignment\n").contains("line 1: not an assignment"));
        assert!(problem("1A=x\n").contains("not an assignment"));
        assert!(problem("A='x'\\\n").contains("backslash ends the line"));
    }

    #[test]
    fn errors_never_quote_a_value() {
        for text in [
            "A='canary-value\n",
            "A=canary-value $x\n",
            "A=\"canary-value`\"\n",
        ] {
            let message = problem(text);
            assert!(!message.contains("canary"), "{message}");
        }
    }

    #[test]
    fn env_files_are_read_from_disk_and_problems_name_the_file() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("bad.env");
        std::fs::write(&path, "GOOD='ok'\nBAD='unterminated canary-value\n").unwrap();
        let message = read(&path).unwrap_err().to_string();
        assert!(
            message.contains("bad.env: line 2 (variable BAD): a single quote is never closed"),
            "{message}"
        );
        assert!(!message.contains("canary-value"), "{message}");
        let missing = read(&directory.path().join("missing")).unwrap_err();
        assert_eq!(missing.exit_code(), crate::error::ExitCode::Usage);
    }
}
