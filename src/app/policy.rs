//! `awssecrets policy`: the least-privilege identity policy the SPECs need (each source's own
//! statements), or the trust policy that lets a CI job's OIDC token assume the role.

use serde_json::{Value, json};

use crate::aws;
use crate::error::{Error, Wording};
use crate::log::Log;
use crate::source::{
    self, Grant, Keys, Reach,
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
    let log = Log::new(request.verbosity, Wording::CommandLine);
    // The account: given (then no AWS call at all), else the caller's (one GetCallerIdentity),
    // who also looks up the KMS keys the values are encrypted with.
    let (account, region, keys) = match &request.account {
        Some(account) => {
            if request.trust.is_none() {
                log.info(
                    "with --account, no AWS call is made: the KMS keys of the values are not \
                     looked up (pass customer managed ones with --kms-key)",
                );
            }
            (
                account.clone(),
                runtime()?.block_on(aws::default_region(&request.aws)),
                Keys::default(),
            )
        }
        None => runtime()?.block_on(async {
            let session = aws::connect(&request.aws, log).await?;
            let identity = session.caller_identity().await?;
            let keys = match &request.trust {
                Some(_) => Keys::default(),
                None => source::encryption_keys(&Reach { session: &session }, &request.specs).await,
            };
            Ok::<_, Error>((identity.account, session.default_region.clone(), keys))
        })?,
    };
    for unknown in &keys.unknown {
        log.warn(unknown);
    }
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
            let mut kms_keys = request.kms_keys.clone();
            kms_keys.extend(keys.arns);
            kms_keys.sort();
            kms_keys.dedup();
            if !kms_keys.is_empty() {
                let mut services = needs.decrypts_via;
                services.sort();
                services.dedup();
                statements.push(decrypt_statement(&kms_keys, &services));
            }
            identity_policy(&statements)
        }
    };
    let mut text = serde_json::to_vec_pretty(&document).expect("a policy serializes");
    text.push(b'\n');
    write_stdout(&text)?;
    Ok(0)
}
