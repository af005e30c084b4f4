//! Secrets by id: BatchGetSecretValue calls of at most [`BATCH_LIMIT`] ids, each answer matched
//! back to the ids that asked for it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_secretsmanager::Client;
use tokio::task::JoinSet;

use super::super::spec::without_random_suffix;
use super::common::{
    BATCH_LIMIT, IdResult, Secret, State, batch_error, batch_pages, fetched_from_entry, get_each,
};
use crate::error::{Failure, FailureKind};

/// Ids of one region: batches of [`BATCH_LIMIT`] in parallel, or one GetSecretValue each.
pub(super) async fn fetch_ids(
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
                Err(failure) if state.switch_to_singles(&failure, &region) => {
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
    batch_pages(
        client,
        state,
        |call| call.set_secret_id_list(Some(ids.to_vec())),
        |output, _| {
            errors.extend(
                output
                    .errors
                    .unwrap_or_default()
                    .into_iter()
                    .map(batch_error)
                    .filter_map(|(id, failure)| Some((id?, failure))),
            );
            entries.extend(
                output
                    .secret_values
                    .unwrap_or_default()
                    .into_iter()
                    .map(fetched_from_entry),
            );
            output.next_token
        },
    )
    .await?;
    Ok(assign(ids, entries, errors))
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
    id == arn || (id.starts_with("arn:") && without_random_suffix(arn) == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Payload, SecretValue};

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
