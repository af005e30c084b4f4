//! Env files for `exec --env-file`: variables a first CI stage wrote, read without any AWS call.

use std::path::Path;

use crate::error::Error;
use crate::model::{EnvVar, Layer};

/// Reads a dotenv file (as `export` writes it) into a layer; the error never quotes a line,
/// which may hold a value.
pub fn read(path: &Path) -> Result<Layer, Error> {
    let origin = format!("env file {}", path.display());
    let entries = dotenvy::from_path_iter(path).map_err(|error| match error {
        dotenvy::Error::Io(source) => Error::Usage(format!("cannot read {origin}: {source}")),
        _ => Error::bad_content(&origin, "cannot be read"),
    })?;
    let mut variables = Vec::new();
    for entry in entries {
        match entry {
            Ok((name, value)) => {
                if value.contains('\0') {
                    return Err(Error::bad_content(
                        format!("{origin}: variable {name}"),
                        "its value holds a NUL byte",
                    ));
                }
                variables.push(EnvVar::new(name, value));
            }
            Err(dotenvy::Error::LineParse(_, position)) => {
                let place = match variables.last() {
                    Some(EnvVar { name, .. }) => format!("the entry after {name}"),
                    None => "the first entry".to_owned(),
                };
                return Err(Error::bad_content(
                    origin,
                    format!("{place} is not valid dotenv (character {position} of its line)"),
                ));
            }
            Err(dotenvy::Error::Io(source)) => {
                return Err(Error::Usage(format!("cannot read {origin}: {source}")));
            }
            Err(_) => return Err(Error::bad_content(origin, "cannot be read")),
        }
    }
    Ok(Layer { origin, variables })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_errors_never_quote_a_line() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("bad.env");
        std::fs::write(&path, "GOOD='ok'\nBAD='unterminated canary-value\n").unwrap();
        let message = read(&path).unwrap_err().to_string();
        assert!(
            message.contains("the entry after GOOD is not valid dotenv"),
            "{message}"
        );
        assert!(!message.contains("canary-value"), "{message}");
        let missing = read(&directory.path().join("missing")).unwrap_err();
        assert_eq!(missing.exit_code(), crate::error::ExitCode::Usage);
    }

    #[test]
    fn env_file_values_are_read_exactly() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("ok.env");
        std::fs::write(&path, "A='it'\\''s'\nB='x\ny'\n").unwrap();
        let layer = read(&path).unwrap();
        assert_eq!(
            layer.variables,
            vec![EnvVar::new("A", "it's"), EnvVar::new("B", "x\ny")]
        );
    }
}
