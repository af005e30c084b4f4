//! One configured connection to AWS per run: region, endpoint, TLS, proxy and credentials resolved
//! once, before anything is fetched, and the caller's identity looked up only when a failure
//! needs it.

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
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use tokio::sync::OnceCell;

use super::calls::{CallCounter, SlowCallWatch};
use super::credentials::{self, Context};
use super::failure::{aws_error, classify, no_source_codes};
use super::options::AwsOptions;
use super::proxy::ProxySettings;
use super::retry::{
    ATTEMPT_TIMEOUT, CONNECT_TIMEOUT, RETRY_ATTEMPTS, RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF,
    within_timeout,
};
use super::role::{STS_SERVICE_ID, service_endpoint, sts_client};
use super::throttle::CallBudget;
use crate::error::{Error, Failure, FailureKind};
use crate::log::Log;

/// Bound on the best-effort identity lookup that enriches not-found and access-denied messages.
const IDENTITY_LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// Instance metadata: each request may take this long to connect and to answer...
const IMDS_TIMEOUT: Duration = Duration::from_secs(1);
/// ...and is tried this many times, so that off EC2 the chain gives up within seconds.
const IMDS_ATTEMPTS: u32 = 2;
/// STS has a global endpoint; used when no region is known (e.g. only full ARNs were given).
pub const FALLBACK_STS_REGION: &str = "us-east-1";

/// A configured connection to AWS: region, endpoint and credentials resolved once.
pub struct Session {
    config: SdkConfig,
    /// The region used for SPECs that are not full ARNs.
    pub default_region: Option<String>,
    /// Where the default region came from (e.g. "--region", "AWS_REGION").
    pub region_source: &'static str,
    /// Where the credentials came from (e.g. "environment variables").
    pub credentials_source: String,
    /// Which certificate authorities TLS trusts.
    pub tls_roots: String,
    /// The proxies from the environment, for `-v`.
    pub proxy: ProxySettings,
    /// How long loading configuration and credentials took.
    pub connect_time: Duration,
    /// `--timeout`: bounds every call, retries included.
    pub timeout: Duration,
    /// Every call a source makes, counted per API.
    pub calls: CallCounter,
    /// The run's deadline and places in flight, shared by every call of a source.
    budget: Arc<CallBudget>,
    caller: OnceCell<Option<CallerIdentity>>,
    /// Warnings the sources leave for the run to show (never a value).
    warnings: std::sync::Mutex<Vec<String>>,
    /// With `-v`, the task telling calls that are slow to answer, for as long as the session.
    _watcher: SlowCallWatch,
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
pub async fn connect(options: &AwsOptions, log: Log) -> Result<Session, Error> {
    let started = Instant::now();
    let trust = super::tls::trust()?;
    let proxy = ProxySettings::from_env(|name| std::env::var(name).ok())?;
    let direct = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .tls_context(trust.context.clone())
        .build_https();
    let https = proxy.client(direct.clone(), &trust.context);
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(options.timeout))
        .operation_attempt_timeout(ATTEMPT_TIMEOUT.min(options.timeout))
        .operation_timeout(options.timeout)
        .build();
    let provider_config = ProviderConfig::without_region()
        .with_http_client(https.clone())
        .with_timeout_config(timeouts.clone());
    // Instance metadata and container credentials are local endpoints: never a proxy's.
    let direct_config = ProviderConfig::without_region()
        .with_http_client(direct)
        .with_timeout_config(timeouts.clone());
    let imds = aws_config::imds::Client::builder()
        .configure(&direct_config)
        .connect_timeout(IMDS_TIMEOUT)
        .read_timeout(IMDS_TIMEOUT)
        .max_attempts(IMDS_ATTEMPTS)
        .build();

    // The profile the user named must be there, and its source_profile chain whole.
    let (selected, given_by) = match &options.profile {
        Some(profile) => (Some(profile.clone()), "--profile"),
        None => (
            std::env::var("AWS_PROFILE")
                .ok()
                .filter(|name| !name.is_empty()),
            "AWS_PROFILE",
        ),
    };
    // The files are read only for a profile the user named.
    let profile_role = match &selected {
        Some(name) => match super::profiles::load_profiles(Some(name)).await {
            Some(set) => {
                super::profiles::check_profile(&set, name, given_by)?;
                super::profiles::describe_profile(&set, name)
            }
            None => None,
        },
        None => None,
    };
    let (mut region, mut region_source) = configured_region(options, &provider_config).await;
    if let Some(name) = &region {
        check_region(name.as_ref(), region_source)?;
    }
    // A profile's role is assumed through STS, which needs a region to sign with: its global
    // endpoint's when none is configured (fetching then asks for one, exit 2).
    let sts_region = region
        .clone()
        .or(Some(Region::from_static(FALLBACK_STS_REGION)));
    let provider_config = provider_config.with_region(sts_region.clone());
    let direct_config = direct_config.with_region(sts_region.clone());
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
        .region(sts_region)
        .no_credentials();
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint_url) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint_url);
    }
    let sts_config = loader.load().await;
    // STS calls for credentials are told with -v as the run's calls are, but not counted
    // among them (they fetch no secret value).
    let credential_calls = CallCounter::telling(log);
    let context = Context {
        profile: selected,
        profile_role,
        provider_config: &provider_config,
        direct_config: &direct_config,
        imds: imds.clone(),
        sts_config: &sts_config,
        calls: &credential_calls,
    };
    let credential_watcher = credential_calls.watch_slow_calls();
    let resolved = within_timeout(
        options.timeout,
        "AWS credentials",
        credentials::resolve(options, &context),
    )
    .await??;
    drop(credential_watcher);
    if region.is_none() {
        // Only now, and only this late: off EC2 this lookup costs its timeouts.
        region = ImdsRegionProvider::builder()
            .configure(&direct_config)
            .imds_client(imds)
            .build()
            .region()
            .await;
        region_source = "instance metadata";
    }
    let calls = CallCounter::telling(log);
    let watcher = calls.watch_slow_calls();
    let config = sts_config
        .to_builder()
        .region(region.clone())
        .credentials_provider(SharedCredentialsProvider::new(resolved.credentials))
        .build();
    Ok(Session {
        region_source: if region.is_some() {
            region_source
        } else {
            "nowhere"
        },
        default_region: region.map(|region| region.to_string()),
        config,
        credentials_source: resolved.source,
        tls_roots: trust.description,
        proxy,
        connect_time: started.elapsed(),
        timeout: options.timeout,
        calls,
        _watcher: watcher,
        budget: Arc::new(CallBudget::new(started + options.timeout)),
        caller: OnceCell::new(),
        warnings: std::sync::Mutex::default(),
    })
}

/// The region from `--region`, the environment or the profile (never instance metadata).
/// The region a run takes by default (`--region`, `AWS_REGION`, the profile's), read without
/// credentials or network: for commands that call no AWS API.
pub async fn default_region(options: &AwsOptions) -> Option<String> {
    let (region, _) = configured_region(options, &ProviderConfig::without_region()).await;
    region.map(|region| region.to_string())
}

/// Refuses a region that is not a region's name (a typo would otherwise be a DNS failure,
/// "retrying later may work"), naming the closest known region.
fn check_region(name: &str, source: &str) -> Result<(), Error> {
    if super::regions::is_region_shaped(name) {
        return Ok(());
    }
    let hint = match super::regions::closest_region(name) {
        Some(region) => format!("did you mean {region}?"),
        None => "a region is named like eu-west-1 or us-east-1".to_owned(),
    };
    Err(Error::Usage(format!(
        "AWS region {} (from {source}) is not a region's name: {hint}",
        crate::error::shown(name)
    )))
}

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

impl Session {
    /// The SDK configuration every client starts from (credentials, endpoint, retries, TLS).
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.config
    }

    /// The region a SPEC is fetched from: its ARN's, else the default.
    pub fn region_for(&self, arn_region: Option<&str>, subject: &str) -> Result<String, Error> {
        if let Some(region) = arn_region {
            return Ok(region.to_owned());
        }
        self.default_region.clone().ok_or_else(|| {
            Error::Usage(format!(
                "no AWS region for {subject}: pass --region, set AWS_REGION, or give a full ARN"
            ))
        })
    }

    /// The budget every call of a source goes through (see [`CallBudget::call`]); shared, for
    /// tasks of their own.
    pub fn budget(&self) -> Arc<CallBudget> {
        Arc::clone(&self.budget)
    }

    /// Leaves a warning for the run to show.
    pub fn warn(&self, warning: String) {
        self.warnings
            .lock()
            .expect("the warnings are never poisoned")
            .push(warning);
    }

    /// The warnings left so far, taken.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .warnings
                .lock()
                .expect("the warnings are never poisoned"),
        )
    }

    /// The endpoint every request goes to, when overridden.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.endpoint_url()
    }

    /// What `--verbose` says of the session: where region and credentials came from, the
    /// endpoint, what TLS trusts, and the route to AWS through the proxies, if any.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![
            format!(
                "region {} (from {}), credentials from {}{} ({} ms)",
                self.default_region.as_deref().unwrap_or("(none)"),
                self.region_source,
                self.credentials_source,
                self.endpoint_url()
                    .map(|url| format!(", endpoint {url}"))
                    .unwrap_or_default(),
                self.connect_time.as_millis()
            ),
            format!("TLS trusts {}", self.tls_roots),
        ];
        let mut proxy = format!("proxy: {}", self.proxy.describe());
        if !self.proxy.is_empty() {
            // The services' endpoints share the region's domain: one of them tells the route.
            let endpoint = self.endpoint_url().map_or_else(
                || {
                    let region = self
                        .default_region
                        .as_deref()
                        .unwrap_or(FALLBACK_STS_REGION);
                    format!("https://secretsmanager.{region}.amazonaws.com")
                },
                str::to_owned,
            );
            proxy.push_str(&format!(
                "; {endpoint}: {}",
                self.proxy.describe_route(&endpoint)
            ));
        }
        lines.push(proxy);
        lines
    }

    /// The error for `subject` failing in `region`, naming the cause; for not found the
    /// account (`account`, when the SPEC says it, else the caller's), for access denied the
    /// principal (one GetCallerIdentity per run, only on such errors).
    pub async fn failure(
        &self,
        subject: impl Into<String>,
        failure: Failure,
        region: &str,
        account: Option<&str>,
    ) -> Error {
        let mut error = aws_error(subject, failure, region, self.endpoint_url());
        if let Error::Aws { place, failure, .. } = &mut error {
            match failure.kind {
                FailureKind::NotFound => {
                    let account = match account {
                        Some(account) => Some(account.to_owned()),
                        None => self.caller().await.map(|caller| caller.account),
                    };
                    if let Some(account) = account {
                        place.push_str(&format!(" (account {account})"));
                    }
                }
                FailureKind::AccessDenied
                    if !failure
                        .message
                        .as_deref()
                        .is_some_and(|text| text.contains("arn:")) =>
                {
                    if let Some(caller) = self.caller().await {
                        place.push_str(&format!(" for {}", caller.arn));
                    }
                }
                _ => {}
            }
        }
        error
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
        let sts = sts_client(&self.config, None, None);
        let identity = sts.get_caller_identity().send().await.map_err(|error| {
            let region = self
                .default_region
                .as_deref()
                .unwrap_or(FALLBACK_STS_REGION);
            aws_error(
                "GetCallerIdentity",
                classify(&error, no_source_codes),
                region,
                service_endpoint(&self.config, STS_SERVICE_ID).as_deref(),
            )
        })?;
        Ok(CallerIdentity {
            account: identity.account.unwrap_or_default(),
            arn: identity.arn.unwrap_or_default(),
            user_id: identity.user_id.unwrap_or_default(),
        })
    }
}
