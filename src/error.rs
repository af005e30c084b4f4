//! The one error type of awssecrets, its exit codes, and the one kind of AWS failure: every
//! message names what failed and why, never a secret value.

use std::fmt;
use std::io;

/// Documented process exit codes (README "Exit codes"; `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Something unexpected; a bug or an unclassified AWS error.
    Failure = 1,
    /// Bad command line, bad SPEC, missing region or secret list.
    Usage = 2,
    /// A secret or parameter does not exist (or is scheduled for deletion).
    NotFound = 3,
    /// The caller may not read a secret, or KMS may not decrypt it.
    AccessDenied = 4,
    /// No credentials were found, or AWS rejected them.
    Credentials = 5,
    /// Throttled, network failure, timeout or AWS service error (retrying later may work).
    Unavailable = 6,
    /// A value cannot become the requested variables or output format.
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

/// What kind of failure an AWS call met: the one classification every source and STS share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The secret or parameter (or the asked version) does not exist.
    NotFound,
    /// The caller's policy does not allow the call.
    AccessDenied,
    /// KMS could not decrypt the value.
    Decryption,
    /// The credentials were rejected (expired, unknown key, bad signature, bad OIDC token).
    Credentials,
    /// AWS answered that the caller is over its request rate.
    Throttled,
    /// Network, timeout or a 5xx: transient.
    Unavailable,
    /// Anything else AWS answered.
    Other,
}

impl FailureKind {
    fn exit_code(self) -> ExitCode {
        match self {
            FailureKind::NotFound => ExitCode::NotFound,
            FailureKind::AccessDenied | FailureKind::Decryption => ExitCode::AccessDenied,
            FailureKind::Credentials => ExitCode::Credentials,
            FailureKind::Throttled | FailureKind::Unavailable => ExitCode::Unavailable,
            FailureKind::Other => ExitCode::Failure,
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            FailureKind::NotFound => "not found",
            FailureKind::AccessDenied => "access denied",
            FailureKind::Decryption => "KMS could not decrypt it",
            FailureKind::Credentials => "AWS rejected the credentials",
            FailureKind::Throttled | FailureKind::Unavailable => "unavailable",
            FailureKind::Other => "failed",
        }
    }
}

/// One classified AWS failure: its kind and AWS's own explanation (which never holds a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: Option<String>,
}

impl Failure {
    /// A failure of `kind` explained by `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: Some(message.into()),
        }
    }

    /// A failure of `kind` without an explanation.
    pub fn bare(kind: FailureKind) -> Self {
        Failure {
            kind,
            message: None,
        }
    }
}

/// Everything that can make awssecrets fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or environment does not say what to do.
    #[error("{0}")]
    Usage(String),

    /// An AWS call failed: `subject` says which (`secret ci/npm`, `assuming role arn:...`),
    /// `place` where (` in eu-west-1 (account 123456789012)`).
    #[error("{subject}: {}{}{}", .failure.kind.phrase(), spaced(.place), explanation(&.failure.message))]
    Aws {
        subject: String,
        place: String,
        failure: Failure,
    },

    /// A value was fetched but cannot become variables, or cannot be written in the requested
    /// format. `subject` names the secret or the variable.
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

    /// Something unclassified.
    #[error("{0}")]
    Other(String),

    /// `exec` could not start the command.
    #[error("{message}")]
    Command { exit: ExitCode, message: String },

    /// Several failures, all reported; the exit code is the first one's.
    #[error("{}", list_failures(.0))]
    Several(Vec<Error>),
}

fn spaced(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" {text}")
    }
}

fn explanation(message: &Option<String>) -> String {
    match message {
        Some(message) if !message.is_empty() => format!(": {message}"),
        _ => String::new(),
    }
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
            Error::Aws { failure, .. } => failure.kind.exit_code(),
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

    /// The kind of AWS failure, when every failure in this error is an AWS one of one kind.
    pub fn failure_kind(&self) -> Option<FailureKind> {
        match self {
            Error::Aws { failure, .. } => Some(failure.kind),
            Error::Several(errors) => {
                let first = errors.first()?.failure_kind()?;
                errors
                    .iter()
                    .all(|error| error.failure_kind() == Some(first))
                    .then_some(first)
            }
            _ => None,
        }
    }

    /// A content error about `subject` (a secret id or a variable name).
    pub fn bad_content(subject: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadContent {
            subject: subject.into(),
            problem: problem.into(),
        }
    }

    /// A failure to write `target`.
    pub fn output(target: impl fmt::Display, source: io::Error) -> Self {
        Error::Output {
            target: target.to_string(),
            source,
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
                place: "in eu-west-1".into(),
                failure: Failure::bare(FailureKind::NotFound),
            },
            Error::bad_content("secret ci/b", "key \"x\" is missing"),
        ])
        .unwrap();
        assert_eq!(error.exit_code(), ExitCode::NotFound);
        assert_eq!(
            error.to_string(),
            "2 failures:\n  secret ci/a: not found in eu-west-1\n  secret ci/b: key \"x\" is missing"
        );
        assert_eq!(error.failure_kind(), None, "not all of one AWS kind");
    }

    #[test]
    fn aws_failures_read_kind_place_and_explanation() {
        let error = Error::Aws {
            subject: "parameter /ci/npm".into(),
            place: "in eu-west-1 (account 123456789012)".into(),
            failure: Failure::new(FailureKind::AccessDenied, "not authorized"),
        };
        assert_eq!(
            error.to_string(),
            "parameter /ci/npm: access denied in eu-west-1 (account 123456789012): not authorized"
        );
        assert_eq!(error.exit_code(), ExitCode::AccessDenied);
        assert_eq!(error.failure_kind(), Some(FailureKind::AccessDenied));
    }

    #[test]
    fn no_errors_is_no_error() {
        assert!(Error::from_many(Vec::new()).is_none());
    }
}
