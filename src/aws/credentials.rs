//! Credentials: the SDK's provider chain tried one source at a time (so a failure can say what
//! was tried and why each gave nothing), then an assumed role or a CI OIDC token exchanged
//! for one. Tokens and keys are never printed or written anywhere.

use aws_config::SdkConfig;
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::imds::client::error::TokenError;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
use zeroize::Zeroizing;

use super::calls::CallCounter;
use super::oidc::{GITHUB_TOKEN_URL_ENV, github_oidc_token};
use super::options::AwsOptions;
use super::role::{assume_role, default_session_name, exchange_web_identity};
use crate::error::{Error, error_chain};

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

/// What the providers share: configuration (through the proxy, if any, and without it for
/// the local credential endpoints), the bounded IMDS client, and a credential-less
/// configuration for STS calls.
pub struct Context<'a> {
    /// The profile the user named (`--profile`, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// What the selected profile does for credentials (the role it assumes), if it is known.
    pub profile_role: Option<String>,
    pub provider_config: &'a ProviderConfig,
    pub direct_config: &'a ProviderConfig,
    pub imds: aws_config::imds::Client,
    pub sts_config: &'a SdkConfig,
    /// Tells the STS calls made for credentials (with `-v`).
    pub calls: &'a CallCounter,
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
    // A CI OIDC token for --role-arn, from GitLab's id_tokens or GitHub's token endpoint.
    let exchange = async |role_arn: &str, token: &str| {
        exchange_web_identity(
            context.sts_config,
            context.calls,
            role_arn,
            &session_name,
            token,
            options,
        )
        .await
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
        let credentials = exchange(role_arn, &token).await?;
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
        let credentials = exchange(role_arn, &token).await?;
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
        context.calls,
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
    let profile_name = context.profile.as_deref().unwrap_or("default");
    let mut profile = ProfileFileCredentialsProvider::builder().configure(config);
    if let Some(name) = &options.profile {
        profile = profile.profile_name(name);
    }
    let profile = CredentialSource {
        name: match &context.profile_role {
            Some(role) => format!("profile {profile_name}, which {role}"),
            None => format!("profile {profile_name}"),
        },
        provider: Box::new(profile.build()),
        when_empty: Some({
            let (config, credentials) = super::profiles::profile_files();
            format!("no credentials for it in {config} or {credentials}")
        }),
    };
    let sources: Vec<CredentialSource> = if options.profile.is_some() {
        vec![profile]
    } else {
        vec![
            CredentialSource {
                name: "environment variables".into(),
                provider: Box::new(EnvironmentVariableCredentialsProvider::new()),
                when_empty: Some("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set".into()),
            },
            profile,
            CredentialSource {
                name: "web identity token file".into(),
                provider: Box::new(WebIdentityTokenCredentialsProvider::builder().configure(config).build()),
                when_empty: Some("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set".into()),
            },
            CredentialSource {
                name: "container credentials (ECS/EKS)".into(),
                provider: Box::new(EcsCredentialsProvider::builder().configure(context.direct_config).build()),
                when_empty: Some(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set".into(),
                ),
            },
            CredentialSource {
                name: "instance metadata (IMDS)".into(),
                provider: Box::new(
                    ImdsCredentialsProvider::builder()
                        .configure(context.direct_config)
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
struct CredentialSource {
    name: String,
    provider: Box<dyn ProvideCredentials>,
    when_empty: Option<String>,
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
