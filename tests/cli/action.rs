//! The GitHub action (action.yml + action/run.sh), run as the runner would: inputs as INPUT_*
//! variables, a $GITHUB_ENV file, CI=true; against the emulator.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
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

/// `sh action/run.sh` with the runner's environment and `inputs` (name, value), not run yet.
fn action_with(env: &TestEnv, inputs: &[(&str, &str)]) -> Run {
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
    command
}

/// The action fetching `ci/npm` with a binary it downloads: `version` from `url`, on a runner
/// of `runner_arch` (RUNNER_ARCH).
fn download(env: &TestEnv, version: &str, url: &str, runner_arch: &str) -> Run {
    action_with(
        env,
        &[
            ("secret-ids", "ci/npm"),
            ("version", version),
            ("download-url", url),
        ],
    )
    .env("RUNNER_ARCH", runner_arch)
}

/// `sh action/run.sh` with the runner's environment and `inputs` (name, value).
fn run_action(env: &TestEnv, inputs: &[(&str, &str)]) -> Outcome {
    action_with(env, inputs).run()
}

/// The SHA-256 of a file, in hex.
fn sha256_of(path: &Path) -> String {
    let output = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()[..64].to_owned()
}

/// Release v1.2.3 on a loopback server: every `awssecrets-ARCH-linux` asset serves the binary
/// under test (the action only picks the name), anything else 404.
fn release() -> Stub {
    let bytes = fs::read(binary()).unwrap();
    Stub::start(move |request| {
        match request
            .target
            .strip_prefix("/v1.2.3/awssecrets-")
            .and_then(|rest| rest.strip_suffix("-linux"))
        {
            Some("x86_64" | "aarch64") => Reply::Respond(200, Vec::new(), bytes.clone()),
            _ => Reply::text(404, ""),
        }
    })
}

/// A checksums file in action/checksums.txt's format, (SHA-256, file, version) per line, for
/// AWSSECRETS_ACTION_CHECKSUMS.
fn committed(env: &TestEnv, lines: &[(&str, &str, &str)]) -> PathBuf {
    let path = env.path("checksums.txt");
    let mut text = String::from("# SHA256  FILE  VERSION\n");
    for (digest, file, version) in lines {
        text.push_str(&format!("{digest}  {file}  {version}\n"));
    }
    fs::write(&path, text).unwrap();
    path
}

/// The action failed (exit 1) with a `::error` annotation saying `text`.
fn expect_action_error(outcome: &Outcome, text: &str) {
    outcome.expect_code(1);
    assert!(
        outcome.stdout.starts_with("::error title=awssecrets::") && outcome.stdout.contains(text),
        "{}",
        outcome.stdout
    );
}

/// The paths the release server was asked for.
fn downloads(release: &Stub) -> Vec<String> {
    release
        .requests()
        .into_iter()
        .map(|request| request.target)
        .collect()
}

/// What the action leaves in RUNNER_TEMP (the temp HOME): its download directories.
fn download_directories(env: &TestEnv) -> Vec<String> {
    fs::read_dir(env.home.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("awssecrets."))
        .collect()
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
fn the_action_runs_the_download_whose_sha256_is_committed() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value-42");
    let release = release();
    let checksums = committed(
        &env,
        &[(&sha256_of(&binary()), "awssecrets-x86_64-linux", "v1.2.3")],
    );
    let outcome = download(&env, "v1.2.3", &format!("{}/v1.2.3", release.url), "X64")
        .env("AWSSECRETS_ACTION_CHECKSUMS", &checksums)
        .run();
    outcome.expect_success();
    assert_eq!(read(&env.path("github_env")), "CI_NPM=token-value-42\n");
    assert_eq!(
        downloads(&release),
        ["/v1.2.3/awssecrets-x86_64-linux"],
        "the binary only: no digest comes from the release"
    );
}

#[test]
fn the_action_refuses_a_download_that_differs_from_the_committed_sha256() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value-42");
    let release = release();
    let other = "0123456789abcdef".repeat(4);
    let checksums = committed(&env, &[(&other, "awssecrets-x86_64-linux", "v1.2.3")]);
    let refused = download(&env, "v1.2.3", &format!("{}/v1.2.3", release.url), "X64")
        .env("AWSSECRETS_ACTION_CHECKSUMS", &checksums)
        .run();
    refused.expect_code(1);
    assert!(
        refused.stdout.starts_with("::error title=awssecrets::")
            && refused.stdout.contains(&format!(
                "has SHA-256 {}, not the {other} committed in action/checksums.txt: refusing to run it",
                sha256_of(&binary())
            )),
        "{}",
        refused.stdout
    );
    assert_eq!(downloads(&release), ["/v1.2.3/awssecrets-x86_64-linux"]);
    assert!(!env.path("github_env").exists(), "the binary did not run");
    assert_eq!(
        download_directories(&env),
        Vec::<String>::new(),
        "the download is deleted"
    );
}

#[test]
fn the_action_refuses_a_version_with_no_committed_sha256() {
    let env = TestEnv::new();
    let release = release();
    // The real action/checksums.txt: no release is called this.
    let unreleased = download(
        &env,
        "v0.0.0-unreleased",
        &format!("{}/v1.2.3", release.url),
        "X64",
    )
    .run();
    expect_action_error(
        &unreleased,
        "no SHA-256 of awssecrets-x86_64-linux for version v0.0.0-unreleased is committed in action/checksums.txt",
    );
    // A moving tag such as v1 names no binary either, and a digest is one architecture's.
    let checksums = committed(
        &env,
        &[(&sha256_of(&binary()), "awssecrets-aarch64-linux", "v1.2.3")],
    );
    for (version, arch) in [("v1", "ARM64"), ("v1.2.3", "X64")] {
        let refused = action_with(
            &env,
            &[
                ("secret-ids", "ci/npm"),
                ("download-url", &format!("{}/v1.2.3", release.url)),
            ],
        )
        .env("ACTION_REF", version)
        .env("RUNNER_ARCH", arch)
        .env("AWSSECRETS_ACTION_CHECKSUMS", &checksums)
        .run();
        expect_action_error(&refused, &format!("for version {version} is committed"));
    }
    assert_eq!(
        downloads(&release),
        Vec::<String>::new(),
        "nothing downloaded"
    );
}

#[test]
fn the_action_downloads_over_https_only() {
    let env = TestEnv::new();
    for url in [
        "http://example.invalid/v1.2.3",
        "ftp://127.0.0.1/v1.2.3",
        "file:///tmp/v1.2.3",
        "http://127.0.0.1.example.invalid/v1.2.3",
        "http://127.0.0.1:80@example.invalid/v1.2.3",
        "http://localhost@example.invalid/v1.2.3",
        "https://user@example.invalid/v1.2.3",
        "http://127.0.0.1/v1.2.3\nhttps://example.invalid/v1.2.3",
    ] {
        let refused = download(&env, "v1.2.3", url, "X64").run();
        refused.expect_code(1);
        assert!(
            refused
                .stdout
                .contains("https only (plain http only from 127.0.0.1 or localhost)")
                || refused.stdout.contains("must be a single URL"),
            "{url}: {}",
            refused.stdout
        );
    }
    // https passes, and the committed digests decide next (before anything is downloaded).
    let https = download(
        &env,
        "v0.0.0-unreleased",
        "https://127.0.0.1:9/v0.0.0-unreleased",
        "X64",
    )
    .run();
    expect_action_error(&https, "no SHA-256 of awssecrets-x86_64-linux");
}

#[test]
fn the_test_checksums_are_refused_outside_a_loopback_download() {
    let env = TestEnv::new();
    let checksums = committed(
        &env,
        &[(&sha256_of(&binary()), "awssecrets-x86_64-linux", "v1.2.3")],
    );
    let refused = download(&env, "v1.2.3", "https://example.invalid/v1.2.3", "X64")
        .env("AWSSECRETS_ACTION_CHECKSUMS", &checksums)
        .run();
    expect_action_error(
        &refused,
        "AWSSECRETS_ACTION_CHECKSUMS is for the action's own tests",
    );
}

#[test]
fn the_action_picks_the_binary_for_the_runner_architecture() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value-42");
    let digest = sha256_of(&binary());
    let checksums = committed(
        &env,
        &[
            (&digest, "awssecrets-x86_64-linux", "v1.2.3"),
            (&digest, "awssecrets-aarch64-linux", "v1.2.3"),
        ],
    );
    for (runner_arch, asset) in [
        ("X64", "awssecrets-x86_64-linux"),
        ("ARM64", "awssecrets-aarch64-linux"),
    ] {
        let release = release();
        let _ = fs::remove_file(env.path("github_env"));
        let outcome = download(
            &env,
            "v1.2.3",
            &format!("{}/v1.2.3", release.url),
            runner_arch,
        )
        .env("AWSSECRETS_ACTION_CHECKSUMS", &checksums)
        .run();
        outcome.expect_success();
        assert_eq!(downloads(&release), [format!("/v1.2.3/{asset}")]);
        assert_eq!(read(&env.path("github_env")), "CI_NPM=token-value-42\n");
    }
    let release = release();
    let refused = download(&env, "v1.2.3", &format!("{}/v1.2.3", release.url), "ARM")
        .env("AWSSECRETS_ACTION_CHECKSUMS", &checksums)
        .run();
    expect_action_error(
        &refused,
        "::error title=awssecrets::no awssecrets release binary for runner architecture ARM (X64 and ARM64 only)",
    );
    assert_eq!(downloads(&release), Vec::<String>::new());
}

#[test]
fn the_committed_checksums_name_every_release_binary_once() {
    let text = read(&repository_file("action/checksums.txt"));
    let mut seen = BTreeMap::<&str, Vec<&str>>::new();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [digest, file, version] = fields[..] else {
            panic!("not SHA256  FILE  VERSION: {line:?}");
        };
        assert!(
            digest.len() == 64
                && digest
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{line:?}"
        );
        assert!(version.starts_with('v'), "{line:?}");
        seen.entry(version).or_default().push(file);
    }
    for (version, mut files) in seen {
        files.sort_unstable();
        assert_eq!(
            files,
            ["awssecrets-aarch64-linux", "awssecrets-x86_64-linux"],
            "{version}: one line per release binary"
        );
    }
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
    expect_action_error(&outcome, "format dotenv needs the output input");
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
    // Masked first, for the later steps that print the file.
    assert_eq!(
        to_file.expect_success().stdout,
        "::add-mask::never-in-the-log\n"
    );
    assert_eq!(
        read(&env.path("secrets.env")),
        "CI_NPM='never-in-the-log'\n"
    );
}

#[test]
fn every_format_the_action_writes_is_masked_first() {
    let env = TestEnv::new();
    env.secret(
        "ci/app",
        r#"{"TOKEN":"token-value-1","MULTI":"line one\nline two"}"#,
    );
    let binary = binary().display().to_string();
    for format in ["sh", "dotenv", "shell", "json", "github"] {
        let output = format!("out.{format}");
        let outcome = run_action(
            &env,
            &[
                ("secret-ids", "ci/app"),
                ("format", format),
                ("output", &output),
                ("binary", &binary),
            ],
        );
        assert_eq!(
            outcome.expect_success().stdout,
            "::add-mask::token-value-1\n::add-mask::line one\n::add-mask::line two\n",
            "{format}"
        );
        assert_eq!(outcome.stderr(), "", "{format}");
    }
}

#[test]
fn the_actions_errors_escape_the_inputs_they_echo() {
    let env = TestEnv::new();
    let outcome = run_action(
        &env,
        &[
            ("secret-ids", "ci/npm"),
            ("format", "dotenv\n::warning::injected %0A\u{1b}[31m"),
        ],
    );
    expect_action_error(
        &outcome,
        "format dotenv%0A::warning::injected %250A?[31m needs the output input",
    );
    assert_eq!(outcome.stdout.lines().count(), 1, "{}", outcome.stdout);
}

#[test]
fn the_only_listed_keys_input_refuses_names_the_content_chose() {
    let env = TestEnv::new();
    env.secret("ci/shared", r#"{"TOKEN":"t","OTHER":"o"}"#);
    let binary = binary().display().to_string();
    let refused = run_action(
        &env,
        &[
            ("secret-ids", "ci/shared"),
            ("only-listed-keys", "true"),
            ("binary", &binary),
        ],
    );
    refused.expect_code(7);
    assert!(
        refused
            .stderr()
            .contains("the only-listed-keys input takes only names the pipeline wrote"),
        "{}",
        refused.stderr()
    );
    run_action(
        &env,
        &[
            ("secret-ids", "ci/shared#TOKEN"),
            ("only-listed-keys", "true"),
            ("binary", &binary),
        ],
    )
    .expect_success();
    assert_eq!(read(&env.path("github_env")), "TOKEN=t\n");
}

#[test]
fn the_action_needs_a_version_when_pinned_by_commit() {
    let env = TestEnv::new();
    let outcome = action_command(&env)
        .env("INPUT_SECRET_IDS", "ci/npm")
        .env("ACTION_REPOSITORY", "octo/awssecrets")
        .env("ACTION_REF", "0123456789abcdef0123456789abcdef01234567")
        .run();
    expect_action_error(&outcome, "pinned to a commit: set the version input");
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
    expect_action_error(
        &outcome,
        "format github-output cannot work through this action",
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
        refused
            .stderr()
            .contains(r#"list the key in the SPEC ("ci/tool#KUBECONFIG"), or add KUBECONFIG to the allow-names input"#),
        "{}",
        refused.stderr()
    );
    assert!(
        !refused.stderr().contains("--allow-name"),
        "{}",
        refused.stderr()
    );
    // Listed, the name is the workflow's own choice; else the input allows it.
    run_action(
        &env,
        &[("secret-ids", "ci/tool#KUBECONFIG"), ("binary", &binary)],
    )
    .expect_success();
    assert_eq!(read(&env.path("github_env")), "KUBECONFIG=/k\n");
    fs::remove_file(env.path("github_env")).unwrap();
    let allowed = run_action(
        &env,
        &[
            ("secret-ids", "ci/tool"),
            ("allow-names", "KUBECONFIG\nNODE_OPTIONS\n"),
            ("binary", &binary),
        ],
    );
    allowed.expect_code(7);
    assert!(
        allowed.stderr().contains("NODE_OPTIONS"),
        "{}",
        allowed.stderr()
    );
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

#[test]
fn the_scan_input_fails_the_step_on_a_leaked_value_and_exports_nothing() {
    let env = TestEnv::new();
    env.secret("ci/npm", r#"{"NPM_TOKEN":"npm-token-leaked-123"}"#);
    fs::create_dir_all(env.path("dist/assets")).unwrap();
    fs::write(env.path("dist/index.html"), "<p>clean</p>\n").unwrap();
    let binary = binary().display().to_string();
    let inputs = [
        ("secret-ids", "ci/npm"),
        ("region", REGION),
        ("scan", "dist\n-odd name\n"),
        ("binary", binary.as_str()),
    ];
    fs::create_dir_all(env.path("-odd name")).unwrap();
    run_action(&env, &inputs);
    fs::write(
        env.path("dist/assets/app.js"),
        "const t = \"npm-token-leaked-123\";\n",
    )
    .unwrap();
    let outcome = run_action(&env, &inputs);
    outcome.expect_found("found 1 occurrence of secret values in 1 file");
    assert_eq!(
        outcome.stdout,
        "dist/assets/app.js:1:12: NPM_TOKEN (value)\n"
    );
    assert!(!env.path("github_env").exists(), "a scan exports nothing");
}
