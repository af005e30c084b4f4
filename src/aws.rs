//! The AWS edge: one configuration and one credential resolution per run, then concurrent fetches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::imds::region::ImdsRegionProvider;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use tokio::sync::OnceCell;

use crate::cli::AwsOptions;
use crate::credentials;
use crate::error::{Error, FetchFailure, error_chain};
use crate::fetch::FetchState;
use crate::spec::SecretSpec;

/// How long a single attempt (connect, send, read) may take before it is retried.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Throttling, 5xx, timeouts and connection errors are retried: this many attempts in all...
const RETRY_ATTEMPTS: u32 = 5;
/// ...with jittered exponential backoff from this base (CI wants answers fast)...
const RETRY_INITIAL_BACKOFF: Duration = Duration::from_millis(200);
/// ...never waiting longer than this between two attempts; --timeout bounds the whole.
const RETRY_MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Bound on the best-effort identity lookup that enriches not-found and access-denied messages.
const IDENTITY_LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// Instance metadata: each request may take this long to connect and to answer...
const IMDS_TIMEOUT: Duration = Duration::from_secs(1);
/// ...and is tried this many times, so that off EC2 the chain gives up within seconds.
const IMDS_ATTEMPTS: u32 = 2;
/// STS has a global endpoint; used when no region is known (e.g. only full ARNs were given).
const FALLBACK_STS_REGION: &str = "us-east-1";

/// A configured connection to AWS: region, endpoint and credentials resolved once.
pub struct AwsSession {
    config: SdkConfig,
    /// The region used for ids that are not full ARNs.
    pub default_region: Option<String>,
    /// Where the default region came from (e.g. "--region", "AWS_REGION").
    pub region_source: &'static str,
    /// Where the credentials came from (e.g. "environment variables").
    pub credentials_source: String,
    /// Which certificate authorities TLS trusts.
    pub tls_roots: String,
    /// How long loading configuration and credentials took.
    pub connect_time: Duration,
    /// API calls made, and what fetching learned (e.g. that the batch action is denied).
    pub state: Arc<FetchState>,
    caller: OnceCell<Option<CallerIdentity>>,
}

/// Who AWS says the caller is.
#[derive(Debug, Clone)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// Loads configuration (region, profile, endpoint) and resolves credentials once, so concurrent
/// requests never each wait out their own credential lookup. Instance metadata is asked with
/// short timeouts and few attempts, so that off EC2 a missing credential fails in seconds.
pub async fn connect(options: &AwsOptions) -> Result<AwsSession, Error> {
    let started = Instant::now();
    let trust = crate::tls::trust()?;
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(trust.context)
        .build_https();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(options.timeout))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT.min(options.timeout))
        .operation_timeout(options.timeout)
        .build();
    let provider_config = ProviderConfig::without_region()
        .with_http_client(https.clone())
        .with_timeout_config(timeouts.clone());
    let imds = aws_config::imds::Client::builder()
        .configure(&provider_config)
        .connect_timeout(IMDS_TIMEOUT)
        .read_timeout(IMDS_TIMEOUT)
        .max_attempts(IMDS_ATTEMPTS)
        .build();

    let (mut region, mut region_source) = configured_region(options, &provider_config).await;
    let provider_config = provider_config.with_region(region.clone());
    // Configuration is loaded once; STS needs a region even when only full ARNs were given.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .timeout_config(timeouts)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(RETRY_ATTEMPTS)
                .with_initial_backoff(RETRY_INITIAL_BACKOFF)
                .with_max_backoff(RETRY_MAX_BACKOFF),
        )
        .region(Some(
            region
                .clone()
                .unwrap_or(Region::from_static(FALLBACK_STS_REGION)),
        ))
        .no_credentials();
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint_url) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint_url);
    }
    let sts_config = loader.load().await;
    let context = credentials::Context {
        provider_config: &provider_config,
        imds: imds.clone(),
        sts_config: &sts_config,
    };
    let resolved = within_timeout(
        options.timeout,
        "AWS credentials",
        credentials::resolve(options, &context),
    )
    .await??;
    if region.is_none() {
        // Only now, and only this late: off EC2 this lookup costs its timeouts.
        region = ImdsRegionProvider::builder()
            .configure(&provider_config)
            .imds_client(imds)
            .build()
            .region()
            .await;
        region_source = "instance metadata";
    }
    let config = sts_config
        .to_builder()
        .region(region.clone())
        .credentials_provider(SharedCredentialsProvider::new(resolved.credentials))
        .build();
    Ok(AwsSession {
        region_source: if region.is_some() {
            region_source
        } else {
            "nowhere"
        },
        default_region: region.map(|region| region.to_string()),
        config,
        credentials_source: resolved.source,
        tls_roots: trust.description,
        connect_time: started.elapsed(),
        state: Arc::default(),
        caller: OnceCell::new(),
    })
}

/// Runs `work` bounded a second past `--timeout` (so that a single call's own timeout, which
/// says more, comes first); past it, `subject` is unavailable.
pub async fn within_timeout<T>(
    timeout: Duration,
    subject: &str,
    work: impl std::future::Future<Output = T>,
) -> Result<T, Error> {
    tokio::time::timeout(timeout + Duration::from_secs(1), work)
        .await
        .map_err(|_| Error::Aws {
            subject: subject.to_owned(),
            failure: FetchFailure::Unavailable {
                detail: format!("(not done within {} s, --timeout)", timeout.as_secs_f64()),
            },
        })
}

/// The region from `--region`, the environment or the profile (never instance metadata).
async fn configured_region(
    options: &AwsOptions,
    provider_config: &ProviderConfig,
) -> (Option<Region>, &'static str) {
    if let Some(region) = &options.region {
        return (Some(Region::new(region.clone())), "--region");
    }
    if let Some(region) = EnvironmentVariableRegionProvider::new().region().await {
        return (Some(region), "AWS_REGION");
    }
    let mut profile = ProfileFileRegionProvider::builder().configure(provider_config);
    if let Some(name) = &options.profile {
        profile = profile.profile_name(name);
    }
    (profile.build().region().await, "profile")
}

impl AwsSession {
    /// The region a secret is fetched from: its ARN's, else the default.
    pub fn region_for(&self, spec: &SecretSpec) -> Result<String, Error> {
        if let Some(region) = spec.arn_region() {
            return Ok(region.to_owned());
        }
        self.default_region.clone().ok_or_else(|| {
            Error::Usage(format!(
                "no AWS region for secret {}: pass --region, set AWS_REGION, or give a full ARN",
                spec.id
            ))
        })
    }

    /// The endpoint every request goes to, when overridden.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.endpoint_url()
    }

    pub(crate) fn secrets_client(&self, region: &str) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .retry_classifier(TlsFailureIsFinal)
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    /// The error for `subject` (a secret, a prefix), naming the region and the cause; for not
    /// found and access denied also the account and principal (one GetCallerIdentity per run).
    pub(crate) async fn failure(
        &self,
        subject: String,
        spec: &SecretSpec,
        region: &str,
        classified: Classified,
    ) -> Error {
        let failure = match classified {
            Classified::NotFound(message) => {
                let account = match &spec.arn {
                    Some(arn) => Some(arn.account.clone()),
                    None => self.caller().await.map(|caller| caller.account),
                };
                let account = account
                    .map(|account| format!(" (account {account})"))
                    .unwrap_or_default();
                FetchFailure::NotFound {
                    detail: format!("in {region}{account}{}", suffix(&message)),
                }
            }
            Classified::AccessDenied(message) => {
                let principal = if message.as_deref().is_some_and(|text| text.contains("arn:")) {
                    String::new()
                } else {
                    self.caller()
                        .await
                        .map(|caller| format!(" for {}", caller.arn))
                        .unwrap_or_default()
                };
                FetchFailure::AccessDenied {
                    detail: format!("in {region}{principal}{}", suffix(&message)),
                }
            }
            other => describe_failure(other, region, self.endpoint_url()),
        };
        Error::Aws { subject, failure }
    }

    /// GetCallerIdentity, once per run and only on error paths; `None` if it fails.
    pub async fn caller(&self) -> Option<CallerIdentity> {
        self.caller
            .get_or_init(|| async {
                tokio::time::timeout(IDENTITY_LOOKUP_TIMEOUT, self.caller_identity())
                    .await
                    .ok()
                    .and_then(Result::ok)
            })
            .await
            .clone()
    }

    /// GetCallerIdentity: who AWS says these credentials are.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, Error> {
        let sts = credentials::sts_client(&self.config, None);
        let identity = sts.get_caller_identity().send().await.map_err(|error| {
            let region = self
                .default_region
                .as_deref()
                .unwrap_or(FALLBACK_STS_REGION);
            Error::Aws {
                subject: "GetCallerIdentity".into(),
                failure: describe_failure(classify(&error), region, self.endpoint_url()),
            }
        })?;
        Ok(CallerIdentity {
            account: identity.account.unwrap_or_default(),
            arn: identity.arn.unwrap_or_default(),
            user_id: identity.user_id.unwrap_or_default(),
        })
    }
}

/// Never retries a request whose TLS handshake failed on the server's certificate: no retry
/// can fix it, and the retries would hide the cause behind the overall timeout.
#[derive(Debug)]
pub struct TlsFailureIsFinal;

impl ClassifyRetry for TlsFailureIsFinal {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = context.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        match error.as_connector_error() {
            Some(connector) if error_chain(connector).contains("certificate") => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "TlsFailureIsFinal"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_before(RetryClassifierPriority::http_status_code_classifier())
    }
}

/// A failure's wording, without lookups: `in REGION[ (endpoint URL)]: cause`.
pub fn describe_failure(
    classified: Classified,
    region: &str,
    endpoint: Option<&str>,
) -> FetchFailure {
    let endpoint = endpoint
        .map(|url| format!(" (endpoint {url})"))
        .unwrap_or_default();
    match classified {
        Classified::NotFound(message) => FetchFailure::NotFound {
            detail: format!("in {region}{}", suffix(&message)),
        },
        Classified::AccessDenied(message) => FetchFailure::AccessDenied {
            detail: format!("in {region}{}", suffix(&message)),
        },
        Classified::Decryption(message) => FetchFailure::Decryption {
            detail: format!("in {region}{}", suffix(&message)),
        },
        Classified::Credentials(message) => FetchFailure::Credentials {
            detail: format!("in {region}{}", suffix(&message)),
        },
        Classified::Unavailable(cause) => FetchFailure::Unavailable {
            detail: format!("in {region}{endpoint}: {cause}"),
        },
        Classified::Other(cause) => FetchFailure::Other {
            detail: format!("in {region}{endpoint}: {cause}"),
        },
    }
}

fn suffix(message: &Option<String>) -> String {
    match message {
        Some(message) if !message.is_empty() => format!(": {message}"),
        _ => String::new(),
    }
}

/// What kind of failure an SDK error is; messages are AWS's (which never hold secret values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classified {
    NotFound(Option<String>),
    AccessDenied(Option<String>),
    Decryption(Option<String>),
    Credentials(Option<String>),
    Unavailable(String),
    Other(String),
}

/// Sorts an SDK error into the documented failure kinds.
pub fn classify<E>(error: &SdkError<E, HttpResponse>) -> Classified
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error {
        SdkError::TimeoutError(_) => Classified::Unavailable(
            "no answer within the time allowed (--timeout), retries included".into(),
        ),
        SdkError::DispatchFailure(failure) => {
            let cause = error_chain(error);
            if failure.is_timeout() {
                Classified::Unavailable(format!("timed out: {cause}"))
            } else if cause.contains("certificate") || cause.contains("UnknownIssuer") {
                Classified::Unavailable(format!(
                    "TLS error: {cause} (if a proxy or private endpoint uses your own CA, set \
                     AWS_CA_BUNDLE or SSL_CERT_FILE to a PEM bundle holding it)"
                ))
            } else if failure.is_io() {
                Classified::Unavailable(format!("network error: {cause}"))
            } else {
                Classified::Other(cause)
            }
        }
        // Never the parse error's details: they could quote the response body, which may hold
        // the secret.
        SdkError::ResponseError(response) => Classified::Unavailable(format!(
            "unreadable response (HTTP {})",
            response.raw().status().as_u16()
        )),
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let body_code = service.raw().body().bytes().and_then(xml_error_code);
            // Some endpoints (proxies, emulators) answer JSON-protocol calls with an XML error
            // the SDK cannot parse: its <Code> still says what happened.
            let code = service.err().code().or(body_code);
            let message = service.err().message().map(str::to_owned);
            classify_service_error(status, code, message)
        }
        _ => Classified::Other(error_chain(error)),
    }
}

/// Classification by error code, falling back on the HTTP status.
pub fn classify_service_error(
    status: u16,
    code: Option<&str>,
    message: Option<String>,
) -> Classified {
    match code {
        Some("ResourceNotFoundException") => Classified::NotFound(message),
        Some("InvalidRequestException")
            if message
                .as_deref()
                .is_some_and(|text| text.contains("deletion")) =>
        {
            Classified::NotFound(message)
        }
        Some("AccessDeniedException" | "AccessDenied") => Classified::AccessDenied(message),
        Some("DecryptionFailure" | "KMSAccessDeniedException" | "KMSDisabledException") => {
            Classified::Decryption(message)
        }
        Some(
            "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredTokenException"
            | "ExpiredToken"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "InvalidIdentityToken"
            | "IDPRejectedClaim",
        ) => Classified::Credentials(message),
        Some(
            "ThrottlingException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "InternalServiceError"
            | "InternalFailure"
            | "ServiceUnavailable"
            | "IDPCommunicationError",
        ) => Classified::Unavailable(describe(code, message)),
        // A success status with an error means the answer could not be read: never quote it.
        _ if (200..300).contains(&status) => {
            Classified::Unavailable(format!("unreadable response (HTTP {status})"))
        }
        _ if status == 403 => Classified::AccessDenied(message),
        _ if status >= 500 || status == 429 => Classified::Unavailable(format!(
            "HTTP {status}{}",
            suffix(&Some(describe(code, message)))
        )),
        _ => Classified::Other(format!("HTTP {status}: {}", describe(code, message))),
    }
}

/// The `<Code>` of an XML error body.
fn xml_error_code(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(&text[start..end])
}

fn describe(code: Option<&str>, message: Option<String>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        (None, Some(message)) => message,
        (None, None) => "no error code".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn service_errors_are_classified_by_code_then_status() {
        assert_eq!(
            classify_service_error(400, Some("ResourceNotFoundException"), message("gone")),
            Classified::NotFound(message("gone"))
        );
        assert_eq!(
            classify_service_error(
                400,
                Some("InvalidRequestException"),
                message(
                    "You can't perform this operation on the secret because it was marked for deletion."
                )
            ),
            Classified::NotFound(message(
                "You can't perform this operation on the secret because it was marked for deletion."
            ))
        );
        assert_eq!(
            classify_service_error(400, Some("AccessDeniedException"), None),
            Classified::AccessDenied(None)
        );
        assert_eq!(
            classify_service_error(403, None, None),
            Classified::AccessDenied(None)
        );
        assert_eq!(
            classify_service_error(400, Some("DecryptionFailure"), None),
            Classified::Decryption(None)
        );
        assert_eq!(
            classify_service_error(400, Some("ExpiredTokenException"), None),
            Classified::Credentials(None)
        );
        assert_eq!(
            classify_service_error(400, Some("ThrottlingException"), message("Rate exceeded")),
            Classified::Unavailable("ThrottlingException: Rate exceeded".into())
        );
        assert_eq!(
            classify_service_error(503, None, None),
            Classified::Unavailable("HTTP 503: no error code".into())
        );
        assert_eq!(
            classify_service_error(400, Some("InvalidParameterException"), message("bad")),
            Classified::Other("HTTP 400: InvalidParameterException: bad".into())
        );
    }

    #[test]
    fn xml_error_bodies_give_their_code() {
        let body = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code></Error></Errors></ErrorResponse>";
        assert_eq!(xml_error_code(body), Some("InvalidClientTokenId"));
        assert_eq!(xml_error_code(b"{}"), None);
        assert_eq!(xml_error_code(b"<Code>unterminated"), None);
    }
}
