//! Credentials: the SDK's provider chain tried one source at a time (so a failure can say what
//! was tried and why each gave nothing), then an assumed role or a CI OIDC token exchanged
//! for one. Tokens and keys are never printed or written anywhere.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::imds::client::error::TokenError;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::Credentials;
use aws_credential_types::credential_feature::AwsCredentialFeature;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::timeout::TimeoutConfig;
use zeroize::Zeroizing;

use crate::aws::{TlsFailureIsFinal, classify, describe_failure};
use crate::cli::AwsOptions;
use crate::error::{Error, error_chain};

/// GitHub Actions sets these when the workflow has `permissions: id-token: write`.
const GITHUB_TOKEN_URL_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
const GITHUB_TOKEN_BEARER_ENV: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
/// Bound on fetching the GitHub OIDC token.
const OIDC_TIMEOUT: Duration = Duration::from_secs(10);

const HOP_LIMIT_HELP: &str = "the IMDSv2 token request got no answer in time: inside a \
    container on EC2 this is the metadata hop limit; set it to 2 (aws ec2 \
    modify-instance-metadata-options --instance-id ID --http-put-response-hop-limit 2 \
    --http-endpoint enabled) or run the job with host networking; outside EC2, set \
    AWS_EC2_METADATA_DISABLED=true";

/// Credentials and where they came from (never the keys themselves).
pub struct Resolved {
    pub credentials: Credentials,
    /// e.g. `environment variables` or `assumed role arn:... (from instance metadata (IMDS))`.
    pub source: String,
}

/// What the providers share: configuration, the bounded IMDS client, and a credential-less
/// configuration for STS calls.
pub struct Context<'a> {
    pub provider_config: &'a ProviderConfig,
    pub imds: aws_config::imds::Client,
    pub sts_config: &'a SdkConfig,
}

/// Resolves credentials once, as `options` ask: a CI OIDC token exchanged for `--role-arn`,
/// else the provider chain (optionally followed by AssumeRole for `--role-arn`).
pub async fn resolve(options: &AwsOptions, context: &Context<'_>) -> Result<Resolved, Error> {
    let session_name = match &options.role_session_name {
        Some(name) => name.clone(),
        None => {
            default_session_name(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        }
    };
    if let Some(variable) = &options.web_identity_token_env {
        let role_arn = options.role_arn.as_deref().ok_or_else(|| {
            Error::Usage(
                "--web-identity-token-env needs --role-arn (or AWSSECRETS_ROLE_ARN)".into(),
            )
        })?;
        let token = Zeroizing::new(std::env::var(variable).unwrap_or_default());
        if token.trim().is_empty() {
            return Err(Error::Credentials(format!(
                "the web identity token variable {variable} is empty or not set (GitLab: declare it \
                 under id_tokens: with aud: sts.amazonaws.com)"
            )));
        }
        let credentials =
            exchange_web_identity(context.sts_config, role_arn, &session_name, &token, options)
                .await?;
        return Ok(Resolved {
            credentials,
            source: format!("web identity token from {variable}, role {role_arn}"),
        });
    }
    if let (Some(role_arn), Ok(request_url)) =
        (&options.role_arn, std::env::var(GITHUB_TOKEN_URL_ENV))
    {
        let token =
            github_oidc_token(&request_url, &options.oidc_audience, context.sts_config).await?;
        let credentials =
            exchange_web_identity(context.sts_config, role_arn, &session_name, &token, options)
                .await?;
        return Ok(Resolved {
            credentials,
            source: format!("GitHub Actions OIDC, role {role_arn}"),
        });
    }
    let base = provider_chain(options, context).await?;
    let Some(role_arn) = &options.role_arn else {
        return Ok(base);
    };
    let credentials = assume_role(
        context.sts_config,
        base.credentials,
        role_arn,
        &session_name,
        options,
    )
    .await?;
    Ok(Resolved {
        credentials,
        source: format!("assumed role {role_arn} (from {})", base.source),
    })
}

/// The SDK's default chain, one provider at a time; `--profile` means that profile only.
async fn provider_chain(options: &AwsOptions, context: &Context<'_>) -> Result<Resolved, Error> {
    let config = context.provider_config;
    let profile_name = options
        .profile
        .clone()
        .or_else(|| {
            std::env::var("AWS_PROFILE")
                .ok()
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "default".to_owned());
    let mut profile = ProfileFileCredentialsProvider::builder().configure(config);
    if let Some(name) = &options.profile {
        profile = profile.profile_name(name);
    }
    let profile = Source {
        name: format!("profile {profile_name}"),
        provider: Box::new(profile.build()),
        when_empty: Some(format!(
            "no credentials for it in {} or {}",
            env_or("AWS_CONFIG_FILE", "~/.aws/config"),
            env_or("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
        )),
    };
    let sources: Vec<Source> = if options.profile.is_some() {
        vec![profile]
    } else {
        vec![
            Source {
                name: "environment variables".into(),
                provider: Box::new(EnvironmentVariableCredentialsProvider::new()),
                when_empty: Some("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set".into()),
            },
            profile,
            Source {
                name: "web identity token file".into(),
                provider: Box::new(WebIdentityTokenCredentialsProvider::builder().configure(config).build()),
                when_empty: Some("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set".into()),
            },
            Source {
                name: "container credentials (ECS/EKS)".into(),
                provider: Box::new(EcsCredentialsProvider::builder().configure(config).build()),
                when_empty: Some(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set".into(),
                ),
            },
            Source {
                name: "instance metadata (IMDS)".into(),
                provider: Box::new(
                    ImdsCredentialsProvider::builder()
                        .configure(config)
                        .imds_client(context.imds.clone())
                        .build(),
                ),
                when_empty: None,
            },
        ]
    };
    let mut tried = Vec::new();
    for source in sources {
        match source.provider.provide_credentials().await {
            Ok(credentials) => {
                return Ok(Resolved {
                    credentials,
                    source: source.name,
                });
            }
            Err(error @ CredentialsError::CredentialsNotLoaded(_)) => {
                let reason = if is_timeout(&error) {
                    HOP_LIMIT_HELP.to_owned()
                } else {
                    let cause = std::error::Error::source(&error).map(error_chain);
                    source
                        .when_empty
                        .or(cause)
                        .unwrap_or_else(|| "nothing configured".to_owned())
                };
                tried.push(format!("{}: {reason}", source.name));
            }
            Err(error) => {
                return Err(Error::Credentials(format!(
                    "{} could not give credentials: {}",
                    source.name,
                    error_chain(&error)
                )));
            }
        }
    }
    Err(Error::Credentials(format!(
        "no AWS credentials found. Tried, in order:\n    {}\nSet AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or \
         use OIDC: --role-arn with --web-identity-token-env (GitLab id_tokens) or GitHub's \
         id-token: write permission",
        tried.join("\n    ")
    )))
}

/// One provider of the chain, and what to say when it has nothing.
struct Source {
    name: String,
    provider: Box<dyn ProvideCredentials>,
    when_empty: Option<String>,
}

fn env_or(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// Whether a connection or an attempt timed out somewhere in `error`'s causes.
fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(cause) = current {
        let timed_out = cause
            .downcast_ref::<ConnectorError>()
            .is_some_and(ConnectorError::is_timeout)
            || matches!(
                cause.downcast_ref::<SdkError<TokenError, HttpResponse>>(),
                Some(SdkError::TimeoutError(_))
            );
        if timed_out {
            return true;
        }
        current = cause.source();
    }
    false
}

/// An STS client on `config`, with `credentials` when the call is signed.
pub fn sts_client(config: &SdkConfig, credentials: Option<Credentials>) -> aws_sdk_sts::Client {
    let mut builder =
        aws_sdk_sts::config::Builder::from(config).retry_classifier(TlsFailureIsFinal);
    if let Some(credentials) = credentials {
        builder = builder.credentials_provider(credentials);
    }
    aws_sdk_sts::Client::from_conf(builder.build())
}

async fn assume_role(
    config: &SdkConfig,
    base: Credentials,
    role_arn: &str,
    session_name: &str,
    options: &AwsOptions,
) -> Result<Credentials, Error> {
    let response = sts_client(config, Some(base))
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .set_external_id(options.external_id.clone())
        .set_duration_seconds(options.duration_seconds)
        .send()
        .await
        .map_err(|error| sts_error(config, format!("assuming role {role_arn}"), &error))?;
    temporary_credentials(
        response.credentials,
        AwsCredentialFeature::CredentialsStsAssumeRole,
    )
}

async fn exchange_web_identity(
    config: &SdkConfig,
    role_arn: &str,
    session_name: &str,
    token: &str,
    options: &AwsOptions,
) -> Result<Credentials, Error> {
    let response = sts_client(config, None)
        .assume_role_with_web_identity()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .web_identity_token(token)
        .set_duration_seconds(options.duration_seconds)
        .send()
        .await
        .map_err(|error| {
            sts_error(
                config,
                format!("assuming role {role_arn} with a web identity token"),
                &error,
            )
        })?;
    temporary_credentials(
        response.credentials,
        AwsCredentialFeature::CredentialsStsAssumeRoleWebId,
    )
}

fn sts_error<E>(config: &SdkConfig, subject: String, error: &SdkError<E, HttpResponse>) -> Error
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let region = config
        .region()
        .map_or("us-east-1".to_owned(), ToString::to_string);
    Error::Aws {
        subject,
        failure: describe_failure(classify(error), &region, config.endpoint_url()),
    }
}

fn temporary_credentials(
    credentials: Option<aws_sdk_sts::types::Credentials>,
    feature: AwsCredentialFeature,
) -> Result<Credentials, Error> {
    let credentials =
        credentials.ok_or_else(|| Error::Credentials("STS answered without credentials".into()))?;
    let expiry = SystemTime::try_from(credentials.expiration).ok();
    let mut credentials = Credentials::new(
        credentials.access_key_id,
        credentials.secret_access_key,
        Some(credentials.session_token),
        expiry,
        "awssecrets",
    );
    credentials
        .get_property_mut_or_default::<Vec<AwsCredentialFeature>>()
        .push(feature);
    Ok(credentials)
}

/// The GitHub Actions OIDC token for `audience` (the JWT in the response's `value`).
async fn github_oidc_token(
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

/// STS role session names: `[\w+=,.@-]{2,64}`.
pub fn is_valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len()) && name.chars().all(is_session_name_char)
}

fn is_session_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// A session name that makes CloudTrail say which CI job read the secrets: GitLab project path
/// and job id, GitHub repository and run id, else the local user. Always valid for STS.
pub fn default_session_name(variable: impl Fn(&str) -> Option<String>) -> String {
    let (head, tail) =
        if let (Some(project), Some(job)) = (variable("CI_PROJECT_PATH"), variable("CI_JOB_ID")) {
            (format!("gitlab-{project}"), job)
        } else if let (Some(repository), Some(run)) =
            (variable("GITHUB_REPOSITORY"), variable("GITHUB_RUN_ID"))
        {
            (format!("github-{repository}"), run)
        } else if let Some(user) = variable("USER").or_else(|| variable("LOGNAME")) {
            ("awssecrets".to_owned(), user)
        } else {
            return "awssecrets".to_owned();
        };
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                '/' => '.',
                c if is_session_name_char(c) => c,
                _ => '-',
            })
            .collect()
    };
    // The tail (job or run id, user) is what identifies the run: the head gives way first.
    let tail: String = clean(&tail).chars().take(40).collect();
    let head: String = clean(&head).chars().take(64 - 1 - tail.len()).collect();
    format!("{head}-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn session_name(pairs: &[(&str, &str)]) -> String {
        let variables: HashMap<&str, &str> = pairs.iter().copied().collect();
        default_session_name(|name| variables.get(name).map(|value| value.to_string()))
    }

    #[test]
    fn session_names_come_from_the_ci_job() {
        assert_eq!(
            session_name(&[
                ("CI_PROJECT_PATH", "group/sub/app"),
                ("CI_JOB_ID", "4711"),
                ("USER", "me")
            ]),
            "gitlab-group.sub.app-4711"
        );
        assert_eq!(
            session_name(&[
                ("GITHUB_REPOSITORY", "octo/repo"),
                ("GITHUB_RUN_ID", "123456789")
            ]),
            "github-octo.repo-123456789"
        );
        assert_eq!(session_name(&[("USER", "jane doe")]), "awssecrets-jane-doe");
        assert_eq!(session_name(&[]), "awssecrets");
    }

    #[test]
    fn session_names_are_always_valid_and_keep_the_job_id() {
        let long = "g/".repeat(100);
        let name = session_name(&[("CI_PROJECT_PATH", &long), ("CI_JOB_ID", "987654321")]);
        assert!(is_valid_session_name(&name), "{name}");
        assert!(name.ends_with("-987654321"), "{name}");
        let odd = session_name(&[("USER", "ü")]);
        assert!(is_valid_session_name(&odd), "{odd}");
    }

    #[test]
    fn session_name_rules() {
        assert!(is_valid_session_name("ci@job-1,x=y+z.w_v"));
        assert!(!is_valid_session_name("a"));
        assert!(!is_valid_session_name(&"a".repeat(65)));
        assert!(!is_valid_session_name("has space"));
        assert!(!is_valid_session_name("slash/no"));
    }

    #[test]
    fn audience_is_encoded() {
        assert_eq!(percent_encode("sts.amazonaws.com"), "sts.amazonaws.com");
        assert_eq!(percent_encode("api://x y"), "api%3A%2F%2Fx%20y");
    }
}
