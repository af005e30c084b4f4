//! AWS Secrets Manager: secrets by name or ARN, and prefixes (`ci/prod/*`).

mod fetch;
mod keys;
mod service;
mod spec;

pub use spec::{SecretArn, Target};

use super::aws_service::{
    AwsService, Request, fetch_in_regions, keys_in_regions, needs_in_regions,
};
use super::contract::{Grant, Keys, Needs, Reach, Source};
use super::policy::{Scope, Statement, partition_of};
use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;
use crate::naming::Shape;

/// The Secrets Manager source.
pub struct SecretsManager;

impl Source for SecretsManager {
    type Target = Target;

    const MARKER: &'static str = "";

    fn parse(selector: &str) -> Result<Target, String> {
        Target::parse(selector)
    }

    fn check_shape(target: &Target, shape: &Shape) -> Result<(), String> {
        if target.prefix && (shape.alias.is_some() || shape.keys.is_some()) {
            return Err(
                "a prefix (ID*) selects whole secrets: it takes no ALIAS, and no #KEY list".into(),
            );
        }
        Ok(())
    }

    fn subject(target: &Target) -> String {
        if target.prefix {
            format!("secrets {}*", target.id)
        } else {
            format!("secret {}", target.id)
        }
    }

    async fn fetch(reach: &Reach<'_>, targets: Vec<Target>) -> Vec<Result<Vec<Entry>, Error>> {
        fetch_in_regions::<Self>(reach, targets).await
    }

    fn needs(targets: &[Target], grant: &Grant<'_>) -> Result<Needs, Error> {
        needs_in_regions::<Self>(targets, grant)
    }

    async fn encryption_keys(reach: &Reach<'_>, targets: Vec<Target>) -> Keys {
        keys_in_regions::<Self>(reach, targets).await
    }
}

impl AwsService for SecretsManager {
    const SERVICE: &'static str = "secretsmanager";

    fn arn_region(target: &Target) -> Option<&str> {
        target.arn_region()
    }

    async fn fetch_requests(
        session: &Session,
        requests: Vec<Request<Target>>,
    ) -> Vec<Result<Vec<Entry>, Error>> {
        fetch::fetch(session, requests).await
    }

    async fn key_ids(session: &Session, request: Request<Target>) -> Result<Vec<String>, String> {
        keys::key_ids(session, request).await
    }

    /// GetSecretValue on each secret (its ARN, or its name and any `-XXXXXX` suffix), and on
    /// each prefix; ListSecrets for prefixes. The batch call only with `scope.batch`: without
    /// it, awssecrets is denied the batch call once and reads each secret on its own.
    fn statements(requests: &[Request<Target>], scope: &Scope) -> Vec<Statement> {
        let arn = |request: &Request<Target>, name: &str| {
            format!(
                "arn:{}:secretsmanager:{}:{}:secret:{name}",
                partition_of(&request.region),
                request.region,
                scope.account
            )
        };
        let mut reads = Vec::new();
        let mut prefixes = false;
        for request in requests {
            let target = &request.target;
            let resource = match (&target.arn, target.prefix) {
                (Some(_), true) => format!("{}*", target.id),
                (None, true) => arn(request, &format!("{}*", target.id)),
                // A full ARN ends in the random suffix, a partial one does not; a name may end
                // like a suffix too, so such an ARN is allowed both ways.
                (Some(parts), false) if spec::without_random_suffix(&parts.name).is_some() => {
                    reads.push(target.id.clone());
                    format!("{}-??????", target.id)
                }
                (Some(_), false) => format!("{}-??????", target.id),
                (None, false) => arn(request, &format!("{}-??????", target.id)),
            };
            prefixes |= target.prefix;
            reads.push(resource);
        }
        let mut statements = vec![Statement::allow(
            "ReadSecrets",
            &["secretsmanager:GetSecretValue"],
            reads,
        )];
        if prefixes {
            statements.push(Statement::allow(
                "ListSecretsForPrefixes",
                &["secretsmanager:ListSecrets"],
                vec!["*".into()],
            ));
        }
        if scope.batch {
            statements.push(Statement::allow(
                "ReadSecretsInBatches",
                &["secretsmanager:BatchGetSecretValue"],
                vec!["*".into()],
            ));
        }
        statements
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_takes_no_alias_and_no_keys() {
        let prefix = Target::parse("ci/*").unwrap();
        let alias = Shape {
            alias: Some("A".into()),
            keys: None,
        };
        let keys = Shape {
            alias: None,
            keys: Some(vec!["k".into()]),
        };
        assert!(
            SecretsManager::check_shape(&prefix, &alias)
                .unwrap_err()
                .contains("no ALIAS")
        );
        assert!(
            SecretsManager::check_shape(&prefix, &keys)
                .unwrap_err()
                .contains("#KEY")
        );
        let one = Target::parse("ci/a").unwrap();
        assert!(SecretsManager::check_shape(&one, &alias).is_ok());
    }
}
