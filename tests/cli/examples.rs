//! Every example is a promise: each one in README.md, docs/*.md and `--help` is run against
//! the emulator, as a user would paste it, unless it is marked as one that cannot run here; then
//! (and for every example) each `awssecrets` command in it is parsed as the binary parses it:
//! its flags exist, its SPECs parse.
//!
//! In Markdown, a fence (```sh, ```bash, ```console or unlabelled) holding an `awssecrets`
//! command is an example; the comment on the line before the fence says otherwise:
//! `<!-- examples: parse only: REASON -->` (never run, REASON says why) or
//! `<!-- examples: exit N -->` (runs and exits N). Fences of CI files (```yaml) and commands in
//! the prose (`awssecrets ...`) are parsed only. In `--help`, each titled example runs unless
//! [`HELP_PARSE_ONLY`] names it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use awssecrets::cli::Cli;
use clap::CommandFactory;

use crate::support::{TestEnv, binary};

/// `--help` examples that cannot run here, by (command, words of their title): why.
const HELP_PARSE_ONLY: &[(&str, &str, &str)] = &[
    (
        "export",
        "GitHub Actions: mask every value",
        "an ARN's random suffix is the one AWS gave",
    ),
    ("export", "Behind a proxy", "proxy.corp is not here"),
];

/// Programs the examples run that must not do their real work here (publish, deploy, log in):
/// each is a stub printing its name and arguments. `kubectl` also checks that KUBECONFIG, when
/// set, is a file (what `exec --file` promises).
const STUBS: &[&str] = &["npm", "kubectl", "gcloud", "aws", "terraform", "docker"];

#[derive(Debug)]
enum How {
    /// Runs and exits with this code.
    Run(i32),
    /// Only its `awssecrets` commands are parsed, for this reason.
    ParseOnly(String),
}

/// How much of an `awssecrets` command is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Check {
    /// It parses as the binary parses a whole command line.
    Whole,
    /// Prose names a command in part (`awssecrets exec --env-file`): its options exist and
    /// its SPECs parse.
    Words,
}

#[derive(Debug)]
struct Example {
    /// Where it is: FILE:LINE, or `awssecrets COMMAND --help: TITLE`.
    origin: String,
    script: String,
    shell: &'static str,
    how: How,
    check: Check,
}

#[test]
fn every_example_runs_or_parses() {
    let examples: Vec<Example> = markdown_files()
        .iter()
        .flat_map(|file| markdown_examples(file))
        .chain(help_examples())
        .collect();
    assert!(
        examples
            .iter()
            .filter(|e| matches!(e.how, How::Run(_)))
            .count()
            >= 20,
        "too few runnable examples found: {examples:#?}"
    );
    let mut problems = Vec::new();
    for example in &examples {
        let commands = awssecrets_commands(&example.script);
        if commands.is_empty() {
            problems.push(format!(
                "{}: no awssecrets command found in it",
                example.origin
            ));
        }
        for (environment, args) in commands {
            let shows_help = args
                .iter()
                .any(|arg| matches!(arg.as_str(), "-h" | "--help" | "-V" | "--version" | "help"));
            let problem = if example.check == Check::Words || shows_help {
                words_problem(&args)
            } else {
                whole_problem(&args, &environment)
            };
            if let Some(problem) = problem {
                problems.push(format!(
                    "{}: `awssecrets {}`: {problem}",
                    example.origin,
                    args.join(" ")
                ));
            }
        }
    }
    let parse_only: Vec<String> = examples
        .iter()
        .filter_map(|example| match &example.how {
            How::ParseOnly(reason) => Some(format!("{} ({reason})", example.origin)),
            How::Run(_) => None,
        })
        .collect();
    eprintln!("parsed only: {}", parse_only.join("; "));
    let sandbox = Sandbox::new();
    for example in &examples {
        if let How::Run(code) = example.how
            && let Some(problem) = sandbox.run(example, code)
        {
            problems.push(problem);
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} examples fail:\n\n{}",
        problems.len(),
        examples.len(),
        problems.join("\n\n")
    );
}

#[test]
fn every_parse_only_help_example_exists() {
    let examples = help_examples();
    for (command, title, _) in HELP_PARSE_ONLY {
        assert!(
            examples.iter().any(
                |e| e.origin == format!("awssecrets {command} --help: {title}")
                    || e.origin
                        .starts_with(&format!("awssecrets {command} --help: {title}"))
            ),
            "HELP_PARSE_ONLY names `{command}` example {title:?}, which --help no longer has"
        );
    }
}

#[test]
fn versions_in_examples_are_cargo_tomls() {
    let version = env!("CARGO_PKG_VERSION");
    // A version of awssecrets: a tag (`@v0.1.0`, `@0.1.0`), an image tag (`awssecrets:0.1.0`)
    // or what --version prints (`awssecrets 0.1.0`).
    let pattern =
        regex::Regex::new(r"awssecrets(?:/[A-Za-z0-9_-]+)*(?:@v?|:v?| )(\d+\.\d+\.\d+)").unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = markdown_files();
    files.extend(
        [
            "action.yml",
            "examples/github-workflow.yml",
            ".gitlab-ci.yml",
        ]
        .iter()
        .map(|file| root.join(file)),
    );
    let mut found = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            for capture in pattern.captures_iter(line) {
                found += 1;
                assert_eq!(
                    &capture[1],
                    version,
                    "{}:{}: {line:?} names version {}, Cargo.toml says {version}",
                    file.display(),
                    number + 1,
                    &capture[1]
                );
            }
        }
    }
    assert!(found > 0, "no version of awssecrets found in any example");
}

/// Why `args` do not parse as the binary parses them, in a CI job (GITHUB_ENV and
/// GITHUB_OUTPUT set) with `environment` set too.
fn whole_problem(args: &[String], environment: &BTreeMap<String, String>) -> Option<String> {
    let mut argv = vec![OsString::from("awssecrets")];
    argv.extend(args.iter().map(OsString::from));
    let lookup = |name: &str| match name {
        "GITHUB_ENV" | "GITHUB_OUTPUT" => Some(OsString::from("/dev/null")),
        _ => environment.get(name).map(OsString::from),
    };
    awssecrets::cli::parse_from(argv, &lookup)
        .err()
        .map(|error| format!("does not parse: {error:#}"))
}

/// An option `args` name that the command they name (or awssecrets itself) does not have, or
/// a SPEC that does not parse.
fn words_problem(args: &[String]) -> Option<String> {
    let cli = Cli::command();
    let words: Vec<String> = args
        .iter()
        .map(|arg| arg.trim_matches(|c| c == '[' || c == ']').to_owned())
        .collect();
    let command = words
        .iter()
        .find_map(|word| cli.find_subcommand(word))
        .unwrap_or(&cli);
    let has_long = |name: &str| {
        [command, &cli].iter().any(|command| {
            command
                .get_arguments()
                .any(|arg| arg.get_long() == Some(name))
        }) || matches!(name, "help" | "version")
    };
    let has_short = |name: char| {
        [command, &cli].iter().any(|command| {
            command
                .get_arguments()
                .any(|arg| arg.get_short() == Some(name))
        }) || matches!(name, 'h' | 'V')
    };
    for (index, word) in words.iter().enumerate() {
        if word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or_default();
            if !has_long(name) {
                return Some(format!("no option --{name}"));
            }
        } else if let Some(short) = word.strip_prefix('-').and_then(|rest| rest.chars().next())
            && !has_short(short)
        {
            return Some(format!("no option -{short}"));
        }
        if matches!(word.as_str(), "-s" | "--secret")
            && let Some(spec) = words.get(index + 1)
            && let Err(error) = awssecrets::source::Spec::parse(spec)
        {
            return Some(format!("SPEC {spec:?} does not parse: {error}"));
        }
    }
    None
}

#[test]
fn the_scan_figures_the_docs_quote_are_the_benchmarks_latest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bench = std::fs::read_to_string(root.join("bench/scan.md")).unwrap();
    let rate = regex::Regex::new(r"\*\*(\d+) MB/s\*\*")
        .unwrap()
        .captures(&bench)
        .expect("bench/scan.md gives a rate")[1]
        .to_owned();
    let peak = regex::Regex::new(r"peak memory, the whole tree[^|]*\| ([0-9.]+) MiB")
        .unwrap()
        .captures(&bench)
        .expect("bench/scan.md gives a peak")[1]
        .to_owned();
    let rates = regex::Regex::new(r"(\d+) MB/s").unwrap();
    for page in [
        "README.md",
        "docs/render-and-scan.md",
        "docs/performance.md",
    ] {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        assert!(
            text.contains(&format!("{rate} MB/s")),
            "{page} does not quote {rate} MB/s"
        );
        assert!(
            text.contains(&format!("{peak} MiB")),
            "{page} does not quote {peak} MiB"
        );
        if page != "docs/performance.md" {
            for quoted in rates.captures_iter(&text) {
                assert_eq!(quoted[1], rate, "{page} quotes {} MB/s", &quoted[1]);
            }
        }
    }
}

/// README.md and every page of docs/.
fn markdown_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

fn markdown_examples(file: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut examples = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        if let Some(language) = line.strip_prefix("```") {
            let start = index;
            let mut body = Vec::new();
            index += 1;
            while index < lines.len() && !lines[index].starts_with("```") {
                body.push(lines[index]);
                index += 1;
            }
            let marker = lines[..start]
                .iter()
                .rev()
                .find(|line| !line.trim().is_empty())
                .and_then(|line| line.trim().strip_prefix("<!-- examples:"))
                .and_then(|rest| rest.strip_suffix("-->"))
                .map(str::trim);
            let script = body
                .iter()
                .map(|line| line.strip_prefix("$ ").unwrap_or(line))
                .collect::<Vec<_>>()
                .join("\n");
            let origin = format!("{name}:{}", start + 1);
            let language = language.trim();
            if awssecrets_commands(&script).is_empty() {
                assert!(
                    marker.is_none(),
                    "{origin}: a marker before a fence with no awssecrets command"
                );
            } else if matches!(language, "yaml" | "yml") {
                examples.push(Example {
                    origin,
                    script: yaml_commands(&script),
                    shell: "sh",
                    how: How::ParseOnly("a CI file".into()),
                    check: Check::Whole,
                });
            } else if matches!(language, "" | "sh" | "bash" | "shell" | "console") {
                let how = match marker {
                    None => How::Run(0),
                    Some(marker) => parse_marker(marker, &origin),
                };
                examples.push(Example {
                    origin,
                    script,
                    shell: if language == "bash" { "bash" } else { "sh" },
                    how,
                    check: Check::Whole,
                });
            }
        } else {
            for span in line.split('`').skip(1).step_by(2) {
                // Prose names commands in part ("`awssecrets ...`"): only whole ones count.
                let command = span == "awssecrets" || span.starts_with("awssecrets ");
                if command && !span.contains("...") {
                    examples.push(Example {
                        origin: format!("{name}:{}", index + 1),
                        script: span.to_owned(),
                        shell: "sh",
                        how: How::ParseOnly("a command in the prose".into()),
                        check: Check::Words,
                    });
                }
            }
        }
        index += 1;
    }
    examples
}

fn parse_marker(marker: &str, origin: &str) -> How {
    if let Some(reason) = marker.strip_prefix("parse only:") {
        How::ParseOnly(reason.trim().to_owned())
    } else if let Some(code) = marker.strip_prefix("exit ") {
        How::Run(
            code.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{origin}: `exit N` takes a number, not {code:?}")),
        )
    } else {
        panic!("{origin}: unknown marker {marker:?} (parse only: REASON, or exit N)")
    }
}

/// The shell commands of a CI file's lines: `- awssecrets ...` items and `run: awssecrets ...`
/// keys (a `run: |` block's lines are commands already).
fn yaml_commands(yaml: &str) -> String {
    yaml.lines()
        .map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("- ").unwrap_or(line);
            line.strip_prefix("run: ").unwrap_or(line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every titled example of every command's `--help` (title at two spaces, command lines at
/// four).
fn help_examples() -> Vec<Example> {
    let cli = Cli::command();
    let commands = std::iter::once(("export", cli.clone())).chain(
        cli.get_subcommands()
            .map(|command| (command.get_name(), command.clone())),
    );
    let mut examples = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (name, command) in commands {
        let Some(after) = command.get_after_long_help() else {
            continue;
        };
        let after = after.to_string();
        let Some(block) = after
            .split("\n\n")
            .collect::<Vec<_>>()
            .join("\n\n")
            .split_once("Examples:\n")
            .map(|(_, rest)| rest.to_owned())
        else {
            continue;
        };
        let mut title = String::new();
        let mut script = Vec::new();
        let mut flush = |title: &str, script: &mut Vec<String>| {
            if !script.is_empty() {
                let origin = format!("awssecrets {name} --help: {title}");
                let parse_only = HELP_PARSE_ONLY
                    .iter()
                    .find(|(command, words, _)| *command == name && title.starts_with(words));
                // `awssecrets` and `awssecrets export` show the same examples.
                if seen.insert(script.join("\n")) {
                    examples.push(Example {
                        origin,
                        script: script.join("\n"),
                        shell: "sh",
                        how: match parse_only {
                            Some((_, _, reason)) => How::ParseOnly((*reason).to_owned()),
                            None => How::Run(0),
                        },
                        check: Check::Whole,
                    });
                }
                script.clear();
            }
        };
        for line in block.lines() {
            if !line.starts_with(' ') && !line.is_empty() {
                break; // the next heading (Exit codes:)
            }
            if let Some(command) = line.strip_prefix("    ") {
                script.push(command.to_owned());
            } else if let Some(text) = line.strip_prefix("  ") {
                if script.is_empty() {
                    // A title may run over two lines.
                    title = if title.is_empty() || text.is_empty() {
                        text.to_owned()
                    } else {
                        format!("{title} {text}")
                    };
                } else {
                    flush(&title, &mut script);
                    title = text.to_owned();
                }
            } else if line.is_empty() {
                flush(&title, &mut script);
                title.clear();
            }
        }
        flush(&title, &mut script);
    }
    examples
}

/// The `awssecrets` commands of a shell script, each with the variables set before it on its
/// line (`NAME=value awssecrets ...`): lines joined at a trailing `\`, comments removed, simple
/// commands split at `;`, `&&`, `||`, `|`, `$(`, `(` and `)`, redirections dropped.
fn awssecrets_commands(script: &str) -> Vec<(BTreeMap<String, String>, Vec<String>)> {
    let joined = script.replace("\\\n", " ");
    let mut commands = Vec::new();
    for line in joined.lines() {
        for simple in simple_commands(line) {
            let Some(words) = shlex::split(&simple) else {
                continue;
            };
            let mut words = without_redirections(words).into_iter().peekable();
            let mut environment = BTreeMap::new();
            while let Some((name, value)) = words.peek().and_then(|word| {
                let (name, value) = word.split_once('=')?;
                let valid =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                valid.then(|| (name.to_owned(), value.to_owned()))
            }) {
                environment.insert(name, value);
                words.next();
            }
            if words.next().as_deref() == Some("awssecrets") {
                commands.push((environment, words.collect()));
            }
        }
    }
    commands
}

/// A line's simple commands, split where a shell starts another (outside single quotes).
fn simple_commands(line: &str) -> Vec<String> {
    let mut commands = vec![String::new()];
    let mut single = false;
    let mut double = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let current = commands.last_mut().unwrap();
        match c {
            '\'' if !double => {
                single = !single;
                current.push(c);
            }
            '"' if !single => {
                double = !double;
                current.push(c);
            }
            '\\' if !single => {
                current.push(c);
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            '#' if !single && !double && current.chars().last().is_none_or(char::is_whitespace) => {
                break;
            }
            '$' if !single && chars.peek() == Some(&'(') => {
                chars.next();
                commands.push(String::new());
                double = false;
            }
            ';' | '|' | '&' | '(' | ')' if !single && !double => commands.push(String::new()),
            ')' if !single => {
                commands.push(String::new());
                double = false;
            }
            _ => current.push(c),
        }
    }
    commands
        .into_iter()
        .map(|command| command.trim().to_owned())
        .filter(|command| !command.is_empty())
        .collect()
}

/// The words without redirections (`> FILE`, `2>&1`, `<FILE`).
fn without_redirections(words: Vec<String>) -> Vec<String> {
    let mut kept = Vec::new();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let operator = word.trim_start_matches(|c: char| c.is_ascii_digit());
        if operator.starts_with('>') || operator.starts_with('<') {
            if matches!(operator, ">" | ">>" | "<") {
                words.next();
            }
        } else {
            kept.push(word);
        }
    }
    kept
}

/// The emulator account every runnable example runs in and the documentation's account (the
/// one of the roles examples assume), both seeded with what the examples name, and a directory
/// of stubs and `awssecrets` for PATH.
struct Sandbox {
    env: TestEnv,
    bin: tempfile::TempDir,
}

/// The account of the ARNs in the documentation.
const DOCUMENTED_ACCOUNT: &str = "123456789012";

impl Sandbox {
    fn new() -> Sandbox {
        let env = TestEnv::new();
        seed(&env);
        seed(&TestEnv::in_account(DOCUMENTED_ACCOUNT));
        let bin = tempfile::tempdir().unwrap();
        // awssecrets itself, telling each exit status, so that one inside `$(...)`, a pipe or
        // before another command counts too.
        let calls = bin.path().join(".calls");
        write_executable(
            &bin.path().join("awssecrets"),
            &format!(
                "#!/bin/sh\n'{}' \"$@\"\nstatus=$?\necho \"$status awssecrets $*\" >>'{}'\n\
                 exit $status\n",
                binary().display(),
                calls.display()
            ),
        );
        for stub in STUBS {
            let check = if *stub == "kubectl" {
                "if [ -n \"${KUBECONFIG:-}\" ] && [ ! -f \"$KUBECONFIG\" ]; then\n    \
                 echo \"kubectl: KUBECONFIG is not a file\" >&2; exit 1\nfi\n"
            } else {
                ""
            };
            write_executable(
                &bin.path().join(stub),
                &format!("#!/bin/sh\n{check}echo \"stub: {stub} $*\"\n"),
            );
        }
        // Profiles the examples name, with this test's credentials.
        let credentials = &env.credentials;
        let mut config = String::new();
        for profile in [
            "default",
            "profile ci",
            "profile ci-readonly",
            "profile dev",
        ] {
            config.push_str(&format!(
                "[{profile}]\nregion = {}\naws_access_key_id = {}\naws_secret_access_key = {}\n\
                 aws_session_token = {}\n\n",
                crate::support::REGION,
                credentials.access_key_id(),
                credentials.secret_access_key(),
                credentials.session_token().unwrap()
            ));
        }
        std::fs::create_dir_all(env.path(".aws")).unwrap();
        std::fs::write(env.path(".aws/config"), config).unwrap();
        Sandbox { env, bin }
    }

    /// Runs `example` in a fresh directory holding what a CI job's would (`.ci-secrets` from a
    /// first stage, the scripts it runs, the templates it renders, build outputs and logs free
    /// of secrets); a problem when it does not exit `code` within a minute.
    fn run(&self, example: &Example, code: i32) -> Option<String> {
        let work = tempfile::tempdir_in(self.env.home.path()).unwrap();
        for script in ["deploy.sh", "migrate.sh", "build.sh"] {
            write_executable(
                &work.path().join(script),
                &format!("#!/bin/sh\necho \"stub: ./{script} $*\"\n"),
            );
        }
        for (file, text) in PROJECT_FILES {
            let path = work.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let first_stage = self
            .env
            .awssecrets(["-s", "ci/npm", "-o"])
            .arg(work.path().join(".ci-secrets"))
            .run();
        first_stage.expect_success();
        let path = format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let calls = self.bin.path().join(".calls");
        std::fs::write(&calls, "").unwrap();
        let stdout = work.path().join(".stdout");
        let stderr = work.path().join(".stderr");
        let status = self
            .env
            .program(example.shell)
            .args(["-c", &example.script])
            .current_dir(work.path())
            .env("PATH", path)
            .env("GITHUB_ENV", work.path().join(".github_env"))
            .env("GITHUB_OUTPUT", work.path().join(".github_output"))
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .stdin(Stdio::null())
            .status_within(Duration::from_secs(60));
        let calls = std::fs::read_to_string(&calls).unwrap();
        let failed_call = calls.lines().find(|call| {
            let status = call.split(' ').next().unwrap_or_default();
            status != "0" && status != code.to_string()
        });
        let problem = if status.code() != Some(code) {
            format!("exits {status}, not {code}")
        } else if let Some(call) = failed_call {
            format!("runs a command that fails: {call}")
        } else if calls.is_empty() {
            "runs no awssecrets command".to_owned()
        } else {
            return None;
        };
        Some(format!(
            "{} {problem}:\n{}\n--- stdout:\n{}--- stderr:\n{}",
            example.origin,
            example.script,
            std::fs::read_to_string(&stdout).unwrap_or_default(),
            std::fs::read_to_string(&stderr).unwrap_or_default()
        ))
    }
}

/// The files of the project the examples run in: templates, and build outputs and logs that
/// hold no secret.
const PROJECT_FILES: &[(&str, &str)] = &[
    (
        ".npmrc.tmpl",
        "//registry.npmjs.org/:_authToken={{ NPM_TOKEN }}\n",
    ),
    ("config.json.tmpl", "{\"password\": {{ DB_password }}}\n"),
    ("db.env.tmpl", "DB_USER={{ DB_user | sh }}\n"),
    (
        "settings.xml.tmpl",
        "<settings><servers><server><password>{{ NPM_TOKEN }}</password></server></servers></settings>\n",
    ),
    ("dist/app.js", "console.log('built');\n"),
    ("build/report.txt", "all green\n"),
    ("logs/job.log", "step 1 done\n"),
    ("debug.log", "debugging, nothing secret\n"),
];

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// What the examples fetch, in the emulator's default region; secrets an earlier run left are
/// given these values again (the documented account outlives a run).
fn seed(env: &TestEnv) {
    for (name, value) in [
        (
            "ci/npm",
            r#"{"NPM_TOKEN":"npm-token-value","NPM_REGISTRY":"https://registry.npmjs.org"}"#,
        ),
        ("ci/npm-token", "npm-token-plain-value"),
        (
            "ci/db",
            r#"{"user":"app","password":"db-password-value","host":"db.internal","port":"5432"}"#,
        ),
        ("ci/common", r#"{"LOG_LEVEL":"info","REGION":"eu-west-1"}"#),
        (
            "ci/prod",
            r#"{"LOG_LEVEL":"warn","API_URL":"https://api.example.com"}"#,
        ),
        (
            "ci/app",
            r#"{"APP_SECRET":"app-secret-value","APP_ID":"1234"}"#,
        ),
        (
            "ci/kubeconfig",
            "apiVersion: v1\nkind: Config\nclusters: []\n",
        ),
        (
            "ci/deploy-key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        ("ci/gcp", r#"{"KEY":"{\"type\":\"service_account\"}"}"#),
        (
            "ci/proxy",
            r#"{"HTTPS_PROXY":"http://proxy.internal:3128"}"#,
        ),
        ("ci/prod/api", r#"{"API_KEY":"api-key-current"}"#),
        ("ci/prod/queue", r#"{"QUEUE_PASSWORD":"queue-current"}"#),
        ("ci/prod/never-rotated", r#"{"CERT_PIN":"pin-value"}"#),
    ] {
        env.secret_or_new_version(name, value);
    }
    // Rotated, so that AWSPREVIOUS exists for them (not for ci/prod/never-rotated).
    env.rotate("ci/prod/api", r#"{"API_KEY":"api-key-next"}"#);
    env.rotate("ci/prod/queue", r#"{"QUEUE_PASSWORD":"queue-next"}"#);
    for (name, value) in [
        ("/ci/npm/token", "npm-parameter-value"),
        ("/ci/app/url", "https://app.example.com"),
        ("/ci/app/mode", "production"),
    ] {
        env.parameter(name, value);
    }
    for version in 1..=3 {
        env.parameter(
            "/ci/db",
            &format!(r#"{{"password":"db-password-v{version}"}}"#),
        );
    }
}
