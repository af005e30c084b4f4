//! Counting what a run asks of AWS: attempts per API operation, and the throttled ones, across
//! every client of the run (for `--verbose` and for deciding when to stop batching).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::failure::is_throttled_response;

/// Attempts made of one API operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OperationCalls {
    /// HTTP requests sent, retries included.
    pub attempts: usize,
    /// Of those, the ones AWS answered with throttling.
    pub throttled: usize,
}

/// An interceptor shared by every client of a run; cloning shares the counts (and the notes
/// sources leave about how they called, e.g. a switch away from batch calls).
#[derive(Debug, Clone, Default)]
pub struct CallCounter(
    Arc<Mutex<BTreeMap<String, OperationCalls>>>,
    Arc<Mutex<Vec<String>>>,
);

impl CallCounter {
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
        let operation = cfg
            .load::<Metadata>()
            .map_or("unknown", Metadata::name)
            .to_owned();
        let mut counts = self.0.lock().expect("the counter is never poisoned");
        change(counts.entry(operation).or_default());
    }
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
