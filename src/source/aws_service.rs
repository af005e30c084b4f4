//! What an AWS service adds to a source: a region for each target (its ARN's, else the run's),
//! fetching through the run's session, and the IAM statements and KMS services of a policy.
//! A service implements [`AwsService`] and hands [`Source::fetch`] and [`Source::needs`] to
//! [`fetch_in_regions`] and [`needs_in_regions`].

use std::future::Future;

use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;

use super::contract::{Grant, Needs, Reach, Source};
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
