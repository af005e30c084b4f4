//! Fetching in as few round trips as the API allows: ids go out in BatchGetSecretValue calls of
//! at most 20, in parallel, per region (`ids`); a prefix goes through its name filter
//! (`prefix`); GetSecretValue serves where the batch call cannot (a version stage, a lone
//! secret, a caller whose policy denies the batch action) or should not: once a batch call is
//! throttled (its quota is 100 calls per second per account and region, GetSecretValue's
//! 10,000), the rest of the run fetches secret by secret, each backing off when throttled in
//! turn.

mod ids;
mod prefix;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::SecretValueEntry;
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use super::{Target, client, codes};
use crate::aws::{CallBudget, OnThrottling, Session, classify};
use crate::error::{Error, Failure, FailureKind};
use crate::model::{Entry, Payload, SecretValue};
use crate::source::Request;
use ids::fetch_ids;
use prefix::{Prefix, PrefixResult, fetch_prefix};

/// BatchGetSecretValue takes at most this many ids (AWS enforces it; emulators may not).
pub const BATCH_LIMIT: usize = 20;

/// One secret as fetched.
#[derive(Debug, Clone)]
struct Secret {
    /// The secret's name as Secrets Manager reports it (not the ARN).
    name: String,
    payload: Payload,
}

/// What fetching learned for the rest of the run, and the budget its calls share.
#[derive(Debug)]
struct State {
    /// The caller's policy denies BatchGetSecretValue.
    batch_denied: AtomicBool,
    /// A BatchGetSecretValue was throttled.
    batch_throttled: AtomicBool,
    budget: Arc<CallBudget>,
    calls: crate::aws::CallCounter,
}

impl State {
    /// Whether secrets are fetched one by one from now on.
    fn singles_only(&self) -> bool {
        self.batch_denied.load(Ordering::SeqCst) || self.batch_throttled.load(Ordering::SeqCst)
    }

    /// Switches the rest of the run to single calls when a failed batch call calls for it (the
    /// caller's policy denies the batch action, or it was throttled); whether it did.
    fn switch_to_singles(&self, failure: &Failure, region: &str) -> bool {
        match failure.kind {
            // Least-privilege policies often grant GetSecretValue alone.
            FailureKind::AccessDenied => self.batch_denied.store(true, Ordering::SeqCst),
            FailureKind::Throttled => {
                if !self.batch_throttled.swap(true, Ordering::SeqCst) {
                    self.calls.note(format!(
                        "BatchGetSecretValue was throttled in {region}: the rest of the run \
                         fetches each secret with GetSecretValue (a quota 100 times larger), \
                         backing off when throttled"
                    ));
                }
            }
            _ => return false,
        }
        true
    }
}

/// What a secret id gave: the secret and how long its call took, or why not.
type IdResult = Result<(Secret, Duration), Failure>;

/// Ids are fetched together per region and version stage.
type IdGroup = (String, Option<String>);

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
            Some(Err(failure)) => Err(session
                .failure(subject, failure.clone(), region, account(target))
                .await),
            None => unreachable!("every id of a group gets a result"),
        };
        results[index] = Some(outcome);
    }
    results
        .into_iter()
        .map(|result| result.expect("every request has a result"))
        .collect()
}

/// The entry of a fetched secret; `found_by_listing` when a prefix found it.
fn entry(
    subject: String,
    secret: Secret,
    region: &str,
    elapsed: Duration,
    found_by_listing: bool,
) -> Entry {
    Entry {
        subject,
        name: secret.name.clone(),
        stem: secret.name,
        relative: false,
        found_by_listing,
        payload: secret.payload,
        region: region.to_owned(),
        elapsed,
    }
}

/// The account an ARN names, for not-found messages.
fn account(target: &Target) -> Option<&str> {
    target.arn.as_ref().map(|arn| arn.account.as_str())
}

/// (name, ARN, secret) of a batch entry.
fn fetched_from_entry(mut entry: SecretValueEntry) -> (String, Option<String>, Secret) {
    let name = entry.name.take().unwrap_or_default();
    let payload = payload(
        entry.secret_string.take(),
        entry.secret_binary.take().map(|blob| blob.into_inner()),
    );
    let secret = Secret {
        name: name.clone(),
        payload,
    };
    (name, entry.arn.take(), secret)
}

fn payload(text: Option<String>, binary: Option<Vec<u8>>) -> Payload {
    match (text, binary) {
        (Some(text), _) => Payload::Text(SecretValue::new(text)),
        (None, Some(bytes)) => Payload::Binary(Zeroizing::new(bytes)),
        (None, None) => Payload::Text(SecretValue::default()),
    }
}

/// GetSecretValue for each id, concurrently (within the run's places in flight).
async fn get_each(
    client: &Client,
    state: &Arc<State>,
    ids: Vec<String>,
    version_stage: Option<String>,
) -> HashMap<String, IdResult> {
    let mut calls = JoinSet::new();
    for id in ids {
        let (client, version_stage) = (client.clone(), version_stage.clone());
        let budget = Arc::clone(&state.budget);
        calls.spawn(async move {
            let started = Instant::now();
            let result = get_one(&client, &budget, &id, version_stage).await;
            (id, result.map(|secret| (secret, started.elapsed())))
        });
    }
    let mut results = HashMap::new();
    while let Some(call) = calls.join_next().await {
        let (id, result) = call.expect("fetch tasks do not panic");
        results.insert(id, result);
    }
    results
}

/// One GetSecretValue, backing off while throttled.
async fn get_one(
    client: &Client,
    budget: &CallBudget,
    id: &str,
    version_stage: Option<String>,
) -> Result<Secret, Failure> {
    let mut output = budget
        .call(OnThrottling::BackOff, || async {
            client
                .get_secret_value()
                .secret_id(id)
                .set_version_stage(version_stage.clone())
                .send()
                .await
                .map_err(|error| classify(&error, codes))
        })
        .await?;
    Ok(Secret {
        name: output.name.take().unwrap_or_else(|| id.to_owned()),
        payload: payload(
            output.secret_string.take(),
            output.secret_binary.take().map(|blob| blob.into_inner()),
        ),
    })
}
