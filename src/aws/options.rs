//! The plain options for reaching AWS, built once from the command line.

use std::time::Duration;

/// How to reach AWS: region, profile, endpoint, time allowed, and the role to assume.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Bounds every call, retries included, and (a second later) each whole exchange.
    pub timeout: Duration,
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
    /// The variable holding a CI OIDC token (GitLab `id_tokens:`) to exchange for the role.
    pub web_identity_token_env: Option<String>,
    /// Audience of the GitHub Actions OIDC token.
    pub oidc_audience: String,
}
