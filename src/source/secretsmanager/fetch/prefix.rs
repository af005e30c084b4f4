//! Secrets by name prefix: BatchGetSecretValue with a name filter, else ListSecrets and one
//! GetSecretValue per match; only exact prefixes are kept.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};

use super::super::service::codes;
use super::super::spec::{Target, without_random_suffix};
use super::common::{
    BATCH_LIMIT, Secret, State, account, batch_error, batch_pages, entry, fetched_from_entry,
    get_each,
};
use crate::aws::{OnThrottling, Session, classify, every_page};
use crate::error::{Error, Failure, FailureKind};
use crate::model::Entry;
use crate::source::aws_service::Request;

/// What a prefix gave: its secrets, and the matched secrets that failed (name, why).
pub(super) type PrefixResult = Result<(Vec<(Secret, Duration)>, Vec<(String, Failure)>), Failure>;

/// A prefix request's entries, or every failure: of the listing, of each matched secret, or
/// that nothing matched.
pub(super) async fn outcome(
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
    let mut skipped = 0;
    for (name, failure) in failed {
        // A secret the prefix found exists: not found means not at the stage asked for, and
        // "every secret under the prefix, at that stage" takes those that have one.
        if let (FailureKind::NotFound, Some(stage)) = (failure.kind, &target.version_stage) {
            session.warn(format!(
                "secret {name} (matched by {}*) has no version labelled {stage}: skipped",
                target.id
            ));
            skipped += 1;
            continue;
        }
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
    if found.is_empty() && skipped > 0 {
        return Err(session
            .failure(
                subject,
                Failure::new(
                    FailureKind::NotFound,
                    format!(
                        "no secret under this prefix has a version labelled {}",
                        target.version_stage.as_deref().unwrap_or_default()
                    ),
                ),
                region,
                account(target),
            )
            .await);
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
        .map(|(secret, elapsed)| {
            entry(
                format!("secret {}", secret.name),
                secret,
                region,
                elapsed,
                true,
            )
        })
        .collect())
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
        Some((_, name)) => without_random_suffix(name).unwrap_or(name),
        None => id,
    }
}

/// Every secret `prefix` selects, sorted by name: BatchGetSecretValue with a name filter, or
/// ListSecrets and GetSecretValue when the batch action is denied or a version stage is asked.
pub(super) async fn fetch_prefix(
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
            Err(failure) if state.switch_to_singles(&failure, region) => {
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
    batch_pages(
        client,
        state,
        |call| {
            call.filters(name_filter(prefix))
                .max_results(BATCH_LIMIT as i32)
        },
        |output, elapsed| {
            // The service's name filter is looser (case-insensitive, word matches): keep exact
            // prefixes.
            for entry in output.secret_values.unwrap_or_default() {
                let (name, arn, secret) = fetched_from_entry(entry);
                if prefix.selects(&name, arn.as_deref()) {
                    found.push((secret, elapsed));
                }
            }
            for (id, failure) in output
                .errors
                .unwrap_or_default()
                .into_iter()
                .map(batch_error)
            {
                let id = id.unwrap_or_default();
                let arn = id.starts_with("arn:").then_some(id.as_str());
                if prefix.selects(name_of(&id), arn) {
                    failed.push((id.clone(), failure));
                }
            }
            output.next_token
        },
    )
    .await?;
    Ok((found, failed))
}

async fn list_then_get(
    client: &Client,
    state: &Arc<State>,
    prefix: &Prefix,
    version_stage: Option<String>,
) -> PrefixResult {
    let mut names = Vec::new();
    every_page(
        &state.budget,
        OnThrottling::BackOff,
        |token| async move {
            client
                .list_secrets()
                .filters(name_filter(prefix))
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| classify(&error, codes).during("secretsmanager:ListSecrets"))
        },
        |output, _| {
            for entry in output.secret_list.unwrap_or_default() {
                if let Some(name) = entry.name
                    && prefix.selects(&name, entry.arn.as_deref())
                {
                    names.push(entry.arn.unwrap_or(name));
                }
            }
            output.next_token
        },
    )
    .await?;
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
}
