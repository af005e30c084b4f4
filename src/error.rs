//! The one error type of awssecrets, its exit codes, and the one kind of AWS failure: every
//! message names what failed and why, never a secret value.

use std::fmt;
use std::io;

/// Documented process exit codes (README "Exit codes", docs/troubleshooting.md; `--help`).
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
    /// `scan`: a value (or an encoded form of one) was found.
    Found = 9,
    /// `scan`: nothing was found, but a file or archive could not be read through.
    Incomplete = 10,
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

/// One classified AWS failure: its kind, the IAM action of the call that failed, and AWS's
/// own explanation (which never holds a value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: Option<String>,
    /// `secretsmanager:GetSecretValue`: what the caller must be allowed (set where the call is
    /// made; a decryption failure is always `kms:Decrypt`'s).
    pub action: Option<&'static str>,
}

impl Failure {
    /// A failure of `kind` explained by `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: Some(message.into()),
            action: None,
        }
    }

    /// A failure of `kind` without an explanation.
    pub fn bare(kind: FailureKind) -> Self {
        Failure {
            kind,
            message: None,
            action: None,
        }
    }

    /// This failure of a call of the IAM action `action`.
    pub fn during(mut self, action: &'static str) -> Self {
        self.action = Some(action);
        self
    }

    /// The IAM action an access failure is about, as a message shows it: ` (kms:Decrypt)`.
    fn action_shown(&self) -> String {
        let action = match self.kind {
            FailureKind::Decryption => Some("kms:Decrypt"),
            FailureKind::AccessDenied => self.action,
            _ => None,
        };
        action
            .map(|action| format!(" ({action})"))
            .unwrap_or_default()
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
    #[error("{subject}: {}{}{}{}", .failure.kind.phrase(), .failure.action_shown(), spaced(.place), explanation(&.failure.message))]
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

    /// `scan` found values ([`ExitCode::Found`]) or could not read everything
    /// ([`ExitCode::Incomplete`]).
    #[error("{message}")]
    Scan { exit: ExitCode, message: String },

    /// Several failures, all reported; the exit code is the first one's.
    #[error("{}", list_failures(.0))]
    Several(Vec<Error>),

    /// A failure told in the words of whoever runs awssecrets for the user ([`Wording`]).
    #[error("{message}")]
    Reworded { exit: ExitCode, message: String },

    /// A failure, and what to do about it on a line of its own.
    #[error("{error}\n{hint}")]
    Hinted { error: Box<Error>, hint: String },
}

fn spaced(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(" {text}")
    }
}

/// AWS's own explanation, on one line whatever the answer held.
fn explanation(message: &Option<String>) -> String {
    match message {
        Some(message) if !message.is_empty() => format!(": {}", message.replace(['\n', '\r'], " ")),
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

/// `text` in double quotes, every control character, quote and backslash escaped: safe to
/// quote in a message whatever it holds (a line break in it cannot start a line of its own,
/// such as a CI workflow command).
pub fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// `text` as it is when it holds nothing a reader could mistake (no control character, space or
/// quote), else [`quoted`]: for inputs a message names (paths, profiles, regions).
pub fn shown(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() && !c.is_whitespace() && c != '"' && c != '\\')
    {
        text.to_owned()
    } else {
        quoted(text)
    }
}

/// A path as [`shown`] shows text.
pub fn shown_path(path: &std::path::Path) -> String {
    shown(&path.to_string_lossy())
}

/// A message made safe for a log: every control character but the line breaks the message
/// itself is made of (and tabs) is escaped, so nothing it quotes can drive a terminal.
pub fn printable(message: &str) -> String {
    let mut shown = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
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
            Error::Command { exit, .. } | Error::Scan { exit, .. } => *exit,
            Error::Several(errors) => errors
                .first()
                .map_or(ExitCode::Failure, |first| first.exit_code()),
            Error::Reworded { exit, .. } => *exit,
            Error::Hinted { error, .. } => error.exit_code(),
        }
    }

    /// This error with `hint` (what to do) on a line after it.
    pub fn hinted(self, hint: impl Into<String>) -> Error {
        Error::Hinted {
            error: Box::new(self),
            hint: hint.into(),
        }
    }

    /// This error in the words of `wording` (itself on the command line).
    pub fn reworded(self, wording: Wording) -> Error {
        if wording == Wording::CommandLine {
            return self;
        }
        Error::Reworded {
            exit: self.exit_code(),
            message: wording.reword(&self.to_string()),
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

/// Whose words a message uses for the ways out it names: the command line's options, or the
/// inputs of the CI integration that runs awssecrets for the user (who never typed a flag).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Wording {
    /// `--allow-name PATH`.
    #[default]
    CommandLine,
    /// The `fetch-secrets` GitLab component: `allow_names`, `format`, ...
    FetchSecretsComponent,
    /// The `dotenv-report` GitLab component: `allow_names`, `max_variables`, ...
    DotenvReportComponent,
    /// The GitHub action: `allow-names`, `format`, ...
    GithubAction,
}

/// Options and the inputs that stand for them: (option, GitLab components' input, GitHub
/// action's input). An option with no input of a caller keeps its name there.
const INPUTS: &[(&str, Option<&str>, Option<&str>)] = &[
    ("--allow-name", Some("allow_names"), Some("allow-names")),
    (
        "--only-listed-keys",
        Some("only_listed_keys"),
        Some("only-listed-keys"),
    ),
    ("--format", Some("format"), Some("format")),
    ("--output", Some("output"), Some("output")),
    ("--gitlab-max-variables", Some("max_variables"), None),
    ("--gitlab-max-bytes", Some("max_bytes"), None),
    ("--region", Some("region"), Some("region")),
    ("--role-arn", Some("role_arn"), Some("role-to-assume")),
    ("--role-session-name", None, Some("role-session-name")),
    ("--secret", Some("secrets"), Some("secret-ids")),
    ("--prefix", None, Some("prefix")),
    ("--uppercase", None, Some("uppercase")),
];

/// Options that take a value (`--allow-name PATH`), as opposed to switches.
const SWITCHES: &[&str] = &["--only-listed-keys", "--uppercase"];

impl Wording {
    /// The input standing for `option` in this caller's words, if it has one.
    fn input(self, option: &str) -> Option<&'static str> {
        let (_, gitlab, github) = INPUTS.iter().find(|(name, _, _)| *name == option)?;
        match self {
            Wording::CommandLine => None,
            Wording::FetchSecretsComponent | Wording::DotenvReportComponent => *gitlab,
            Wording::GithubAction => *github,
        }
    }

    /// `message` with every option that stands for one of the caller's inputs named as that
    /// input: `pass --allow-name PATH` becomes `add PATH to the allow_names input`,
    /// `--format sh` becomes `format: sh`, a switch `the only_listed_keys input`.
    pub fn reword(self, message: &str) -> String {
        if self == Wording::CommandLine {
            return message.to_owned();
        }
        let mut out = String::with_capacity(message.len() + 32);
        let mut rest = message;
        while let Some(start) = rest.find("--") {
            let (before, from) = rest.split_at(start);
            let length = from[2..]
                .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                .map_or(from.len(), |end| end + 2);
            let option = &from[..length];
            let standalone = before.is_empty() || before.ends_with([' ', '(', '"', '`']);
            let Some(input) = self.input(option).filter(|_| standalone) else {
                out.push_str(before);
                out.push_str(option);
                rest = &from[length..];
                continue;
            };
            let after = &from[length..];
            let value = after
                .strip_prefix(' ')
                .filter(|_| !SWITCHES.contains(&option))
                .map(|text| {
                    let end = text
                        .find(|c: char| c.is_whitespace() || ",;)".contains(c))
                        .unwrap_or(text.len());
                    &text[..end]
                })
                .filter(|value| !value.is_empty() && !value.starts_with('-'));
            match value {
                Some(value) => {
                    let consumed = length + 1 + value.len();
                    let dotenv_fix = self == Wording::DotenvReportComponent && option == "--format";
                    if let Some(lead) = before.strip_suffix("pass ") {
                        out.push_str(lead);
                        out.push_str(&format!("add {value} to the {input} input"));
                    } else if dotenv_fix {
                        out.push_str(before);
                        out.push_str(&format!("the fetch-secrets component (format: {value})"));
                    } else {
                        out.push_str(before);
                        out.push_str(&format!("{input}: {value}"));
                    }
                    rest = &from[consumed..];
                }
                None => {
                    out.push_str(before);
                    out.push_str(&format!("the {input} input"));
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
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
    fn quoted_and_printable_text_cannot_start_a_line_or_drive_a_terminal() {
        assert_eq!(quoted("a\n::warning::x"), r#""a\n::warning::x""#);
        assert_eq!(quoted("\u{1b}[31m"), r#""\u{1b}[31m""#);
        assert_eq!(shown("vars.env"), "vars.env");
        assert_eq!(shown("my vars.env"), r#""my vars.env""#);
        assert_eq!(shown("x\n::error::y"), r#""x\n::error::y""#);
        assert_eq!(shown(""), r#""""#);
        assert_eq!(
            printable("line\n\u{1b}[2Jcleared\r::x\tt"),
            "line\n\\u{1b}[2Jcleared\\r::x\tt"
        );
    }

    #[test]
    fn a_component_or_the_action_names_its_inputs_not_options() {
        let message = "variable PATH (from secret ci/a): a reserved name; list the key, or pass \
            --allow-name PATH; --only-listed-keys refuses it; use --format sh (or awssecrets \
            exec); --gitlab-max-bytes, --strict";
        assert_eq!(Wording::CommandLine.reword(message), message);
        assert_eq!(
            Wording::FetchSecretsComponent.reword(message),
            "variable PATH (from secret ci/a): a reserved name; list the key, or add PATH to the \
             allow_names input; the only_listed_keys input refuses it; use format: sh (or \
             awssecrets exec); the max_bytes input, --strict"
        );
        assert_eq!(
            Wording::DotenvReportComponent.reword("use --format sh and load it"),
            "use the fetch-secrets component (format: sh) and load it"
        );
        assert_eq!(
            Wording::GithubAction.reword("pass --allow-name PATH; --gitlab-max-bytes; --role-arn"),
            "add PATH to the allow-names input; --gitlab-max-bytes; the role-to-assume input"
        );
    }

    #[test]
    fn no_errors_is_no_error() {
        assert!(Error::from_many(Vec::new()).is_none());
    }
}
