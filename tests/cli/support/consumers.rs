//! The real consumers of each output format, to round-trip what the binary writes.

use std::path::Path;
use std::process::Command;

use awssecrets::render::Format;

/// Name/value pairs, in order.
pub type Pairs = Vec<(String, String)>;

/// The POSIX shells: sh, dash, bash, busybox sh, zsh and mksh, every one of them (a missing
/// one fails the test: `scripts/test` installs them).
pub fn shells() -> Vec<Vec<String>> {
    let mut shells = vec![vec!["sh".to_owned()]];
    for candidate in [
        vec!["dash"],
        vec!["bash"],
        vec!["busybox", "sh"],
        vec!["zsh"],
        vec!["mksh"],
    ] {
        super::require(candidate[0]);
        shells.push(candidate.iter().map(|part| part.to_string()).collect());
    }
    shells
}

pub fn which(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null")])
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}

/// A POSIX sh script printing `NAME\0VALUE\0` for each name given as an argument that is set
/// (exactly, newlines included).
pub const PRINT_VARIABLES: &str = r#"for name in "$@"; do
  eval "isset=\${$name+set}"
  [ "$isset" = set ] || continue
  eval "value=\$$name"
  printf '%s\0%s\0' "$name" "$value"
done"#;

/// Parses what [`PRINT_VARIABLES`] printed.
pub fn nul_separated_pairs(output: &[u8]) -> Pairs {
    let fields: Vec<String> = output
        .split(|byte| *byte == 0)
        .map(|field| String::from_utf8(field.to_vec()).expect("UTF-8 from the shell"))
        .collect();
    fields
        .chunks(2)
        .filter(|chunk| chunk.len() == 2)
        .map(|chunk| (chunk[0].clone(), chunk[1].clone()))
        .collect()
}

/// Loads `file` with `loader` (e.g. `set -a; . "$FILE"; set +a`) in `shell`, then reads back
/// each of `names` exactly.
pub fn load_in_shell(shell: &[String], loader: &str, file: &Path, names: &[&str]) -> Pairs {
    let output = Command::new(&shell[0])
        .args(&shell[1..])
        .arg("-c")
        .arg(format!("{loader}\n{PRINT_VARIABLES}"))
        .arg("awssecrets-test")
        .args(names)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FILE", file)
        .output()
        .expect("run the shell");
    assert!(
        output.status.success(),
        "{shell:?} failed to load the file: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    nul_separated_pairs(&output.stdout)
}

/// What dotenvy reads from `text` (as `exec --env-file` will).
pub fn dotenvy_pairs(text: &str) -> Pairs {
    dotenvy::from_read_iter(text.as_bytes())
        .map(|item| item.expect("dotenvy parses the file"))
        .collect()
}

/// What the GitHub Actions runner reads from a `$GITHUB_ENV` file, following its
/// FileCommandManager (Linux: lines end with LF; `NAME=value` or `NAME<<DELIMITER` heredocs).
pub fn github_env_pairs(text: &str) -> Pairs {
    let mut pairs = Vec::new();
    let mut rest = text;
    while let Some((line, after)) = next_line(rest) {
        rest = after;
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        match (equals, heredoc) {
            (Some(equals), heredoc) if heredoc.is_none_or(|heredoc| equals < heredoc) => {
                pairs.push((line[..equals].to_owned(), line[equals + 1..].to_owned()));
            }
            (_, Some(heredoc)) => {
                let name = &line[..heredoc];
                let delimiter = &line[heredoc + 2..];
                let mut value_lines = Vec::new();
                loop {
                    let (value_line, after) = next_line(rest)
                        .unwrap_or_else(|| panic!("matching delimiter not found: {delimiter}"));
                    assert!(after.len() < rest.len(), "EOF marker missing new line");
                    rest = after;
                    if value_line == delimiter {
                        break;
                    }
                    value_lines.push(value_line);
                }
                pairs.push((name.to_owned(), value_lines.join("\n")));
            }
            _ => panic!("invalid GITHUB_ENV line: {line:?}"),
        }
    }
    pairs
}

fn next_line(text: &str) -> Option<(&str, &str)> {
    if text.is_empty() {
        return None;
    }
    Some(match text.find('\n') {
        Some(end) => (&text[..end], &text[end + 1..]),
        None => (text, ""),
    })
}

/// What GitLab's dotenv report parser reads (Ci::ParseDotenvArtifactService#scan_line!): every
/// line `KEY=VALUE` with the first `=` splitting, both sides stripped; a `$` would then be
/// expanded by the runner, so none may reach it. (Its size limit is checked on upload, on the
/// compressed file: the format's own tests cover it.)
pub fn gitlab_dotenv_pairs(text: &str) -> Pairs {
    text.split_inclusive('\n')
        .map(|line| {
            let line = line.strip_suffix('\n').unwrap_or(line);
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("Invalid Format: {line:?}"));
            let key = key.trim_matches(is_ruby_whitespace);
            assert!(
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "GitLab refuses key {key:?}"
            );
            (
                key.to_owned(),
                value.trim_matches(is_ruby_whitespace).to_owned(),
            )
        })
        .collect()
}

/// What Ruby's `String#strip` removes.
fn is_ruby_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\0')
}

/// What `docker run --env-file` reads: lines split on LF, leading whitespace dropped, blank and
/// `#` lines skipped, the first `=` splits, the value is taken raw.
pub fn docker_env_pairs(text: &str) -> Pairs {
    text.lines()
        .map(|line| line.trim_start())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, value) = line.split_once('=').expect("NAME=value");
            assert!(
                !name.contains(char::is_whitespace),
                "docker refuses {name:?}"
            );
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// Name/value pairs of a JSON object, in order.
pub fn json_pairs(text: &str) -> Pairs {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).expect("valid JSON object");
    object
        .into_iter()
        .map(|(name, value)| (name, value.as_str().expect("string values").to_owned()))
        .collect()
}

/// A real reader of one format: a shell loading it, a library parsing it, a CI runner's rules.
#[derive(Debug, Clone)]
pub enum Reader {
    /// `set -a; . FILE; set +a` in this shell.
    ShellSource(Vec<String>),
    /// `eval "$(cat FILE)"` in this shell.
    ShellEval(Vec<String>),
    /// The dotenvy crate (Rust).
    Dotenvy,
    /// python-dotenv's `dotenv_values`, with its default interpolation.
    PythonDotenv,
    /// The npm `dotenv` package's `parse`.
    NpmDotenv,
    /// node's built-in reader: `node --env-file=FILE`.
    NodeEnvFile,
    /// node's built-in reader: `process.loadEnvFile(FILE)`.
    NodeLoadEnvFile,
    /// `awssecrets exec --env-file FILE`.
    AwssecretsExec,
    /// `docker run --env-file` (docker/cli `pkg/kvfile`).
    DockerEnvFile,
    /// GitLab's dotenv report parser.
    GitlabDotenv,
    /// The Actions runner's `$GITHUB_ENV` parser.
    GithubEnv,
    /// A JSON parser (serde_json).
    Json,
}

impl Reader {
    /// Whether it runs in this process (fast enough for every property case).
    pub fn in_process(&self) -> bool {
        matches!(
            self,
            Reader::Dotenvy
                | Reader::DockerEnvFile
                | Reader::GitlabDotenv
                | Reader::GithubEnv
                | Reader::Json
        )
    }

    /// The variables it reads from `text` (saved in `directory` when it needs a file); the
    /// readers that see a whole environment read back only `names`.
    pub fn read(&self, text: &[u8], directory: &Path, names: &[&str]) -> Pairs {
        let text_str = || std::str::from_utf8(text).expect("UTF-8 output");
        let file = directory.join("rendered");
        if !self.in_process() {
            std::fs::write(&file, text).unwrap();
        }
        match self {
            Reader::ShellSource(shell) => {
                load_in_shell(shell, r#"set -a; . "$FILE"; set +a"#, &file, names)
            }
            Reader::ShellEval(shell) => {
                load_in_shell(shell, r#"eval "$(cat "$FILE")""#, &file, names)
            }
            Reader::Dotenvy => dotenvy_pairs(text_str()),
            Reader::PythonDotenv => json_reader(
                Command::new(super::emulator::python())
                    .args([
                        "-c",
                        "import json, sys; from dotenv import dotenv_values; \
                     print(json.dumps(dotenv_values(sys.argv[1])))",
                    ])
                    .arg(&file),
                names,
            ),
            Reader::NpmDotenv => json_reader(
                Command::new("node")
                    .args([
                        "-e",
                        "const fs = require('fs'); \
                     const dotenv = require(process.argv[1] + '/node_modules/dotenv'); \
                     console.log(JSON.stringify(dotenv.parse(fs.readFileSync(process.argv[2]))))",
                        READERS_DIRECTORY,
                    ])
                    .arg(&file),
                names,
            ),
            Reader::NodeEnvFile | Reader::NodeLoadEnvFile => {
                let print = "const names = JSON.parse(process.argv[process.argv.length - 1]); \
                    const seen = {}; \
                    for (const name of names) if (name in process.env) seen[name] = process.env[name]; \
                    console.log(JSON.stringify(seen))";
                let mut command = Command::new("node");
                if matches!(self, Reader::NodeEnvFile) {
                    command
                        .arg(format!("--env-file={}", file.display()))
                        .args(["-e", print]);
                } else {
                    command
                        .args([
                            "-e",
                            &format!("process.loadEnvFile(process.argv[1]); {print}"),
                        ])
                        .arg(&file);
                }
                command.arg(serde_json::to_string(names).unwrap());
                json_reader(
                    command
                        .env_clear()
                        .env("PATH", std::env::var_os("PATH").unwrap_or_default()),
                    names,
                )
            }
            Reader::AwssecretsExec => {
                let output = Command::new(super::binary())
                    .args(["exec", "--no-mask", "--env-file"])
                    .arg(&file)
                    .args(["--", "sh", "-c", PRINT_VARIABLES, "awssecrets-test"])
                    .args(names)
                    .env_clear()
                    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                    .env("AWS_EC2_METADATA_DISABLED", "true")
                    .output()
                    .unwrap();
                assert!(
                    output.status.success(),
                    "awssecrets exec --env-file failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                nul_separated_pairs(&output.stdout)
            }
            Reader::DockerEnvFile => docker_env_pairs(text_str()),
            Reader::GitlabDotenv => gitlab_dotenv_pairs(text_str()),
            Reader::GithubEnv => github_env_pairs(text_str()),
            Reader::Json => json_pairs(text_str()),
        }
    }
}

/// Where `scripts/test` installs the npm readers (`npm ci`).
const READERS_DIRECTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/readers");

/// Runs a reader that prints one JSON object of name -> value; keeps `names`, in that order.
fn json_reader(command: &mut Command, names: &[&str]) -> Pairs {
    let output = command.output().expect("run the reader");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("the reader printed JSON");
    names
        .iter()
        .filter_map(|name| {
            let value = object.get(*name)?.as_str()?.to_owned();
            Some((name.to_string(), value))
        })
        .collect()
}

/// Every real reader of `format` available here. The match has no wildcard: a new format does
/// not compile until its readers are named, so no test iterating formats can skip it.
pub fn readers(format: Format) -> Vec<Reader> {
    let sourcing = shells().into_iter().map(Reader::ShellSource);
    match format {
        Format::Sh => sourcing.chain([Reader::AwssecretsExec]).collect(),
        Format::Dotenv => sourcing
            .chain([
                Reader::Dotenvy,
                Reader::PythonDotenv,
                Reader::NpmDotenv,
                Reader::NodeEnvFile,
                Reader::NodeLoadEnvFile,
                Reader::AwssecretsExec,
            ])
            .collect(),
        Format::Shell => shells()
            .into_iter()
            .map(Reader::ShellEval)
            .chain([Reader::AwssecretsExec])
            .collect(),
        Format::Env => vec![Reader::DockerEnvFile],
        Format::Gitlab => vec![Reader::GitlabDotenv],
        Format::Github | Format::GithubOutput => vec![Reader::GithubEnv],
        Format::Json => vec![Reader::Json],
    }
}

/// Every format.
pub fn formats() -> Vec<Format> {
    Format::ALL.to_vec()
}

/// The name of `format` on the command line.
pub fn format_name(format: Format) -> String {
    format.name().to_owned()
}
