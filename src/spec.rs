//! SPEC syntax: which secret to fetch and how to name its variables (`ID`, `ID#K1,K2`, `ALIAS,ID`).

use std::fmt;

/// One `--secret` argument, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSpec {
    /// The secret id as given: a name, a full ARN or a partial ARN.
    pub id: String,
    /// `ALIAS,ID`: the variable name of a plain secret, or the prefix `ALIAS_` of a JSON secret's keys.
    pub alias: Option<String>,
    /// `ID#K1,K2`: only these top-level keys of a JSON secret.
    pub keys: Option<Vec<String>>,
    /// The id's parts when it is an ARN.
    pub arn: Option<SecretArn>,
    /// `ID*`: every secret whose name starts with `id` (without the `*`).
    pub prefix: bool,
}

/// The parts of `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    /// The name, with the random `-XXXXXX` suffix of a full ARN when present.
    pub name: String,
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

impl SecretSpec {
    /// Parses `ID`, `ID#KEY1,KEY2`, `ALIAS,ID` or `ALIAS,ID#KEY1,KEY2`.
    pub fn parse(text: &str) -> Result<SecretSpec, SpecError> {
        let error = |reason: String| SpecError {
            spec: text.to_owned(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("it is empty".into()));
        }
        // Secret names never hold `#` or `,`, so the first `#` ends the id and a `,` before it
        // ends the alias.
        let (head, keys) = match trimmed.split_once('#') {
            Some((head, keys)) => (head, Some(parse_keys(keys).map_err(error)?)),
            None => (trimmed, None),
        };
        let (alias, id) = match head.split_once(',') {
            Some((alias, id)) => (parse_alias(alias.trim()).map_err(error)?, id.trim()),
            None => (None, head),
        };
        // Secret names never hold `*`: a trailing one selects by prefix.
        let (id, prefix) = match id.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (id, false),
        };
        if prefix && (alias.is_some() || keys.is_some()) {
            return Err(error(
                "a prefix (ID*) selects whole secrets: it takes no ALIAS, and no #KEY list".into(),
            ));
        }
        let arn = if id.starts_with("arn:") {
            Some(SecretArn::parse(id).map_err(error)?)
        } else {
            check_secret_name(id).map_err(error)?;
            None
        };
        Ok(SecretSpec {
            id: id.to_owned(),
            alias,
            keys,
            arn,
            prefix,
        })
    }

    /// The name (or name prefix) this spec designates, without any ARN around it.
    pub fn name_prefix(&self) -> String {
        self.arn
            .as_ref()
            .map_or_else(|| self.id.clone(), |arn| arn.name.clone())
    }

    /// The region this secret must be fetched from, when its id is an ARN.
    pub fn arn_region(&self) -> Option<&str> {
        self.arn.as_ref().map(|arn| arn.region.as_str())
    }
}

impl SecretArn {
    /// Parses a full or partial Secrets Manager ARN.
    pub fn parse(text: &str) -> Result<SecretArn, String> {
        let parts: Vec<&str> = text.splitn(7, ':').collect();
        let [_, partition, service, region, account, resource_type, name] = parts[..] else {
            return Err(
                "an ARN has the form arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME"
                    .into(),
            );
        };
        if partition.is_empty()
            || !partition
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
        {
            return Err(format!("{partition:?} is not an AWS partition"));
        }
        if service != "secretsmanager" || resource_type != "secret" {
            return Err(format!(
                "not a Secrets Manager secret ARN (service {service:?}, resource type {resource_type:?})"
            ));
        }
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!("{region:?} is not an AWS region"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{account:?} is not a 12-digit account id"));
        }
        check_secret_name(name)?;
        Ok(SecretArn {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
            name: name.into(),
        })
    }
}

/// Secret names: 1 to 512 of ASCII letters, digits and `/_+=.@-`.
fn check_secret_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the secret id is empty".into());
    }
    if name.len() > 512 {
        return Err("a secret name has at most 512 characters".into());
    }
    match name.chars().find(|&c| !is_secret_name_char(c)) {
        Some(bad) => Err(format!(
            "{bad:?} cannot occur in a secret name (letters, digits and /_+=.@- only)"
        )),
        None => Ok(()),
    }
}

fn is_secret_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)
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

/// `[A-Za-z_][A-Za-z0-9_]*`: what POSIX shells, dotenv and CI systems accept as a variable name.
pub fn is_valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits `AWSSECRETS_SECRETS`: one SPEC per line when it holds a newline (so SPECs may hold
/// commas), else comma-separated ids. Blank entries are skipped.
pub fn split_spec_list(list: &str) -> Vec<&str> {
    let separator = if list.contains('\n') { '\n' } else { ',' };
    list.split(separator)
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> SecretSpec {
        SecretSpec::parse(text).unwrap()
    }

    fn reason(text: &str) -> String {
        SecretSpec::parse(text).unwrap_err().reason
    }

    #[test]
    fn plain_name() {
        let parsed = spec("ci/npm-token");
        assert_eq!(parsed.id, "ci/npm-token");
        assert_eq!(parsed.alias, None);
        assert_eq!(parsed.keys, None);
        assert_eq!(parsed.arn, None);
    }

    #[test]
    fn names_may_hold_equals_and_at() {
        assert_eq!(spec("a=b@c+d.e_f-g").id, "a=b@c+d.e_f-g");
    }

    #[test]
    fn keys_after_hash() {
        let parsed = spec("ci/db#user,password");
        assert_eq!(parsed.id, "ci/db");
        assert_eq!(parsed.keys, Some(vec!["user".into(), "password".into()]));
    }

    #[test]
    fn alias_before_comma() {
        let parsed = spec("NPM,ci/npm");
        assert_eq!(parsed.alias.as_deref(), Some("NPM"));
        assert_eq!(parsed.id, "ci/npm");
    }

    #[test]
    fn alias_and_keys_together() {
        let parsed = spec("DB,ci/db#user,password");
        assert_eq!(parsed.alias.as_deref(), Some("DB"));
        assert_eq!(parsed.id, "ci/db");
        assert_eq!(parsed.keys.unwrap().len(), 2);
    }

    #[test]
    fn empty_alias_means_none() {
        assert_eq!(spec(",ci/npm").alias, None);
    }

    #[test]
    fn full_arn_gives_region_and_account() {
        let parsed = spec("arn:aws:secretsmanager:eu-central-1:123456789012:secret:ci/npm-AbCdEf");
        let arn = parsed.arn.clone().unwrap();
        assert_eq!(parsed.arn_region(), Some("eu-central-1"));
        assert_eq!(arn.account, "123456789012");
        assert_eq!(arn.name, "ci/npm-AbCdEf");
        assert_eq!(arn.partition, "aws");
    }

    #[test]
    fn arn_with_keys_and_alias() {
        let parsed = spec("DB,arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db#user");
        assert_eq!(parsed.arn_region(), Some("cn-north-1"));
        assert_eq!(parsed.keys, Some(vec!["user".into()]));
        assert_eq!(parsed.alias.as_deref(), Some("DB"));
    }

    #[test]
    fn a_trailing_star_selects_by_prefix() {
        let parsed = spec("ci/*");
        assert!(parsed.prefix);
        assert_eq!(parsed.id, "ci/");
        let arn = spec("arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/app*");
        assert!(arn.prefix);
        assert_eq!(arn.name_prefix(), "ci/app");
        assert_eq!(arn.arn_region(), Some("eu-west-1"));
        assert!(!spec("ci/npm").prefix);
        assert!(reason("*").contains("empty"));
        assert!(reason("A,ci/*").contains("no ALIAS"));
        assert!(reason("ci/*#k").contains("#KEY"));
        assert!(reason("ci/*/x").contains("'*'"));
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(spec("  ci/npm \t").id, "ci/npm");
    }

    #[test]
    fn malformed_specs_are_refused_with_a_reason() {
        assert_eq!(reason(""), "it is empty");
        assert!(reason("ci/npm token").contains("' '"));
        assert!(reason("ci/npm#").contains("empty key"));
        assert!(reason("ci/npm#a,,b").contains("empty key"));
        assert!(reason("ci/npm#a,a").contains("listed twice"));
        assert!(reason("1BAD,ci/npm").contains("not a valid variable name"));
        assert!(reason("A,B,ci/npm").contains("','"));
        assert!(reason("NPM,").contains("empty"));
        assert!(reason("arn:aws:s3:::bucket").contains("form arn:"));
        assert!(reason("arn:aws:ssm:eu-west-1:123456789012:secret:x").contains("service"));
        assert!(reason("arn:aws:secretsmanager:eu-west-1:1234:secret:x").contains("12-digit"));
        assert!(reason("arn:aws:secretsmanager:EU:123456789012:secret:x").contains("region"));
        assert!(reason("arn:aws:secretsmanager:eu-west-1:123456789012:secret:").contains("empty"));
        assert!(reason(&"x".repeat(513)).contains("512"));
    }

    #[test]
    fn variable_names() {
        assert!(is_valid_variable_name("_"));
        assert!(is_valid_variable_name("A_1"));
        assert!(!is_valid_variable_name(""));
        assert!(!is_valid_variable_name("1A"));
        assert!(!is_valid_variable_name("A-B"));
        assert!(!is_valid_variable_name("É"));
    }

    #[test]
    fn spec_lists_split_on_newlines_when_present_else_commas() {
        assert_eq!(split_spec_list("a, b,,c"), vec!["a", "b", "c"]);
        assert_eq!(
            split_spec_list("DB,ci/db#u,p\n\n  ci/npm \n"),
            vec!["DB,ci/db#u,p", "ci/npm"]
        );
        assert!(split_spec_list(" \n ").is_empty());
    }
}
