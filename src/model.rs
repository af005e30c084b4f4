//! What flows through awssecrets: values that wipe themselves, what a source fetched, the
//! variables made of it, and layers of variables merged in order. No AWS, no command line.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

/// A secret value: wiped from memory when dropped, and never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretValue(Zeroizing<String>);

impl SecretValue {
    /// Wraps a value; the `String` moves in, so no copy is left behind.
    pub fn new(value: String) -> Self {
        SecretValue(Zeroizing::new(value))
    }

    /// The value itself: only output writers, maskers and the child environment call this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// One environment variable produced from a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: SecretValue,
    /// `value` is the base64 of a binary secret's bytes (`exec --file` writes the bytes).
    pub binary: bool,
}

impl EnvVar {
    /// A variable from a name and a value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        EnvVar {
            name: name.into(),
            value: SecretValue::new(value.into()),
            binary: false,
        }
    }
}

/// A fetched value: text, or bytes (a binary secret).
#[derive(Clone, PartialEq, Eq)]
pub enum Payload {
    Text(SecretValue),
    Binary(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Text(_) => f.write_str("Text(***)"),
            Payload::Binary(bytes) => write!(f, "Binary(*** {} bytes)", bytes.len()),
        }
    }
}

/// One value a source fetched, before it becomes variables.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What it is, for messages: `secret ci/npm`, `parameter /ci/npm/token`.
    pub subject: String,
    /// Its name as its source reports it (`ci/npm`, `/ci/npm/token`).
    pub name: String,
    /// What the variable of a value that is not a JSON object is named after, before
    /// sanitising: a secret's name (`ci/npm-token`), a parameter's name or path below its SPEC.
    pub stem: String,
    /// Whether `stem` is a path below what the SPEC named (`ssm:/ci/app/`): an alias then
    /// prefixes it (`APP_DB_PASSWORD`) instead of replacing it.
    pub relative: bool,
    pub payload: Payload,
    /// The region it came from, and how long its call took (for `--verbose`).
    pub region: String,
    pub elapsed: Duration,
}

/// Variables from one origin (a secret, a parameter, an env file), named for warnings.
#[derive(Debug, Clone)]
pub struct Layer {
    /// e.g. `secret ci/prod` or `env file .ci-secrets`.
    pub origin: String,
    pub variables: Vec<EnvVar>,
}

/// Variables after merging, each with the origin it finally came from.
#[derive(Debug, Default)]
pub struct Merged {
    pub variables: Vec<EnvVar>,
    /// `origins[i]` is where `variables[i]` came from (`secret ci/prod`).
    pub origins: Vec<String>,
}

/// Layers variables: a later layer's variable replaces an earlier one of the same name
/// (keeping its place), with a warning naming the variable and both origins.
pub fn merge_layers(layers: Vec<Layer>, warnings: &mut Vec<String>) -> Merged {
    let mut merged = Merged::default();
    for layer in layers {
        for variable in layer.variables {
            match merged
                .variables
                .iter()
                .position(|seen| seen.name == variable.name)
            {
                Some(index) => {
                    warnings.push(format!(
                        "variable {} from {} overrides the one from {}",
                        variable.name, layer.origin, merged.origins[index]
                    ));
                    merged.variables[index] = variable;
                    merged.origins[index] = layer.origin.clone();
                }
                None => {
                    merged.variables.push(variable);
                    merged.origins.push(layer.origin.clone());
                }
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_never_show_in_debug() {
        let variable = EnvVar::new("TOKEN", "hunter2");
        assert_eq!(
            format!("{variable:?}"),
            r#"EnvVar { name: "TOKEN", value: ***, binary: false }"#
        );
        let payload = Payload::Binary(Zeroizing::new(vec![1, 2, 3]));
        assert_eq!(format!("{payload:?}"), "Binary(*** 3 bytes)");
        assert_eq!(
            format!("{:?}", Payload::Text(SecretValue::new("x".into()))),
            "Text(***)"
        );
    }

    #[test]
    fn later_layers_override_earlier_ones_in_place() {
        let mut warnings = Vec::new();
        let merged = merge_layers(
            vec![
                Layer {
                    origin: "secret ci/common".into(),
                    variables: vec![EnvVar::new("A", "1"), EnvVar::new("B", "2")],
                },
                Layer {
                    origin: "secret ci/prod".into(),
                    variables: vec![EnvVar::new("B", "3"), EnvVar::new("C", "4")],
                },
            ],
            &mut warnings,
        );
        assert_eq!(
            merged.variables,
            vec![
                EnvVar::new("A", "1"),
                EnvVar::new("B", "3"),
                EnvVar::new("C", "4")
            ]
        );
        assert_eq!(merged.origins[1], "secret ci/prod");
        assert_eq!(
            warnings,
            vec!["variable B from secret ci/prod overrides the one from secret ci/common"]
        );
    }
}
