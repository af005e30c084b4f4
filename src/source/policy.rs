//! IAM permissions: what each source's SPECs need, as policy statements, for `awssecrets
//! policy`. Least privilege: exactly the actions the fetch makes, on exactly the resources it
//! reads (secret names end in a random `-XXXXXX`, matched by `-??????`).

use serde::Serialize;

/// Where the resources are: the account and partition of ARNs built from names.
#[derive(Debug, Clone)]
pub struct Scope {
    pub account: String,
    /// Also grant the batch call (Secrets Manager's BatchGetSecretValue on `*`): fewer round
    /// trips, more privilege. Without it, awssecrets falls back to one call per secret.
    pub batch: bool,
}

/// One statement of an identity policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    #[serde(rename = "Action")]
    pub actions: Vec<String>,
    #[serde(rename = "Resource")]
    pub resources: Vec<String>,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    pub condition: Option<serde_json::Value>,
}

impl Statement {
    /// Allows `actions` on `resources` (sorted, without repeats).
    pub fn allow(sid: &str, actions: &[&str], mut resources: Vec<String>) -> Statement {
        resources.sort();
        resources.dedup();
        Statement {
            sid: sid.to_owned(),
            effect: "Allow",
            actions: actions.iter().map(|action| action.to_string()).collect(),
            resources,
            condition: None,
        }
    }
}

/// `kms:Decrypt` on customer managed `keys`, only through `services` (the endpoints of the
/// services the SPECs read, `ssm.eu-west-1.amazonaws.com`).
pub fn decrypt_statement(keys: &[String], services: &[String]) -> Statement {
    let mut statement = Statement::allow(
        "DecryptWithCustomerManagedKeys",
        &["kms:Decrypt"],
        keys.to_vec(),
    );
    statement.condition = Some(serde_json::json!({"StringEquals": {"kms:ViaService": services}}));
    statement
}

/// The partition a region belongs to (`cn-north-1` -> `aws-cn`).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_regions() {
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }

    #[test]
    fn statements_serialize_as_iam_reads_them() {
        let statement = Statement::allow(
            "Read",
            &["ssm:GetParameters"],
            vec!["b".into(), "a".into(), "a".into()],
        );
        assert_eq!(
            serde_json::to_string(&statement).unwrap(),
            r#"{"Sid":"Read","Effect":"Allow","Action":["ssm:GetParameters"],"Resource":["a","b"]}"#
        );
    }
}
