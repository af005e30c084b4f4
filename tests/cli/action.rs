//! The GitHub action (action.yml + action/run.sh), run as the runner would: inputs as INPUT_*
//! variables, a $GITHUB_ENV file, CI=true; against the emulator.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::support::consumers::github_env_pairs;
use crate::support::stub::{Reply, Stub};
use crate::support::values::expected;
use crate::support::{Outcome, REGION, Run, TestEnv, binary, read};

fn repository_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `sh action/run.sh` in the test's hermetic environment.
fn action_command(env: &TestEnv) -> Run {
    env.program("sh").arg(repository_file("action/run.sh"))
}

/// `sh action/run.sh` with the runner's environment and `inputs` (name, value).
fn run_action(env: &TestEnv, inputs: &[(&str, &str)]) -> Outcome {
    let mut command = action_command(env)
        .env("CI", "true")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", env.path("github_env"))
        .env("RUNNER_TEMP", env.home.path());
    for (name, value) in inputs {
        command = command.env(
            format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
            value,
        );
    }
    command.run()
}

#[test]
fn the_action_masks_then_exports_every_variable() {
    let env = TestEnv::new();
    env.secret(
        "ci/npm",
        r#"{"NPM_TOKEN":"npm-token-123","registry":"https://r.example"}"#,
    );
    env.secret("ci/db", r#"{"user":"ci","password":"multi\nline secret"}"#);
    let binary = binary().display().to_string();
    let outcome = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm#NPM_TOKEN\nDB,ci/db"),
            ("region", REGION),
            ("uppercase", "true"),
            ("binary", &binary),
        ],
    );
    outcome.expect_success();
    assert_eq!(
        outcome.stdout,
        "::add-mask::npm-token-123\n::add-mask::ci\n::add-mask::multi\n::add-mask::line secret\n",
        "every value, every line of a multi-line one, is masked before anything is written"
    );
    assert_eq!(
        github_env_pairs(&read(&env.path("github_env"))),
        expected(&[
            ("NPM_TOKEN", "npm-token-123"),
            ("DB_USER", "ci"),
            ("DB_PASSWORD", "multi\nline secret")
        ])
    );
}

#[test]
fn the_action_downloads_and_verifies_the_release_binary() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value-42");
    let bytes = fs::read(binary()).unwrap();
    let digest = String::from_utf8(
        Command::new("sha256sum")
            .arg(binary())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let good_digest = digest.split(' ').next().unwrap().to_owned();
    let release = |digest: String| {
        let bytes = bytes.clone();
        Stub::start(move |request| match request.target.as_str() {
            "/v1.2.3/awssecrets-x86_64-linux" => Reply::Respond(200, Vec::new(), bytes.clone()),
            "/v1.2.3/awssecrets-x86_64-linux.sha256" => {
                Reply::text(200, format!("{digest}  awssecrets-x86_64-linux\n"))
            }
            _ => Reply::text(404, ""),
        })
    };
    let published = release(good_digest);
    let outcome = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm"),
            ("download-url", &format!("{}/v1.2.3", published.url)),
        ],
    );
    outcome.expect_success();
    assert_eq!(read(&env.path("github_env")), "CI_NPM=token-value-42\n");

    let tampered = release("0".repeat(64));
    fs::remove_file(env.path("github_env")).unwrap();
    let refused = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm"),
            ("download-url", &format!("{}/v1.2.3", tampered.url)),
        ],
    );
    refused.expect_code(1);
    assert!(
        refused
            .stdout
            .contains("does not match its published SHA-256"),
        "{}",
        refused.stdout
    );
    assert!(!env.path("github_env").exists(), "nothing ran");
}

#[test]
fn the_action_refuses_to_print_values_into_the_log() {
    let env = TestEnv::new();
    env.secret("ci/npm", "never-in-the-log");
    let binary = binary().display().to_string();
    let outcome = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm"),
            ("format", "dotenv"),
            ("binary", &binary),
        ],
    );
    outcome.expect_code(1);
    assert!(
        outcome
            .stdout
            .contains("format dotenv needs the output input"),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stdout.contains("never-in-the-log"));
    let to_file = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm"),
            ("format", "dotenv"),
            ("output", "secrets.env"),
            ("binary", &binary),
        ],
    );
    to_file.expect_success();
    assert_eq!(to_file.stdout, "");
    assert_eq!(
        read(&env.path("secrets.env")),
        "CI_NPM='never-in-the-log'\n"
    );
}

#[test]
fn the_action_needs_a_version_when_pinned_by_commit() {
    let env = TestEnv::new();
    let outcome = action_command(&env)
        .env("INPUT_SECRET_IDS", "ci/npm")
        .env("ACTION_REPOSITORY", "octo/awssecrets")
        .env("ACTION_REF", "0123456789abcdef0123456789abcdef01234567")
        .run();
    outcome.expect_code(1);
    assert!(
        outcome
            .stdout
            .contains("pinned to a commit: set the version input"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn the_action_refuses_step_outputs_it_could_not_expose() {
    let env = TestEnv::new();
    env.secret("ci/npm", "never-in-the-log");
    let binary = binary().display().to_string();
    let outcome = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm"),
            ("region", REGION),
            ("format", "github-output"),
            ("binary", &binary),
        ],
    );
    outcome.expect_code(1);
    assert!(
        outcome
            .stdout
            .contains("format github-output cannot work through this action"),
        "{}",
        outcome.stdout
    );
    assert!(!outcome.stdout.contains("never-in-the-log"));
}

#[test]
fn every_action_input_reaches_the_script() {
    let action = read(&repository_file("action.yml"));
    let script = read(&repository_file("action/run.sh"));
    let inputs_section = action
        .split("\ninputs:\n")
        .nth(1)
        .unwrap()
        .split("\nruns:")
        .next()
        .unwrap();
    let inputs: Vec<&str> = inputs_section
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   ") && line.ends_with(':'))
        .map(|line| line.trim().trim_end_matches(':'))
        .collect();
    assert!(inputs.len() >= 10, "{inputs:?}");
    for input in inputs {
        let variable = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(
            action.contains(&format!("{variable}: ${{{{ inputs.{input} }}}}")),
            "action.yml does not pass {input} as {variable}"
        );
        assert!(
            script.contains(&variable),
            "action/run.sh ignores {variable}"
        );
    }
}

#[test]
fn each_line_of_secret_ids_is_one_spec_a_single_line_included() {
    let env = TestEnv::new();
    env.secret(
        "ci/db",
        r#"{"user":"ci","password":"pw-123456","host":"h"}"#,
    );
    env.secret("ci/prod/a", "alpha-value");
    // A file that `ci/prod/*` would match as a shell pattern: the SPEC must not be globbed.
    fs::create_dir_all(env.path("ci/prod")).unwrap();
    fs::write(env.path("ci/prod/file"), "").unwrap();
    let binary = binary().display().to_string();
    for (input, wanted) in [
        (
            "DB,ci/db#user,password",
            vec![("DB_user", "ci"), ("DB_password", "pw-123456")],
        ),
        (
            "DB,ci/db#user,password\nci/prod/*\n",
            vec![
                ("DB_user", "ci"),
                ("DB_password", "pw-123456"),
                ("CI_PROD_A", "alpha-value"),
            ],
        ),
    ] {
        let _ = fs::remove_file(env.path("github_env"));
        let outcome = run_action(&env, &[("secret-ids", input), ("binary", &binary)]);
        outcome.expect_success();
        assert_eq!(
            github_env_pairs(&read(&env.path("github_env"))),
            expected(&wanted),
            "{input:?}"
        );
    }
}

#[test]
fn reserved_names_need_the_allow_names_input() {
    let env = TestEnv::new();
    env.secret(
        "ci/tool",
        r#"{"NODE_OPTIONS":"--max-old-space-size=4096","KUBECONFIG":"/k"}"#,
    );
    let binary = binary().display().to_string();
    let refused = run_action(&env, &[("secret-ids", "ci/tool"), ("binary", &binary)]);
    refused.expect_code(7);
    assert!(
        refused.stderr.contains("pass --allow-name KUBECONFIG"),
        "{}",
        refused.stderr
    );
    let allowed = run_action(
        &env,
        &[
            ("secret-ids", "ci/tool#KUBECONFIG"),
            ("allow-names", "KUBECONFIG\n"),
            ("binary", &binary),
        ],
    );
    allowed.expect_success();
    assert_eq!(read(&env.path("github_env")), "KUBECONFIG=/k\n");
}

#[test]
fn the_action_takes_parameter_store_specs() {
    let env = TestEnv::new();
    env.parameter("/ci/app/token", "param-token-1");
    let binary = binary().display().to_string();
    let outcome = run_action(
        &env,
        &[("secret-ids", "APP,ssm:/ci/app/"), ("binary", &binary)],
    );
    assert_eq!(
        outcome.expect_success().stdout,
        "::add-mask::param-token-1\n"
    );
    assert_eq!(read(&env.path("github_env")), "APP_TOKEN=param-token-1\n");
}
