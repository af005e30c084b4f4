//! Every format round-tripped through its real consumer, with values built to break quoting.

use crate::support::consumers::{
    docker_env_pairs, dotenvy_pairs, format_name, formats, github_env_pairs, gitlab_dotenv_pairs,
    json_pairs, load_in_shell, shells,
};
use crate::support::values::{expected, names, seed, tricky_values};
use crate::support::{TestEnv, Untouched, read};

fn single_line(values: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    values
        .iter()
        .copied()
        .filter(|(_, value)| !value.contains(['\n', '\r']))
        .collect()
}

fn export_to_file(env: &TestEnv, format: &str) -> String {
    let path = env.path(&format!("out.{format}"));
    let outcome = env.run([
        "-s",
        "ci/tricky",
        "-f",
        format,
        "-o",
        path.to_str().unwrap(),
    ]);
    outcome.expect_success();
    read(&path)
}

#[test]
fn the_default_sh_format_round_trips_through_every_posix_shell_and_dotenvy() {
    let env = TestEnv::new();
    let values = tricky_values();
    seed(&env, "ci/tricky", &values);
    let path = env.path(".ci-secrets");
    env.run(["-s", "ci/tricky", "-o", path.to_str().unwrap()])
        .expect_success();
    for shell in shells() {
        let loaded = load_in_shell(
            &shell,
            r#"set -a; . "$FILE"; set +a"#,
            &path,
            &names(&values),
        );
        assert_eq!(loaded, expected(&values), "through {shell:?}");
    }
    assert_eq!(
        dotenvy_pairs(&read(&path)),
        expected(&values),
        "through dotenvy"
    );
}

#[test]
fn sh_on_stdout_equals_the_file() {
    let env = TestEnv::new();
    seed(&env, "ci/tricky", &tricky_values());
    let stdout = env.run(["-s", "ci/tricky"]);
    stdout.expect_success();
    assert_eq!(stdout.stdout, export_to_file(&env, "sh"));
}

#[test]
fn shell_format_round_trips_through_eval() {
    let env = TestEnv::new();
    let values = tricky_values();
    seed(&env, "ci/tricky", &values);
    let path = env.path("exports.sh");
    let outcome = env.run(["-s", "ci/tricky", "-f", "shell"]);
    outcome.expect_success();
    assert!(
        outcome
            .stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("export SINGLE_QUOTES=")
    );
    std::fs::write(&path, &outcome.stdout).unwrap();
    for shell in shells() {
        let loaded = load_in_shell(&shell, r#"eval "$(cat "$FILE")""#, &path, &names(&values));
        // $(...) drops the file's final newline only, never a value's.
        assert_eq!(loaded, expected(&values), "through {shell:?}");
    }
}

#[test]
fn env_format_round_trips_through_docker_env_file_rules() {
    let env = TestEnv::new();
    let values = single_line(&tricky_values());
    seed(&env, "ci/tricky", &values);
    assert_eq!(
        docker_env_pairs(&export_to_file(&env, "env")),
        expected(&values)
    );
}

#[test]
fn env_format_refuses_multi_line_values_naming_each() {
    let env = TestEnv::new();
    seed(&env, "ci/tricky", &tricky_values());
    let path = env.path("out.env");
    let untouched = Untouched::of(&path);
    env.run(["-s", "ci/tricky", "-f", "env", "-o", path.to_str().unwrap()])
        .expect_failure(7, "variable NEWLINES: its value spans several lines")
        .expect_stderr("variable CRLF:")
        .expect_stderr_without(&["line 1", "windows"]);
    untouched.assert();
}

#[test]
fn gitlab_format_round_trips_through_gitlabs_parser() {
    let env = TestEnv::new();
    let values: Vec<_> = single_line(&tricky_values())
        .into_iter()
        .filter(|(name, value)| *name != "SPACES" && !value.contains('$'))
        .collect();
    seed(&env, "ci/tricky", &values);
    let path = env.path("build.env");
    let outcome = env.run([
        "-s",
        "ci/tricky",
        "-f",
        "gitlab",
        "-o",
        path.to_str().unwrap(),
    ]);
    outcome
        .expect_success()
        .expect_stderr("variable BACKTICKS: its value holds spaces")
        .expect_stderr_without(&["`id`"]);
    assert_eq!(gitlab_dotenv_pairs(&read(&path)), expected(&values));
}

#[test]
fn gitlab_format_refuses_what_gitlab_would_misread() {
    let env = TestEnv::new();
    seed(&env, "ci/tricky", &tricky_values());
    env.run(["-s", "ci/tricky", "-f", "gitlab"])
        .expect_failure(7, "variable SPACES: its value starts or ends with whitespace")
        .expect_stderr("variable NEWLINES: its value spans several lines, which a GitLab dotenv report cannot carry")
        .expect_stderr("variable DOLLARS: its value holds '$', which GitLab expands")
        .expect_stderr_without(&["leading and trailing"]);
}

#[test]
fn gitlab_format_refuses_reports_over_the_compressed_limit() {
    let env = TestEnv::new();
    // Varied text, so that compression cannot make it small: GitLab measures the stored,
    // gzip-compressed report.
    let mut state: u32 = 1;
    let noise: String = (0..12_000)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((state >> 16) % 26) as u8)
        })
        .collect();
    env.secret("ci/big", &format!(r#"{{"BIG":"{noise}"}}"#));
    env.run(["-s", "ci/big", "-f", "gitlab"])
        .expect_failure(7, "GitLab dotenv report: it would be 12005 bytes")
        .expect_stderr("compressed as GitLab stores it");
    // Repetitive text of the same length compresses far below the limit: GitLab takes it.
    env.secret(
        "ci/repetitive",
        &format!(r#"{{"BIG":"{}"}}"#, "x".repeat(12_000)),
    );
    env.run(["-s", "ci/repetitive", "-f", "gitlab"])
        .expect_success();
    env.run([
        "-s",
        "ci/big",
        "-f",
        "gitlab",
        "--gitlab-max-bytes",
        "100000",
    ])
    .expect_success();
}

#[test]
fn github_formats_mask_every_line_then_append_to_their_file() {
    let env = TestEnv::new();
    let values = tricky_values();
    seed(&env, "ci/tricky", &values);
    // github appends to $GITHUB_ENV, github-output to $GITHUB_OUTPUT.
    for format in formats()
        .into_iter()
        .filter(|format| format.appends_to().is_some())
    {
        let name = format_name(format);
        let variable = format.appends_to().unwrap();
        let appended = env.path(variable);
        std::fs::write(&appended, "EARLIER=kept\n").unwrap();
        let outcome = env
            .awssecrets(["-s", "ci/tricky", "-f", &name])
            .env(variable, &appended)
            .env("CI", "true")
            .run();
        outcome.expect_success();
        let mut expected_pairs = vec![("EARLIER".to_owned(), "kept".to_owned())];
        expected_pairs.extend(expected(&values));
        assert_eq!(github_env_pairs(&read(&appended)), expected_pairs, "{name}");
        let masks: Vec<&str> = outcome.stdout.lines().collect();
        for mask in [
            "::add-mask::it's 'quoted'",
            "::add-mask::line 1",
            "::add-mask::line 2",
            "::add-mask::line 4",
            "::add-mask::windows",
            "::add-mask::  leading and trailing  ",
        ] {
            assert!(
                masks.contains(&mask),
                "{name}: missing {mask:?} in {masks:?}"
            );
        }
        assert!(
            masks.iter().all(|line| line.starts_with("::add-mask::")),
            "{name}: {masks:?}"
        );
        assert!(
            !masks.contains(&"::add-mask::"),
            "{name}: empty values are not masked"
        );
        env.awssecrets(["-s", "ci/tricky", "-f", &name])
            .run()
            .expect_failure(
                2,
                &format!("--format {name} appends to ${variable}, which is not set"),
            );
    }
}

#[test]
fn step_output_names_that_differ_only_in_case_are_refused() {
    let env = TestEnv::new();
    env.secret("ci/app", r#"{"token":"a-token-1","TOKEN":"a-token-2"}"#);
    let github_output = env.path("github_output");
    let untouched = Untouched::of(&github_output);
    let outcome = env
        .awssecrets(["-s", "ci/app", "-f", "github-output"])
        .env("GITHUB_OUTPUT", &github_output)
        .run();
    outcome
        .expect_failure(7, "step output names are compared without case")
        .expect_stderr_without(&["a-token-1", "a-token-2"]);
    assert!(
        outcome.stdout.is_empty(),
        "no mask printed for a refused run"
    );
    untouched.assert();
    // $GITHUB_ENV names are case-sensitive on Linux runners: both are kept there.
    env.awssecrets(["-s", "ci/app", "-f", "github", "-o", "github_env"])
        .run()
        .expect_success()
        .expect_stdout("::add-mask::a-token-1\n::add-mask::a-token-2\n");
    assert_eq!(
        crate::support::read(&env.path("github_env")),
        "token=a-token-1\nTOKEN=a-token-2\n"
    );
}

#[test]
fn github_format_writes_to_output_file_when_given() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"1"}"#);
    let path = env.path("env-file");
    let outcome = env.run(["-s", "app", "-f", "github", "-o", path.to_str().unwrap()]);
    assert_eq!(outcome.expect_success().stdout, "::add-mask::1\n");
    assert_eq!(read(&path), "A=1\n");
}

#[test]
fn json_format_round_trips_through_serde_json() {
    let env = TestEnv::new();
    let values = tricky_values();
    seed(&env, "ci/tricky", &values);
    assert_eq!(json_pairs(&export_to_file(&env, "json")), expected(&values));
}
