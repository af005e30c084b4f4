//! Pure core: a fetched value becomes ordered environment variables (naming, flattening, checks).

mod flatten;
mod reserved;
mod rules;

use crate::error::Error;
use crate::model::{ChosenBy, Entry, EnvVar, Payload, SecretValue};

use flatten::{JsonProblem, flatten, parse_json_object, select_keys};

pub use reserved::{CREDENTIALS, Family, RESERVED, Reserved, reserved};
pub use rules::{NameRules, UNUSABLE_NAME, check_names};

/// How variable names are built, shared by every SPEC of a run.
#[derive(Debug, Clone, Default)]
pub struct NamingOptions {
    /// `--prefix`: put before every variable name.
    pub prefix: String,
    /// `--uppercase`: upper-case the names that come from JSON keys.
    pub uppercase: bool,
    /// `--strict`: refuse keys that are not valid variable names instead of sanitising them.
    pub strict: bool,
    /// `--allow-name`: reserved names a secret may set all the same.
    pub allowed_names: Vec<String>,
    /// `--only-listed-keys`: refuse every name a secret's content chose.
    pub only_listed_keys: bool,
}

impl NamingOptions {
    /// The rules every final name is checked against.
    pub fn rules(&self) -> NameRules<'_> {
        NameRules {
            allowed: &self.allowed_names,
            only_listed_keys: self.only_listed_keys,
        }
    }
}

/// How one SPEC shapes the variables of what it fetched: `ALIAS,` and `#KEY1,KEY2`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// The variable name of a plain value, or the prefix `ALIAS_` of a JSON object's keys.
    pub alias: Option<String>,
    /// Only these top-level keys of a JSON object, in this order.
    pub keys: Option<Vec<String>>,
}

/// Turns one fetched value into variables, in the object's own key order (or the `#KEY`
/// order). Warnings (names sanitised, JSON-looking plain text) are pushed to `warnings`.
pub fn variables(
    entry: &Entry,
    shape: &Shape,
    naming: &NamingOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<EnvVar>, Error> {
    let subject = &entry.subject;
    let content_error = |problem: String| Error::bad_content(subject, problem);
    let text = match &entry.payload {
        Payload::Binary(bytes) => {
            if shape.keys.is_some() {
                return Err(content_error(
                    "it is a binary secret (SecretBinary), so #KEY cannot select from it".into(),
                ));
            }
            // Bytes are never guessed at: always base64, documented, so nothing is mangled.
            let encoded = aws_smithy_types::base64::encode(&bytes[..]);
            let name = plain_variable_name(entry, shape, naming);
            let mut variable =
                checked(name, SecretValue::new(encoded), plain_chooser(entry, shape))?;
            variable.binary = true;
            return Ok(vec![variable]);
        }
        Payload::Text(text) => text.expose(),
    };

    let object = match parse_json_object(text) {
        Some(Ok(object)) => object,
        Some(Err(JsonProblem::Invalid(problem))) => return Err(content_error(problem)),
        Some(Err(JsonProblem::Syntax(json_error))) => {
            if shape.keys.is_some() {
                return Err(content_error(format!(
                    "it is not valid JSON ({json_error}), so #KEY cannot select from it"
                )));
            }
            let name = plain_variable_name(entry, shape, naming);
            warnings.push(format!(
                "{subject} starts with '{{' but is not valid JSON ({json_error}); exporting it whole as {name}"
            ));
            return Ok(vec![checked(
                name,
                SecretValue::new(text.to_owned()),
                plain_chooser(entry, shape),
            )?]);
        }
        None => {
            if shape.keys.is_some() {
                return Err(content_error(
                    "it is plain text, not a JSON object, so #KEY cannot select from it".into(),
                ));
            }
            let name = plain_variable_name(entry, shape, naming);
            return Ok(vec![checked(
                name,
                SecretValue::new(text.to_owned()),
                plain_chooser(entry, shape),
            )?]);
        }
    };

    let selected = select_keys(object, shape.keys.as_deref()).map_err(content_error)?;
    let mut leaves = Vec::new();
    for (key, value) in selected {
        flatten(vec![key], &value, &mut leaves)
            .map_err(|problem| content_error(problem.to_string()))?;
    }
    if leaves.is_empty() {
        warnings.push(format!("{subject} is an empty JSON object: no variables"));
    }

    let mut variables: Vec<EnvVar> = Vec::with_capacity(leaves.len());
    let mut sources: Vec<String> = Vec::with_capacity(leaves.len());
    for (path, value) in leaves {
        let key = path.join(".");
        let name = json_variable_name(shape, &path, naming, &key, subject, warnings)
            .map_err(content_error)?;
        if let Some(index) = variables.iter().position(|variable| variable.name == name) {
            return Err(content_error(format!(
                "keys {:?} and {key:?} both become variable {name}",
                sources[index]
            )));
        }
        // A key listed after `#` is the pipeline's choice; its nested keys are the content's.
        let chosen_by = if shape.keys.is_some() && path.len() == 1 {
            ChosenBy::Pipeline
        } else {
            ChosenBy::Key(key.clone())
        };
        variables.push(checked(name, value, chosen_by)?);
        sources.push(key);
    }
    Ok(variables)
}

/// Who chose the name of a plain or binary value's one variable: the pipeline through an
/// ALIAS, else the id it gave, else (a value found under a prefix or a path) the listing.
fn plain_chooser(entry: &Entry, shape: &Shape) -> ChosenBy {
    match (&shape.alias, entry.relative, entry.found_by_listing) {
        (Some(_), false, _) => ChosenBy::Pipeline,
        (_, true, _) | (None, _, true) => ChosenBy::Listing,
        (None, false, false) => ChosenBy::Id,
    }
}

/// Refuses values that cannot live in an environment.
fn checked(name: String, value: SecretValue, chosen_by: ChosenBy) -> Result<EnvVar, Error> {
    if value.expose().contains('\0') {
        return Err(Error::bad_content(
            format!("variable {name}"),
            "its value holds a NUL byte, which no environment variable can carry",
        ));
    }
    Ok(EnvVar {
        name,
        value,
        binary: false,
        chosen_by,
    })
}

/// The single variable of a plain or binary value: `--prefix` + alias, else the stem
/// sanitised and upper-cased (`ci/npm-token` -> `CI_NPM_TOKEN`, `/ci/npm/token` ->
/// `CI_NPM_TOKEN`); a stem below a path is named after the alias, not replaced by it.
fn plain_variable_name(entry: &Entry, shape: &Shape, naming: &NamingOptions) -> String {
    let stem = || sanitize(entry.stem.trim_start_matches('/')).to_ascii_uppercase();
    let base = match (&shape.alias, entry.relative) {
        (Some(alias), false) => alias.clone(),
        (Some(alias), true) => format!("{alias}_{}", stem()),
        (None, _) => stem(),
    };
    leading_digit_guard(format!("{}{base}", naming.prefix))
}

/// `--prefix` + `ALIAS_` + the key path joined with `_`; warns (or, under `--strict`, fails)
/// when the key is not a valid name as written.
fn json_variable_name(
    shape: &Shape,
    path: &[String],
    naming: &NamingOptions,
    key: &str,
    subject: &str,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let mut written = path.join("_");
    if naming.uppercase {
        written = written.to_uppercase();
    }
    let head = match &shape.alias {
        Some(alias) => format!("{}{alias}_", naming.prefix),
        None => naming.prefix.clone(),
    };
    let raw = format!("{head}{written}");
    if raw.is_empty() {
        return Err(format!("key {key:?} gives an empty variable name"));
    }
    if is_valid_variable_name(&raw) {
        return Ok(raw);
    }
    let name = leading_digit_guard(format!("{head}{}", sanitize(&written)));
    if naming.strict {
        return Err(format!(
            "key {key:?} is not a valid variable name (would be exported as {name}; --strict refuses it)"
        ));
    }
    warnings.push(format!(
        "{subject}: key {key:?} is not a valid variable name; exported as {name}"
    ));
    Ok(name)
}

/// `[A-Za-z_][A-Za-z0-9_]*`: what POSIX shells, dotenv and CI systems accept as a variable name.
pub fn is_valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every character outside `[A-Za-z0-9_]` becomes `_`.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn leading_digit_guard(name: String) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests;
