//! Faults survived, through a loopback proxy in front of the emulator: the tool retries what is
//! transient, gives up within --timeout what is not coming, and in every failure writes
//! nothing, exits with the documented code and names the cause. Batching is checked here too.

use std::fs;
use std::time::{Duration, Instant};

use crate::support::fault::{Call, Fault, FaultProxy, rate_limited};
use crate::support::{CANARY, Outcome, TestEnv, Untouched};

/// A test account holding `ci/npm`, and an output file `out` that a failed run must leave as
/// it is.
fn seeded() -> (TestEnv, Untouched) {
    let env = TestEnv::new();
    env.secret("ci/npm", &format!(r#"{{"NPM_TOKEN":"{CANARY}"}}"#));
    fs::write(env.path("out"), "previous").unwrap();
    let out = Untouched::of(env.path("out"));
    (env, out)
}

#[test]
fn throttling_and_server_errors_are_retried_until_success() {
    let (env, _) = seeded();
    for (first, second) in [
        (
            Fault::Error(400, "ThrottlingException", "Rate exceeded"),
            Fault::Error(400, "TooManyRequestsException", "Slow down"),
        ),
        (Fault::Status(500), Fault::Status(503)),
        (Fault::Reset, Fault::Reset),
    ] {
        let faults = std::sync::Mutex::new(vec![second, first]);
        let proxy = FaultProxy::start(&env.emulator_url, move |_, _| {
            faults.lock().unwrap().pop().unwrap_or(Fault::Forward)
        });
        let outcome = env.run_through(&proxy.url, ["-s", "ci/npm"]);
        outcome.expect_success();
        assert_eq!(outcome.stdout, format!("NPM_TOKEN='{CANARY}'\n"));
        assert_eq!(
            proxy.count("GetSecretValue"),
            3,
            "two failures, then the answer"
        );
    }
}

#[test]
fn endless_throttling_backs_off_until_the_timeout_then_fails_with_code_6_naming_it() {
    let (env, out) = seeded();
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Error(400, "ThrottlingException", "Rate exceeded")
    });
    let started = Instant::now();
    env.run_through(
        &proxy.url,
        ["-s", "ci/npm", "-o", "out", "--timeout", "4", "-v"],
    )
    .expect_failure(6, "secret ci/npm: unavailable in eu-west-1")
    .expect_stderr("ThrottlingException: Rate exceeded (throttled ")
    .expect_stderr("gave up at --timeout)");
    // Bounded by --timeout (4 s) and the second past it the whole exchange may take, with
    // room for a loaded machine to start the process.
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(8),
        "within --timeout, took {elapsed:?}"
    );
    // Full jitter from 200 ms doubling to 5 s: a handful of attempts in 4 s, never a storm.
    let attempts = proxy.count("GetSecretValue");
    assert!((3..=30).contains(&attempts), "{attempts} attempts");
    out.assert();
}

#[test]
fn an_answer_slower_than_the_timeout_fails_within_it() {
    let (env, out) = seeded();
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Slow(Duration::from_secs(8))
    });
    let started = Instant::now();
    env.run_through(&proxy.url, ["-s", "ci/npm", "-o", "out", "--timeout", "2"])
        .expect_failure(6, "no answer within the time allowed (--timeout)");
    // It waits the whole --timeout (2 s), and gives up long before the 8 s answer.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(6),
        "took {elapsed:?}"
    );
    out.assert();
}

#[test]
fn kms_decryption_failure_is_access_class_and_named() {
    let (env, out) = seeded();
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Error(
            400,
            "DecryptionFailure",
            "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
        )
    });
    env.run_through(&proxy.url, ["-s", "ci/npm", "-o", "out"])
        .expect_failure(
            4,
            "secret ci/npm: KMS could not decrypt it (kms:Decrypt) in eu-west-1: Secrets Manager can't decrypt",
        )
        .expect_stderr_without(&[CANARY]);
    out.assert();
}

#[test]
fn a_malformed_answer_never_quotes_its_body() {
    let (env, out) = seeded();
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Body(format!(
            r#"{{"Name":"ci/npm","SecretString":"{{\"NPM_TOKEN\":\"{CANARY}"#
        ))
    });
    env.run_through(&proxy.url, ["-s", "ci/npm", "-o", "out"])
        .expect_failure(6, "unreadable response (HTTP 200)")
        .expect_stderr_without(&[CANARY]);
    out.assert();
}

#[test]
fn many_ids_go_out_in_batches_of_at_most_20_in_parallel() {
    let env = TestEnv::new();
    let mut args = Vec::new();
    for index in 0..45 {
        env.secret(
            &format!("batch/s{index:02}"),
            &format!(r#"{{"K{index}":"v{index}"}}"#),
        );
        args.push("-s".to_owned());
        args.push(format!("batch/s{index:02}"));
    }
    // AWS refuses more than 20 ids per call; moto does not, so the proxy does. Each batch
    // is answered after a second: three in parallel are three at once.
    let proxy = FaultProxy::start(&env.emulator_url, |call, _| {
        let ids = call.body["SecretIdList"].as_array().map_or(0, Vec::len);
        if ids > 20 {
            Fault::Error(400, "ValidationException", "too many secret ids")
        } else {
            Fault::Slow(Duration::from_secs(1))
        }
    });
    let outcome = env.run_through(&proxy.url, args.iter().map(String::as_str).chain(["-v"]));
    outcome
        .expect_success()
        .expect_stderr("3 API calls for secret values");
    assert_eq!(outcome.stdout.lines().count(), 45);
    assert_eq!(outcome.stdout.lines().next(), Some("K0='v0'"));
    let batches: Vec<usize> = proxy
        .calls()
        .iter()
        .filter(|call| call.operation == "BatchGetSecretValue")
        .map(|call| call.body["SecretIdList"].as_array().unwrap().len())
        .collect();
    assert_eq!(batches.iter().sum::<usize>(), 45);
    assert_eq!(batches.len(), 3);
    assert_eq!(proxy.count("GetSecretValue"), 0);
    assert_eq!(proxy.most_in_flight(), 3, "the three batches overlap");
}

#[test]
fn at_most_16_calls_are_in_flight_at_once() {
    let env = TestEnv::new();
    let mut args = vec!["--version-stage".to_owned(), "AWSCURRENT".to_owned()];
    for index in 0..40 {
        env.secret(&format!("flight/s{index:02}"), &format!("v{index}"));
        args.extend(["-s".to_owned(), format!("flight/s{index:02}")]);
    }
    // A version stage means one GetSecretValue per secret; each answered after a second.
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Slow(Duration::from_secs(1))
    });
    let outcome = env.run_through(&proxy.url, &args);
    assert_eq!(outcome.expect_success().stdout.lines().count(), 40);
    assert_eq!(proxy.count("GetSecretValue"), 40);
    assert_eq!(proxy.most_in_flight(), 16, "MAX_IN_FLIGHT");
}

#[test]
fn a_5xx_is_tried_five_times_then_fails_naming_it() {
    let (env, out) = seeded();
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| Fault::Status(503));
    env.run_through(&proxy.url, ["-s", "ci/npm", "-o", "out"])
        .expect_failure(6, "secret ci/npm: unavailable in eu-west-1")
        .expect_stderr("HTTP 503");
    assert_eq!(proxy.count("GetSecretValue"), 5, "five attempts in all");
    out.assert();
}

#[test]
fn per_secret_batch_errors_are_reported_like_single_failures() {
    let env = TestEnv::new();
    env.secret("batch/ok", r#"{"A":"1"}"#);
    env.run(["-s", "batch/ok", "-s", "batch/missing", "-s", "batch/gone"])
        .expect_failure(3, "2 failures:")
        .expect_stderr(&format!(
            "secret batch/missing: not found in eu-west-1 (account {})",
            env.account
        ))
        .expect_stderr("secret batch/gone: not found in eu-west-1");
}

/// A caller whose policy denies BatchGetSecretValue (answered after `delay`); every other call
/// goes through.
fn batch_denied_after(delay: Duration) -> impl Fn(&Call, usize) -> Fault + Send + Sync {
    move |call, _| {
        if call.operation != "BatchGetSecretValue" {
            return Fault::Forward;
        }
        std::thread::sleep(delay);
        Fault::Error(
            400,
            "AccessDeniedException",
            "User is not authorized to perform: secretsmanager:BatchGetSecretValue",
        )
    }
}

#[test]
fn a_denied_batch_action_falls_back_to_get_secret_value() {
    let env = TestEnv::new();
    let mut args = vec!["-v".to_owned(), "-s".to_owned(), "team/*".to_owned()];
    for index in 0..25 {
        env.secret(&format!("ids/s{index:02}"), &format!("value-{index}"));
        args.push("-s".to_owned());
        args.push(format!("ids/s{index:02}"));
    }
    env.secret("team/a", "alpha");
    env.secret("team/b", "beta");
    env.secret("other/team/c", "not matched");
    let proxy = FaultProxy::start(&env.emulator_url, batch_denied_after(Duration::ZERO));
    let outcome = env.run_through(&proxy.url, &args);
    outcome.expect_success().allow_stderr();
    assert!(
        outcome
            .stdout
            .starts_with("TEAM_A='alpha'\nTEAM_B='beta'\nIDS_S00='value-0'\n"),
        "{}",
        outcome.stdout
    );
    assert_eq!(outcome.stdout.lines().count(), 27);
    assert_eq!(
        proxy.count("BatchGetSecretValue"),
        3,
        "two id batches, one prefix"
    );
    assert_eq!(proxy.count("GetSecretValue"), 27);
    assert_eq!(proxy.count("ListSecrets"), 1);
}

#[test]
fn a_batch_waiting_for_a_place_learns_the_denial_and_is_never_sent() {
    let env = TestEnv::new();
    // 17 prefixes: 17 batch calls, of which 16 can be in flight; the 17th gets its place
    // only once a denial came back.
    let mut args = Vec::new();
    for index in 0..17 {
        env.secret(&format!("p{index:02}/only"), &format!("value-{index}"));
        args.extend(["-s".to_owned(), format!("p{index:02}/*")]);
    }
    let proxy = FaultProxy::start(
        &env.emulator_url,
        batch_denied_after(Duration::from_secs(1)),
    );
    let outcome = env.run_through(&proxy.url, &args);
    assert_eq!(outcome.expect_success().stdout.lines().count(), 17);
    assert!(
        proxy.count("BatchGetSecretValue") <= 16,
        "the denial is remembered: {} batch calls",
        proxy.count("BatchGetSecretValue")
    );
    assert_eq!(proxy.count("ListSecrets"), 17);
    assert_eq!(proxy.count("GetSecretValue"), 17);
}

#[test]
fn a_prefix_selects_every_secret_starting_with_it() {
    let env = TestEnv::new();
    for index in 0..23 {
        env.secret(
            &format!("app/prod/s{index:02}"),
            &format!(r#"{{"K{index:02}":"v"}}"#),
        );
    }
    env.secret("app/production", r#"{"NOT":"matched by app/prod/"}"#);
    env.secret("APP/prod/upper", r#"{"NOT":"case differs"}"#);
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| Fault::Forward);
    let outcome = env.run_through(&proxy.url, ["-s", "app/prod/*"]);
    outcome.expect_success();
    let names: Vec<&str> = outcome.stdout.lines().map(|line| &line[..3]).collect();
    assert_eq!(names.len(), 23, "{}", outcome.stdout);
    assert_eq!(names[0], "K00");
    assert!(
        proxy.count("BatchGetSecretValue") >= 2,
        "NextToken is followed"
    );
    env.run(["-s", "nothing/here/*"])
        .expect_failure(3, "secrets nothing/here/*: not found in eu-west-1");
}

#[test]
fn a_version_stage_applies_to_a_prefix_too() {
    let env = TestEnv::new();
    env.secret("rot/a", "a-old");
    env.secret("rot/b", "b-old");
    env.rotate("rot/a", "a-new");
    env.rotate("rot/b", "b-new");
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| Fault::Forward);
    let previous = env.run_through(
        &proxy.url,
        ["-s", "rot/*", "--version-stage", "AWSPREVIOUS"],
    );
    assert_eq!(
        previous.expect_success().stdout,
        "ROT_A='a-old'\nROT_B='b-old'\n"
    );
    assert_eq!(proxy.count("ListSecrets"), 1);
    assert_eq!(
        proxy.count("BatchGetSecretValue"),
        0,
        "the batch call has no version stage"
    );
    let current = env.run(["-s", "rot/*"]);
    assert_eq!(
        current.expect_success().stdout,
        "ROT_A='a-new'\nROT_B='b-new'\n"
    );
}

/// Runs `runs` copies of the binary at once with `args`, each through `endpoint`.
fn fleet(env: &TestEnv, endpoint: &str, runs: usize, args: &[String]) -> Vec<Outcome> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..runs)
            .map(|_| {
                scope.spawn(|| {
                    env.awssecrets(["--endpoint-url", endpoint, "-v", "--timeout", "30"])
                        .args(args)
                        .run()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    })
}

#[test]
fn a_fleet_under_aws_quotas_switches_from_batch_to_single_calls_and_every_run_succeeds() {
    let env = TestEnv::new();
    let mut args = Vec::new();
    let mut expected = String::new();
    for index in 0..5 {
        env.secret(&format!("fleet/s{index}"), &format!("value-{index}"));
        args.extend(["-s".to_owned(), format!("S{index},fleet/s{index}")]);
        expected.push_str(&format!("S{index}='value-{index}'\n"));
    }
    // Secrets Manager's 100 batch and 10,000 single calls per second, scaled down: the batch
    // quota spent by the first two runs (however the machine spreads them in time).
    let singles = rate_limited(&[("GetSecretValue", 200.0)]);
    let proxy = FaultProxy::start(&env.emulator_url, move |call, earlier| {
        match call.operation.as_str() {
            "BatchGetSecretValue" if earlier < 2 => Fault::Forward,
            "BatchGetSecretValue" => Fault::Error(400, "ThrottlingException", "Rate exceeded"),
            _ => singles(call, earlier),
        }
    });
    let outcomes = fleet(&env, &proxy.url, 20, &args);
    let mut switched = 0;
    for outcome in &outcomes {
        outcome.expect_success();
        assert_eq!(outcome.stdout, expected);
        if outcome.stderr().contains(
            "BatchGetSecretValue was throttled in eu-west-1: the rest of the run fetches each \
             secret with GetSecretValue",
        ) {
            switched += 1;
        }
    }
    assert_eq!(switched, 18, "every throttled run switched to single calls");
    let batches = proxy.count("BatchGetSecretValue");
    assert_eq!(
        batches, 20,
        "one batch call per run, never retried when throttled"
    );
    // Each switched run fetched its five secrets singly (a throttled single is tried again).
    assert!(proxy.count("GetSecretValue") >= switched * 5);
    let throttled_reported = outcomes
        .iter()
        .filter(|outcome| outcome.stderr().contains("throttled)"))
        .count();
    assert_eq!(
        throttled_reported, switched,
        "-v counts the throttled calls"
    );
}

#[test]
fn a_fleet_under_the_parameter_store_quota_backs_off_and_every_run_succeeds() {
    let env = TestEnv::new();
    let mut args = Vec::new();
    for index in 0..3 {
        env.parameter(&format!("/fleet/p{index}"), &format!("value-{index}"));
        args.extend(["-s".to_owned(), format!("ssm:/fleet/p{index}")]);
    }
    args.extend(["-s".to_owned(), "ssm:/fleet/".to_owned()]);
    // GetParameters and GetParametersByPath share one quota; the first call finds it spent
    // (however the machine spreads the runs in time).
    let quota = shared_quota(10.0);
    let proxy = FaultProxy::start(&env.emulator_url, move |call, earlier| {
        if call.operation == "GetParameters" && earlier == 0 {
            Fault::Error(400, "ThrottlingException", "Rate exceeded")
        } else {
            quota(call, earlier)
        }
    });
    let outcomes = fleet(&env, &proxy.url, 20, &args);
    for outcome in &outcomes {
        outcome.expect_success();
        assert_eq!(
            outcome.stdout,
            "FLEET_P0='value-0'\nFLEET_P1='value-1'\nFLEET_P2='value-2'\nP0='value-0'\nP1='value-1'\nP2='value-2'\n"
        );
    }
    let throttled = outcomes
        .iter()
        .filter(|outcome| outcome.stderr().contains("throttled)"))
        .count();
    assert!(
        throttled > 0,
        "the quota throttled no run: the test proves nothing"
    );
}

/// One token bucket for every Parameter Store read, as AWS's throughput quota is.
fn shared_quota(rate: f64) -> impl Fn(&Call, usize) -> Fault + Send + Sync + 'static {
    let bucket = rate_limited(&[("shared", rate)]);
    move |call, earlier| {
        if call.operation.starts_with("GetParameter") {
            let shared = Call {
                operation: "shared".into(),
                body: serde_json::Value::Null,
            };
            bucket(&shared, earlier)
        } else {
            Fault::Forward
        }
    }
}

#[test]
fn with_v_retries_and_slow_calls_are_told_as_they_happen() {
    let (env, _) = seeded();
    let faults = std::sync::Mutex::new(vec![
        Fault::Slow(Duration::from_secs(3)),
        Fault::Status(503),
    ]);
    let proxy = FaultProxy::start(&env.emulator_url, move |_, _| {
        faults.lock().unwrap().pop().unwrap_or(Fault::Forward)
    });
    let outcome = env.run_through(&proxy.url, ["-s", "ci/npm", "-v"]);
    outcome
        .expect_success()
        .expect_stderr(
            "awssecrets: retrying GetSecretValue: attempt 2 (the last one was answered HTTP 503)",
        )
        .expect_stderr("awssecrets: still waiting for GetSecretValue after 2 s");
    assert_eq!(outcome.stdout, format!("NPM_TOKEN='{CANARY}'\n"));
}

#[test]
fn with_v_sts_calls_for_credentials_are_told_too_and_not_counted_as_fetches() {
    let (env, _) = seeded();
    let faults = std::sync::Mutex::new(vec![
        Fault::Slow(Duration::from_secs(3)),
        Fault::Status(503),
    ]);
    let proxy = FaultProxy::start(&env.emulator_url, move |call, _| {
        if call.operation == "AssumeRole" {
            faults.lock().unwrap().pop().unwrap_or(Fault::Forward)
        } else {
            Fault::Forward
        }
    });
    let role = format!("arn:aws:iam::{}:role/deployer", env.account);
    let outcome = env.run_through(&proxy.url, ["-s", "ci/npm", "-v", "--role-arn", &role]);
    outcome
        .expect_success()
        .expect_stderr(
            "awssecrets: retrying AssumeRole: attempt 2 (the last one was answered HTTP 503)",
        )
        .expect_stderr("awssecrets: still waiting for AssumeRole after 2 s")
        .expect_stderr("1 API call for secret values (GetSecretValue 1)");
    assert_eq!(proxy.count("AssumeRole"), 2);
    assert_eq!(outcome.stdout, format!("NPM_TOKEN='{CANARY}'\n"));
}

#[test]
fn running_out_of_time_says_how_long_it_waited_and_what_it_called() {
    let (env, out) = seeded();
    let proxy = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Slow(Duration::from_secs(8))
    });
    env.run_through(&proxy.url, ["-s", "ci/npm", "-o", "out", "--timeout", "2"])
        .expect_code(6)
        .expect_stderr("(--timeout 2 s) and made ")
        .expect_stderr("awssecrets waited 2.")
        .expect_stderr("and made 1 API call for secret values (GetSecretValue 1)");
    out.assert();
}
