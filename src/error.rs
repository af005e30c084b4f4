//! The one error type of awssecrets: every message names what failed and why, never a secret value.

use std::fmt;
use std::io;

/// Documented process exit codes (README "Exit codes"; `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Something unexpected; a bug or an unclassified AWS error.
    Failure = 1,
    /// Bad command line, bad SPEC, missing region or secret list.
    Usage = 2,
    /// A secret does not exist (or is scheduled for deletion).
    NotFound = 3,
    /// The caller may not read a secret, or KMS may not decrypt it.
    AccessDenied = 4,
    /// No credentials were found, or AWS rejected them.
    Credentials = 5,
    /// Throttled, network failure, timeout or AWS service error (retrying later may work).
    Unavailable = 6,
    /// A secret's content cannot become the requested variables or output format.
    BadContent = 7,
    /// The output could not be written.
    Output = 8,
    /// `exec`: the command exists but cannot be run.
    CannotRun = 126,
    /// `exec`: the command was not found.
    CommandNotFound = 127,
}

impl ExitCode {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Why an AWS call (a secret fetch, an STS call) failed.
#[derive(Debug)]
pub enum FetchFailure {
    /// ResourceNotFoundException, or a secret marked for deletion.
    NotFound { detail: String },
    /// AccessDeniedException and friends; `detail` is AWS's own explanation.
    AccessDenied { detail: String },
    /// KMS could not decrypt the secret (DecryptionFailure).
    Decryption { detail: String },
    /// The credentials were rejected (expired, unknown key, bad signature).
    Credentials { detail: String },
    /// Throttling, network, timeout or a 5xx: transient.
    Unavailable { detail: String },
    /// Anything else AWS answered.
    Other { detail: String },
}

impl FetchFailure {
    fn exit_code(&self) -> ExitCode {
        match self {
            FetchFailure::NotFound { .. } => ExitCode::NotFound,
            FetchFailure::AccessDenied { .. } | FetchFailure::Decryption { .. } => {
                ExitCode::AccessDenied
            }
            FetchFailure::Credentials { .. } => ExitCode::Credentials,
            FetchFailure::Unavailable { .. } => ExitCode::Unavailable,
            FetchFailure::Other { .. } => ExitCode::Failure,
        }
    }
}

impl fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchFailure::NotFound { detail } => write!(f, "not found {detail}"),
            FetchFailure::AccessDenied { detail } => write!(f, "access denied {detail}"),
            FetchFailure::Decryption { detail } => {
                write!(f, "KMS could not decrypt it {detail}")
            }
            FetchFailure::Credentials { detail } => {
                write!(f, "AWS rejected the credentials {detail}")
            }
            FetchFailure::Unavailable { detail } => write!(f, "unavailable {detail}"),
            FetchFailure::Other { detail } => write!(f, "failed {detail}"),
        }
    }
}

/// Everything that can make awssecrets fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or environment does not say what to do.
    #[error("{0}")]
    Usage(String),

    /// An AWS call failed: `subject` says which (`secret ci/npm`, `assuming role arn:...`).
    #[error("{subject}: {failure}")]
    Aws {
        subject: String,
        failure: FetchFailure,
    },

    /// A secret was fetched but cannot become variables, or a value cannot be written in the
    /// requested format. `subject` names the secret or the variable.
    #[error("{subject}: {problem}")]
    BadContent { subject: String, problem: String },

    /// No usable credentials.
    #[error("{0}")]
    Credentials(String),

    /// Writing the output failed.
    #[error("cannot write {target}: {source}")]
    Output {
        target: String,
        #[source]
        source: io::Error,
    },

    /// Something unclassified (e.g. an AWS call other than a secret fetch).
    #[error("{0}")]
    Other(String),

    /// `exec` could not start the command.
    #[error("{message}")]
    Command { exit: ExitCode, message: String },

    /// Several failures, all reported; the exit code is the first one's.
    #[error("{}", list_failures(.0))]
    Several(Vec<Error>),
}

/// `error` and its causes, by their `Display` only (a `Debug` form could hold a response body).
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(cause) = current {
        let text = cause.to_string();
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        current = cause.source();
    }
    parts.join(": ")
}

fn list_failures(errors: &[Error]) -> String {
    let mut text = format!("{} failures:", errors.len());
    for error in errors {
        text.push_str("\n  ");
        text.push_str(&error.to_string().replace('\n', "\n    "));
    }
    text
}

impl Error {
    /// The documented exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(_) => ExitCode::Usage,
            Error::Aws { failure, .. } => failure.exit_code(),
            Error::BadContent { .. } => ExitCode::BadContent,
            Error::Credentials(_) => ExitCode::Credentials,
            Error::Output { .. } => ExitCode::Output,
            Error::Other(_) => ExitCode::Failure,
            Error::Command { exit, .. } => *exit,
            Error::Several(errors) => errors
                .first()
                .map_or(ExitCode::Failure, |first| first.exit_code()),
        }
    }

    /// A content error about `subject` (a secret id or a variable name).
    pub fn bad_content(subject: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadContent {
            subject: subject.into(),
            problem: problem.into(),
        }
    }

    /// One error from many: the single one itself, or `Several`.
    pub fn from_many(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Several(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_failures_list_each_and_exit_with_the_first_code() {
        let error = Error::from_many(vec![
            Error::Aws {
                subject: "secret ci/a".into(),
                failure: FetchFailure::NotFound {
                    detail: "in eu-west-1".into(),
                },
            },
            Error::bad_content("secret ci/b", "key \"x\" is missing"),
        ])
        .unwrap();
        assert_eq!(error.exit_code(), ExitCode::NotFound);
        assert_eq!(
            error.to_string(),
            "2 failures:\n  secret ci/a: not found in eu-west-1\n  secret ci/b: key \"x\" is missing"
        );
    }

    #[test]
    fn no_errors_is_no_error() {
        assert!(Error::from_many(Vec::new()).is_none());
    }
}
