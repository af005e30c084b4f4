//! The plain requests the command line builds, one per command: what to fetch, how to name
//! it, where to write it, how to reach AWS. No clap in sight.

use std::path::PathBuf;

use crate::aws::AwsOptions;
use crate::error::Wording;
use crate::exec;
use crate::log::Verbosity;
use crate::naming::NamingOptions;
use crate::render::{self, Format};
use crate::source::Spec;

use super::trust::Trust;

/// The environment variable read when no `--secret` is given.
pub const SECRETS_ENV: &str = "AWSSECRETS_SECRETS";

/// What to do, as the command line and environment asked.
#[derive(Debug)]
pub enum Command {
    Export(Export),
    Exec(Exec),
    Whoami(Whoami),
    Policy(Policy),
    Render(Render),
    Scan(Scan),
    Redact(Redact),
    /// Text the command line makes of its own definitions (completions, a man page), printed
    /// as it is.
    Print(Vec<u8>),
}

impl Command {
    /// The values it works with, for a command that fetches them.
    pub fn selection(&self) -> Option<&Selection> {
        match self {
            Command::Export(request) => Some(&request.selection),
            Command::Exec(request) => Some(&request.selection),
            Command::Render(request) => Some(&request.selection),
            Command::Scan(request) => Some(&request.selection),
            Command::Redact(request) => Some(&request.selection),
            Command::Whoami(_) | Command::Policy(_) | Command::Print(_) => None,
        }
    }

    /// Whose words its messages use.
    pub fn wording(&self) -> Wording {
        self.selection()
            .map_or(Wording::CommandLine, |selection| selection.wording)
    }
}

/// Which values to fetch, how to name their variables, and how to reach AWS.
#[derive(Debug, Clone)]
pub struct Selection {
    pub specs: Vec<Spec>,
    pub naming: NamingOptions,
    pub aws: AwsOptions,
    pub verbosity: Verbosity,
    /// Whose words messages use (a CI integration's inputs, or the options).
    pub wording: Wording,
}

impl Selection {
    /// `awssecrets policy ...` for these SPECs, reaching AWS as this run does (the same
    /// region, profile, role and endpoint), quoted for a POSIX shell; none without SPECs.
    pub fn policy_command(&self) -> Option<String> {
        if self.specs.is_empty() {
            return None;
        }
        let mut words = vec!["awssecrets".to_owned(), "policy".to_owned()];
        for (option, value) in [
            ("--region", &self.aws.region),
            ("--profile", &self.aws.profile),
            ("--role-arn", &self.aws.role_arn),
            ("--endpoint-url", &self.aws.endpoint_url),
        ] {
            if let Some(value) = value {
                words.extend([option.to_owned(), shell_word(value)]);
            }
        }
        for spec in &self.specs {
            words.extend(["-s".to_owned(), shell_word(&spec.text)]);
        }
        Some(words.join(" "))
    }
}

/// `text` as a POSIX shell reads it back as one word.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_/=.:,@%+-".contains(&b));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Where `export` writes, decided once from `--format`, `-o` and the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Stdout; `on_purpose` with `-o -` (then even where it is a CI job's log).
    Stdout { on_purpose: bool },
    /// A file, replaced atomically.
    File(PathBuf),
    /// Commands (masks) to stdout, the variables appended to this file (`$GITHUB_ENV`).
    Append(PathBuf),
}

/// `export`: print the variables for their consumer.
#[derive(Debug)]
pub struct Export {
    pub selection: Selection,
    pub format: Format,
    /// The consumer's limits as configured (GitLab's), and masks to print first.
    pub render: render::Options,
    pub destination: Destination,
    /// Running in CI (`CI` set): stdout may be the job's log.
    pub in_ci: bool,
}

/// `exec`: run a command with the variables in its environment.
#[derive(Debug)]
pub struct Exec {
    pub selection: Selection,
    /// `--env-file`: variables read before the secrets, in order.
    pub env_files: Vec<PathBuf>,
    pub options: exec::Options,
}

/// `render`: templates rendered with the values.
#[derive(Debug)]
pub struct Render {
    pub selection: Selection,
    /// `--env-file`: values read from files, with or instead of SPECs.
    pub env_files: Vec<PathBuf>,
    /// Each template and where its rendering goes.
    pub pairs: Vec<(PathBuf, RenderTo)>,
}

/// Where one rendered template goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderTo {
    /// A file, replaced atomically (together with the others).
    File(PathBuf),
    /// Stdout (`-o -`).
    Stdout,
}

/// `scan`: search files for the values.
#[derive(Debug)]
pub struct Scan {
    pub selection: Selection,
    /// `--env-file`: values read from files, with or instead of SPECs.
    pub env_files: Vec<PathBuf>,
    /// Files and directories to search.
    pub paths: Vec<PathBuf>,
    /// Paths not searched (`--exclude`).
    pub excluded: Vec<PathBuf>,
    /// Findings as one JSON object instead of lines.
    pub json: bool,
    /// Values shorter than this are not searched for.
    pub min_length: usize,
}

/// `redact`: mask the values in stdin, to stdout.
#[derive(Debug)]
pub struct Redact {
    pub selection: Selection,
    pub env_files: Vec<PathBuf>,
    pub min_length: usize,
}

/// `policy`: the IAM policy SPECs need, or a CI role's trust policy.
#[derive(Debug)]
pub struct Policy {
    pub specs: Vec<Spec>,
    pub aws: AwsOptions,
    /// The account of resources named without an ARN; `None`: the caller's.
    pub account: Option<String>,
    /// Also allow the batch call.
    pub batch: bool,
    /// Customer managed KMS keys to allow decrypting with.
    pub kms_keys: Vec<String>,
    /// Print this trust policy instead.
    pub trust: Option<Trust>,
    pub verbosity: Verbosity,
}

/// `whoami`: the identity a run would use.
#[derive(Debug)]
pub struct Whoami {
    pub aws: AwsOptions,
    pub json: bool,
    pub verbosity: Verbosity,
}
