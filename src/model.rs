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
    /// Who chose the name: the pipeline, or what was fetched (see [`ChosenBy`]).
    pub chosen_by: ChosenBy,
}

impl EnvVar {
    /// A variable from a name and a value, its name chosen by the value's source (the
    /// cautious default: it is checked as content is).
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        EnvVar {
            name: name.into(),
            value: SecretValue::new(value.into()),
            binary: false,
            chosen_by: ChosenBy::File,
        }
    }
}

impl EnvVar {
    /// The bytes the variable stands for: a binary secret's own bytes (its value is their
    /// base64), else the text's; `None` when a binary value is not base64 (never: the naming
    /// wrote it).
    pub fn bytes(&self) -> Option<Zeroizing<Vec<u8>>> {
        if self.binary {
            aws_smithy_types::base64::decode(self.value.expose())
                .ok()
                .map(Zeroizing::new)
        } else {
            Some(Zeroizing::new(self.value.expose().as_bytes().to_vec()))
        }
    }
}

/// Who chose a variable's name. Only the pipeline decides what changes how a job runs: a name
/// it wrote is never refused as reserved; a name anything else chose is, unless allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenBy {
    /// The pipeline wrote it: the ALIAS of a plain value, or a key listed after `#`.
    Pipeline,
    /// Derived from an id the pipeline gave (`ci/job-token` -> `CI_JOB_TOKEN`): nobody chose
    /// it, so it is checked as content is (an ALIAS chooses it).
    Id,
    /// A key of a JSON value that the SPEC did not list (its path, `a.b` for nested keys).
    Key(String),
    /// The name of a value a prefix (`ID*`) or a path (`ssm:/PATH/`) found.
    Listing,
    /// A line of an env file.
    File,
}

impl ChosenBy {
    /// Whether the fetched content (not the pipeline, not an id) chose the name.
    pub fn is_content(&self) -> bool {
        matches!(self, ChosenBy::Key(_) | ChosenBy::Listing)
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
    /// Whether a listing found it (a prefix `ID*`, a path `ssm:/PATH/`) rather than the SPEC
    /// naming it: its name was then chosen by whoever created it.
    pub found_by_listing: bool,
    pub payload: Payload,
    /// The region it came from, and how long its call took (for `--verbose`).
    pub region: String,
    pub elapsed: Duration,
}

/// Where a layer of variables came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// e.g. `secret ci/prod` or `env file .ci-secrets`.
    pub subject: String,
    /// The SPEC that asked for it, as given (`None` for an env file).
    pub spec: Option<String>,
}

impl Origin {
    /// The origin of values a SPEC fetched.
    pub fn of_spec(subject: impl Into<String>, spec: impl Into<String>) -> Origin {
        Origin {
            subject: subject.into(),
            spec: Some(spec.into()),
        }
    }

    /// The origin of variables read from somewhere no SPEC names (an env file).
    pub fn of(subject: impl Into<String>) -> Origin {
        Origin {
            subject: subject.into(),
            spec: None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.subject)
    }
}

/// Variables from one origin (a secret, a parameter, an env file), named for warnings.
#[derive(Debug, Clone)]
pub struct Layer {
    pub origin: Origin,
    pub variables: Vec<EnvVar>,
}

/// A variable of a later layer that replaced one of an earlier layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub name: String,
    /// Where the replaced variable came from.
    pub earlier: Origin,
    /// Where the one that replaced it came from.
    pub later: Origin,
}

/// Variables after merging, each with the origin it finally came from.
#[derive(Debug, Default)]
pub struct Merged {
    pub variables: Vec<EnvVar>,
    /// `origins[i]` is where `variables[i]` came from.
    pub origins: Vec<Origin>,
    /// Every replacement, in the order it happened.
    pub overrides: Vec<Override>,
}

/// Layers variables: a later layer's variable replaces an earlier one of the same name
/// (keeping its place); each replacement is recorded in [`Merged::overrides`].
pub fn merge_layers(layers: Vec<Layer>) -> Merged {
    let mut merged = Merged::default();
    for layer in layers {
        for variable in layer.variables {
            match merged
                .variables
                .iter()
                .position(|seen| seen.name == variable.name)
            {
                Some(index) => {
                    merged.overrides.push(Override {
                        name: variable.name.clone(),
                        earlier: merged.origins[index].clone(),
                        later: layer.origin.clone(),
                    });
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

impl Merged {
    /// One warning per pair of origins that overrode each other, naming the variables:
    /// `secret svc/s01 overrides 2 variables of secret svc/s00: host, port`.
    pub fn override_warnings(&self) -> Vec<String> {
        let mut pairs: Vec<(&Origin, &Origin, Vec<&str>)> = Vec::new();
        for replaced in &self.overrides {
            match pairs.iter_mut().find(|(later, earlier, _)| {
                *later == &replaced.later && *earlier == &replaced.earlier
            }) {
                Some((_, _, names)) => names.push(&replaced.name),
                None => pairs.push((&replaced.later, &replaced.earlier, vec![&replaced.name])),
            }
        }
        pairs
            .into_iter()
            .map(|(later, earlier, mut names)| {
                names.sort_unstable();
                match names[..] {
                    [name] => format!("{later} overrides variable {name} of {earlier}"),
                    _ => format!(
                        "{later} overrides {} variables of {earlier}: {}",
                        names.len(),
                        names.join(", ")
                    ),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_never_show_in_debug() {
        let variable = EnvVar::new("TOKEN", "hunter2");
        assert_eq!(
            format!("{variable:?}"),
            r#"EnvVar { name: "TOKEN", value: ***, binary: false, chosen_by: File }"#
        );
        let payload = Payload::Binary(Zeroizing::new(vec![1, 2, 3]));
        assert_eq!(format!("{payload:?}"), "Binary(*** 3 bytes)");
        assert_eq!(
            format!("{:?}", Payload::Text(SecretValue::new("x".into()))),
            "Text(***)"
        );
    }

    fn layer(subject: &str, variables: &[(&str, &str)]) -> Layer {
        Layer {
            origin: Origin::of_spec(subject, subject.trim_start_matches("secret ")),
            variables: variables
                .iter()
                .map(|(name, value)| EnvVar::new(*name, *value))
                .collect(),
        }
    }

    #[test]
    fn later_layers_override_earlier_ones_in_place() {
        let merged = merge_layers(vec![
            layer("secret ci/common", &[("A", "1"), ("B", "2")]),
            layer("secret ci/prod", &[("B", "3"), ("C", "4")]),
        ]);
        assert_eq!(
            merged.variables,
            vec![
                EnvVar::new("A", "1"),
                EnvVar::new("B", "3"),
                EnvVar::new("C", "4")
            ]
        );
        assert_eq!(merged.origins[1].subject, "secret ci/prod");
        assert_eq!(
            merged.override_warnings(),
            vec!["secret ci/prod overrides variable B of secret ci/common"]
        );
    }

    #[test]
    fn overrides_are_warned_once_per_pair_of_origins() {
        let keys = [
            ("user", "u"),
            ("port", "p"),
            ("host", "h"),
            ("password", "x"),
        ];
        let merged = merge_layers(vec![
            layer("secret svc/s00", &keys),
            layer("secret svc/s01", &keys),
            layer("secret svc/s02", &keys[..1]),
        ]);
        assert_eq!(
            merged.override_warnings(),
            vec![
                "secret svc/s01 overrides 4 variables of secret svc/s00: host, password, port, user",
                "secret svc/s02 overrides variable user of secret svc/s01",
            ]
        );
        assert_eq!(merged.overrides.len(), 5);
    }
}
