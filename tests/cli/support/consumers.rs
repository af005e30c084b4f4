//! The real consumers of each output format, to round-trip what the binary writes.

use std::path::Path;
use std::process::Command;

use awssecrets::render::Format;
use clap::ValueEnum;

/// Name/value pairs, in order.
pub type Pairs = Vec<(String, String)>;

/// The POSIX shells present here: `sh` always, and dash, bash, busybox when installed.
pub fn shells() -> Vec<Vec<String>> {
    let mut shells = vec![vec!["sh".to_owned()]];
    for candidate in ["dash", "bash"] {
        if which(candidate) {
            shells.push(vec![candidate.to_owned()]);
        }
    }
    if which("busybox") {
        shells.push(vec!["busybox".to_owned(), "sh".to_owned()]);
    }
    shells
}

fn which(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null")])
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}

/// A POSIX sh script printing `NAME\0VALUE\0` for each name given as an argument (exactly,
/// newlines included); an unset name makes it exit 3.
pub const PRINT_VARIABLES: &str = r#"for name in "$@"; do
  eval "isset=\${$name+set}"
  [ "$isset" = set ] || { echo "unset: $name" >&2; exit 3; }
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
/// expanded by the runner, so none may reach it.
pub fn gitlab_dotenv_pairs(text: &str) -> Pairs {
    assert!(
        text.len() < 5 * 1024,
        "GitLab rejects files of 5 KB or more"
    );
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
    /// The dotenvy crate (what `exec --env-file` used to be built on).
    Dotenvy,
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
        !matches!(self, Reader::ShellSource(_) | Reader::ShellEval(_))
    }

    /// The variables it reads from `text` (saved in `directory` when it needs a file); only
    /// `names` are read back by the shells.
    pub fn read(&self, text: &[u8], directory: &Path, names: &[&str]) -> Pairs {
        let text_str = || std::str::from_utf8(text).expect("UTF-8 output");
        match self {
            Reader::ShellSource(shell) | Reader::ShellEval(shell) => {
                let file = directory.join("rendered");
                std::fs::write(&file, text).unwrap();
                let loader = if matches!(self, Reader::ShellSource(_)) {
                    r#"set -a; . "$FILE"; set +a"#
                } else {
                    r#"eval "$(cat "$FILE")""#
                };
                load_in_shell(shell, loader, &file, names)
            }
            Reader::Dotenvy => dotenvy_pairs(text_str()),
            Reader::DockerEnvFile => docker_env_pairs(text_str()),
            Reader::GitlabDotenv => gitlab_dotenv_pairs(text_str()),
            Reader::GithubEnv => github_env_pairs(text_str()),
            Reader::Json => json_pairs(text_str()),
        }
    }
}

/// Every real reader of `format` available here. The match has no wildcard: a new format does
/// not compile until its readers are named, so no test iterating formats can skip it.
pub fn readers(format: Format) -> Vec<Reader> {
    match format {
        Format::Dotenv => shells()
            .into_iter()
            .map(Reader::ShellSource)
            .chain([Reader::Dotenvy])
            .collect(),
        Format::Shell => shells().into_iter().map(Reader::ShellEval).collect(),
        Format::Env => vec![Reader::DockerEnvFile],
        Format::Gitlab => vec![Reader::GitlabDotenv],
        Format::Github => vec![Reader::GithubEnv],
        Format::Json => vec![Reader::Json],
    }
}

/// Every format, as the command line names them.
pub fn formats() -> Vec<Format> {
    Format::value_variants().to_vec()
}

/// The name of `format` on the command line.
pub fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .expect("every format has a name")
        .get_name()
        .to_owned()
}
