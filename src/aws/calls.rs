//! Counting what a run asks of AWS: attempts per API operation, and the throttled ones, across
//! every client of the run (for `--verbose` and for deciding when to stop batching); and with
//! `-v`, each retry and each call still waiting after [`SLOW_CALL`] told as it happens.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

use crate::log::Log;

/// A call still unanswered after this long is told (`-v`).
pub const SLOW_CALL: Duration = Duration::from_secs(2);

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::failure::is_throttled_response;

/// The task telling slow calls (with `-v`), stopped when dropped.
#[derive(Debug)]
pub struct SlowCallWatch(Option<tokio::task::AbortHandle>);

impl Drop for SlowCallWatch {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

/// Attempts made of one API operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperationCalls {
    /// HTTP requests sent, retries included.
    pub attempts: usize,
    /// Of those, the ones AWS answered with throttling.
    pub throttled: usize,
}

/// An attempt in flight: its operation and when it was sent, and whether it was told slow.
#[derive(Debug)]
struct InFlight {
    operation: String,
    sent: Instant,
    told: bool,
}

/// The number of an attempt in flight, kept in its call's configuration.
#[derive(Debug, Clone, Copy)]
struct AttemptNumber(u64);

impl Storable for AttemptNumber {
    type Storer = StoreReplace<Self>;
}

/// Why the previous attempt of a call failed, kept in its call's configuration.
#[derive(Debug, Clone)]
struct PreviousAttempt(String);

impl Storable for PreviousAttempt {
    type Storer = StoreReplace<Self>;
}

/// An interceptor shared by every client of a run; cloning shares the counts (and the notes
/// sources leave about how they called, e.g. a switch away from batch calls).
#[derive(Debug, Clone, Default)]
pub struct CallCounter(
    Arc<Mutex<BTreeMap<String, OperationCalls>>>,
    Arc<Mutex<Vec<String>>>,
    Progress,
);

/// What `-v` is told of calls as they go: the log, and the attempts in flight.
#[derive(Debug, Clone, Default)]
struct Progress {
    log: Option<Log>,
    in_flight: Arc<Mutex<BTreeMap<u64, InFlight>>>,
    next: Arc<AtomicU64>,
}

impl CallCounter {
    /// A counter that tells retries and slow calls on `log` (when it is verbose).
    pub fn telling(log: Log) -> CallCounter {
        CallCounter(
            Arc::default(),
            Arc::default(),
            Progress {
                log: log.is_verbose().then_some(log),
                ..Progress::default()
            },
        )
    }

    /// Tells every attempt in flight for longer than [`SLOW_CALL`], once each; what a watcher
    /// task calls every so often.
    pub fn tell_slow_calls(&self) {
        let Some(log) = &self.2.log else {
            return;
        };
        let mut in_flight = self.2.in_flight.lock().expect("never poisoned");
        for attempt in in_flight.values_mut() {
            if !attempt.told && attempt.sent.elapsed() >= SLOW_CALL {
                attempt.told = true;
                log.info(format!(
                    "still waiting for {} after {} s",
                    attempt.operation,
                    SLOW_CALL.as_secs()
                ));
            }
        }
    }

    /// With `-v`, a task telling this counter's slow calls every quarter second, for as long
    /// as the returned watch is kept.
    pub fn watch_slow_calls(&self) -> SlowCallWatch {
        SlowCallWatch(self.2.log.map(|_| {
            let calls = self.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    calls.tell_slow_calls();
                }
            })
            .abort_handle()
        }))
    }

    /// Leaves a note for `--verbose`.
    pub fn note(&self, note: String) {
        self.1
            .lock()
            .expect("the notes are never poisoned")
            .push(note);
    }

    /// The notes left so far, in order.
    pub fn notes(&self) -> Vec<String> {
        self.1.lock().expect("the notes are never poisoned").clone()
    }

    /// Counts so far, by operation name.
    pub fn counts(&self) -> BTreeMap<String, OperationCalls> {
        self.0
            .lock()
            .expect("the counter is never poisoned")
            .clone()
    }

    /// All attempts so far.
    pub fn total(&self) -> usize {
        self.counts().values().map(|calls| calls.attempts).sum()
    }

    /// e.g. `3 API calls for secret values (BatchGetSecretValue 2, GetSecretValue 1; 1 throttled)`.
    pub fn summary(&self) -> String {
        let counts = self.counts();
        let total: usize = counts.values().map(|calls| calls.attempts).sum();
        let throttled: usize = counts.values().map(|calls| calls.throttled).sum();
        let by_operation: Vec<String> = counts
            .iter()
            .map(|(operation, calls)| format!("{operation} {}", calls.attempts))
            .collect();
        let mut text = format!(
            "{total} API {} for secret values",
            if total == 1 { "call" } else { "calls" }
        );
        if !by_operation.is_empty() {
            text.push_str(&format!(" ({}", by_operation.join(", ")));
            if throttled > 0 {
                text.push_str(&format!("; {throttled} throttled"));
            }
            text.push(')');
        }
        text
    }

    fn update(&self, cfg: &ConfigBag, change: impl FnOnce(&mut OperationCalls)) {
        let operation = operation_name(cfg);
        let mut counts = self.0.lock().expect("the counter is never poisoned");
        change(counts.entry(operation).or_default());
    }
}

/// The operation a call's configuration is for (`GetSecretValue`).
fn operation_name(cfg: &ConfigBag) -> String {
    cfg.load::<Metadata>()
        .map_or("unknown", Metadata::name)
        .to_owned()
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.update(cfg, |calls| calls.attempts += 1);
        let Some(log) = &self.2.log else {
            return Ok(());
        };
        let operation = operation_name(cfg);
        let attempt = cfg
            .load::<RequestAttempts>()
            .map_or(1, |attempts| attempts.attempts());
        if attempt > 1 {
            let previous = cfg
                .load::<PreviousAttempt>()
                .map_or_else(String::new, |previous| format!(" ({})", previous.0));
            log.info(format!("retrying {operation}: attempt {attempt}{previous}"));
        }
        let number = self.2.next.fetch_add(1, Ordering::SeqCst);
        cfg.interceptor_state().store_put(AttemptNumber(number));
        self.2.in_flight.lock().expect("never poisoned").insert(
            number,
            InFlight {
                operation,
                sent: Instant::now(),
                told: false,
            },
        );
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.response().is_some_and(is_throttled_response) {
            self.update(cfg, |calls| calls.throttled += 1);
        }
        if self.2.log.is_some() {
            if let Some(AttemptNumber(number)) = cfg.load::<AttemptNumber>().copied() {
                self.2
                    .in_flight
                    .lock()
                    .expect("never poisoned")
                    .remove(&number);
            }
            let outcome = match context.response() {
                Some(response) => format!(
                    "the last one was answered HTTP {}",
                    response.status().as_u16()
                ),
                None => "the last one got no answer".to_owned(),
            };
            cfg.interceptor_state().store_put(PreviousAttempt(outcome));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_every_operation() {
        let counter = CallCounter::default();
        assert_eq!(counter.summary(), "0 API calls for secret values");
        {
            let mut counts = counter.0.lock().unwrap();
            counts.insert(
                "GetSecretValue".into(),
                OperationCalls {
                    attempts: 2,
                    throttled: 1,
                },
            );
            counts.insert(
                "BatchGetSecretValue".into(),
                OperationCalls {
                    attempts: 1,
                    throttled: 0,
                },
            );
        }
        assert_eq!(counter.total(), 3);
        assert_eq!(
            counter.summary(),
            "3 API calls for secret values (BatchGetSecretValue 1, GetSecretValue 2; 1 throttled)"
        );
    }
}
