//! STS on the caller's behalf: AssumeRole, AssumeRoleWithWebIdentity, and role session names
//! that tell CloudTrail which CI job read the secrets.

use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::credential_feature::AwsCredentialFeature;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::calls::CallCounter;
use super::failure::{aws_error, classify, no_source_codes};
use super::options::AwsOptions;
use super::retry::NoRetryCanFix;
use crate::error::Error;

/// An STS client on `config`, with `credentials` when the call is signed, its calls told to
/// `calls` (retries, slow calls) when given.
pub fn sts_client(
    config: &SdkConfig,
    credentials: Option<Credentials>,
    calls: Option<&CallCounter>,
) -> aws_sdk_sts::Client {
    let mut builder = aws_sdk_sts::config::Builder::from(config).retry_classifier(NoRetryCanFix);
    if let Some(credentials) = credentials {
        builder = builder.credentials_provider(credentials);
    }
    if let Some(calls) = calls {
        builder = builder.interceptor(calls.clone());
    }
    aws_sdk_sts::Client::from_conf(builder.build())
}

pub(super) async fn assume_role(
    config: &SdkConfig,
    calls: &CallCounter,
    base: Credentials,
    role_arn: &str,
    session_name: &str,
    options: &AwsOptions,
) -> Result<Credentials, Error> {
    let response = sts_client(config, Some(base), Some(calls))
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .set_external_id(options.external_id.clone())
        .set_duration_seconds(options.duration_seconds)
        .send()
        .await
        .map_err(|error| {
            sts_error(
                config,
                format!("assuming role {role_arn}"),
                "sts:AssumeRole",
                &error,
            )
        })?;
    temporary_credentials(
        response.credentials,
        AwsCredentialFeature::CredentialsStsAssumeRole,
    )
}

pub(super) async fn exchange_web_identity(
    config: &SdkConfig,
    calls: &CallCounter,
    role_arn: &str,
    session_name: &str,
    token: &str,
    options: &AwsOptions,
) -> Result<Credentials, Error> {
    let response = sts_client(config, None, Some(calls))
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
                "sts:AssumeRoleWithWebIdentity",
                &error,
            )
        })?;
    temporary_credentials(
        response.credentials,
        AwsCredentialFeature::CredentialsStsAssumeRoleWebId,
    )
}

fn sts_error<E>(
    config: &SdkConfig,
    subject: String,
    action: &'static str,
    error: &SdkError<E, HttpResponse>,
) -> Error
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let region = config
        .region()
        .map_or("us-east-1".to_owned(), ToString::to_string);
    aws_error(
        subject,
        classify(error, no_source_codes).during(action),
        &region,
        service_endpoint(config, STS_SERVICE_ID).as_deref(),
    )
}

/// STS's service id, as its SDK reads `AWS_ENDPOINT_URL_STS` and a profile's `sts` section.
pub const STS_SERVICE_ID: &str = "STS";

/// The endpoint the SDK sends the service's requests to, when one is configured: the service's
/// own (`AWS_ENDPOINT_URL_<SERVICE>`, a profile's `services` section) unless `--endpoint-url`
/// set one for every service, as the SDK's client builders decide.
pub fn service_endpoint(config: &SdkConfig, service_id: &str) -> Option<String> {
    if !config.get_origin("endpoint_url").is_client_config()
        && let Some(own) = config.service_config().and_then(|service_config| {
            service_config.load_config(
                aws_types::service_config::ServiceConfigKey::builder()
                    .service_id(service_id)
                    .env("AWS_ENDPOINT_URL")
                    .profile("endpoint_url")
                    .build()
                    .expect("every field is set"),
            )
        })
    {
        return Some(own);
    }
    config.endpoint_url().map(str::to_owned)
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
}
