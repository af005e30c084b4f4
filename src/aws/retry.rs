//! How long AWS may take and what is tried again: attempt and connect timeouts, the retry
//! budget, failures that no retry can fix, and the bound on a whole exchange.

use std::time::Duration;

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

use super::proxy::is_proxy_refusal;
use crate::error::{Error, Failure, FailureKind, error_chain};

/// How long a single attempt (connect, send, read) may take before it is retried.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// 5xx, timeouts and connection errors are retried (and STS's throttling; a source's throttled
/// calls are the run's to retry, see `throttle.rs`): this many attempts in all...
pub const RETRY_ATTEMPTS: u32 = 5;
/// ...with jittered exponential backoff from this base (CI wants answers fast)...
pub const RETRY_INITIAL_BACKOFF: Duration = Duration::from_millis(200);
/// ...never waiting longer than this between two attempts; --timeout bounds the whole.
pub const RETRY_MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

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
            place: String::new(),
            failure: Failure::new(
                FailureKind::Unavailable,
                format!("not done within {} s (--timeout)", timeout.as_secs_f64()),
            ),
        })
}

/// Never retries what no retry can fix: a TLS handshake that failed on the server's
/// certificate, or a proxy refusing our credentials; retries would only hide the cause
/// behind the overall timeout.
#[derive(Debug)]
pub struct NoRetryCanFix;

impl ClassifyRetry for NoRetryCanFix {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = context.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        match error.as_connector_error() {
            Some(connector)
                if error_chain(connector).contains("certificate")
                    || is_proxy_refusal(connector) =>
            {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "NoRetryCanFix"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_before(RetryClassifierPriority::http_status_code_classifier())
    }
}
