//! The AWS edge: configuration, TLS, proxies, credentials (the provider chain, assumed roles, CI OIDC),
//! retries, throttling and timeouts, call counting, and failure classification. It knows no source, no
//! command and no command line: sources build their clients from its [`Session`] with
//! [`service_client!`].

mod calls;
mod client;
mod credentials;
pub mod failure;
mod oidc;
mod options;
mod pages;
mod profiles;
mod proxy;
mod regions;
mod retry;
mod role;
mod session;
mod throttle;
mod tls;

pub use calls::{CallCounter, OperationCalls};
pub(crate) use client::service_client;
pub use failure::{SourceCodes, aws_error, classify, classify_service_error};
pub use oidc::percent_encode;
pub use options::AwsOptions;
pub use pages::{Pages, every_page};
pub use proxy::ProxySettings;
pub use retry::{NoRetryCanFix, within_timeout};
pub use role::is_valid_session_name;
pub use session::{CallerIdentity, FALLBACK_STS_REGION, Session, connect, default_region};
pub use throttle::{CallBudget, OnThrottling, ThrottlingIsDecidedPerRun};
