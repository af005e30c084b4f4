//! Bad and extreme input end to end: every case gets a clear error or a correct result.

use crate::support::TestEnv;
use crate::support::fault::{Fault, FaultProxy};

#[test]
fn a_64_kb_secret_and_200_secrets() {
    let env = TestEnv::new();
    let big = "x".repeat(65_536 - r#"{"BIG":""}"#.len());
    env.secret("big/one", &format!(r#"{{"BIG":"{big}"}}"#));
    let outcome = env.run(["-s", "big/one"]);
    assert_eq!(outcome.expect_success().stdout, format!("BIG='{big}'\n"));

    let mut args = vec!["-v".to_owned()];
    for index in 0..200 {
        env.secret(
            &format!("many/s{index:03}"),
            &format!(r#"{{"K{index:03}":"{index}"}}"#),
        );
        args.push("-s".to_owned());
        args.push(format!("many/s{index:03}"));
    }
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| Fault::Forward);
    let outcome = env.run_through(&proxy.url, &args);
    outcome
        .expect_success()
        .expect_stderr("10 API calls for secret values");
    assert_eq!(outcome.stdout.lines().count(), 200);
    assert_eq!(outcome.stdout.lines().last(), Some("K199='199'"));
    let by_prefix = env.run(["-s", "many/*", "-f", "json"]);
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&by_prefix.expect_success().stdout).unwrap();
    assert_eq!(object.len(), 200);
}

#[test]
fn deep_invalid_and_empty_json() {
    let env = TestEnv::new();
    let deep = format!("{}\"bottom\"{}", r#"{"a":"#.repeat(100), "}".repeat(100));
    env.secret("json/deep", &deep);
    let outcome = env.run(["-s", "json/deep"]);
    assert_eq!(
        outcome.expect_success().stdout,
        format!("{}='bottom'\n", vec!["a"; 100].join("_"))
    );

    env.secret(
        "json/too-deep",
        &format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200)),
    );
    env.run(["-s", "json/too-deep"]).expect_failure(
        7,
        "secret json/too-deep: key \"a\" is nested deeper than 128 levels",
    );

    env.secret("json/broken", r#"{"user": "u", "password": }"#);
    let broken = env.run(["-s", "json/broken"]);
    broken
        .expect_success()
        .expect_stderr("secret json/broken starts with '{' but is not valid JSON (expected value at line 1 column 27); exporting it whole as JSON_BROKEN");
    env.run(["-s", "json/broken#user"])
        .expect_failure(7, "it is not valid JSON");

    env.secret("json/duplicate", r#"{"a":"1","a":"2"}"#);
    env.run(["-s", "json/duplicate"])
        .expect_failure(7, r#"key "a" appears twice"#);

    env.secret("json/empty-object", " {} ");
    env.secret("json/plain", "p");
    let empty = env.run(["-s", "json/empty-object", "-s", "json/plain"]);
    empty
        .expect_success()
        .expect_stderr("secret json/empty-object is an empty JSON object: no variables");
    assert_eq!(empty.stdout, "JSON_PLAIN='p'\n");

    // A secret with no value (created without one) is not found, whichever call asks.
    env.secret("json/no-value", "");
    env.run(["-s", "json/no-value", "-s", "json/plain"])
        .expect_failure(3, "secret json/no-value: not found in eu-west-1")
        .expect_stderr("can't find the specified secret value");
}

#[test]
fn the_same_secret_twice_is_fetched_once() {
    let env = TestEnv::new();
    env.secret("dup/db", r#"{"user":"u","password":"p"}"#);
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| Fault::Forward);
    let outcome = env.run_through(
        &proxy.url,
        [
            "-s",
            "dup/db#user",
            "-s",
            "DB,dup/db",
            "-s",
            "dup/db#password",
        ],
    );
    assert_eq!(
        outcome.expect_success().stdout,
        "user='u'\nDB_user='u'\nDB_password='p'\npassword='p'\n"
    );
    assert_eq!(
        proxy.count("GetSecretValue") + proxy.count("BatchGetSecretValue"),
        1
    );
}

#[test]
fn arns_of_several_regions_and_partitions_in_one_run() {
    let env = TestEnv::new();
    let ireland = env.secret_in("eu-west-1", "multi/a", "A");
    let virginia = env.secret_in("us-east-1", "multi/b", "B");
    let sydney = env.secret_in("ap-southeast-2", "multi/c", "C");
    let outcome = env.run(["-s", &ireland, "-s", &virginia, "-s", &sydney, "-v"]);
    outcome
        .expect_success()
        .expect_stderr("from us-east-1")
        .expect_stderr("from ap-southeast-2")
        .expect_stderr("3 API calls for secret values");
    assert_eq!(outcome.stdout, "MULTI_A='A'\nMULTI_B='B'\nMULTI_C='C'\n");

    // Other partitions: the ARN's region is used; here the emulator has no such secret.
    for arn in [
        format!(
            "arn:aws-cn:secretsmanager:cn-north-1:{}:secret:multi/cn",
            env.account
        ),
        format!(
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:{}:secret:multi/gov",
            env.account
        ),
    ] {
        let region = arn.split(':').nth(3).unwrap();
        env.run(["-s", &arn]).expect_failure(
            3,
            &format!("not found in {region} (account {})", env.account),
        );
    }
}
