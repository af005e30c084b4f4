//! AWS Systems Manager Parameter Store: parameters by name or ARN, at a version or label, and
//! every parameter under a path. String, StringList (as stored) and SecureString (decrypted).

mod fetch;
mod keys;
mod service;
mod spec;

pub use spec::{ParameterArn, Selector, Target};

use super::aws_service::{
    AwsService, Request, fetch_in_regions, keys_in_regions, needs_in_regions,
};
use super::contract::{Grant, Keys, Needs, Reach, Source};
use super::policy::{Scope, Statement, partition_of};
use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;
use crate::naming::Shape;

/// The Parameter Store source.
pub struct ParameterStore;

impl Source for ParameterStore {
    type Target = Target;

    const MARKER: &'static str = "ssm:";

    fn parse(selector: &str) -> Result<Target, String> {
        Target::parse(selector)
    }

    fn check_shape(target: &Target, shape: &Shape) -> Result<(), String> {
        if target.is_path() && shape.keys.is_some() {
            return Err(
                "a path (ssm:/PATH/) selects whole parameters: it takes no #KEY list".into(),
            );
        }
        Ok(())
    }

    fn subject(target: &Target) -> String {
        if target.is_path() {
            format!("parameters {}", target.name)
        } else {
            format!("parameter {}", target.request())
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

impl AwsService for ParameterStore {
    const SERVICE: &'static str = "ssm";

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

    /// GetParameters on each parameter, GetParametersByPath on each path (the path itself is
    /// what IAM checks; its `/*` is added for the levels below). SecureString parameters under
    /// the AWS managed key need no more; a customer managed key needs kms:Decrypt (`--kms-key`).
    fn statements(requests: &[Request<Target>], scope: &Scope) -> Vec<Statement> {
        let arn = |request: &Request<Target>, name: &str| {
            let region = &request.region;
            let (partition, account) = match &request.target.arn {
                Some(arn) => (arn.partition.clone(), arn.account.clone()),
                None => (partition_of(region).to_owned(), scope.account.clone()),
            };
            format!(
                "arn:{partition}:ssm:{region}:{account}:parameter/{}",
                name.trim_start_matches('/')
            )
        };
        let (mut names, mut paths) = (Vec::new(), Vec::new());
        for request in requests {
            let name = &request.target.name;
            if request.target.is_path() {
                let path = name.trim_end_matches('/');
                paths.push(arn(request, path));
                paths.push(arn(request, &format!("{path}/*")));
            } else {
                names.push(arn(request, name));
            }
        }
        let mut statements = Vec::new();
        if !names.is_empty() {
            statements.push(Statement::allow(
                "ReadParameters",
                &["ssm:GetParameters"],
                names,
            ));
        }
        if !paths.is_empty() {
            statements.push(Statement::allow(
                "ReadParameterPaths",
                &["ssm:GetParametersByPath"],
                paths,
            ));
        }
        statements
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_takes_an_alias_but_no_keys() {
        let path = Target::parse("/ci/app/").unwrap();
        let alias = Shape {
            alias: Some("APP".into()),
            keys: None,
        };
        let keys = Shape {
            alias: None,
            keys: Some(vec!["k".into()]),
        };
        assert!(ParameterStore::check_shape(&path, &alias).is_ok());
        assert!(
            ParameterStore::check_shape(&path, &keys)
                .unwrap_err()
                .contains("#KEY")
        );
        let one = Target::parse("/ci/db").unwrap();
        assert!(ParameterStore::check_shape(&one, &keys).is_ok());
    }
}
