//! What awssecrets says of itself: `--version`, the completion scripts (tried in real bash, zsh
//! and fish) and the man pages (rendered by man).

use std::path::Path;
use std::process::Command;

use awssecrets::cli::Cli;
use awssecrets::render::Format;
use clap::CommandFactory;

use crate::support::{TestEnv, require};

#[test]
fn version_names_the_commit_and_the_target() {
    let env = TestEnv::new();
    let source = Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/source-commit"))
        .output()
        .expect("sh");
    assert!(source.status.success(), "the tests run in a git checkout");
    let source = String::from_utf8(source.stdout).unwrap();
    let (commit, _date) = source.trim().split_once(' ').unwrap();
    for flag in ["--version", "-V"] {
        let outcome = env.run([flag]);
        let line = outcome.stdout.trim_end();
        let expected = format!(
            "awssecrets {} (commit {commit}, {}-unknown-linux-",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::ARCH
        );
        assert!(
            line.starts_with(&expected) && (line.ends_with("-gnu)") || line.ends_with("-musl)")),
            "{flag}: {line:?}, expected {expected}gnu) or musl)"
        );
    }
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let env = TestEnv::new();
    let help = env.run(["--help"]);
    help.expect_success();
    for fragment in [
        "Examples:",
        "set -a; . ./.ci-secrets; set +a",
        "Exit codes:",
        "--format",
        "ALIAS,ID",
    ] {
        assert!(
            help.stdout.contains(fragment),
            "--help lacks {fragment:?}:\n{}",
            help.stdout
        );
    }
}

#[test]
fn every_command_has_examples_and_says_only_what_applies_to_it() {
    let env = TestEnv::new();
    let cli = Cli::command();
    for command in cli
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
    {
        let name = command.get_name();
        let help = env.run([name, "--help"]);
        assert!(
            help.stdout.contains("\nExamples:\n"),
            "awssecrets {name} --help has no examples"
        );
    }
    // whoami reads no secret: the rule of a secret ARN's region is not its own.
    let flowing = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let whoami = flowing(&env.run(["whoami", "--help"]).stdout);
    assert!(!whoami.contains("ARN's own region"), "{whoami}");
    let export = flowing(&env.run(["export", "--help"]).stdout);
    assert!(
        export.contains("a full ARN's own region always wins"),
        "{export}"
    );
}

/// A command line typed up to TAB, and words the shell must offer (or complete to) there.
const COMPLETIONS: &[(&str, &[&str])] = &[
    ("awssecrets wh", &["whoami"]),
    ("awssecrets --form", &["--format"]),
    ("awssecrets --region eu-west-1 ex", &["exec", "export"]),
    ("awssecrets exec --env", &["--env-file"]),
    ("awssecrets whoami --format ", &["text", "json"]),
    ("awssecrets completions ", &["bash", "zsh", "fish"]),
    ("awssecrets policy --tr", &["--trust"]),
];

/// How to ask a shell what it offers for a line, given the completion script's file.
type Offers = fn(&Path, &str) -> Vec<String>;

/// The shells the completions are for.
const SHELLS: &[(&str, Offers)] = &[
    ("bash", bash_offers),
    ("zsh", zsh_offers),
    ("fish", fish_offers),
];

#[test]
fn every_shell_completes_commands_options_and_their_values() {
    let env = TestEnv::new();
    for (shell, offers) in SHELLS {
        require(shell);
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join(match *shell {
            "zsh" => "_awssecrets",
            _ => "awssecrets",
        });
        let outcome = env.run(["completions", shell]);
        std::fs::write(&file, &outcome.output.stdout).unwrap();
        let formats: Vec<&str> = Format::ALL.iter().map(|format| format.name()).collect();
        let every_format: &[(&str, &[&str])] = &[("awssecrets --format ", &formats)];
        for (line, expected) in COMPLETIONS.iter().chain(every_format) {
            let offered = offers(&file, line);
            for word in *expected {
                assert!(
                    offered.iter().any(|offer| offer == word),
                    "{shell}: {line:?}<TAB> does not offer {word}; it offers {offered:?}"
                );
            }
        }
    }
}

#[test]
fn fish_shows_each_format_with_its_description() {
    require("fish");
    let env = TestEnv::new();
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("awssecrets.fish");
    std::fs::write(&file, &env.run(["completions", "fish"]).output.stdout).unwrap();
    let shown = fish_complete(&file, "awssecrets --format ");
    for format in Format::ALL {
        let line = format!("{}\t{}", format.name(), format.description());
        assert!(
            shown.lines().any(|shown| shown == line),
            "fish does not show {line:?}; it shows:\n{shown}"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let env = TestEnv::new();
    env.run(["completions", "tcsh"])
        .expect_failure(2, "invalid value 'tcsh'");
}

fn bash_offers(file: &Path, line: &str) -> Vec<String> {
    // What bash's programmable completion calls for LINE, as bash itself would split it.
    let script = r#"
        source "$1"
        function=$(complete -p awssecrets | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
        COMP_LINE=$2
        COMP_POINT=${#COMP_LINE}
        read -ra COMP_WORDS <<<"$COMP_LINE"
        if [[ $COMP_LINE == *" " ]]; then COMP_WORDS+=(""); fi
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        "$function" awssecrets "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script, "bash"])
        .arg(file)
        .arg(line)
        .output()
        .expect("bash");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "bash: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    words(&String::from_utf8_lossy(&output.stdout))
}

fn zsh_offers(file: &Path, line: &str) -> Vec<String> {
    let output = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/support/zsh_complete.py"))
        .arg(file.parent().unwrap())
        .arg(line)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "zsh: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // What zsh drew: the completed line or the candidates, among terminal controls.
    let shown = String::from_utf8_lossy(&output.stdout).replace(['\r', '\x07'], " ");
    words(&shown)
        .into_iter()
        .map(|word| word.trim_end_matches('=').to_owned())
        .collect()
}

fn fish_offers(file: &Path, line: &str) -> Vec<String> {
    fish_complete(file, line)
        .lines()
        .map(|offer| offer.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

/// What fish offers for `line`, one `candidate\tdescription` per line.
fn fish_complete(file: &Path, line: &str) -> String {
    let output = Command::new("fish")
        .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
        .arg(file)
        .arg(line)
        .output()
        .expect("fish");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "fish: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn man_pages_hold_every_option_and_example_of_help() {
    require("man");
    let env = TestEnv::new();
    let cli = Cli::command();
    let pages = std::iter::once((None, cli.clone())).chain(
        cli.get_subcommands()
            .filter(|command| !command.is_hide_set())
            .map(|command| (Some(command.get_name().to_owned()), command.clone())),
    );
    let directory = tempfile::tempdir().unwrap();
    for (name, command) in pages {
        let mut args = vec!["man".to_owned()];
        args.extend(name.clone());
        let roff = env.run(&args).output.stdout.clone();
        let file = directory.path().join("page.1");
        std::fs::write(&file, roff).unwrap();
        let rendered = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(&file)
            .env("MANWIDTH", "250")
            .env("LANG", "C.UTF-8")
            .env("MAN_KEEP_FORMATTING", "")
            .output()
            .expect("man");
        let page = name.map_or("awssecrets".to_owned(), |name| format!("awssecrets-{name}"));
        assert!(
            rendered.status.success() && rendered.stderr.is_empty(),
            "man {page}: {}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let text = String::from_utf8_lossy(&rendered.stdout);
        let about = command.get_about().unwrap().to_string();
        assert!(
            text.contains(&format!("{page} - {about}")),
            "{page}: no NAME line:\n{text}"
        );
        for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                assert!(
                    text.contains(&format!("--{long}")),
                    "{page}: --{long} missing"
                );
            }
        }
        let after = command
            .get_after_long_help()
            .map(ToString::to_string)
            .unwrap_or_default();
        for line in after
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("awssecrets"))
        {
            assert!(
                text.lines().any(|shown| shown.trim() == line),
                "{page}: the example {line:?} is not shown as one line"
            );
        }
    }
    let commands: Vec<&str> = cli
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
        .map(|command| command.get_name())
        .collect();
    env.run(["man", "nope"]).expect_failure(
        2,
        &format!(
            "no command \"nope\": awssecrets man takes one of {}",
            commands.join(", ")
        ),
    );
}
