//! Fetching in as few round trips as the API allows: ids go out in BatchGetSecretValue calls of
//! at most 20, in parallel, per region; a prefix goes through its name filter; GetSecretValue
//! serves where the batch call cannot (a version stage, a lone secret, a caller whose policy
//! denies the batch action) or should not: once a batch call is throttled (its quota is 100
//! calls per second per account and region, GetSecretValue's 10,000), the rest of the run
//! fetches secret by secret, each backing off when throttled in turn.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, SecretValueEntry};
use tokio::task::JoinSet;
use zeroize::Zeroizing;

use super::{Target, client, codes};
use crate::aws::{CallBudget, OnThrottling, Pages, Session, classify, classify_service_error};
use crate::error::{Error, Failure, FailureKind};
use crate::model::{Entry, Payload, SecretValue};
use crate::source::Request;

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

    /// Switches the rest of the run to single calls, telling `--verbose` once.
    fn batch_was_throttled(&self, region: &str) {
        if !self.batch_throttled.swap(true, Ordering::SeqCst) {
            self.calls.note(format!(
                "BatchGetSecretValue was throttled in {region}: the rest of the run fetches each \
                 secret with GetSecretValue (a quota 100 times larger), backing off when throttled"
            ));
        }
    }
}

/// What a secret id gave: the secret and how long its call took, or why not.
type IdResult = Result<(Secret, Duration), Failure>;

/// What a prefix gave: its secrets, and the matched secrets that failed (name, why).
type PrefixResult = Result<(Vec<(Secret, Duration)>, Vec<(String, Failure)>), Failure>;

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
                results[index] = Some(prefix_outcome(session, &requests[index], result).await);
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
            Some(Ok((secret, elapsed))) => {
                Ok(vec![entry(subject, secret.clone(), region, *elapsed)])
            }
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

fn entry(subject: String, secret: Secret, region: &str, elapsed: Duration) -> Entry {
    Entry {
        subject,
        name: secret.name.clone(),
        stem: secret.name,
        relative: false,
        payload: secret.payload,
        region: region.to_owned(),
        elapsed,
    }
}

/// The account an ARN names, for not-found messages.
fn account(target: &Target) -> Option<&str> {
    target.arn.as_ref().map(|arn| arn.account.as_str())
}

async fn prefix_outcome(
    session: &Session,
    request: &Request<Target>,
    result: PrefixResult,
) -> Result<Vec<Entry>, Error> {
    let Request { target, region } = request;
    let subject = format!("secrets {}*", target.id);
    let (found, failed) = match result {
        Ok(found) => found,
        Err(failure) => {
            return Err(session
                .failure(subject, failure, region, account(target))
                .await);
        }
    };
    let mut errors = Vec::new();
    for (name, failure) in failed {
        errors.push(
            session
                .failure(
                    format!("secret {name} (matched by {}*)", target.id),
                    failure,
                    region,
                    account(target),
                )
                .await,
        );
    }
    if let Some(error) = Error::from_many(errors) {
        return Err(error);
    }
    if found.is_empty() {
        let why = match target.arn {
            Some(_) => {
                "no secret starts with this prefix (a prefix is listed in the caller's own account only)"
            }
            None => "no secret name starts with this prefix",
        };
        return Err(session
            .failure(
                subject,
                Failure::new(FailureKind::NotFound, why),
                region,
                account(target),
            )
            .await);
    }
    Ok(found
        .into_iter()
        .map(|(secret, elapsed)| entry(format!("secret {}", secret.name), secret, region, elapsed))
        .collect())
}

/// Ids of one region: batches of [`BATCH_LIMIT`] in parallel, or one GetSecretValue each.
async fn fetch_ids(
    client: &Client,
    state: &Arc<State>,
    region: &str,
    ids: Vec<String>,
    version_stage: Option<String>,
) -> HashMap<String, IdResult> {
    if version_stage.is_some() || ids.len() == 1 || state.singles_only() {
        return get_each(client, state, ids, version_stage).await;
    }
    let mut batches = JoinSet::new();
    for chunk in ids.chunks(BATCH_LIMIT) {
        let (client, state, chunk) = (client.clone(), Arc::clone(state), chunk.to_vec());
        let region = region.to_owned();
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
                Err(failure) if failure.kind == FailureKind::AccessDenied => {
                    // Least-privilege policies often grant GetSecretValue alone.
                    state.batch_denied.store(true, Ordering::SeqCst);
                    get_each(&client, &state, chunk, None).await
                }
                Err(failure) if failure.kind == FailureKind::Throttled => {
                    state.batch_was_throttled(&region);
                    get_each(&client, &state, chunk, None).await
                }
                // A whole-call error about one secret (some endpoints answer so instead of
                // per-secret Errors[]): ask for each on its own to say which.
                Err(failure)
                    if matches!(
                        failure.kind,
                        FailureKind::NotFound | FailureKind::Decryption | FailureKind::Other
                    ) =>
                {
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
/// Throttling is given back at once: single calls do better.
async fn batch_by_ids(
    client: &Client,
    state: &State,
    ids: &[String],
) -> Result<HashMap<String, Result<Secret, Failure>>, Failure> {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut pages = Pages::default();
    loop {
        let token = pages.token();
        let output = state
            .budget
            .call(OnThrottling::GiveUp, || async {
                client
                    .batch_get_secret_value()
                    .set_secret_id_list(Some(ids.to_vec()))
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|error| classify(&error, codes))
            })
            .await?;
        for error in output.errors.unwrap_or_default() {
            if let Some(id) = error.secret_id {
                errors.push((
                    id,
                    classify_service_error(400, error.error_code.as_deref(), error.message, codes),
                ));
            }
        }
        entries.extend(
            output
                .secret_values
                .unwrap_or_default()
                .into_iter()
                .map(fetched_from_entry),
        );
        if !pages.next(output.next_token)? {
            return Ok(assign(ids, entries, errors));
        }
    }
}

/// Gives each requested id its entry: an ARN id the entry with that ARN; a name id the one
/// entry of that name no ARN id took. A name that could mean two entries (the same name in two
/// accounts) is left out, to be asked for on its own; so is an id the answer does not mention.
fn assign(
    ids: &[String],
    entries: Vec<(String, Option<String>, Secret)>,
    errors: Vec<(String, Failure)>,
) -> HashMap<String, Result<Secret, Failure>> {
    let mut results: HashMap<String, Result<Secret, Failure>> = errors
        .into_iter()
        .map(|(id, classified)| (id, Err(classified)))
        .collect();
    let mut by_name: HashMap<String, Vec<Secret>> = HashMap::new();
    for (name, arn, secret) in entries {
        let by_arn: Vec<&String> = ids
            .iter()
            .filter(|id| id.starts_with("arn:") && names_secret(id, &name, arn.as_deref()))
            .collect();
        if by_arn.is_empty() {
            by_name.entry(name).or_default().push(secret);
        } else {
            for id in by_arn {
                results.insert(id.clone(), Ok(secret.clone()));
            }
        }
    }
    for id in ids.iter().filter(|id| !id.starts_with("arn:")) {
        if results.contains_key(id) {
            continue;
        }
        if let Some(mut matching) = by_name.remove(id)
            && matching.len() == 1
        {
            results.insert(id.clone(), Ok(matching.remove(0)));
        }
    }
    results
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

/// What a prefix selects: names starting with `name` (exactly, case-sensitive), and for an ARN
/// prefix only ARNs starting with it (so the account and partition must match too).
#[derive(Debug, Clone)]
pub struct Prefix {
    pub name: String,
    pub arn: Option<String>,
}

impl Prefix {
    fn selects(&self, name: &str, arn: Option<&str>) -> bool {
        name.starts_with(&self.name)
            && match (&self.arn, arn) {
                (Some(prefix), Some(arn)) => arn.starts_with(prefix.as_str()),
                (Some(_), None) => false,
                (None, _) => true,
            }
    }
}

/// The name in a secret ARN (without the random `-XXXXXX` suffix), or the id itself.
fn name_of(id: &str) -> &str {
    match id.split_once(":secret:") {
        Some((_, name)) if name.len() > 7 && name.as_bytes()[name.len() - 7] == b'-' => {
            &name[..name.len() - 7]
        }
        Some((_, name)) => name,
        None => id,
    }
}

/// Every secret `prefix` selects, sorted by name: BatchGetSecretValue with a name filter, or
/// ListSecrets and GetSecretValue when the batch action is denied or a version stage is asked.
async fn fetch_prefix(
    client: &Client,
    state: &Arc<State>,
    region: &str,
    prefix: &Prefix,
    version_stage: Option<String>,
) -> PrefixResult {
    let mut result = if version_stage.is_some() || state.singles_only() {
        list_then_get(client, state, prefix, version_stage).await
    } else {
        match batch_by_prefix(client, state, prefix).await {
            Err(failure) if failure.kind == FailureKind::AccessDenied => {
                state.batch_denied.store(true, Ordering::SeqCst);
                list_then_get(client, state, prefix, None).await
            }
            Err(failure) if failure.kind == FailureKind::Throttled => {
                state.batch_was_throttled(region);
                list_then_get(client, state, prefix, None).await
            }
            other => other,
        }
    };
    if let Ok((found, _)) = &mut result {
        found.sort_by(|(left, _), (right, _)| left.name.cmp(&right.name));
    }
    result
}

fn name_filter(prefix: &Prefix) -> Filter {
    Filter::builder()
        .key(FilterNameStringType::Name)
        .values(&prefix.name)
        .build()
}

async fn batch_by_prefix(client: &Client, state: &State, prefix: &Prefix) -> PrefixResult {
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let mut pages = Pages::default();
    loop {
        let started = Instant::now();
        let token = pages.token();
        let output = state
            .budget
            .call(OnThrottling::GiveUp, || async {
                client
                    .batch_get_secret_value()
                    .filters(name_filter(prefix))
                    .max_results(BATCH_LIMIT as i32)
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|error| classify(&error, codes))
            })
            .await?;
        let elapsed = started.elapsed();
        // The service's name filter is looser (case-insensitive, word matches): keep exact prefixes.
        for entry in output.secret_values.unwrap_or_default() {
            let (name, arn, secret) = fetched_from_entry(entry);
            if prefix.selects(&name, arn.as_deref()) {
                found.push((secret, elapsed));
            }
        }
        for error in output.errors.unwrap_or_default() {
            let id = error.secret_id.unwrap_or_default();
            let arn = id.starts_with("arn:").then_some(id.as_str());
            if prefix.selects(name_of(&id), arn) {
                failed.push((
                    id.clone(),
                    classify_service_error(400, error.error_code.as_deref(), error.message, codes),
                ));
            }
        }
        if !pages.next(output.next_token)? {
            return Ok((found, failed));
        }
    }
}

async fn list_then_get(
    client: &Client,
    state: &Arc<State>,
    prefix: &Prefix,
    version_stage: Option<String>,
) -> PrefixResult {
    let mut names = Vec::new();
    let mut pages = Pages::default();
    loop {
        let token = pages.token();
        let output = state
            .budget
            .call(OnThrottling::BackOff, || async {
                client
                    .list_secrets()
                    .filters(name_filter(prefix))
                    .set_next_token(token.clone())
                    .send()
                    .await
                    .map_err(|error| classify(&error, codes))
            })
            .await?;
        for entry in output.secret_list.unwrap_or_default() {
            if let Some(name) = entry.name
                && prefix.selects(&name, entry.arn.as_deref())
            {
                names.push(entry.arn.unwrap_or(name));
            }
        }
        if !pages.next(output.next_token)? {
            break;
        }
    }
    let mut found = Vec::new();
    let mut failed = Vec::new();
    for (id, result) in get_each(client, state, names, version_stage).await {
        match result {
            Ok(fetched) => found.push(fetched),
            Err(classified) => failed.push((name_of(&id).to_owned(), classified)),
        }
    }
    Ok((found, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_select_exact_names_and_for_arns_the_account_too() {
        let own = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/a-AbCdEf";
        let other = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:ci/a-AbCdEf";
        let by_name = Prefix {
            name: "ci/".into(),
            arn: None,
        };
        assert!(by_name.selects("ci/a", Some(own)));
        assert!(!by_name.selects("CI/a", Some(own)));
        assert!(!by_name.selects("old-ci/a", None));
        let by_arn = Prefix {
            name: "ci/".into(),
            arn: Some("arn:aws:secretsmanager:eu-west-1:222222222222:secret:ci/".into()),
        };
        assert!(by_arn.selects("ci/a", Some(other)));
        assert!(!by_arn.selects("ci/a", Some(own)));
        assert_eq!(name_of(own), "ci/a");
        assert_eq!(
            name_of("arn:aws:secretsmanager:eu-west-1:1:secret:short"),
            "short"
        );
        assert_eq!(name_of("ci/plain"), "ci/plain");
    }

    fn entry(name: &str, arn: &str, value: &str) -> (String, Option<String>, Secret) {
        let secret = Secret {
            name: name.into(),
            payload: Payload::Text(SecretValue::new(value.into())),
        };
        (name.into(), Some(arn.into()), secret)
    }

    fn text(result: Option<&Result<Secret, Failure>>) -> Option<&str> {
        match result {
            Some(Ok(Secret {
                payload: Payload::Text(value),
                ..
            })) => Some(value.expose()),
            _ => None,
        }
    }

    #[test]
    fn a_name_never_takes_a_same_named_secret_of_another_account() {
        let own = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/npm-AbCdEf";
        let shared = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:ci/npm-GhIjKl";
        let ids = vec!["ci/npm".to_owned(), shared.to_owned()];
        for entries in [
            vec![
                entry("ci/npm", own, "own"),
                entry("ci/npm", shared, "shared"),
            ],
            vec![
                entry("ci/npm", shared, "shared"),
                entry("ci/npm", own, "own"),
            ],
        ] {
            let results = assign(&ids, entries, Vec::new());
            assert_eq!(text(results.get(shared)), Some("shared"));
            assert_eq!(text(results.get("ci/npm")), Some("own"));
        }
        // Only the other account's secret came back: the name is asked for on its own.
        let results = assign(&ids, vec![entry("ci/npm", shared, "shared")], Vec::new());
        assert!(!results.contains_key("ci/npm"));
        // Two entries of one name and no ARN to tell them apart: asked for on its own too.
        let results = assign(
            &ids[..1],
            vec![
                entry("ci/npm", own, "own"),
                entry("ci/npm", shared, "shared"),
            ],
            Vec::new(),
        );
        assert!(!results.contains_key("ci/npm"));
    }

    #[test]
    fn errors_are_kept_per_id() {
        let results = assign(
            &["ci/a".to_owned()],
            Vec::new(),
            vec![("ci/a".into(), Failure::bare(FailureKind::NotFound))],
        );
        assert!(matches!(
            results.get("ci/a"),
            Some(Err(Failure {
                kind: FailureKind::NotFound,
                ..
            }))
        ));
    }

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
