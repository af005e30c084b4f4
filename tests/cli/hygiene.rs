//! Hygiene audit: with a canary in every secret, drive every error path and --verbose; the
//! canary never reaches stderr, and no temp file or readable file is left behind.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use awssecrets::source::Kind;

use crate::support::consumers::{format_name, formats};
use crate::support::fault::{Fault, FaultProxy};
use crate::support::fixtures::store;
use crate::support::{CANARY, TestEnv};

fn leftovers(env: &TestEnv) -> Vec<String> {
    fs::read_dir(env.home.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".awssecrets-"))
        .collect()
}

#[test]
fn the_canary_never_reaches_stderr_on_any_path() {
    let env = TestEnv::new();
    env.secret("h/json", &format!(r#"{{"TOKEN":"{CANARY}","bad-key":"{CANARY}","multi":"{CANARY}\n{CANARY}","pad":" {CANARY} "}}"#));
    env.secret("h/plain", CANARY);
    env.secret("h/nul", &format!(r#"{{"N":"{CANARY}\u0000"}}"#));
    fs::write(env.path("bad.env"), format!("OK='1'\nBROKEN='{CANARY}\n")).unwrap();
    fs::create_dir(env.path("a-directory")).unwrap();
    let throttled = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Error(400, "ThrottlingException", "Rate exceeded")
    });
    let truncated = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Body(format!(r#"{{"SecretString":"{CANARY}"#))
    });
    let slow = FaultProxy::start(&env.emulator_url, |_, _| {
        Fault::Slow(std::time::Duration::from_secs(5))
    });

    let scenarios: Vec<(Vec<String>, i32)> = vec![
        (vec!["-s", "h/json", "-s", "h/plain", "-v"], 0),
        (vec!["-s", "h/json", "-s", "h/missing", "-v"], 3),
        (vec!["-s", "h/json", "--strict"], 7),
        (vec!["-s", "h/json", "-f", "env"], 7),
        (vec!["-s", "h/json", "-f", "gitlab"], 7),
        (vec!["-s", "h/nul"], 7),
        (vec!["-s", "h/json#nope"], 7),
        (vec!["-s", "h/plain", "-o", "a-directory"], 8),
        (
            vec![
                "-s",
                "h/plain",
                "--endpoint-url",
                &throttled.url,
                "--timeout",
                "10",
            ],
            6,
        ),
        (vec!["-s", "h/plain", "--endpoint-url", &truncated.url], 6),
        (
            vec![
                "-s",
                "h/plain",
                "--endpoint-url",
                &slow.url,
                "--timeout",
                "1",
            ],
            6,
        ),
        (
            vec!["exec", "-s", "h/plain", "-s", "h/missing", "--", "true"],
            3,
        ),
        (vec!["exec", "--env-file", "bad.env", "--", "true"], 7),
        (
            vec!["exec", "-s", "h/plain", "-v", "--", "no-such-command-x"],
            127,
        ),
    ]
    .into_iter()
    .map(|(args, code)| (args.into_iter().map(str::to_owned).collect(), code))
    .collect();
    for (args, code) in scenarios {
        let outcome = env.run(&args);
        assert_eq!(outcome.code(), Some(code), "{args:?}: {}", outcome.stderr());
        assert!(
            !outcome.stderr().contains(CANARY),
            "{args:?} leaked the canary:\n{}",
            outcome.stderr()
        );
        if code != 0 {
            assert_eq!(outcome.stdout, "", "{args:?} printed on failure");
        }
        assert!(
            leftovers(&env).is_empty(),
            "{args:?} left temp files: {:?}",
            leftovers(&env)
        );
    }
}

#[test]
fn every_format_writes_its_file_0600_under_umask_000() {
    let env = TestEnv::new();
    env.secret("h/plain", CANARY);
    for format in formats() {
        let file = format!("out.{}", format_name(format));
        env.awssecrets(["-s", "h/plain", "-f", &format_name(format), "-o", &file])
            .umask(0)
            .run()
            .expect_success();
        let mode = fs::metadata(env.path(&file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} is {mode:o}");
    }
}

#[test]
fn no_source_lets_the_canary_reach_stderr() {
    let env = TestEnv::new();
    let json = format!(r#"{{"TOKEN":"{CANARY}","multi":"{CANARY}\n{CANARY}","pad":" {CANARY} "}}"#);
    for &kind in Kind::ALL {
        let spec = store(&env, kind, &format!("hygiene/{kind:?}"), &json);
        let keyed = format!("{spec}#nope");
        // Each run fetches the value, then goes as far as it can: the exit code and message
        // show it got there, and stderr holds no value on the way.
        for (args, code, said) in [
            (vec!["-s", spec.as_str(), "-v"], 0, "fetched "),
            (
                vec!["-s", spec.as_str(), "-f", "env"],
                7,
                "variable multi: its value spans several lines",
            ),
            (
                vec!["-s", spec.as_str(), "-f", "gitlab"],
                7,
                "variable pad: its value starts or ends with whitespace",
            ),
            (vec!["-s", spec.as_str(), "-f", "dotenv", "--strict"], 0, ""),
            (
                vec!["-s", keyed.as_str()],
                7,
                r#"key "nope" is not in the secret"#,
            ),
            (
                vec!["exec", "-s", spec.as_str(), "-v", "--", "no-such-command-x"],
                127,
                "command not found: no-such-command-x",
            ),
        ] {
            let outcome = env.run(&args);
            outcome.expect_code(code).expect_stderr(said);
            assert!(
                !outcome.stderr().contains(CANARY),
                "{kind:?} {args:?} leaked the canary:\n{}",
                outcome.stderr()
            );
            assert_eq!(
                outcome.stdout.contains(CANARY),
                code == 0 && args[0] != "exec",
                "{kind:?} {args:?}: the value is on stdout exactly when it succeeds"
            );
            assert!(leftovers(&env).is_empty(), "{args:?} left temp files");
        }
    }
}
