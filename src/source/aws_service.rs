//! What an AWS service adds to a source: a region for each target (its ARN's, else the run's),
//! fetching through the run's session, and the IAM statements and KMS services of a policy.
//! A service implements [`AwsService`] and hands [`Source::fetch`] and [`Source::needs`] to
//! [`fetch_in_regions`] and [`needs_in_regions`].

use std::future::Future;

use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;

use super::contract::{Grant, Keys, Needs, Reach, Source};
use super::policy::{Scope, Statement};

/// An AWS service as a source.
pub trait AwsService: Source {
    /// Its service name in endpoints and ARNs (`ssm`).
    const SERVICE: &'static str;

    /// The region `target`'s ARN names, which wins over the run's region.
    fn arn_region(target: &Self::Target) -> Option<&str>;

    /// Fetches every request in as few round trips as the API allows; one result per request,
    /// in request order.
    fn fetch_requests(
        session: &Session,
        requests: Vec<Request<Self::Target>>,
    ) -> impl Future<Output = Vec<Result<Vec<Entry>, Error>>>;

    /// The IAM statements fetching every request needs, and nothing more.
    fn statements(requests: &[Request<Self::Target>], scope: &Scope) -> Vec<Statement>;

    /// The KMS keys the request's values are encrypted with (as the service names them: an
    /// ARN, a key id, an alias; none for the AWS managed key), or why they could not be looked
    /// up.
    fn key_ids(
        session: &Session,
        request: Request<Self::Target>,
    ) -> impl Future<Output = Result<Vec<String>, String>>;
}

/// [`Source::encryption_keys`] of an AWS service: each target's key, looked up in its region;
/// AWS managed keys left out, the others as key ARNs.
pub async fn keys_in_regions<S: AwsService>(reach: &Reach<'_>, targets: Vec<S::Target>) -> Keys {
    let mut keys = Keys::default();
    let mut requests = Vec::new();
    for target in targets {
        match reach
            .session
            .region_for(S::arn_region(&target), &S::subject(&target))
        {
            Ok(region) => requests.push(Request { target, region }),
            Err(error) => keys.unknown.push(error.to_string()),
        }
    }
    let account = reach.session.caller().await.map(|caller| caller.account);
    for request in requests {
        let region = request.region.clone();
        match S::key_ids(reach.session, request).await {
            Ok(found) => {
                for key in found {
                    match key_arn(&key, &region, account.as_deref()) {
                        Ok(Some(arn)) => keys.arns.push(arn),
                        Ok(None) => {}
                        Err(why) => keys.unknown.push(why),
                    }
                }
            }
            Err(why) => keys.unknown.push(why),
        }
    }
    keys.arns.sort();
    keys.arns.dedup();
    keys
}

/// The ARN of the customer managed key a service names (`None`: an AWS managed key, which
/// needs no permission), or why it cannot be one (an alias: only KMS resolves it).
/// Why the KMS key of `subject` (`secret ci/db`, `parameters /ci/app/`) is not known, for
/// `policy`'s stderr: the call that failed and AWS's explanation, on one line.
pub fn key_lookup_failed(subject: &str, failure: crate::error::Failure) -> String {
    format!(
        "the KMS key of {subject} could not be looked up ({}{}); if it is customer managed, \
         pass it with --kms-key",
        failure.action.unwrap_or("a call"),
        failure
            .message
            .map(|message| format!(": {}", message.replace(['\n', '\r'], " ")))
            .unwrap_or_default()
    )
}

fn key_arn(key: &str, region: &str, account: Option<&str>) -> Result<Option<String>, String> {
    let name = key.rsplit_once(':').map_or(key, |(_, name)| name);
    if name.starts_with("alias/aws/") {
        return Ok(None);
    }
    if name.starts_with("alias/") {
        return Err(format!(
            "{key} is an alias: give the ARN of its key with --kms-key (aws kms describe-key \
             --key-id {key})"
        ));
    }
    if key.starts_with("arn:") {
        return Ok(Some(key.to_owned()));
    }
    let account = account.ok_or_else(|| {
        format!("key {key}: the caller's account is unknown, so its ARN is; pass it with --kms-key")
    })?;
    Ok(Some(format!(
        "arn:{}:kms:{region}:{account}:key/{key}",
        super::policy::partition_of(region)
    )))
}

/// One target with the region it is fetched from.
#[derive(Debug, Clone)]
pub struct Request<T> {
    pub target: T,
    pub region: String,
}

/// [`Source::fetch`] of an AWS service: each target in its region (a target without one fails
/// alone), then fetched through the session.
pub async fn fetch_in_regions<S: AwsService>(
    reach: &Reach<'_>,
    targets: Vec<S::Target>,
) -> Vec<Result<Vec<Entry>, Error>> {
    let mut results: Vec<Option<Result<Vec<Entry>, Error>>> =
        targets.iter().map(|_| None).collect();
    let mut indexes = Vec::new();
    let mut requests = Vec::new();
    for (index, target) in targets.into_iter().enumerate() {
        match reach
            .session
            .region_for(S::arn_region(&target), &S::subject(&target))
        {
            Ok(region) => {
                indexes.push(index);
                requests.push(Request { target, region });
            }
            Err(error) => results[index] = Some(Err(error)),
        }
    }
    if !requests.is_empty() {
        let fetched = S::fetch_requests(reach.session, requests).await;
        for (index, result) in indexes.into_iter().zip(fetched) {
            results[index] = Some(result);
        }
    }
    results
        .into_iter()
        .map(|result| result.expect("every target has a result"))
        .collect()
}

/// [`Source::needs`] of an AWS service: its statements, each target in its region, and the
/// service endpoint of each region for `kms:ViaService`.
pub fn needs_in_regions<S: AwsService>(
    targets: &[S::Target],
    grant: &Grant<'_>,
) -> Result<Needs, Error> {
    let mut requests = Vec::with_capacity(targets.len());
    for target in targets {
        requests.push(Request {
            region: (grant.region_for)(S::arn_region(target))?,
            target: target.clone(),
        });
    }
    let mut decrypts_via: Vec<String> = requests
        .iter()
        .map(|request| format!("{}.{}.amazonaws.com", S::SERVICE, request.region))
        .collect();
    decrypts_via.sort();
    decrypts_via.dedup();
    Ok(Needs {
        statements: if requests.is_empty() {
            Vec::new()
        } else {
            S::statements(&requests, grant.scope)
        },
        decrypts_via,
    })
}
