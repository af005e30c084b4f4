//! Where values come from. Each source is a folder behind [`Source`] (an AWS service also
//! behind [`AwsService`]) owning its SPEC syntax, calls, paging and error codes; the one list
//! of sources is the `sources!` line below, which makes [`Kind`], [`Target`] and every
//! dispatch over them. Also: the SPEC grammar they share, and env files.

pub mod arn;
pub mod aws_service;
pub mod contract;
pub mod env_file;
pub mod policy;
mod registry;
mod spec;

pub use arn::is_account_id;
pub use aws_service::{AwsService, Request};
pub use contract::{Grant, Keys, Needs, Reach, Source};
pub use spec::SpecError;

use crate::error::Error;
use crate::model::Entry;
use crate::naming::Shape;

registry::sources! {
    /// AWS Secrets Manager: `ID`, `ID*`, names and ARNs.
    SecretsManager => secretsmanager::SecretsManager,
    /// AWS Systems Manager Parameter Store: `ssm:NAME`, `ssm:NAME:VERSION`, `ssm:/PATH/`.
    ParameterStore => ssm::ParameterStore,
}

/// One `--secret` argument, parsed: its shape and its source's target.
pub type Spec = spec::Spec<Target>;

impl Spec {
    /// Parses `[ALIAS,]SELECTOR[?][#KEY1,KEY2]`, the selector by the source it names.
    pub fn parse(text: &str) -> Result<Spec, SpecError> {
        spec::Spec::parse_with(text, Target::parse)
    }
}

/// Splits `AWSSECRETS_SECRETS` into SPECs: one per line when it holds a newline, else
/// comma-separated ids; a line that reads both ways is refused.
pub fn split_spec_list(list: &str) -> Result<Vec<&str>, String> {
    spec::split_spec_list(list, &|text| Spec::parse(text).is_ok())
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
