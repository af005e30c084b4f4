//! Fetching in as few round trips as the API allows: ids go out in BatchGetSecretValue calls of
//! at most 20, in parallel, per region (`ids`); a prefix goes through its name filter
//! (`prefix`); GetSecretValue serves where the batch call cannot (a version stage, a lone
//! secret, a caller whose policy denies the batch action) or should not: once a batch call is
//! throttled (its quota is 100 calls per second per account and region, GetSecretValue's
//! 10,000), the rest of the run fetches secret by secret, each backing off when throttled in
//! turn.

mod common;
mod explain;
mod ids;
mod prefix;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::task::JoinSet;

use super::service::client;
use super::spec::Target;
use crate::aws::Session;
use crate::error::Error;
use crate::model::Entry;
use crate::source::aws_service::Request;
use common::{IdGroup, IdResult, State, account, entry};
use ids::fetch_ids;
use prefix::{Prefix, PrefixResult, fetch_prefix};

enum Done {
    Ids(IdGroup, HashMap<String, IdResult>),
    Prefix(usize, PrefixResult),
}

/// Fetches every request's secrets (one for an id, all matches for a prefix), results in
/// request order; regions and batches run concurrently.
pub async fn fetch(
    session: &Session,
    requests: Vec<Request<Target>>,
) -> Vec<Result<Vec<Entry>, Error>> {
    let state = Arc::new(State {
        batch_denied: AtomicBool::new(false),
        batch_throttled: AtomicBool::new(false),
        budget: session.budget(),
        calls: session.calls.clone(),
    });
    let mut results: Vec<Option<Result<Vec<Entry>, Error>>> =
        requests.iter().map(|_| None).collect();
    let mut ids_by_group: BTreeMap<IdGroup, Vec<String>> = BTreeMap::new();
    let mut tasks = JoinSet::new();
    for (index, Request { target, region }) in requests.iter().enumerate() {
        if target.prefix {
            let (client, state) = (client(session, region), Arc::clone(&state));
            let prefix = Prefix {
                name: target.name_prefix(),
                arn: target.arn.as_ref().map(|_| target.id.clone()),
            };
            let version_stage = target.version_stage.clone();
            let region = region.clone();
            tasks.spawn(async move {
                let result = fetch_prefix(&client, &state, &region, &prefix, version_stage).await;
                Done::Prefix(index, result)
            });
        } else {
            let ids = ids_by_group
                .entry((region.clone(), target.version_stage.clone()))
                .or_default();
            if !ids.contains(&target.id) {
                ids.push(target.id.clone());
            }
        }
    }
    for (group, ids) in ids_by_group {
        let (client, state) = (client(session, &group.0), Arc::clone(&state));
        let version_stage = group.1.clone();
        let region = group.0.clone();
        tasks.spawn(async move {
            let results = fetch_ids(&client, &state, &region, ids, version_stage).await;
            Done::Ids(group, results)
        });
    }

    let mut by_id: HashMap<(IdGroup, String), IdResult> = HashMap::new();
    while let Some(done) = tasks.join_next().await {
        match done.expect("fetch tasks do not panic") {
            Done::Ids(group, results) => {
                by_id.extend(
                    results
                        .into_iter()
                        .map(|(id, result)| ((group.clone(), id), result)),
                );
            }
            Done::Prefix(index, result) => {
                results[index] = Some(prefix::outcome(session, &requests[index], result).await);
            }
        }
    }
    for (index, Request { target, region }) in requests.iter().enumerate() {
        if results[index].is_some() {
            continue;
        }
        let key = (
            (region.clone(), target.version_stage.clone()),
            target.id.clone(),
        );
        let subject = format!("secret {}", target.id);
        let outcome = match by_id.get(&key) {
            Some(Ok((secret, elapsed))) => Ok(vec![entry(
                subject,
                secret.clone(),
                region,
                *elapsed,
                false,
            )]),
            Some(Err(failure)) => {
                let failure = explain::explain_not_found(
                    &client(session, region),
                    &target.id,
                    target.version_stage.as_deref(),
                    failure.clone(),
                )
                .await;
                Err(session
                    .failure(subject, failure, region, account(target))
                    .await)
            }
            None => unreachable!("every id of a group gets a result"),
        };
        results[index] = Some(outcome);
    }
    results
        .into_iter()
        .map(|result| result.expect("every request has a result"))
        .collect()
}
