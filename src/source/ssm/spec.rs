//! What a Parameter Store SPEC selects (after `ssm:`): a parameter by name or ARN, at a version
//! or label (`NAME:3`, `NAME:prod`, AWS's own selector syntax), or every parameter under a path
//! (`/ci/app/`, recursively).

use crate::source::arn::{check_arn_partition, check_arn_region_and_account};

/// A parameter, or a path of parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The parameter's name (`/ci/npm/token`, `ci-token`), or the path (ending with `/`).
    pub name: String,
    /// `:3` or `:label`.
    pub selector: Option<Selector>,
    /// The ARN's parts when the parameter was named by its ARN.
    pub arn: Option<ParameterArn>,
}

/// A version or a label of a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Version(u64),
    Label(String),
}

/// The parts of `arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterArn {
    pub partition: String,
    pub region: String,
    pub account: String,
}

/// Parameter names (and paths) are at most this long.
const MAX_NAME: usize = 1011;

impl Target {
    /// Parses `NAME`, `NAME:SELECTOR`, an ARN (optionally `:SELECTOR`), or `/PATH/`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let (arn, rest) = match text.strip_prefix("arn:") {
            Some(_) => {
                let (arn, name) = parse_arn(text)?;
                (Some(arn), name)
            }
            None => (None, text.to_owned()),
        };
        // Names hold no ':': one starts the selector.
        let (name, selector) = match rest.split_once(':') {
            Some((name, selector)) => (name.to_owned(), Some(parse_selector(selector)?)),
            None => (rest, None),
        };
        check_name(&name)?;
        let target = Target {
            name,
            selector,
            arn,
        };
        if target.is_path() {
            if !target.name.starts_with('/') {
                return Err("a path (ending with /) starts with / too, as /ci/app/".into());
            }
            if target.selector.is_some() {
                return Err(
                    "a path (ending with /) selects every parameter under it: it takes \
                            no :VERSION or :LABEL"
                        .into(),
                );
            }
        }
        Ok(target)
    }

    /// Whether it names every parameter under a path.
    pub fn is_path(&self) -> bool {
        self.name.ends_with('/')
    }

    /// The string GetParameters takes: the ARN or the name, then the selector.
    pub fn request(&self) -> String {
        let base = match &self.arn {
            Some(arn) => arn.of(&self.name),
            None => self.name.clone(),
        };
        format!("{base}{}", self.selector_suffix())
    }

    /// `:VERSION` or `:LABEL`, as a name takes it; empty without a selector.
    pub fn selector_suffix(&self) -> String {
        match &self.selector {
            Some(Selector::Version(version)) => format!(":{version}"),
            Some(Selector::Label(label)) => format!(":{label}"),
            None => String::new(),
        }
    }

    /// The region this parameter must be fetched from, when it was named by its ARN.
    pub fn arn_region(&self) -> Option<&str> {
        self.arn.as_ref().map(|arn| arn.region.as_str())
    }
}

impl ParameterArn {
    /// The ARN of parameter `name` (`/ci/npm/token` -> `...:parameter/ci/npm/token`).
    pub fn of(&self, name: &str) -> String {
        format!(
            "arn:{}:ssm:{}:{}:parameter/{}",
            self.partition,
            self.region,
            self.account,
            name.trim_start_matches('/')
        )
    }
}

/// `arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME[:SELECTOR]`: the parts, and the name (with
/// its selector) as a name (a hierarchical name gets its leading `/` back).
fn parse_arn(text: &str) -> Result<(ParameterArn, String), String> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return Err("an ARN has the form arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME".into());
    };
    check_arn_partition(partition)?;
    let Some(name) = resource.strip_prefix("parameter/") else {
        return Err(format!(
            "not a Parameter Store parameter ARN (service {service:?}, resource {resource:?})"
        ));
    };
    if service != "ssm" {
        return Err(format!(
            "not a Parameter Store parameter ARN (service {service:?})"
        ));
    }
    check_arn_region_and_account(region, account)?;
    // A name with a `/` is hierarchical, and every hierarchical name starts with `/`.
    let plain = name.split(':').next().unwrap_or_default();
    let name = if plain.contains('/') {
        format!("/{name}")
    } else {
        name.to_owned()
    };
    Ok((
        ParameterArn {
            partition: partition.into(),
            region: region.into(),
            account: account.into(),
        },
        name,
    ))
}

/// Names and paths: 1 to 1011 of ASCII letters, digits and `_.-/`.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the parameter name is empty".into());
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "a parameter name has at most {MAX_NAME} characters"
        ));
    }
    if name.contains("//") {
        return Err("a parameter name has no empty level (//)".into());
    }
    match name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "_.-/".contains(c)))
    {
        Some(bad) => Err(format!(
            "{bad:?} cannot occur in a parameter name (letters, digits and _.-/ only)"
        )),
        None => Ok(()),
    }
}

/// A version (digits) or a label (letters, digits and `_.-`, not first a digit).
fn parse_selector(text: &str) -> Result<Selector, String> {
    if text.is_empty() {
        return Err("an empty :VERSION or :LABEL".into());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u64>() {
            Ok(version) if version >= 1 => Ok(Selector::Version(version)),
            _ => Err(format!("{text:?} is not a parameter version (1, 2, ...)")),
        };
    }
    let valid = text.len() <= 100
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if valid {
        Ok(Selector::Label(text.to_owned()))
    } else {
        Err(format!(
            "{text:?} is neither a version nor a label (up to 100 letters, digits and _.-, not \
             first a digit)"
        ))
    }
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
    fn names_versions_labels_and_paths() {
        let plain = target("/ci/npm/token");
        assert_eq!(
            (plain.name.as_str(), plain.selector.clone()),
            ("/ci/npm/token", None)
        );
        assert!(!plain.is_path());
        assert_eq!(target("ci-token").name, "ci-token");
        assert_eq!(target("/ci/db:3").selector, Some(Selector::Version(3)));
        assert_eq!(
            target("/ci/db:prod").selector,
            Some(Selector::Label("prod".into()))
        );
        assert_eq!(target("/ci/db:prod").request(), "/ci/db:prod");
        assert!(target("/ci/app/").is_path());
        assert!(target("/").is_path());
    }

    #[test]
    fn arns_give_region_and_keep_the_name() {
        let arn = target("arn:aws:ssm:eu-central-1:123456789012:parameter/ci/npm/token:2");
        assert_eq!(arn.name, "/ci/npm/token");
        assert_eq!(arn.arn_region(), Some("eu-central-1"));
        assert_eq!(arn.selector, Some(Selector::Version(2)));
        assert_eq!(
            arn.request(),
            "arn:aws:ssm:eu-central-1:123456789012:parameter/ci/npm/token:2"
        );
        let flat = target("arn:aws-cn:ssm:cn-north-1:123456789012:parameter/token");
        assert_eq!(flat.name, "token");
        assert_eq!(flat.arn.unwrap().partition, "aws-cn");
        let path = target("arn:aws:ssm:eu-west-1:123456789012:parameter/ci/app/");
        assert!(path.is_path());
        assert_eq!(path.name, "/ci/app/");
    }

    #[test]
    fn malformed_selectors_are_refused_with_a_reason() {
        assert!(reason("/ci/db:").contains("empty"));
        assert!(reason("/ci/db:0").contains("not a parameter version"));
        assert!(reason("/ci/db:1abc").contains("neither a version nor a label"));
        assert!(reason("/ci/db:a b").contains("neither"));
        assert!(reason("/ci/app/:3").contains("takes no :VERSION"));
        assert!(reason("ci/app/").contains("starts with / too"));
        assert!(reason("/ci db").contains("' '"));
        assert!(reason("/ci//db").contains("empty level"));
        assert!(reason("").contains("empty"));
        assert!(reason("arn:aws:ssm:eu-west-1:1234:parameter/x").contains("12-digit"));
        assert!(
            reason("arn:aws:secretsmanager:eu-west-1:123456789012:secret:x")
                .contains("not a Parameter Store")
        );
        assert!(reason(&format!("/{}", "x".repeat(1011))).contains("1011"));
    }
}
