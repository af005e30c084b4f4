//! `awssecrets policy`: a user holding exactly the printed policy fetches the SPECs, and
//! without any one of its statements the same run is denied (exit 4), under the emulator's IAM
//! enforcement; the resource patterns match the ARNs the emulator gives, and no sibling's.

use crate::support::{Emulator, REGION, TestEnv, iam};

/// IAM's `*` and `?` wildcards.
fn wildcard_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), text.chars().collect());
    let mut matches = vec![vec![false; text.len() + 1]; pattern.len() + 1];
    matches[0][0] = true;
    for p in 1..=pattern.len() {
        if pattern[p - 1] == '*' {
            matches[p][0] = matches[p - 1][0];
        }
        for t in 1..=text.len() {
            matches[p][t] = match pattern[p - 1] {
                '*' => matches[p - 1][t] || matches[p][t - 1],
                '?' => matches[p - 1][t - 1],
                c => matches[p - 1][t - 1] && c == text[t - 1],
            };
        }
    }
    matches[pattern.len()][text.len()]
}

/// The statement of `policy` whose Sid is `sid`.
fn statement<'a>(policy: &'a serde_json::Value, sid: &str) -> &'a serde_json::Value {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|statement| statement["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {policy}"))
}

fn resources(policy: &serde_json::Value, sid: &str) -> Vec<String> {
    statement(policy, sid)["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|resource| resource.as_str().unwrap().to_owned())
        .collect()
}

fn allowed(patterns: &[String], arn: &str) -> bool {
    patterns
        .iter()
        .any(|pattern| wildcard_matches(pattern, arn))
}

const SPECS: [&str; 10] = [
    "-s",
    "ci/npm",
    "-s",
    "DB,ci/db#user",
    "-s",
    "ci/prod/*",
    "-s",
    "ssm:/ci/flat",
    "-s",
    "ssm:/ci/app/",
];

#[test]
fn exactly_the_printed_policy_fetches_the_specs_and_every_statement_is_needed() {
    let emulator = Emulator::start();
    let env = TestEnv::on(&emulator.url);
    let npm = env.secret("ci/npm", "npm-token");
    let db = env.secret("ci/db", r#"{"user":"u","password":"p"}"#);
    let prod = env.secret("ci/prod/a", "alpha");
    let sibling = env.secret("ci/npm-extra", "not granted");
    env.parameter("/ci/flat", "flat");
    env.parameter("/ci/app/token", "tk");

    let printed = env.run(
        ["policy", "--account", &env.account, "--region", REGION]
            .iter()
            .chain(SPECS.iter()),
    );
    let policy: serde_json::Value = serde_json::from_str(&printed.expect_success().stdout).unwrap();

    // The patterns grant exactly what the run reads, against real ARN shapes.
    let reads = resources(&policy, "ReadSecrets");
    for arn in [&npm, &db, &prod] {
        assert!(allowed(&reads, arn), "{arn} is not granted by {reads:?}");
    }
    assert!(
        !allowed(&reads, &sibling),
        "{sibling} is granted by {reads:?}"
    );
    let parameter = |name: &str| format!("arn:aws:ssm:{REGION}:{}:parameter/{name}", env.account);
    assert!(allowed(
        &resources(&policy, "ReadParameters"),
        &parameter("ci/flat")
    ));
    assert!(!allowed(
        &resources(&policy, "ReadParameters"),
        &parameter("ci/flatter")
    ));
    let paths = resources(&policy, "ReadParameterPaths");
    assert!(allowed(&paths, &parameter("ci/app")));
    assert!(!allowed(&paths, &parameter("ci/application")));

    // The emulator judges actions, not resources: each user holds the statements with their
    // resources widened to `*`.
    let statements = policy["Statement"].as_array().unwrap().clone();
    assert_eq!(statements.len(), 4, "{policy}");
    let widened = |kept: &[serde_json::Value]| {
        let kept: Vec<serde_json::Value> = kept
            .iter()
            .map(|statement| {
                let mut statement = statement.clone();
                statement["Resource"] = serde_json::json!("*");
                statement
            })
            .collect();
        serde_json::json!({"Version": "2012-10-17", "Statement": kept})
    };
    let holder = iam::user(&emulator, &env, "holder", &widened(&statements));
    let lacking: Vec<(String, (String, String))> = (0..statements.len())
        .map(|index| {
            let mut kept = statements.clone();
            let removed = kept.remove(index);
            let sid = removed["Sid"].as_str().unwrap().to_owned();
            let user = iam::user(&emulator, &env, &format!("lacks-{index}"), &widened(&kept));
            (sid, user)
        })
        .collect();
    emulator.enforce_iam();

    let fetch = |(key, secret): &(String, String)| {
        env.awssecrets(SPECS)
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env_remove("AWS_SESSION_TOKEN")
            .run()
    };
    let outcome = fetch(&holder);
    assert_eq!(
        outcome.expect_success().stdout,
        "CI_NPM='npm-token'\nDB_user='u'\nCI_PROD_A='alpha'\nCI_FLAT='flat'\nTOKEN='tk'\n"
    );
    for (sid, user) in &lacking {
        let outcome = fetch(user);
        assert_eq!(
            outcome.code(),
            Some(4),
            "without {sid}: {}",
            outcome.stderr()
        );
        assert!(
            outcome.stderr().contains("access denied"),
            "without {sid}: {}",
            outcome.stderr()
        );
    }
}

#[test]
fn the_batch_call_and_customer_keys_only_when_asked() {
    let env = TestEnv::new();
    let printed = env.run([
        "policy",
        "--account",
        "123456789012",
        "--region",
        "eu-west-1",
        "-s",
        "ci/a",
        "-s",
        "ssm:/ci/b",
        "--batch",
        "--kms-key",
        "arn:aws:kms:eu-west-1:123456789012:key/k1",
    ]);
    let policy: serde_json::Value = serde_json::from_str(&printed.expect_success().stdout).unwrap();
    assert_eq!(resources(&policy, "ReadSecretsInBatches"), vec!["*"]);
    let decrypt = statement(&policy, "DecryptWithCustomerManagedKeys");
    assert_eq!(
        decrypt["Condition"]["StringEquals"]["kms:ViaService"],
        serde_json::json!([
            "secretsmanager.eu-west-1.amazonaws.com",
            "ssm.eu-west-1.amazonaws.com"
        ])
    );
    let plain = env.run([
        "policy",
        "--account",
        "123456789012",
        "--region",
        "eu-west-1",
        "-s",
        "ci/a",
    ]);
    assert!(
        !plain
            .expect_success()
            .stdout
            .contains("BatchGetSecretValue")
    );
    // The caller's own account when none is given; a region is needed for names.
    let own = env.run(["policy", "-s", "ci/a"]);
    assert!(
        own.expect_success()
            .stdout
            .contains(&format!(":{}:secret:ci/a-??????", env.account))
    );
    env.awssecrets(["policy", "--account", "123456789012", "-s", "ci/a"])
        .env_remove("AWS_REGION")
        .run()
        .expect_failure(2, "pass --region");
    // With --account no AWS call is made, and the region is found as for every command.
    std::fs::create_dir_all(env.path(".aws")).unwrap();
    std::fs::write(
        env.path(".aws/config"),
        "[profile ci]\nregion = ap-south-1\n",
    )
    .unwrap();
    let watcher = crate::support::stub::Stub::start(|_| crate::support::stub::Reply::text(500, ""));
    let from_profile = env
        .awssecrets([
            "policy",
            "--account",
            "123456789012",
            "--profile",
            "ci",
            "-s",
            "ci/a",
        ])
        .env_remove("AWS_REGION")
        .without_credentials()
        .env("AWS_ENDPOINT_URL", &watcher.url)
        .run();
    assert!(
        from_profile
            .expect_success()
            .stdout
            .contains("arn:aws:secretsmanager:ap-south-1:123456789012:secret:ci/a-??????")
    );
    assert!(watcher.requests().is_empty(), "an AWS call was made");
    env.run(["policy", "--account", "123456789012"])
        .expect_failure(2, "nothing to write a policy for");
}

#[test]
fn trust_policies_for_gitlab_and_github() {
    let env = TestEnv::new();
    let gitlab = env.run([
        "policy",
        "--account",
        "123456789012",
        "--trust",
        "gitlab:group/app:main",
    ]);
    let document: serde_json::Value =
        serde_json::from_str(&gitlab.expect_success().stdout).unwrap();
    assert_eq!(
        document["Statement"][0]["Condition"]["StringLike"]["gitlab.com:sub"],
        "project_path:group/app:ref_type:branch:ref:main"
    );
    let github = env.run([
        "policy",
        "--account",
        "123456789012",
        "--trust",
        "github:octo/app:main",
    ]);
    let document: serde_json::Value =
        serde_json::from_str(&github.expect_success().stdout).unwrap();
    let statement = &document["Statement"][0];
    assert_eq!(statement["Action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        statement["Principal"]["Federated"],
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );
    assert_eq!(
        statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        "repo:octo/app:ref:refs/heads/main"
    );
    env.run(["policy", "--account", "123456789012", "--trust", "svn:x/y"])
        .expect_failure(2, "neither gitlab nor github");
}

#[test]
fn the_wildcard_matcher_is_iams() {
    assert!(wildcard_matches("a-??????", "a-AbCdEf"));
    assert!(!wildcard_matches("a-??????", "a-AbCdE"));
    assert!(wildcard_matches("ci/*", "ci/x/y"));
    assert!(!wildcard_matches("ci/*", "cd/x"));
}

/// Runs a boto3 script in the test's account on the emulator at `url`; returns what it printed.
fn boto3(env: &TestEnv, url: &str, script: &str) -> String {
    let output = std::process::Command::new(crate::support::emulator::python())
        .args(["-c", script])
        .env("URL", url)
        .env("AWS_ACCESS_KEY_ID", env.credentials.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", env.credentials.secret_access_key())
        .env(
            "AWS_SESSION_TOKEN",
            env.credentials.session_token().unwrap(),
        )
        .env("AWS_DEFAULT_REGION", REGION)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn customer_managed_keys_are_looked_up_and_what_cannot_be_is_said() {
    let emulator = Emulator::start();
    let env = TestEnv::on(&emulator.url);
    let key = boto3(
        &env,
        &emulator.url,
        r#"
import boto3, os
url = os.environ["URL"]
kms = boto3.client("kms", endpoint_url=url)
key = kms.create_key(Description="ci")["KeyMetadata"]["Arn"]
boto3.client("secretsmanager", endpoint_url=url).create_secret(Name="ci/cmk", SecretString="v", KmsKeyId=key)
boto3.client("secretsmanager", endpoint_url=url).create_secret(Name="ci/managed", SecretString="v")
boto3.client("ssm", endpoint_url=url).put_parameter(Name="/ci/cmk", Value="v", Type="SecureString", KeyId=key)
boto3.client("ssm", endpoint_url=url).put_parameter(Name="/ci/managed", Value="v", Type="SecureString")
print(key)
"#,
    );
    let policy = env.run([
        "policy",
        "-s",
        "ci/cmk",
        "-s",
        "ci/managed",
        "-s",
        "ssm:/ci/cmk",
        "-s",
        "ssm:/ci/managed",
    ]);
    let document: serde_json::Value =
        serde_json::from_str(&policy.expect_success().stdout).unwrap();
    assert_eq!(
        resources(&document, "DecryptWithCustomerManagedKeys"),
        [key]
    );
    let decrypt = statement(&document, "DecryptWithCustomerManagedKeys");
    assert_eq!(
        decrypt["Condition"]["StringEquals"]["kms:ViaService"],
        serde_json::json!([
            format!("secretsmanager.{REGION}.amazonaws.com"),
            format!("ssm.{REGION}.amazonaws.com")
        ])
    );
    // Only the AWS managed keys: no KMS statement at all.
    let managed = env.run(["policy", "-s", "ci/managed", "-s", "ssm:/ci/managed"]);
    assert!(!managed.expect_success().stdout.contains("kms:Decrypt"));
    // A caller who may not describe them: the policy still comes, and stderr says what is
    // not known and what to do.
    let (access_key, secret_key) = iam::user(
        &emulator,
        &env,
        "writer",
        &serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}],
        }),
    );
    emulator.enforce_iam();
    let blind = env
        .awssecrets(["policy", "-s", "ci/cmk", "-s", "ssm:/ci/cmk"])
        .env("AWS_ACCESS_KEY_ID", &access_key)
        .env("AWS_SECRET_ACCESS_KEY", &secret_key)
        .env_remove("AWS_SESSION_TOKEN")
        .run();
    blind
        .expect_success()
        .expect_stderr(
            "warning: the KMS key of secret ci/cmk could not be looked up \
             (secretsmanager:DescribeSecret",
        )
        .expect_stderr(
            "warning: the KMS key of parameter /ci/cmk could not be looked up \
             (ssm:DescribeParameters",
        )
        .expect_stderr("if it is customer managed, pass it with --kms-key");
    assert!(!blind.stdout.contains("kms:Decrypt"));
}
