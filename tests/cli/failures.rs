//! Every failure: the documented exit code, a message naming secret, region and cause, nothing
//! on stdout, the output file untouched, and never a secret value on stderr.

use std::fs;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::iam;
use crate::support::{CANARY, Emulator, REGION, TestEnv, Untouched};

#[test]
fn not_found_names_the_secret_region_and_account() {
    let env = TestEnv::new();
    env.secret("ci/ok", &format!(r#"{{"A":"{CANARY}"}}"#));
    let path = env.path(".ci-secrets");
    fs::write(&path, "previous").unwrap();
    let untouched = Untouched::of(&path);
    env.run([
        "-s",
        "ci/ok",
        "-s",
        "ci/missing",
        "-o",
        path.to_str().unwrap(),
    ])
    .expect_failure(
        3,
        &format!(
            "secret ci/missing: not found in {REGION} (account {})",
            env.account
        ),
    )
    .expect_stderr_without(&[CANARY]);
    untouched.assert();
}

#[test]
fn every_failing_secret_is_reported() {
    let env = TestEnv::new();
    env.secret("ci/ok", "fine");
    let other_region = format!(
        "arn:aws:secretsmanager:us-west-2:{}:secret:ci/gone-AbCdEf",
        env.account
    );
    env.run(["-s", "ci/missing-1", "-s", "ci/ok", "-s", &other_region])
        .expect_failure(3, "2 failures:")
        .expect_stderr("secret ci/missing-1: not found in eu-west-1")
        .expect_stderr(&format!(
            "secret {other_region}: not found in us-west-2 (account {})",
            env.account
        ));
}

#[test]
fn a_bad_secret_fails_the_whole_run() {
    let env = TestEnv::new();
    env.secret("ci/ok", &format!(r#"{{"A":"{CANARY}"}}"#));
    env.secret("ci/nul", r#"{"B":"x\u0000y"}"#);
    env.run(["-s", "ci/ok", "-s", "ci/nul"])
        .expect_failure(7, "variable B: its value holds a NUL byte")
        .expect_stderr_without(&[CANARY, "x\0y"]);
}

#[test]
fn no_credentials_fails_fast_with_what_to_set() {
    let env = TestEnv::new();
    let started = Instant::now();
    let outcome = env.awssecrets(["-s", "ci/x"]).without_credentials().run();
    outcome
        .expect_failure(5, "no AWS credentials found")
        .expect_stderr("AWS_ACCESS_KEY_ID")
        .expect_stderr("instance metadata");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn unreachable_endpoint_is_unavailable_within_the_timeout() {
    let env = TestEnv::new();
    // A port that was free a moment ago: connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    env.run([
        "-s",
        "ci/x",
        "--endpoint-url",
        &format!("http://127.0.0.1:{port}"),
        "--timeout",
        "3",
    ])
    .expect_failure(6, &format!("secret ci/x: unavailable in {REGION}"));
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn output_errors_exit_8_and_print_nothing() {
    let env = TestEnv::new();
    env.secret("app", &format!(r#"{{"A":"{CANARY}"}}"#));
    env.run(["-s", "app", "-o", "no/such/dir/out"])
        .expect_failure(8, "cannot write no/such/dir/out")
        .expect_stderr_without(&[CANARY]);
}

/// An IAM user of the test's account allowed only `actions`; returns its access key.
fn iam_user(
    emulator: &Emulator,
    account_env: &TestEnv,
    user: &str,
    actions: &[&str],
) -> (String, String) {
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    });
    iam::user(emulator, account_env, user, &policy)
}

#[test]
fn access_denied_and_rejected_credentials() {
    let emulator = Emulator::start();
    let env = TestEnv::on(&emulator.url);
    env.secret("ci/locked", &format!(r#"{{"A":"{CANARY}"}}"#));
    env.secret("ci/also-locked", "second");
    let (access_key, secret_key) = iam_user(&emulator, &env, "ci", &["sts:GetCallerIdentity"]);
    // The least-privilege policy many CI roles have: GetSecretValue, not BatchGetSecretValue.
    let (reader_key, reader_secret) = iam_user(
        &emulator,
        &env,
        "reader",
        &["secretsmanager:GetSecretValue", "sts:GetCallerIdentity"],
    );
    emulator.enforce_iam();
    let reader = env
        .awssecrets(["-s", "ci/locked", "-s", "V,ci/also-locked", "-v"])
        .env("AWS_ACCESS_KEY_ID", &reader_key)
        .env("AWS_SECRET_ACCESS_KEY", &reader_secret)
        .env_remove("AWS_SESSION_TOKEN")
        .run();
    reader
        .expect_success()
        .expect_stderr("3 API calls for secret values");
    assert_eq!(reader.stdout, format!("A='{CANARY}'\nV='second'\n"));

    let as_user = |access_key: &str, secret_key: &str| {
        env.awssecrets(["-s", "ci/locked"])
            .env("AWS_ACCESS_KEY_ID", access_key)
            .env("AWS_SECRET_ACCESS_KEY", secret_key)
            .env_remove("AWS_SESSION_TOKEN")
            .run()
    };
    // The action denied, and the command that prints the policy this very run needs.
    as_user(&access_key, &secret_key)
        .expect_failure(
            4,
            &format!(
                "secret ci/locked: access denied (secretsmanager:GetSecretValue) in {REGION} for \
                 arn:aws:iam::{}:user/ci",
                env.account
            ),
        )
        .expect_stderr(
            "\nthe IAM policy this run needs (for the role or user above): awssecrets policy -s \
             ci/locked\n",
        )
        .expect_stderr_without(&[CANARY]);
    let role = format!("arn:aws:iam::{}:role/deployer", env.account);
    env.awssecrets(["whoami", "--role-arn", &role])
        .env("AWS_ACCESS_KEY_ID", &access_key)
        .env("AWS_SECRET_ACCESS_KEY", &secret_key)
        .env_remove("AWS_SESSION_TOKEN")
        .run()
        .expect_failure(
            4,
            &format!("assuming role {role}: access denied (sts:AssumeRole) in {REGION}"),
        );
    as_user("AKIAUNKNOWN000000000", "wrong")
        .expect_failure(5, "secret ci/locked: AWS rejected the credentials")
        .expect_stderr_without(&[CANARY]);
}

#[test]
fn a_region_that_is_no_region_is_a_usage_error_naming_the_closest() {
    let env = TestEnv::new();
    env.awssecrets(["-s", "ci/npm", "--region", "euwest1"])
        .run()
        .expect_failure(
            2,
            "AWS region euwest1 (from --region) is not a region's name: did you mean eu-west-1?",
        );
    env.awssecrets(["-s", "ci/npm"])
        .env("AWS_REGION", "frankfurt")
        .run()
        .expect_failure(
            2,
            "AWS region frankfurt (from AWS_REGION) is not a region's name: a region is named \
             like eu-west-1 or us-east-1",
        );
}

#[test]
fn a_missing_version_stage_says_which_stage_of_which_existing_secret() {
    let env = TestEnv::new();
    env.secret("ci/once", "only-value");
    env.run(["-s", "ci/once", "--version-stage", "AWSPREVIOUS"])
        .expect_failure(3, "secret ci/once: not found in eu-west-1 (account")
        .expect_stderr(
            "the secret exists, but no version of it is labelled AWSPREVIOUS (its versions are \
             labelled AWSCURRENT; AWSPREVIOUS appears once the secret has a second value)",
        )
        .expect_stderr_without(&["only-value"]);
}

#[test]
fn a_prefix_at_a_version_stage_skips_the_secrets_without_it() {
    let env = TestEnv::new();
    env.secret("ci/prod/rotated", r#"{"A":"first"}"#);
    env.rotate("ci/prod/rotated", r#"{"A":"second"}"#);
    env.secret("ci/prod/fresh", r#"{"B":"only"}"#);
    // The example of `--help`, as it is written there.
    let outcome = env.run([
        "-s",
        "ci/prod/*",
        "--version-stage",
        "AWSPREVIOUS",
        "--format",
        "json",
    ]);
    outcome
        .expect_success()
        .expect_stdout("{\n  \"A\": \"first\"\n}\n")
        .expect_stderr_exactly(
            "warning: secret ci/prod/fresh (matched by ci/prod/*) has no version labelled \
             AWSPREVIOUS: skipped\n",
        );
    env.secret("ci/new/only", "x");
    env.run(["-s", "ci/new/*", "--version-stage", "AWSPREVIOUS"])
        .expect_failure(3, "secrets ci/new/*: not found in eu-west-1 (account")
        .expect_stderr("no secret under this prefix has a version labelled AWSPREVIOUS");
}

#[test]
fn a_name_not_found_suggests_the_closest_only_where_listing_is_allowed() {
    let env = TestEnv::new();
    env.secret("ci/npm-token", "npm-token-value-1");
    env.run(["-s", "ci/npm-tokn"])
        .expect_failure(3, "secret ci/npm-tokn: not found in eu-west-1")
        .expect_stderr("; did you mean ci/npm-token?")
        .expect_stderr_without(&["npm-token-value-1"]);
    // Nothing close: no suggestion.
    env.run(["-s", "ci/completely-else"])
        .expect_failure(3, "secret ci/completely-else: not found")
        .expect_stderr_without(&["did you mean"]);
    // Parameter Store: a hierarchical name without its leading /.
    env.parameter("/ci/npm/token", "param-value-1");
    env.run(["-s", "ssm:ci/npm/token"])
        .expect_failure(3, "parameter ci/npm/token: not found in eu-west-1")
        .expect_stderr("did you mean ssm:/ci/npm/token? (a name with / is hierarchical")
        .expect_stderr_without(&["param-value-1"]);
}

#[test]
fn a_name_not_found_suggests_nothing_when_listing_is_denied() {
    let emulator = Emulator::start();
    let env = TestEnv::on(&emulator.url);
    env.secret("ci/npm-token", "npm-token-value-1");
    let (access_key, secret_key) = iam_user(
        &emulator,
        &env,
        "reader",
        &["secretsmanager:GetSecretValue", "sts:GetCallerIdentity"],
    );
    emulator.enforce_iam();
    env.awssecrets(["-s", "ci/npm-tokn"])
        .env("AWS_ACCESS_KEY_ID", &access_key)
        .env("AWS_SECRET_ACCESS_KEY", &secret_key)
        .env_remove("AWS_SESSION_TOKEN")
        .run()
        .expect_failure(3, "secret ci/npm-tokn: not found")
        .expect_stderr_without(&["did you mean", "npm-token-value-1"]);
}
