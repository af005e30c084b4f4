//! Credentials for every CI and a laptop: assumed roles, web identity, GitHub OIDC, instance
//! metadata, profiles, `whoami`, and fast explained failures. Everything on loopback.

use std::fs;
use std::time::{Duration, Instant};

use crate::support::stub::{self, Imds, JWT};
use crate::support::{NO_ARGS, Outcome, REGION, Run, TestEnv};

/// The binary with no credentials of any kind in its environment.
fn without_credentials(env: &TestEnv) -> Run {
    env.awssecrets(NO_ARGS).without_credentials()
}

fn run(command: Run, args: &[&str]) -> Outcome {
    command.args(args).run()
}

fn whoami_json(outcome: &Outcome) -> serde_json::Value {
    outcome.expect_success();
    serde_json::from_str(&outcome.stdout).expect("whoami --format json prints JSON")
}

#[test]
fn whoami_shows_identity_source_region_and_endpoint_never_keys() {
    let env = TestEnv::new();
    let text = env.run(["whoami"]);
    text.expect_success();
    assert!(
        text.stdout
            .contains(&format!("account       {}\n", env.account)),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("credentials   environment variables\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!(
            "region        {REGION}\nregion source AWS_REGION\n"
        )),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains(&format!("endpoint      {}", env.emulator_url)),
        "{}",
        text.stdout
    );
    let json = whoami_json(&env.run(["whoami", "--format", "json"]));
    assert_eq!(json["account"], env.account.as_str());
    assert_eq!(
        json["arn"],
        format!(
            "arn:aws:sts::{}:assumed-role/awssecrets-test/awssecrets-test",
            env.account
        )
    );
    for output in [text.stdout.as_str(), text.stderr()] {
        assert!(!output.contains(env.credentials.secret_access_key()));
        assert!(!output.contains(env.credentials.session_token().unwrap()));
    }
}

#[test]
fn role_arn_assumes_a_role_named_after_the_ci_job() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value");
    let role = format!("arn:aws:iam::{}:role/deployer", env.account);
    let command = env
        .awssecrets(NO_ARGS)
        .env("CI_PROJECT_PATH", "group/app")
        .env("CI_JOB_ID", "4711");
    let json = whoami_json(&run(
        command,
        &["whoami", "--role-arn", &role, "--format", "json"],
    ));
    assert_eq!(
        json["arn"],
        format!(
            "arn:aws:sts::{}:assumed-role/deployer/gitlab-group.app-4711",
            env.account
        )
    );
    assert_eq!(
        json["credentials"],
        format!("assumed role {role} (from environment variables)")
    );

    // The same through the environment, with an explicit session name, fetching a secret.
    let command = env.awssecrets(NO_ARGS).env("AWSSECRETS_ROLE_ARN", &role);
    let outcome = run(
        command,
        &["-s", "ci/npm", "--role-session-name", "laptop@jane", "-v"],
    );
    outcome
        .expect_success()
        .expect_stderr(&format!("credentials from assumed role {role}"));
    assert_eq!(outcome.stdout, "CI_NPM='token-value'\n");
    let named = whoami_json(&run(
        env.awssecrets(NO_ARGS).env("AWSSECRETS_ROLE_ARN", &role),
        &[
            "whoami",
            "--role-session-name",
            "laptop@jane",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        named["arn"],
        format!(
            "arn:aws:sts::{}:assumed-role/deployer/laptop@jane",
            env.account
        )
    );
    env.run([
        "whoami",
        "--role-arn",
        &role,
        "--role-session-name",
        "no spaces",
    ])
    .expect_failure(2, "a role session name is 2 to 64");
}

#[test]
fn web_identity_token_from_an_environment_variable() {
    let env = TestEnv::new();
    let role = format!("arn:aws:iam::{}:role/gitlab-ci", env.account);
    let command = without_credentials(&env)
        .env("AWS_ID_TOKEN", JWT)
        .env("GITHUB_REPOSITORY", "octo/app")
        .env("GITHUB_RUN_ID", "99");
    let outcome = run(
        command,
        &[
            "whoami",
            "--role-arn",
            &role,
            "--web-identity-token-env",
            "AWS_ID_TOKEN",
            "-v",
            "--format",
            "json",
        ],
    );
    let json = whoami_json(&outcome);
    assert_eq!(
        json["arn"],
        format!(
            "arn:aws:sts::{}:assumed-role/gitlab-ci/github-octo.app-99",
            env.account
        )
    );
    assert_eq!(
        json["credentials"],
        format!("web identity token from AWS_ID_TOKEN, role {role}")
    );
    assert!(
        !outcome.stderr().contains(JWT) && !outcome.stdout.contains(JWT),
        "the token leaked"
    );

    run(
        without_credentials(&env),
        &[
            "whoami",
            "--role-arn",
            &role,
            "--web-identity-token-env",
            "AWS_ID_TOKEN",
        ],
    )
    .expect_failure(
        5,
        "the web identity token variable AWS_ID_TOKEN is empty or not set",
    );
    run(
        without_credentials(&env),
        &["whoami", "--web-identity-token-env", "AWS_ID_TOKEN"],
    )
    .expect_failure(2, "--web-identity-token-env needs --role-arn");
}

#[test]
fn github_actions_oidc_token_is_fetched_and_exchanged() {
    let env = TestEnv::new();
    let endpoint = stub::github_token_endpoint();
    let role = format!("arn:aws:iam::{}:role/github", env.account);
    let github = |bearer: &str| {
        without_credentials(&env)
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{}/token?api-version=2.0", endpoint.url),
            )
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", bearer)
            .env("GITHUB_REPOSITORY", "octo/app")
            .env("GITHUB_RUN_ID", "12345")
    };
    let json = whoami_json(&run(
        github("runtime-bearer-token"),
        &["whoami", "--role-arn", &role, "--format", "json"],
    ));
    assert_eq!(
        json["arn"],
        format!(
            "arn:aws:sts::{}:assumed-role/github/github-octo.app-12345",
            env.account
        )
    );
    assert_eq!(
        json["credentials"],
        format!("GitHub Actions OIDC, role {role}")
    );
    let custom = run(
        github("runtime-bearer-token"),
        &[
            "whoami",
            "--role-arn",
            &role,
            "--oidc-audience",
            "api://Aws Federation",
        ],
    );
    custom.expect_success();
    let targets: Vec<String> = endpoint
        .requests()
        .into_iter()
        .map(|request| request.target)
        .collect();
    assert_eq!(
        targets,
        vec![
            "/token?api-version=2.0&audience=sts.amazonaws.com",
            "/token?api-version=2.0&audience=api%3A%2F%2FAws%20Federation",
        ]
    );
    run(github("wrong"), &["whoami", "--role-arn", &role])
        .expect_failure(5, "cannot get the GitHub Actions OIDC token")
        .expect_stderr("permissions: id-token: write");
}

#[test]
fn instance_role_through_imdsv2_with_region_from_metadata() {
    let env = TestEnv::new();
    env.secret_in("eu-north-1", "ci/npm", "from-ec2");
    let metadata = stub::imds(Imds::Serving, &env.credentials, "eu-north-1");
    let command = without_credentials(&env)
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env_remove("AWS_REGION")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url);
    let outcome = run(command, &["-s", "ci/npm", "-v"]);
    outcome.expect_success().expect_stderr(
        "region eu-north-1 (from instance metadata), credentials from instance metadata (IMDS)",
    );
    assert_eq!(outcome.stdout, "CI_NPM='from-ec2'\n");
    let requests = metadata.requests();
    assert!(
        requests.iter().all(|request| request.method == "PUT"
            || request.header("x-aws-ec2-metadata-token").is_some())
    );
    let token_requests = requests
        .iter()
        .filter(|request| request.method == "PUT")
        .count();
    assert_eq!(
        token_requests, 1,
        "one IMDSv2 token serves credentials and region"
    );
}

#[test]
fn an_unanswered_imds_token_request_fails_fast_naming_the_hop_limit() {
    let env = TestEnv::new();
    let metadata = stub::imds(Imds::TokenNeverAnswered, &env.credentials, REGION);
    let command = without_credentials(&env)
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url);
    let started = Instant::now();
    run(command, &["-s", "ci/npm"])
        .expect_failure(5, "no AWS credentials found. Tried, in order:")
        .expect_stderr("instance metadata (IMDS): the IMDSv2 token request got no answer in time")
        .expect_stderr("--http-put-response-hop-limit 2")
        .expect_stderr(
            "environment variables: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
        );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
}

#[test]
fn role_profile_with_source_profile_in_a_temp_config() {
    let env = TestEnv::new();
    env.secret("ci/npm", "via-profile-role");
    fs::create_dir_all(env.path(".aws")).unwrap();
    fs::write(
        env.path(".aws/config"),
        format!(
            "[profile base]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n\n\
             [profile ci]\nrole_arn = arn:aws:iam::{}:role/ci-reader\nsource_profile = base\nregion = {REGION}\n",
            env.credentials.access_key_id(),
            env.credentials.secret_access_key(),
            env.credentials.session_token().unwrap(),
            env.account
        ),
    )
    .unwrap();
    let command = without_credentials(&env).env_remove("AWS_REGION");
    let json = whoami_json(&run(
        command,
        &["whoami", "--profile", "ci", "--format", "json"],
    ));
    let arn = json["arn"].as_str().unwrap();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:sts::{}:assumed-role/ci-reader/",
            env.account
        )),
        "{arn}"
    );
    // The role a profile assumes is named, with the session name it gets (the SDK's own).
    assert_eq!(
        json["credentials"],
        format!(
            "profile ci, which assumes role arn:aws:iam::{}:role/ci-reader with source profile \
             base; session name assume-role-from-profile-TIMESTAMP, the SDK's",
            env.account
        )
    );
    assert!(
        arn.contains("/ci-reader/assume-role-from-profile-"),
        "the session name is the one documented: {arn}"
    );
    assert_eq!(json["region_source"], "profile");
    let outcome = run(
        without_credentials(&env),
        &["--profile", "ci", "-s", "ci/npm"],
    );
    assert_eq!(
        outcome.expect_success().stdout,
        "CI_NPM='via-profile-role'\n"
    );
}

#[test]
fn assume_role_failures_name_the_role_and_exit_with_their_class() {
    let env = TestEnv::new();
    let unreachable = "http://127.0.0.1:9";
    run(
        env.awssecrets(NO_ARGS),
        &[
            "whoami",
            "--role-arn",
            "arn:aws:iam::123456789012:role/x",
            "--endpoint-url",
            unreachable,
            "--timeout",
            "2",
        ],
    )
    .expect_failure(
        6,
        "assuming role arn:aws:iam::123456789012:role/x: unavailable",
    );
}

#[test]
fn an_sts_error_names_the_sts_endpoint_in_use() {
    let env = TestEnv::new();
    let sts = stub::Stub::start(|_| {
        stub::Reply::text(
            400,
            "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>",
        )
    });
    let role = format!("arn:aws:iam::{}:role/ci", env.account);
    let outcome = env
        .awssecrets(["whoami", "--role-arn", &role])
        .env("AWS_ENDPOINT_URL_STS", &sts.url)
        .run();
    outcome.expect_failure(
        1,
        &format!(
            "assuming role {role}: failed in {REGION} (endpoint {})",
            sts.url
        ),
    );
    assert!(
        !outcome.stderr().contains(&env.emulator_url),
        "{}",
        outcome.stderr()
    );
    assert_eq!(
        sts.requests().len(),
        1,
        "the one STS call went to AWS_ENDPOINT_URL_STS"
    );
}

/// Writes the test's ~/.aws/config.
fn config(env: &TestEnv, text: &str) {
    fs::create_dir_all(env.path(".aws")).unwrap();
    fs::write(env.path(".aws/config"), text).unwrap();
}

#[test]
fn a_profile_that_is_not_there_lists_those_that_are_closest_first() {
    let env = TestEnv::new();
    config(
        &env,
        "[default]\nregion = eu-west-1\n[profile ci-read-only]\n[profile prod]\n",
    );
    without_credentials(&env)
        .args(["--profile", "ci-readonly", "whoami"])
        .run()
        .expect_failure(2, "profile ci-readonly (--profile) is not in")
        .expect_stderr("profiles there, closest first: ci-read-only, default, prod");
    without_credentials(&env)
        .env("AWS_PROFILE", "prd")
        .args(["-s", "ci/npm"])
        .run()
        .expect_failure(2, "profile prd (AWS_PROFILE) is not in")
        .expect_stderr("closest first: prod,");
}

#[test]
fn a_broken_source_profile_chain_names_the_missing_link() {
    let env = TestEnv::new();
    config(
        &env,
        &format!(
            "[profile ci]\nrole_arn = arn:aws:iam::{0}:role/ci\nsource_profile = base\n\
             [profile base]\nrole_arn = arn:aws:iam::{0}:role/base\nsource_profile = nope\n",
            env.account
        ),
    );
    without_credentials(&env)
        .args(["whoami", "--profile", "ci"])
        .run()
        .expect_failure(
            5,
            "profile ci: base names source_profile nope, which is not in",
        )
        .expect_stderr("(chain ci -> base -> nope)");
}

#[test]
fn a_role_profile_without_a_region_asks_for_one_as_a_plain_setup_does() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value");
    config(
        &env,
        &format!(
            "[profile base]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n\
             [profile ci]\nrole_arn = arn:aws:iam::{}:role/ci-reader\nsource_profile = base\n",
            env.credentials.access_key_id(),
            env.credentials.secret_access_key(),
            env.credentials.session_token().unwrap(),
            env.account
        ),
    );
    without_credentials(&env)
        .env_remove("AWS_REGION")
        .args(["--profile", "ci", "-s", "ci/npm"])
        .run()
        .expect_failure(
            2,
            "no AWS region for secret ci/npm: pass --region, set AWS_REGION, or give a full ARN",
        );
    // The same with a region: the role is assumed, and names the secret's value.
    let fetched = without_credentials(&env)
        .args(["--profile", "ci", "--region", REGION, "-s", "ci/npm"])
        .run();
    fetched
        .expect_success()
        .expect_stdout("CI_NPM='token-value'\n");
}

#[test]
fn whoami_at_an_endpoint_without_a_region_asks_for_one() {
    let env = TestEnv::new();
    env.awssecrets(["whoami"])
        .env_remove("AWS_REGION")
        .run()
        .expect_failure(
            2,
            &format!(
                "no AWS region for GetCallerIdentity at {}: pass --region or set AWS_REGION",
                env.emulator_url
            ),
        );
}

#[test]
fn options_go_before_or_after_the_subcommand_as_the_aws_cli_takes_them() {
    let env = TestEnv::new();
    env.secret("ci/npm", "token-value");
    config(
        &env,
        &format!(
            "[profile ci]\nregion = eu-west-1\naws_access_key_id = {}\naws_secret_access_key = \
             {}\naws_session_token = {}\n",
            env.credentials.access_key_id(),
            env.credentials.secret_access_key(),
            env.credentials.session_token().unwrap(),
        ),
    );
    let before = env
        .awssecrets(["--profile", "ci", "-v", "whoami", "--format", "json"])
        .env_remove("AWS_REGION")
        .run();
    let json: serde_json::Value =
        serde_json::from_str(&before.expect_success().allow_stderr().stdout).unwrap();
    assert_eq!(json["region_source"], "profile");
    env.run([
        "--region",
        REGION,
        "-s",
        "ci/npm",
        "exec",
        "--",
        "sh",
        "-c",
        "echo $CI_NPM",
    ])
    .expect_success()
    .expect_stdout("token-value\n");
    env.run(["--region", REGION, "-v", "policy", "-s", "ci/npm"])
        .expect_success()
        .allow_stderr();
}
