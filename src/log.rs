//! What a run says on stderr: warnings always, progress with `--verbose`, in the words of
//! whoever runs awssecrets ([`Wording`]). Never a value; nothing it quotes can drive a
//! terminal.

use crate::error::{Wording, printable};

/// Where a run's warnings and progress go.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    verbose: bool,
    wording: Wording,
}

impl Log {
    /// A log that shows progress when `verbose`.
    pub fn new(verbose: bool) -> Log {
        Log {
            verbose,
            wording: Wording::CommandLine,
        }
    }

    /// A log that shows progress when `verbose`, its warnings in `wording`'s words.
    pub fn worded(verbose: bool, wording: Wording) -> Log {
        Log { verbose, wording }
    }

    /// Whether progress is shown (so that nothing is worked out for a quiet run).
    pub fn is_verbose(&self) -> bool {
        self.verbose
    }

    /// Progress line, shown with `--verbose`.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("awssecrets: {}", printable(message.as_ref()));
        }
    }

    /// Warning, always shown.
    pub fn warn(&self, message: impl AsRef<str>) {
        eprintln!(
            "warning: {}",
            printable(&self.wording.reword(message.as_ref()))
        );
    }

    /// Each warning, in order.
    pub fn warn_all(&self, warnings: &[String]) {
        for warning in warnings {
            self.warn(warning);
        }
    }
}
