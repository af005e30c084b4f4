//! Why a secret was not found, when a call or two on the error path can tell (never a value):
//! the secret exists but has no version at the stage asked for (its stages named), or its id
//! is not there and a name close to it is (when the caller may list secrets).

use aws_sdk_secretsmanager::Client;

use crate::aws::Pages;
use crate::error::{Failure, FailureKind};

/// How many listed names are compared for a "did you mean" (a few pages at most).
const NAMES_COMPARED: usize = 500;

/// `failure` (not found) for `id`, explained: the stages of an existing secret when
/// `version_stage` is not one of them, else the closest existing name. The failure as it was
/// when nothing more can be learnt (the caller may not describe or list secrets).
pub(super) async fn explain_not_found(
    client: &Client,
    id: &str,
    version_stage: Option<&str>,
    failure: Failure,
) -> Failure {
    if failure.kind != FailureKind::NotFound {
        return failure;
    }
    if let Some(stage) = version_stage
        && let Ok(described) = client.describe_secret().secret_id(id).send().await
    {
        let mut stages: Vec<String> = described
            .version_ids_to_stages()
            .map(|versions| versions.values().flatten().cloned().collect())
            .unwrap_or_default();
        stages.sort();
        stages.dedup();
        if !stages.iter().any(|known| known == stage) {
            return Failure {
                message: Some(format!(
                    "the secret exists, but no version of it is labelled {stage} (its versions \
                     are labelled {}; AWSPREVIOUS appears once the secret has a second value)",
                    if stages.is_empty() {
                        "nothing".to_owned()
                    } else {
                        stages.join(", ")
                    }
                )),
                ..failure
            };
        }
        return failure;
    }
    match closest_name(client, id).await {
        Some(name) => Failure {
            message: Some(format!(
                "{}; did you mean {name}?",
                failure
                    .message
                    .as_deref()
                    .unwrap_or("no secret has this name")
            )),
            ..failure
        },
        None => failure,
    }
}

/// The existing secret name closest to `id` (by edit distance, close enough to be a typo),
/// from the first names ListSecrets gives; none when listing is not allowed.
async fn closest_name(client: &Client, id: &str) -> Option<String> {
    let wanted = id.rsplit_once(":secret:").map_or(id, |(_, name)| name);
    let mut names = Vec::new();
    // Paged as every listing is: a repeated or endless NextToken ends the search.
    let mut pages = Pages::default();
    while names.len() < NAMES_COMPARED {
        let page = client
            .list_secrets()
            .set_next_token(pages.token())
            .max_results(100)
            .send()
            .await
            .ok()?;
        names.extend(
            page.secret_list()
                .iter()
                .filter_map(|secret| secret.name().map(str::to_owned)),
        );
        if !pages.next(page.next_token().map(str::to_owned)).ok()? {
            break;
        }
    }
    let limit = (wanted.len() / 4).clamp(1, 4);
    names
        .into_iter()
        .map(|name| (strsim::levenshtein(wanted, &name), name))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, name)| name)
}
