//! Which KMS keys secrets are encrypted with, for `awssecrets policy`: DescribeSecret for an
//! id, ListSecrets for a prefix (names and key ids only, never a value), paged as every listing
//! is ([`every_page`]: through the run's budget, a looping NextToken refused).

use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};

use super::service::{client, codes};
use super::spec::Target;
use crate::aws::{OnThrottling, Session, classify, every_page};
use crate::error::FailureKind;
use crate::source::aws_service::{Request, key_lookup_failed};

/// The request's key ids (the AWS managed key gives none), or why they are not known.
pub async fn key_ids(session: &Session, request: Request<Target>) -> Result<Vec<String>, String> {
    let Request { target, region } = request;
    let client = client(session, &region);
    let keys = if target.prefix {
        let prefix = target.name_prefix();
        let mut keys = Vec::new();
        every_page(
            &session.budget(),
            OnThrottling::BackOff,
            |token| {
                let request = client
                    .list_secrets()
                    .filters(
                        Filter::builder()
                            .key(FilterNameStringType::Name)
                            .values(&prefix)
                            .build(),
                    )
                    .set_next_token(token);
                async move {
                    request.send().await.map_err(|error| {
                        classify(&error, codes).during("secretsmanager:ListSecrets")
                    })
                }
            },
            |page, _| {
                keys.extend(
                    page.secret_list()
                        .iter()
                        .filter(|secret| {
                            secret.name().is_some_and(|name| name.starts_with(&prefix))
                        })
                        .filter_map(|secret| secret.kms_key_id().map(str::to_owned)),
                );
                page.next_token().map(str::to_owned)
            },
        )
        .await
        .map(|()| keys)
    } else {
        client
            .describe_secret()
            .secret_id(&target.id)
            .send()
            .await
            .map(|described| {
                described
                    .kms_key_id()
                    .map(str::to_owned)
                    .into_iter()
                    .collect()
            })
            .map_err(|error| classify(&error, codes).during("secretsmanager:DescribeSecret"))
    };
    // A secret that does not exist (yet) has no key to allow.
    let keys = match keys {
        Err(failure) if failure.kind == FailureKind::NotFound => Ok(Vec::new()),
        other => other,
    };
    keys.map_err(|failure| {
        let star = if target.prefix { "*" } else { "" };
        key_lookup_failed(&format!("secret {}{star}", target.id), failure)
    })
}
