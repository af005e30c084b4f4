//! `awssecrets policy`: the least-privilege identity policy the SPECs need (each source's own
//! statements), or the trust policy that lets a CI job's OIDC token assume the role.

use serde_json::{Value, json};

use crate::aws;
use crate::error::Error;
use crate::source::{
    self, Grant,
    policy::{Scope, Statement, decrypt_statement, partition_of},
};

use super::request::{Policy, SECRETS_ENV};
use super::stdout::{runtime, write_stdout};

/// An identity policy document of `statements`.
pub fn identity_policy(statements: &[Statement]) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

pub fn policy(request: Policy) -> Result<u8, Error> {
    if request.trust.is_none() && request.specs.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to write a policy for: pass --secret SPEC (or set {SECRETS_ENV}), or --trust"
        )));
    }
    // The account: given (then no AWS call at all), else the caller's (one GetCallerIdentity).
    let (account, region) = match &request.account {
        Some(account) => (
            account.clone(),
            runtime()?.block_on(aws::default_region(&request.aws)),
        ),
        None => runtime()?.block_on(async {
            let session = aws::connect(&request.aws).await?;
            let identity = session.caller_identity().await?;
            Ok::<_, Error>((identity.account, session.default_region.clone()))
        })?,
    };
    let document = match &request.trust {
        Some(trust) => {
            let partition = partition_of(region.as_deref().unwrap_or("us-east-1"));
            trust.policy(partition, &account)
        }
        None => {
            let region_for = |arn_region: Option<&str>| match (arn_region, &region) {
                (Some(arn_region), _) => Ok(arn_region.to_owned()),
                (None, Some(region)) => Ok(region.clone()),
                (None, None) => Err(Error::Usage(
                    "no AWS region for the SPECs without an ARN: pass --region or set AWS_REGION"
                        .into(),
                )),
            };
            let scope = Scope {
                account,
                batch: request.batch,
            };
            let grant = Grant {
                scope: &scope,
                region_for: &region_for,
            };
            let needs = source::needs(&request.specs, &grant)?;
            let mut statements = needs.statements;
            if !request.kms_keys.is_empty() {
                let mut services = needs.decrypts_via;
                services.sort();
                services.dedup();
                statements.push(decrypt_statement(&request.kms_keys, &services));
            }
            identity_policy(&statements)
        }
    };
    let mut text = serde_json::to_vec_pretty(&document).expect("a policy serializes");
    text.push(b'\n');
    write_stdout(&text)?;
    Ok(0)
}
