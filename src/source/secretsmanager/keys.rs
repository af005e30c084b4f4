//! Which KMS keys secrets are encrypted with, for `awssecrets policy`: DescribeSecret for an
//! id, ListSecrets for a prefix (names and key ids only, never a value).

use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType};

use super::service::{client, codes};
use super::spec::Target;
use crate::aws::{Session, classify};
use crate::error::FailureKind;
use crate::source::aws_service::{Request, key_lookup_failed};

/// Each request's key ids (the AWS managed key gives none), or why they are not known.
pub async fn key_ids(
    session: &Session,
    requests: Vec<Request<Target>>,
) -> Vec<Result<Vec<String>, String>> {
    let mut found = Vec::with_capacity(requests.len());
    for Request { target, region } in requests {
        let client = client(session, &region);
        let keys = if target.prefix {
            let mut keys = Vec::new();
            let mut token = None;
            loop {
                let page = client
                    .list_secrets()
                    .filters(
                        Filter::builder()
                            .key(FilterNameStringType::Name)
                            .values(target.name_prefix())
                            .build(),
                    )
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|error| classify(&error, codes).during("secretsmanager:ListSecrets"));
                match page {
                    Ok(page) => {
                        keys.extend(
                            page.secret_list()
                                .iter()
                                .filter(|secret| {
                                    secret
                                        .name()
                                        .is_some_and(|name| name.starts_with(&target.name_prefix()))
                                })
                                .filter_map(|secret| secret.kms_key_id().map(str::to_owned)),
                        );
                        token = page.next_token().map(str::to_owned);
                        if token.is_none() {
                            break Ok(keys);
                        }
                    }
                    Err(failure) => break Err(failure),
                }
            }
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
        found.push(keys.map_err(|failure| {
            let star = if target.prefix { "*" } else { "" };
            key_lookup_failed(&format!("secret {}{star}", target.id), failure)
        }));
    }
    found
}
