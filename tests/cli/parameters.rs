//! Parameter Store (`ssm:` SPECs) end to end against the emulator: names, versions, labels,
//! paths, every parameter type, mixing with secrets, few round trips, and every failure.

use aws_sdk_ssm::types::ParameterType;

use crate::support::fault::{Fault, FaultProxy};
use crate::support::{CANARY, REGION, TestEnv};

#[test]
fn parameters_of_every_type_by_name() {
    let env = TestEnv::new();
    env.parameter_of(
        REGION,
        "/ci/npm/token",
        "npm-123",
        ParameterType::SecureString,
    );
    env.parameter_of(
        REGION,
        "/ci/hosts",
        "a.example,b.example",
        ParameterType::StringList,
    );
    env.parameter("ci-flat", "flat value");
    let outcome = env.run([
        "-s",
        "ssm:/ci/npm/token",
        "-s",
        "ssm:/ci/hosts",
        "-s",
        "ssm:ci-flat",
    ]);
    assert_eq!(
        outcome.expect_success().stdout,
        "CI_NPM_TOKEN='npm-123'\nCI_HOSTS='a.example,b.example'\nCI_FLAT='flat value'\n"
    );
}

#[test]
fn versions_labels_aliases_and_json_keys() {
    let env = TestEnv::new();
    env.parameter("/ci/db", r#"{"user":"old","password":"p1"}"#);
    env.parameter("/ci/db", r#"{"user":"new","password":"p2"}"#);
    env.label_parameter("/ci/db", 1, "previous");
    let outcome = env.run([
        "-s",
        "ssm:/ci/db",
        "-s",
        "OLD,ssm:/ci/db:1#user",
        "-s",
        "LABELLED,ssm:/ci/db:previous#password",
    ]);
    assert_eq!(
        outcome.expect_success().stdout,
        "user='new'\npassword='p2'\nOLD_user='old'\nLABELLED_password='p1'\n"
    );
    env.parameter("/ci/plain", "x");
    assert_eq!(
        env.run(["-s", "TOKEN,ssm:/ci/plain"])
            .expect_success()
            .stdout,
        "TOKEN='x'\n"
    );
}

#[test]
fn a_path_gives_every_parameter_under_it_named_below_it() {
    let env = TestEnv::new();
    env.parameter("/ci/app/db/password", "pw");
    env.parameter("/ci/app/token", "tk");
    env.parameter("/ci/application/other", "not under /ci/app/");
    let plain = env.run(["-s", "ssm:/ci/app/"]);
    assert_eq!(
        plain.expect_success().stdout,
        "DB_PASSWORD='pw'\nTOKEN='tk'\n"
    );
    let aliased = env.run(["-s", "APP,ssm:/ci/app/"]);
    assert_eq!(
        aliased.expect_success().stdout,
        "APP_DB_PASSWORD='pw'\nAPP_TOKEN='tk'\n"
    );
    env.run(["-s", "ssm:/ci/app/#k"])
        .expect_failure(2, "takes no #KEY list");
    env.run(["-s", "ssm:/nothing/here/"])
        .expect_failure(3, "parameters /nothing/here/: not found in eu-west-1")
        .expect_stderr("no parameter under this path");
}

#[test]
fn secrets_and_parameters_mix_in_one_run_later_wins() {
    let env = TestEnv::new();
    env.secret("ci/common", r#"{"TOKEN":"from-secret","A":"a"}"#);
    env.parameter("/ci/prod/TOKEN", "from-parameter");
    let outcome = env.run(["-s", "ci/common", "-s", "ssm:/ci/prod/"]);
    outcome
        .expect_success()
        .expect_stderr("parameter /ci/prod/TOKEN overrides variable TOKEN of secret ci/common");
    assert_eq!(outcome.stdout, "TOKEN='from-parameter'\nA='a'\n");
}

#[test]
fn an_arns_region_wins() {
    let env = TestEnv::new();
    env.parameter_of(
        "ap-southeast-2",
        "/ci/far",
        "far away",
        ParameterType::String,
    );
    let arn = format!(
        "ssm:arn:aws:ssm:ap-southeast-2:{}:parameter/ci/far",
        env.account
    );
    let outcome = env.run(["-s", &arn, "-v"]);
    outcome
        .expect_success()
        .expect_stderr("fetched /ci/far from ap-southeast-2");
    assert_eq!(outcome.stdout, "CI_FAR='far away'\n");
}

#[test]
fn names_go_out_ten_per_call_and_paths_follow_every_page() {
    let env = TestEnv::new();
    let mut args = vec!["-v".to_owned()];
    for index in 0..23 {
        env.parameter(&format!("/many/p{index:02}"), &format!("v{index}"));
        args.push("-s".to_owned());
        args.push(format!("ssm:/many/p{index:02}"));
    }
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| Fault::Forward);
    let outcome = env.run_through(&proxy.url, &args);
    outcome
        .expect_success()
        .expect_stderr("3 API calls for secret values (GetParameters 3)");
    assert_eq!(outcome.stdout.lines().count(), 23);
    assert!(
        proxy
            .calls()
            .iter()
            .all(|call| call.body["Names"].as_array().map_or(0, Vec::len) <= 10)
    );
    let by_path = env.run_through(&proxy.url, ["-s", "ssm:/many/", "-f", "json", "-v"]);
    by_path
        .expect_success()
        .expect_stderr("GetParametersByPath");
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&by_path.stdout).unwrap();
    assert_eq!(object.len(), 23);
    assert!(
        proxy.count("GetParametersByPath") >= 3,
        "every page is followed"
    );
}

#[test]
fn missing_parameters_versions_and_labels_are_not_found_naming_each() {
    let env = TestEnv::new();
    env.parameter("/ci/db", &format!("{CANARY}-1"));
    env.run([
        "-s",
        "ssm:/ci/db",
        "-s",
        "ssm:/ci/missing",
        "-s",
        "ssm:/ci/db:7",
        "-s",
        "ssm:/ci/db:nolabel",
    ])
    .expect_failure(3, "3 failures:")
    .expect_stderr(&format!(
        "parameter /ci/missing: not found in eu-west-1 (account {})",
        env.account
    ))
    .expect_stderr("parameter /ci/db:7: not found in eu-west-1")
    .expect_stderr("parameter /ci/db:nolabel: not found")
    .expect_stderr_without(&[CANARY]);
}

#[test]
fn kms_failures_throttling_and_looping_pages_through_a_fault_proxy() {
    let env = TestEnv::new();
    env.parameter_of(REGION, "/ci/secure", CANARY, ParameterType::SecureString);
    let kms = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Error(400, "InvalidKeyId", "The key is disabled")
    });
    env.run_through(&kms.url, ["-s", "ssm:/ci/secure"])
        .expect_failure(
            4,
            "parameter /ci/secure: KMS could not decrypt it (kms:Decrypt) in eu-west-1",
        )
        .expect_stderr_without(&[CANARY]);
    let throttled = std::sync::Mutex::new(2);
    let flaky = FaultProxy::start(&env.emulator_url, move |_, _| {
        let mut left = throttled.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            Fault::Error(400, "ThrottlingException", "Rate exceeded")
        } else {
            Fault::Forward
        }
    });
    let outcome = env.run_through(&flaky.url, ["-s", "ssm:/ci/secure"]);
    assert_eq!(
        outcome.expect_success().stdout,
        format!("CI_SECURE='{CANARY}'\n")
    );
    let looping = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Body(r#"{"Parameters":[],"NextToken":"again"}"#.into())
    });
    env.run_through(&looping.url, ["-s", "ssm:/ci/"])
        .expect_failure(1, "keeps answering with more pages");
}
