//! What a run says on stderr: warnings always, progress with `--verbose`, in the words of
//! whoever runs awssecrets ([`Wording`]). Never a value; nothing it quotes can drive a
//! terminal.

use crate::error::{Wording, printable};

/// How much a run says on stderr (errors always).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: no warnings (expected ones, in a job that knows them).
    Quiet,
    /// Warnings.
    #[default]
    Normal,
    /// `-v`: warnings and progress.
    Verbose,
}

/// Where a run's warnings and progress go.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    verbosity: Verbosity,
    wording: Wording,
}

impl Log {
    /// A log saying as much as `verbosity` says, its warnings in `wording`'s words.
    pub fn new(verbosity: Verbosity, wording: Wording) -> Log {
        Log { verbosity, wording }
    }

    /// Whether progress is shown (so that nothing is worked out for a quiet run).
    pub fn is_verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }

    /// Progress line, shown with `--verbose`.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.is_verbose() {
            eprintln!("awssecrets: {}", printable(message.as_ref()));
        }
    }

    /// Warning, shown unless `-q`.
    pub fn warn(&self, message: impl AsRef<str>) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
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
