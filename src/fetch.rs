//! Fetching in as few round trips as the API allows: ids go out in BatchGetSecretValue calls of
//! at most 20, in parallel, per region; a prefix goes through its name filter; GetSecretValue
//! serves where the batch call cannot (a version stage, a lone secret, a caller whose policy
//! denies the batch action, which is then remembered for the rest of the run).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, SecretValueEntry};
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use crate::aws::{AwsSession, Classified, classify, classify_service_error};
use crate::error::Error;
use crate::secret::{FetchedSecret, SecretPayload, SecretValue};
use crate::spec::SecretSpec;

/// BatchGetSecretValue takes at most this many ids (AWS enforces it; emulators may not).
pub const BATCH_LIMIT: usize = 20;

/// One secret as fetched, with where and how long.
#[derive(Debug)]
pub struct Fetched {
    pub secret: FetchedSecret,
    pub region: String,
    pub elapsed: Duration,
}

/// Counts API calls and remembers, for the rest of the run, that the batch action is denied.
#[derive(Debug, Default)]
pub struct FetchState {
    pub calls: AtomicUsize,
    batch_denied: AtomicBool,
}

/// What a secret id gave: the secret and how long its call took, or why not.
type IdResult = Result<(FetchedSecret, Duration), Classified>;

/// What a prefix gave: its secrets, and the matched secrets that failed (name, why).
type PrefixResult = Result<(Vec<(FetchedSecret, Duration)>, Vec<(String, Classified)>), Classified>;

enum Done {
    Ids(String, HashMap<String, IdResult>),
    Prefix(String, usize, PrefixResult),
}

impl AwsSession {
    /// Fetches every spec's secrets (one for an id, all matches for a prefix), results in
    /// `specs` order; regions and batches run concurrently.
    pub async fn fetch_secrets(
        &self,
        specs: &[SecretSpec],
        version_stage: Option<&str>,
    ) -> Vec<Result<Vec<Fetched>, Error>> {
        let mut results: Vec<Option<Result<Vec<Fetched>, Error>>> =
            specs.iter().map(|_| None).collect();
        let mut ids_by_region: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut tasks = JoinSet::new();
        for (index, spec) in specs.iter().enumerate() {
            let region = match self.region_for(spec) {
                Ok(region) => region,
                Err(error) => {
                    results[index] = Some(Err(error));
                    continue;
                }
            };
            if spec.prefix {
                let (client, state, prefix) = (
                    self.secrets_client(&region),
                    Arc::clone(&self.state),
                    spec.name_prefix(),
                );
                tasks.spawn(async move {
                    let result = fetch_prefix(&client, &state, &prefix).await;
                    Done::Prefix(region, index, result)
                });
            } else {
                let ids = ids_by_region.entry(region).or_default();
                if !ids.contains(&spec.id) {
                    ids.push(spec.id.clone());
                }
            }
        }
        for (region, ids) in ids_by_region {
            let (client, state) = (self.secrets_client(&region), Arc::clone(&self.state));
            let version_stage = version_stage.map(str::to_owned);
            tasks.spawn(async move {
                let results = fetch_ids(&client, &state, ids, version_stage).await;
                Done::Ids(region, results)
            });
        }

        let mut by_id: HashMap<(String, String), IdResult> = HashMap::new();
        while let Some(done) = tasks.join_next().await {
            match done.expect("fetch tasks do not panic") {
                Done::Ids(region, results) => {
                    by_id.extend(
                        results
                            .into_iter()
                            .map(|(id, result)| ((region.clone(), id), result)),
                    );
                }
                Done::Prefix(region, index, result) => {
                    results[index] =
                        Some(self.prefix_outcome(&specs[index], &region, result).await);
                }
            }
        }
        for (index, spec) in specs.iter().enumerate() {
            if results[index].is_some() {
                continue;
            }
            let region = self.region_for(spec).expect("checked above");
            let outcome = match by_id.get(&(region.clone(), spec.id.clone())) {
                Some(Ok((secret, elapsed))) => Ok(vec![Fetched {
                    secret: secret.clone(),
                    region,
                    elapsed: *elapsed,
                }]),
                Some(Err(classified)) => Err(self
                    .failure(
                        format!("secret {}", spec.id),
                        spec,
                        &region,
                        classified.clone(),
                    )
                    .await),
                None => unreachable!("every id of a region gets a result"),
            };
            results[index] = Some(outcome);
        }
        results
            .into_iter()
            .map(|result| result.expect("every spec has a result"))
            .collect()
    }

    async fn prefix_outcome(
        &self,
        spec: &SecretSpec,
        region: &str,
        result: PrefixResult,
    ) -> Result<Vec<Fetched>, Error> {
        let subject = format!("secrets {}*", spec.id);
        let (found, failed) = match result {
            Ok(found) => found,
            Err(classified) => return Err(self.failure(subject, spec, region, classified).await),
        };
        let mut errors = Vec::new();
        for (name, classified) in failed {
            errors.push(
                self.failure(
                    format!("secret {name} (matched by {}*)", spec.id),
                    spec,
                    region,
                    classified,
                )
                .await,
            );
        }
        if let Some(error) = Error::from_many(errors) {
            return Err(error);
        }
        if found.is_empty() {
            return Err(self
                .failure(
                    subject,
                    spec,
                    region,
                    Classified::NotFound(Some("no secret name starts with this prefix".into())),
                )
                .await);
        }
        Ok(found
            .into_iter()
            .map(|(secret, elapsed)| Fetched {
                secret,
                region: region.to_owned(),
                elapsed,
            })
            .collect())
    }
}

/// Ids of one region: batches of [`BATCH_LIMIT`] in parallel, or one GetSecretValue each.
async fn fetch_ids(
    client: &Client,
    state: &Arc<FetchState>,
    ids: Vec<String>,
    version_stage: Option<String>,
) -> HashMap<String, IdResult> {
    if version_stage.is_some() || ids.len() == 1 || state.batch_denied.load(Ordering::SeqCst) {
        return get_each(client, state, ids, version_stage).await;
    }
    let mut batches = JoinSet::new();
    for chunk in ids.chunks(BATCH_LIMIT) {
        let (client, state, chunk) = (client.clone(), Arc::clone(state), chunk.to_vec());
        batches.spawn(async move {
            let started = Instant::now();
            match batch_by_ids(&client, &state, &chunk).await {
                Ok(mut found) => {
                    let elapsed = started.elapsed();
                    let mut results: HashMap<String, IdResult> = found
                        .drain()
                        .map(|(id, result)| (id, result.map(|secret| (secret, elapsed))))
                        .collect();
                    // An id the answer does not account for is asked for on its own.
                    let missing: Vec<String> = chunk
                        .iter()
                        .filter(|id| !results.contains_key(*id))
                        .cloned()
                        .collect();
                    if !missing.is_empty() {
                        results.extend(get_each(&client, &state, missing, None).await);
                    }
                    results
                }
                Err(Classified::AccessDenied(_)) => {
                    // Least-privilege policies often grant GetSecretValue alone.
                    state.batch_denied.store(true, Ordering::SeqCst);
                    get_each(&client, &state, chunk, None).await
                }
                // A whole-call error about one secret (some endpoints answer so instead of
                // per-secret Errors[]): ask for each on its own to say which.
                Err(Classified::NotFound(_) | Classified::Decryption(_) | Classified::Other(_)) => {
                    get_each(&client, &state, chunk, None).await
                }
                Err(other) => chunk
                    .into_iter()
                    .map(|id| (id, Err(other.clone())))
                    .collect(),
            }
        });
    }
    let mut results = HashMap::new();
    while let Some(batch) = batches.join_next().await {
        results.extend(batch.expect("batch tasks do not panic"));
    }
    results
}

/// One BatchGetSecretValue by ids (following NextToken); each id's secret or per-secret error.
async fn batch_by_ids(
    client: &Client,
    state: &FetchState,
    ids: &[String],
) -> Result<HashMap<String, Result<FetchedSecret, Classified>>, Classified> {
    let mut results = HashMap::new();
    let mut next_token = None;
    loop {
        state.calls.fetch_add(1, Ordering::SeqCst);
        let output = client
            .batch_get_secret_value()
            .set_secret_id_list(Some(ids.to_vec()))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|error| classify(&error))?;
        for entry in output.secret_values.unwrap_or_default() {
            let secret = fetched_from_entry(entry);
            if let Some(id) = ids
                .iter()
                .find(|id| names_secret(id, &secret.0, secret.1.as_deref()))
            {
                results.insert(id.clone(), Ok(secret.2));
            }
        }
        for error in output.errors.unwrap_or_default() {
            if let Some(id) = error.secret_id {
                let classified =
                    classify_service_error(400, error.error_code.as_deref(), error.message);
                results.insert(id, Err(classified));
            }
        }
        next_token = output.next_token.filter(|token| !token.is_empty());
        if next_token.is_none() {
            return Ok(results);
        }
    }
}

/// Whether the requested id (a name, a full ARN, or a partial ARN without the `-XXXXXX`
/// suffix) designates the secret named `name` with ARN `arn`.
pub fn names_secret(id: &str, name: &str, arn: Option<&str>) -> bool {
    if id == name {
        return true;
    }
    let Some(arn) = arn else {
        return false;
    };
    id == arn
        || (id.starts_with("arn:")
            && arn.len() == id.len() + 7
            && arn.starts_with(id)
            && arn.as_bytes()[id.len()] == b'-')
}

/// (name, ARN, secret) of a batch entry.
fn fetched_from_entry(mut entry: SecretValueEntry) -> (String, Option<String>, FetchedSecret) {
    let name = entry.name.take().unwrap_or_default();
    let payload = payload(
        entry.secret_string.take(),
        entry.secret_binary.take().map(|blob| blob.into_inner()),
    );
    let secret = FetchedSecret {
        name: name.clone(),
        payload,
    };
    (name, entry.arn.take(), secret)
}

fn payload(text: Option<String>, binary: Option<Vec<u8>>) -> SecretPayload {
    match (text, binary) {
        (Some(text), _) => SecretPayload::Text(SecretValue::new(text)),
        (None, Some(bytes)) => SecretPayload::Binary(Zeroizing::new(bytes)),
        (None, None) => SecretPayload::Text(SecretValue::default()),
    }
}

/// GetSecretValue for each id, concurrently.
async fn get_each(
    client: &Client,
    state: &Arc<FetchState>,
    ids: Vec<String>,
    version_stage: Option<String>,
) -> HashMap<String, IdResult> {
    let mut calls = JoinSet::new();
    for id in ids {
        let (client, state, version_stage) =
            (client.clone(), Arc::clone(state), version_stage.clone());
        calls.spawn(async move {
            let started = Instant::now();
            let result = get_one(&client, &state, &id, version_stage).await;
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

async fn get_one(
    client: &Client,
    state: &FetchState,
    id: &str,
    version_stage: Option<String>,
) -> Result<FetchedSecret, Classified> {
    state.calls.fetch_add(1, Ordering::SeqCst);
    let mut output = client
        .get_secret_value()
        .secret_id(id)
        .set_version_stage(version_stage)
        .send()
        .await
        .map_err(|error| classify(&error))?;
    Ok(FetchedSecret {
        name: output.name.take().unwrap_or_else(|| id.to_owned()),
        payload: payload(
            output.secret_string.take(),
            output.secret_binary.take().map(|blob| blob.into_inner()),
        ),
    })
}

/// Every secret whose name starts with `prefix`, sorted by name: BatchGetSecretValue with a
/// name filter, or ListSecrets and GetSecretValue when the batch action is denied.
async fn fetch_prefix(client: &Client, state: &Arc<FetchState>, prefix: &str) -> PrefixResult {
    let mut result = if state.batch_denied.load(Ordering::SeqCst) {
        list_then_get(client, state, prefix).await
    } else {
        match batch_by_prefix(client, state, prefix).await {
            Err(Classified::AccessDenied(_)) => {
                state.batch_denied.store(true, Ordering::SeqCst);
                list_then_get(client, state, prefix).await
            }
            other => other,
        }
    };
    if let Ok((found, _)) = &mut result {
        found.sort_by(|(left, _), (right, _)| left.name.cmp(&right.name));
    }
    result
}

fn name_filter(prefix: &str) -> Filter {
    Filter::builder()
        .key(FilterNameStringType::Name)
        .values(prefix)
        .build()
}

async fn batch_by_prefix(client: &Client, state: &FetchState, prefix: &str) -> PrefixResult {
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let mut next_token = None;
    loop {
        state.calls.fetch_add(1, Ordering::SeqCst);
        let started = Instant::now();
        let output = client
            .batch_get_secret_value()
            .filters(name_filter(prefix))
            .max_results(BATCH_LIMIT as i32)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|error| classify(&error))?;
        let elapsed = started.elapsed();
        // The service's name filter is looser (case-insensitive, word matches): keep exact prefixes.
        for entry in output.secret_values.unwrap_or_default() {
            let (name, _, secret) = fetched_from_entry(entry);
            if name.starts_with(prefix) {
                found.push((secret, elapsed));
            }
        }
        for error in output.errors.unwrap_or_default() {
            let name = error.secret_id.unwrap_or_default();
            if name.starts_with(prefix) || name.starts_with("arn:") {
                failed.push((
                    name,
                    classify_service_error(400, error.error_code.as_deref(), error.message),
                ));
            }
        }
        next_token = output.next_token.filter(|token| !token.is_empty());
        if next_token.is_none() {
            return Ok((found, failed));
        }
    }
}

async fn list_then_get(client: &Client, state: &Arc<FetchState>, prefix: &str) -> PrefixResult {
    let mut names = Vec::new();
    let mut next_token = None;
    loop {
        state.calls.fetch_add(1, Ordering::SeqCst);
        let output = client
            .list_secrets()
            .filters(name_filter(prefix))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|error| classify(&error))?;
        names.extend(
            output
                .secret_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|entry| entry.name)
                .filter(|name| name.starts_with(prefix)),
        );
        next_token = output.next_token.filter(|token| !token.is_empty());
        if next_token.is_none() {
            break;
        }
    }
    let mut found = Vec::new();
    let mut failed = Vec::new();
    for (name, result) in get_each(client, state, names, None).await {
        match result {
            Ok(fetched) => found.push(fetched),
            Err(classified) => failed.push((name, classified)),
        }
    }
    Ok((found, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_secrets_by_name_full_arn_or_partial_arn() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/npm-AbCdEf";
        assert!(names_secret("ci/npm", "ci/npm", Some(arn)));
        assert!(names_secret(arn, "ci/npm", Some(arn)));
        assert!(names_secret(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/npm",
            "ci/npm",
            Some(arn)
        ));
        assert!(!names_secret(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/np",
            "ci/npm",
            Some(arn)
        ));
        assert!(!names_secret("ci/np", "ci/npm", Some(arn)));
        assert!(!names_secret(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ci/npm",
            "ci/npm",
            None
        ));
    }
}
