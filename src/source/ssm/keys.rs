//! Which KMS keys SecureString parameters are encrypted with, for `awssecrets policy`:
//! DescribeParameters by name or path (names and key ids only, never a value), paged as every
//! listing is ([`every_page`]).

use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType};

use super::service::{client, codes};
use super::spec::Target;
use crate::aws::{OnThrottling, Session, classify, every_page};
use crate::source::aws_service::{Request, key_lookup_failed};

/// The request's key ids (String parameters and the AWS managed key give none), or why they
/// are not known.
pub async fn key_ids(session: &Session, request: Request<Target>) -> Result<Vec<String>, String> {
    let Request { target, region } = request;
    let client = client(session, &region);
    let filter = if target.is_path() {
        ParameterStringFilter::builder()
            .key("Path")
            .option("Recursive")
            .values(target.name.trim_end_matches('/'))
            .build()
    } else {
        ParameterStringFilter::builder()
            .key("Name")
            .option("Equals")
            .values(&target.name)
            .build()
    };
    let Ok(filter) = filter else {
        return Err(format!("parameter {}: not a name to look up", target.name));
    };
    let mut keys = Vec::new();
    let result = every_page(
        &session.budget(),
        OnThrottling::BackOff,
        |token| {
            let request = client
                .describe_parameters()
                .parameter_filters(filter.clone())
                .set_next_token(token);
            async move {
                request
                    .send()
                    .await
                    .map_err(|error| classify(&error, codes).during("ssm:DescribeParameters"))
            }
        },
        |page, _| {
            keys.extend(
                page.parameters()
                    .iter()
                    .filter(|parameter| parameter.r#type() == Some(&ParameterType::SecureString))
                    .filter_map(|parameter| parameter.key_id().map(str::to_owned)),
            );
            page.next_token().map(str::to_owned)
        },
    )
    .await
    .map(|()| keys);
    result.map_err(|failure| {
        let plural = if target.is_path() { "s" } else { "" };
        key_lookup_failed(&format!("parameter{plural} {}", target.name), failure)
    })
}
