//! The GitHub Actions OIDC token, fetched through the SDK's own HTTP client (so the same TLS
//! trust and timeouts apply), to be exchanged for a role.

use std::time::Duration;

use aws_config::SdkConfig;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::timeout::TimeoutConfig;
use zeroize::Zeroizing;

use crate::error::{Error, error_chain};

/// GitHub Actions sets these when the workflow has `permissions: id-token: write`.
pub(super) const GITHUB_TOKEN_URL_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
const GITHUB_TOKEN_BEARER_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// Bound on fetching the GitHub OIDC token.
const OIDC_TIMEOUT: Duration = Duration::from_secs(10);

/// The GitHub Actions OIDC token for `audience` (the JWT in the response's `value`).
pub(super) async fn github_oidc_token(
    request_url: &str,
    audience: &str,
    config: &SdkConfig,
) -> Result<Zeroizing<String>, Error> {
    let bearer = Zeroizing::new(std::env::var(GITHUB_TOKEN_BEARER_ENV).unwrap_or_default());
    if bearer.is_empty() {
        return Err(Error::Credentials(format!(
            "{GITHUB_TOKEN_URL_ENV} is set but {GITHUB_TOKEN_BEARER_ENV} is not: give the job \
             `permissions: id-token: write`"
        )));
    }
    let separator = if request_url.contains('?') { '&' } else { '?' };
    let url: http::Uri = format!(
        "{request_url}{separator}audience={}",
        percent_encode(audience)
    )
    .parse()
    .map_err(|_| Error::Credentials(format!("{GITHUB_TOKEN_URL_ENV} is not a valid URL")))?;
    let (Some(scheme), Some(authority)) = (url.scheme_str(), url.authority()) else {
        return Err(Error::Credentials(format!(
            "{GITHUB_TOKEN_URL_ENV} is not an absolute URL"
        )));
    };
    let endpoint = format!("{scheme}://{authority}");
    let path = url
        .path_and_query()
        .map_or("/".to_owned(), ToString::to_string);
    let authorization = Zeroizing::new(format!("Bearer {}", bearer.as_str()));
    let mut operation = Operation::builder()
        .service_name("GitHubActionsOidc")
        .operation_name("GetIdToken")
        .endpoint_url(&endpoint)
        .no_auth()
        .no_retry()
        .sleep_impl(TokioSleep::new())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(OIDC_TIMEOUT)
                .operation_timeout(OIDC_TIMEOUT)
                .build(),
        );
    if let Some(http_client) = config.http_client() {
        operation = operation.http_client(http_client);
    }
    let operation = operation
        .serializer(move |(): ()| {
            let request = http::Request::builder()
                .method("GET")
                .uri(path.clone())
                .header("Accept", "application/json")
                .header("Authorization", authorization.as_str())
                .body(SdkBody::empty())?;
            Ok(HttpRequest::try_from(request)?)
        })
        .deserializer(|response: &HttpResponse| {
            parse_oidc_response(response).map_err(OrchestratorError::operation)
        })
        .build();
    operation.invoke(()).await.map_err(|error| {
        let cause = match error.as_service_error() {
            Some(problem) => problem.to_string(),
            None => error_chain(&error),
        };
        Error::Credentials(format!(
            "cannot get the GitHub Actions OIDC token from {endpoint}: {cause}"
        ))
    })
}

/// Why the OIDC token endpoint's answer is unusable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct OidcProblem(String);

fn parse_oidc_response(response: &HttpResponse) -> Result<Zeroizing<String>, OidcProblem> {
    let status = response.status().as_u16();
    if status == 401 || status == 403 {
        return Err(OidcProblem(format!(
            "HTTP {status}: does the job have `permissions: id-token: write`?"
        )));
    }
    if !(200..300).contains(&status) {
        return Err(OidcProblem(format!("HTTP {status}")));
    }
    #[derive(serde::Deserialize)]
    struct TokenResponse {
        value: String,
    }
    let body = response.body().bytes().unwrap_or_default();
    let parsed: TokenResponse = serde_json::from_slice(body).map_err(|_| {
        OidcProblem("the answer has no token (expected JSON with a \"value\")".into())
    })?;
    Ok(Zeroizing::new(parsed.value))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_encoded() {
        assert_eq!(percent_encode("sts.amazonaws.com"), "sts.amazonaws.com");
        assert_eq!(percent_encode("api://x y"), "api%3A%2F%2Fx%20y");
    }
}
