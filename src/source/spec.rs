//! The SPEC grammar every source shares: `[ALIAS,]SELECTOR[#KEY1,KEY2]`, where the selector
//! belongs to a source (`ssm:...` to Parameter Store, anything else to Secrets Manager).

use std::fmt;

use super::Target;
use crate::naming::{Shape, is_valid_variable_name};

/// One `--secret` argument, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The SPEC as given, trimmed.
    pub text: String,
    /// `ALIAS,` and `#KEY1,KEY2`.
    pub shape: Shape,
    /// `ID?`: a value (or a prefix's or path's every value) that does not exist is skipped
    /// with a warning instead of failing the run.
    pub optional: bool,
    /// Which source, and what it selects there.
    pub target: Target,
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

impl Spec {
    /// Parses `SELECTOR`, `SELECTOR#KEY1,KEY2`, `ALIAS,SELECTOR` or `ALIAS,SELECTOR#KEY1,KEY2`;
    /// a `?` ending the selector makes it optional.
    pub fn parse(text: &str) -> Result<Spec, SpecError> {
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
        let target = Target::parse(selector).map_err(error)?;
        target.check_shape(&shape).map_err(error)?;
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
/// silently change meaning.
pub fn split_spec_list(list: &str) -> Result<Vec<&str>, String> {
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
    if ids.len() < 2 || Spec::parse(one).is_err() {
        return Ok(ids);
    }
    if ids.iter().all(|id| Spec::parse(id).is_ok()) {
        return Err(format!(
            "AWSSECRETS_SECRETS={one:?} reads both as one SPEC and as {} comma-separated ids: put \
             each SPEC on a line of its own (one SPEC and a newline is one SPEC), or pass --secret",
            ids.len()
        ));
    }
    Ok(vec![one])
}

/// An ARN's partition: lower-case letters and `-` (`aws`, `aws-cn`, `aws-us-gov`).
pub fn check_arn_partition(partition: &str) -> Result<(), String> {
    if partition.is_empty()
        || !partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-')
    {
        return Err(format!("{partition:?} is not an AWS partition"));
    }
    Ok(())
}

/// An ARN's region (lower-case letters, digits and `-`) and account (12 digits).
pub fn check_arn_region_and_account(region: &str, account: &str) -> Result<(), String> {
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!("{region:?} is not an AWS region"));
    }
    if !is_account_id(account) {
        return Err(format!("{account:?} is not a 12-digit account id"));
    }
    Ok(())
}

/// An AWS account id: 12 digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        Spec::parse(text).unwrap()
    }

    fn reason(text: &str) -> String {
        Spec::parse(text).unwrap_err().reason
    }

    #[test]
    fn keys_after_hash() {
        let parsed = spec("ci/db#user,password");
        assert_eq!(
            parsed.shape.keys,
            Some(vec!["user".into(), "password".into()])
        );
        assert_eq!(parsed.shape.alias, None);
    }

    #[test]
    fn alias_before_comma() {
        let parsed = spec("NPM,ci/npm");
        assert_eq!(parsed.shape.alias.as_deref(), Some("NPM"));
        assert_eq!(parsed.text, "NPM,ci/npm");
    }

    #[test]
    fn alias_and_keys_together() {
        let parsed = spec("DB,ci/db#user,password");
        assert_eq!(parsed.shape.alias.as_deref(), Some("DB"));
        assert_eq!(parsed.shape.keys.unwrap().len(), 2);
    }

    #[test]
    fn empty_alias_means_none() {
        assert_eq!(spec(",ci/npm").shape.alias, None);
    }

    #[test]
    fn a_question_mark_makes_a_spec_optional() {
        assert!(spec("ci/db?").optional);
        assert!(spec("DB,ci/db?#user").optional);
        assert!(spec("ci/prod/*?").optional);
        assert!(spec("ssm:/ci/app/?").optional);
        assert!(spec("ssm:/ci/db:3?").optional);
        assert!(!spec("ci/db").optional);
        assert_eq!(spec("ci/db?").target.subject(), "secret ci/db");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(spec("  ci/npm \t").text, "ci/npm");
    }

    #[test]
    fn malformed_specs_are_refused_with_a_reason() {
        assert_eq!(reason(""), "it is empty");
        assert!(reason("ci/npm#").contains("empty key"));
        assert!(reason("ci/npm#a,,b").contains("empty key"));
        assert!(reason("ci/npm#a,a").contains("listed twice"));
        assert!(reason("1BAD,ci/npm").contains("not a valid variable name"));
        assert!(reason("A,B,ci/npm").contains("','"));
        assert!(reason("NPM,").contains("empty"));
    }

    #[test]
    fn spec_lists_split_on_newlines_when_present_else_commas() {
        assert_eq!(
            split_spec_list("a/x, b/y,,c/z"),
            Ok(vec!["a/x", "b/y", "c/z"])
        );
        assert_eq!(
            split_spec_list("DB,ci/db#u,p\n\n  ci/npm \n"),
            Ok(vec!["DB,ci/db#u,p", "ci/npm"])
        );
        assert_eq!(split_spec_list("DB,ci/db#u,p\n"), Ok(vec!["DB,ci/db#u,p"]));
        assert_eq!(split_spec_list(" \n "), Ok(Vec::new()));
    }

    #[test]
    fn a_line_that_reads_two_ways_is_refused() {
        let problem = split_spec_list("DB,ci/db#user,password").unwrap_err();
        assert!(
            problem.contains("reads both as one SPEC and as 3 comma-separated ids"),
            "{problem}"
        );
        assert!(split_spec_list("NPM,ci/npm").is_err());
        // Only one reading is valid: that one.
        assert_eq!(split_spec_list("ci/a,ci/b"), Ok(vec!["ci/a", "ci/b"]));
        assert_eq!(split_spec_list("ci/db#a,b c"), Ok(vec!["ci/db#a,b c"]));
    }
}
