//! The SPEC grammar every source shares: `[ALIAS,]SELECTOR[?][#KEY1,KEY2]`, where the selector
//! belongs to a source (`ssm:...` to Parameter Store, anything else to Secrets Manager); which
//! source, and what its selector means, is the registry's to say (`super`).

use std::fmt;

use crate::naming::{Shape, is_valid_variable_name};

/// One `--secret` argument, parsed; `T` is what its selector names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec<T> {
    /// The SPEC as given, trimmed.
    pub text: String,
    /// `ALIAS,` and `#KEY1,KEY2`.
    pub shape: Shape,
    /// `ID?`: a value (or a prefix's or path's every value) that does not exist is skipped
    /// with a warning instead of failing the run.
    pub optional: bool,
    /// Which source, and what it selects there.
    pub target: T,
}

/// Why a SPEC does not parse; the message quotes the SPEC (ids and key names, never values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub spec: String,
    pub reason: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid secret SPEC {:?}: {}", self.spec, self.reason)
    }
}

impl<T> Spec<T> {
    /// Parses `SELECTOR`, `SELECTOR#KEY1,KEY2`, `ALIAS,SELECTOR` or `ALIAS,SELECTOR#KEY1,KEY2`
    /// (a `?` ending the selector makes it optional), the selector with `target` (which also
    /// refuses a shape its target cannot take).
    pub fn parse_with(
        text: &str,
        target: impl Fn(&str, &Shape) -> Result<T, String>,
    ) -> Result<Spec<T>, SpecError> {
        let error = |reason: String| SpecError {
            spec: text.to_owned(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("it is empty".into()));
        }
        // No selector holds `#` or `,` (secret and parameter names cannot), so the first `#`
        // ends the selector and a `,` before it ends the alias.
        let (head, keys) = match trimmed.split_once('#') {
            Some((head, keys)) => (head, Some(parse_keys(keys).map_err(error)?)),
            None => (trimmed, None),
        };
        let (alias, selector) = match head.split_once(',') {
            Some((alias, selector)) => (parse_alias(alias.trim()).map_err(error)?, selector.trim()),
            None => (None, head),
        };
        let shape = Shape { alias, keys };
        // No secret or parameter name holds `?`.
        let (selector, optional) = match selector.strip_suffix('?') {
            Some(selector) => (selector, true),
            None => (selector, false),
        };
        let target = target(selector, &shape).map_err(error)?;
        Ok(Spec {
            text: trimmed.to_owned(),
            shape,
            optional,
            target,
        })
    }
}

/// An empty alias (`,ID`, as the GitHub action allows) means no alias.
fn parse_alias(alias: &str) -> Result<Option<String>, String> {
    if alias.is_empty() {
        return Ok(None);
    }
    if is_valid_variable_name(alias) {
        Ok(Some(alias.to_owned()))
    } else {
        Err(format!(
            "alias {alias:?} is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)"
        ))
    }
}

fn parse_keys(list: &str) -> Result<Vec<String>, String> {
    let mut keys: Vec<String> = Vec::new();
    for key in list.split(',') {
        if key.is_empty() {
            return Err("an empty key in the #KEY1,KEY2 list".into());
        }
        if keys.iter().any(|seen| seen == key) {
            return Err(format!("key {key:?} is listed twice"));
        }
        keys.push(key.to_owned());
    }
    Ok(keys)
}

/// Splits `AWSSECRETS_SECRETS`: one SPEC per line when it holds a newline (so SPECs may hold
/// commas), else comma-separated ids. Blank entries are skipped. A single line that reads
/// both as one SPEC and as a list of ids (`DB,ci/db#user,password`) is refused: it must not
/// silently change meaning. `is_spec` says whether a text parses as a SPEC.
pub fn split_spec_list<'a>(
    list: &'a str,
    is_spec: &dyn Fn(&str) -> bool,
) -> Result<Vec<&'a str>, String> {
    let entries = |separator: char| -> Vec<&str> {
        list.split(separator)
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .collect()
    };
    if list.contains('\n') {
        return Ok(entries('\n'));
    }
    let ids = entries(',');
    let one = list.trim();
    if ids.len() < 2 || !is_spec(one) {
        return Ok(ids);
    }
    if ids.iter().all(|id| is_spec(id)) {
        return Err(format!(
            "AWSSECRETS_SECRETS={one:?} reads both as one SPEC and as {} comma-separated ids: put \
             each SPEC on a line of its own (one SPEC and a newline is one SPEC), or pass --secret",
            ids.len()
        ));
    }
    Ok(vec![one])
}
