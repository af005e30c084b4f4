//! What fetching by ids and by prefixes share: the secret as fetched, the run's state (batch
//! calls denied or throttled), and GetSecretValue, one secret at a time.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::batch_get_secret_value::BatchGetSecretValueOutput;
use aws_sdk_secretsmanager::operation::batch_get_secret_value::builders::BatchGetSecretValueFluentBuilder;
use aws_sdk_secretsmanager::types::{ApiErrorType, SecretValueEntry};
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use super::super::service::codes;
use super::super::spec::Target;
use crate::aws::{CallBudget, OnThrottling, classify, classify_service_error, every_page};
use crate::error::{Failure, FailureKind};
use crate::model::{Entry, Payload, SecretValue};

/// BatchGetSecretValue takes at most this many ids (AWS enforces it; emulators may not).
pub const BATCH_LIMIT: usize = 20;

/// One secret as fetched.
#[derive(Debug, Clone)]
pub(super) struct Secret {
    /// The secret's name as Secrets Manager reports it (not the ARN).
    pub name: String,
    pub payload: Payload,
}

/// What fetching learned for the rest of the run, and the budget its calls share.
#[derive(Debug)]
pub(super) struct State {
    /// The caller's policy denies BatchGetSecretValue.
    pub batch_denied: AtomicBool,
    /// A BatchGetSecretValue was throttled.
    pub batch_throttled: AtomicBool,
    pub budget: Arc<CallBudget>,
    pub calls: crate::aws::CallCounter,
}

impl State {
    /// Whether secrets are fetched one by one from now on.
    pub fn singles_only(&self) -> bool {
        self.batch_denied.load(Ordering::SeqCst) || self.batch_throttled.load(Ordering::SeqCst)
    }

    /// Why a batch call is not made at all, once the run has switched to single calls: what
    /// made it switch, as a failure that switches a caller too. Checked when the call has its
    /// place in flight, so a batch waiting for one learns what those before it met.
    pub fn batch_given_up(&self) -> Option<Failure> {
        if self.batch_denied.load(Ordering::SeqCst) {
            Some(Failure::new(
                FailureKind::AccessDenied,
                "BatchGetSecretValue was denied earlier in this run",
            ))
        } else if self.batch_throttled.load(Ordering::SeqCst) {
            Some(Failure::new(
                FailureKind::Throttled,
                "BatchGetSecretValue was throttled earlier in this run",
            ))
        } else {
            None
        }
    }

    /// Switches the rest of the run to single calls when a failed batch call calls for it (the
    /// caller's policy denies the batch action, or it was throttled); whether it did.
    pub fn switch_to_singles(&self, failure: &Failure, region: &str) -> bool {
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

/// Every page of a BatchGetSecretValue that `ask` sets up (by ids, or by a name filter),
/// throttling given back at once; unless the run has switched to single calls by the time the
/// call has its place in flight. `take` gets each answer and how long it took, and gives its
/// NextToken.
pub(super) async fn batch_pages(
    client: &Client,
    state: &State,
    ask: impl Fn(BatchGetSecretValueFluentBuilder) -> BatchGetSecretValueFluentBuilder,
    take: impl FnMut(BatchGetSecretValueOutput, Duration) -> Option<String>,
) -> Result<(), Failure> {
    let ask = &ask;
    every_page(
        &state.budget,
        OnThrottling::GiveUp,
        |token| async move {
            if let Some(given_up) = state.batch_given_up() {
                return Err(given_up);
            }
            ask(client.batch_get_secret_value())
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| {
                    classify(&error, codes).during("secretsmanager:BatchGetSecretValue")
                })
        },
        take,
    )
    .await
}

/// A per-secret error of a batch answer: the secret id it names, and why it failed.
pub(super) fn batch_error(error: ApiErrorType) -> (Option<String>, Failure) {
    let failure = classify_service_error(400, error.error_code.as_deref(), error.message, codes);
    (error.secret_id, failure)
}

/// What a secret id gave: the secret and how long its call took, or why not.
pub(super) type IdResult = Result<(Secret, Duration), Failure>;

/// Ids are fetched together per region and version stage.
pub(super) type IdGroup = (String, Option<String>);

/// The entry of a fetched secret; `found_by_listing` when a prefix found it.
pub(super) fn entry(
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
pub(super) fn account(target: &Target) -> Option<&str> {
    target.arn.as_ref().map(|arn| arn.account.as_str())
}

/// (name, ARN, secret) of a batch entry.
pub(super) fn fetched_from_entry(mut entry: SecretValueEntry) -> (String, Option<String>, Secret) {
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
pub(super) async fn get_each(
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
                .map_err(|error| classify(&error, codes).during("secretsmanager:GetSecretValue"))
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
