//! What a Secrets Manager SPEC selects: a secret by name, full ARN or partial ARN, or every
//! secret whose name starts with a prefix (`ID*`).

use crate::source::arn::{check_arn_partition, check_arn_region_and_account};

/// A secret, or a prefix of secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The secret id as given (without a trailing `*`): a name, a full ARN or a partial ARN.
    pub id: String,
    /// The id's parts when it is an ARN.
    pub arn: Option<SecretArn>,
    /// `ID*`: every secret whose name starts with `id`.
    pub prefix: bool,
    /// `--version-stage`: fetch this stage instead of `AWSCURRENT`.
    pub version_stage: Option<String>,
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

impl Target {
    /// Parses `ID` or `ID*`.
    pub fn parse(selector: &str) -> Result<Target, String> {
        // Secret names never hold `*`: a trailing one selects by prefix.
        let (id, prefix) = match selector.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (selector, false),
        };
        let arn = if id.starts_with("arn:") {
            Some(SecretArn::parse(id)?)
        } else {
            check_secret_name(id)?;
            None
        };
        Ok(Target {
            id: id.to_owned(),
            arn,
            prefix,
            version_stage: None,
        })
    }

    /// The name (or name prefix) this target designates, without any ARN around it.
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
        check_arn_partition(partition)?;
        if service != "secretsmanager" || resource_type != "secret" {
            return Err(format!(
                "not a Secrets Manager secret ARN (service {service:?}, resource type {resource_type:?})"
            ));
        }
        check_arn_region_and_account(region, account)?;
        check_secret_name(name)?;
        Ok(SecretArn {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
            name: name.into(),
        })
    }
}

/// `text` without the random `-XXXXXX` (six letters or digits) that ends a full secret ARN and
/// its name, when it ends so and something is left.
pub fn without_random_suffix(text: &str) -> Option<&str> {
    let (stem, suffix) = text.split_at_checked(text.len().checked_sub(7)?)?;
    let random = suffix.strip_prefix('-')?;
    (!stem.is_empty() && random.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(stem)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn target(text: &str) -> Target {
        Target::parse(text).unwrap()
    }

    fn reason(text: &str) -> String {
        Target::parse(text).unwrap_err()
    }

    #[test]
    fn plain_name() {
        let parsed = target("ci/npm-token");
        assert_eq!(parsed.id, "ci/npm-token");
        assert_eq!(parsed.arn, None);
        assert!(!parsed.prefix);
    }

    #[test]
    fn names_may_hold_equals_and_at() {
        assert_eq!(target("a=b@c+d.e_f-g").id, "a=b@c+d.e_f-g");
    }

    #[test]
    fn full_arn_gives_region_and_account() {
        let parsed =
            target("arn:aws:secretsmanager:eu-central-1:123456789012:secret:ci/npm-AbCdEf");
        let arn = parsed.arn.clone().unwrap();
        assert_eq!(parsed.arn_region(), Some("eu-central-1"));
        assert_eq!(arn.account, "123456789012");
        assert_eq!(arn.name, "ci/npm-AbCdEf");
        assert_eq!(arn.partition, "aws");
        let china = target("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db");
        assert_eq!(china.arn_region(), Some("cn-north-1"));
    }

    #[test]
    fn a_full_arn_ends_in_six_random_letters_or_digits() {
        let full = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/npm-AbC1eF";
        assert_eq!(
            without_random_suffix(full),
            Some("arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/npm")
        );
        assert_eq!(without_random_suffix("ci/npm-AbC1eF"), Some("ci/npm"));
        // A name may end like a suffix: only where an ARN is full does this tell them apart.
        assert_eq!(without_random_suffix("ci/app-secret"), Some("ci/app"));
        assert_eq!(without_random_suffix("ci/npm-token"), None);
        assert_eq!(without_random_suffix("-AbC1eF"), None);
        assert_eq!(without_random_suffix("ci/npm_AbC1eF"), None);
        assert_eq!(without_random_suffix("ci/npm-Ab.1eF"), None);
        assert_eq!(without_random_suffix("ci/npm"), None);
        assert_eq!(without_random_suffix("ci/é-AbC1eF"), Some("ci/é"));
    }

    #[test]
    fn a_trailing_star_selects_by_prefix() {
        let parsed = target("ci/*");
        assert!(parsed.prefix);
        assert_eq!(parsed.id, "ci/");
        let arn = target("arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/app*");
        assert!(arn.prefix);
        assert_eq!(arn.name_prefix(), "ci/app");
        assert_eq!(arn.arn_region(), Some("eu-west-1"));
        assert!(reason("*").contains("empty"));
        assert!(reason("ci/*/x").contains("'*'"));
    }

    #[test]
    fn malformed_ids_are_refused_with_a_reason() {
        assert!(reason("ci/npm token").contains("' '"));
        assert!(reason("arn:aws:s3:::bucket").contains("form arn:"));
        assert!(reason("arn:aws:ssm:eu-west-1:123456789012:secret:x").contains("service"));
        assert!(reason("arn:aws:secretsmanager:eu-west-1:1234:secret:x").contains("12-digit"));
        assert!(reason("arn:aws:secretsmanager:EU:123456789012:secret:x").contains("region"));
        assert!(reason("arn:aws:secretsmanager:eu-west-1:123456789012:secret:").contains("empty"));
        assert!(reason(&"x".repeat(513)).contains("512"));
    }
}
