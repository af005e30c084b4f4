//! Throttling, decided per run instead of per call. The SDK never retries a throttled call of
//! a source, so that a throttled batch call can give way to single calls at once; a call that
//! should persist is tried again after a full-jitter exponential backoff, until the run's
//! deadline (`--timeout`). A run has at most [`MAX_IN_FLIGHT`] calls in flight, and none waits
//! in a backoff while holding a place.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use tokio::sync::Semaphore;

use super::failure::{is_throttled_response, out_of_time};
use super::retry::{RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF};
use crate::error::{Failure, FailureKind};

/// Calls one run may have in flight at once, every source and region together.
pub const MAX_IN_FLIGHT: usize = 16;
/// The first backoff after throttling is drawn from 0 to the SDK retries' base, doubling at
/// each throttling of the same call, up to their cap: one backoff policy for the run.
const BACKOFF_BASE: Duration = RETRY_INITIAL_BACKOFF;
/// The longest backoff.
const BACKOFF_CAP: Duration = RETRY_MAX_BACKOFF;

/// What a call does when AWS throttles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnThrottling {
    /// Back off and try again until the deadline.
    BackOff,
    /// Give the throttling back at once (the caller has a better way, e.g. single calls).
    GiveUp,
}

/// The bounds every call of a run shares: its deadline and its places in flight.
#[derive(Debug)]
pub struct CallBudget {
    deadline: Instant,
    in_flight: Semaphore,
}

impl CallBudget {
    /// Calls may start until `deadline`.
    pub fn new(deadline: Instant) -> Self {
        CallBudget {
            deadline,
            in_flight: Semaphore::new(MAX_IN_FLIGHT),
        }
    }

    /// Runs `attempt` (one SDK call, its own non-throttling retries included) in a place in
    /// flight, bounded by the deadline; when throttled, as `on_throttling` says.
    pub async fn call<T, F, Fut>(
        &self,
        on_throttling: OnThrottling,
        mut attempt: F,
    ) -> Result<T, Failure>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let started = Instant::now();
        let mut throttled = 0u32;
        loop {
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            let result = tokio::time::timeout(remaining, async {
                let _place = self.in_flight.acquire().await.expect("never closed");
                attempt().await
            })
            .await
            .unwrap_or_else(|_| Err(out_of_time()));
            let failure = match result {
                Err(failure) if failure.kind == FailureKind::Throttled => failure,
                other => return other,
            };
            throttled += 1;
            if on_throttling == OnThrottling::GiveUp {
                return Err(failure);
            }
            let backoff = full_jitter(throttled, fastrand::f64());
            if Instant::now() + backoff >= self.deadline {
                return Err(Failure::new(
                    FailureKind::Throttled,
                    format!(
                        "{} (throttled {throttled} times in {:.1} s; gave up at --timeout)",
                        failure.message.as_deref().unwrap_or("throttled"),
                        started.elapsed().as_secs_f64()
                    ),
                ));
            }
            tokio::time::sleep(backoff).await;
        }
    }
}

/// The wait after the `throttled`-th throttling: uniform in 0 ..= min(cap, base × 2^(n-1)),
/// `random` in 0..1 (full jitter: callers throttled together spread out).
pub fn full_jitter(throttled: u32, random: f64) -> Duration {
    let ceiling = BACKOFF_BASE
        .checked_mul(1u32 << throttled.saturating_sub(1).min(16))
        .unwrap_or(BACKOFF_CAP)
        .min(BACKOFF_CAP);
    ceiling.mul_f64(random.clamp(0.0, 1.0))
}

/// Keeps the SDK from retrying a throttled call: [`CallBudget::call`] decides.
#[derive(Debug)]
pub struct ThrottlingIsDecidedPerRun;

impl ClassifyRetry for ThrottlingIsDecidedPerRun {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        if context.response().is_some_and(is_throttled_response) {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "ThrottlingIsDecidedPerRun"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_before(RetryClassifierPriority::http_status_code_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_doubling_to_the_cap() {
        assert_eq!(full_jitter(1, 1.0), Duration::from_millis(200));
        assert_eq!(full_jitter(2, 1.0), Duration::from_millis(400));
        assert_eq!(full_jitter(3, 0.5), Duration::from_millis(400));
        assert_eq!(full_jitter(6, 1.0), BACKOFF_CAP);
        assert_eq!(full_jitter(40, 1.0), BACKOFF_CAP);
        assert_eq!(full_jitter(4, 0.0), Duration::ZERO);
    }

    fn throttling() -> Failure {
        Failure::new(FailureKind::Throttled, "ThrottlingException: Rate exceeded")
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_call_backs_off_until_it_succeeds_or_the_deadline() {
        let budget = CallBudget::new(Instant::now() + Duration::from_secs(30));
        let mut attempts = 0;
        let result = budget
            .call(OnThrottling::BackOff, || {
                attempts += 1;
                let done = attempts == 4;
                async move { if done { Ok("value") } else { Err(throttling()) } }
            })
            .await;
        assert_eq!(result, Ok("value"));
        assert_eq!(attempts, 4);

        let short = CallBudget::new(Instant::now() + Duration::from_secs(3));
        let mut attempts = 0;
        let failure = short
            .call(OnThrottling::BackOff, || {
                attempts += 1;
                async { Err::<(), _>(throttling()) }
            })
            .await
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::Throttled);
        let message = failure.message.unwrap();
        assert!(
            message.contains("ThrottlingException: Rate exceeded"),
            "{message}"
        );
        assert!(message.contains("gave up at --timeout"), "{message}");
        assert!(attempts > 3, "{attempts} attempts in 3 s");
    }

    #[tokio::test(start_paused = true)]
    async fn giving_up_returns_the_first_throttling_and_other_failures_are_not_retried() {
        let budget = CallBudget::new(Instant::now() + Duration::from_secs(30));
        let mut attempts = 0;
        let failure = budget
            .call(OnThrottling::GiveUp, || {
                attempts += 1;
                async { Err::<(), _>(throttling()) }
            })
            .await
            .unwrap_err();
        assert_eq!((failure, attempts), (throttling(), 1));
        let mut attempts = 0;
        let denied = Failure::new(FailureKind::AccessDenied, "no");
        let failure = budget
            .call(OnThrottling::BackOff, || {
                attempts += 1;
                let denied = denied.clone();
                async move { Err::<(), _>(denied) }
            })
            .await
            .unwrap_err();
        assert_eq!((failure.kind, attempts), (FailureKind::AccessDenied, 1));
    }
}
