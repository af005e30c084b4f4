//! A secret's content is untrusted input: hostile secrets as fixtures. They cannot set the
//! names that take over a job, cannot steer which program `exec` runs, cannot slip past the
//! masker in an encoded form, and cannot stall it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::sync::mpsc;
use std::time::Duration;

use crate::support::consumers::{format_name, formats};
use crate::support::{CANARY, Outcome, TestEnv, Untouched};

/// A secret that tries to take over the job.
const HOSTILE: &str = r#"{"PATH":"/tmp/evil:/usr/bin:/bin","LD_PRELOAD":"/tmp/evil.so","BASH_ENV":"/tmp/evil.sh","TOKEN":"ok-value"}"#;

fn exec(env: &TestEnv, args: &[&str], command: &[&str]) -> Outcome {
    env.awssecrets(["exec"])
        .args(args)
        .arg("--")
        .args(command)
        .run()
}

#[test]
fn reserved_names_are_refused_in_every_format_and_nothing_is_written() {
    let env = TestEnv::new();
    env.secret("ci/hostile", HOSTILE);
    for format in formats() {
        let name = format_name(format);
        let path = env.path(&format!("out.{name}"));
        fs::write(&path, "previous\n").unwrap();
        let untouched = Untouched::of(&path);
        env.awssecrets(["-s", "ci/hostile", "-f", &name, "-o"])
            .arg(&path)
            .run()
            .expect_failure(7, "3 failures:")
            .expect_stderr("variable PATH (from secret ci/hostile): a reserved name (it decides which program a command name runs); pass --allow-name PATH")
            .expect_stderr("variable LD_PRELOAD (from secret ci/hostile)")
            .expect_stderr("variable BASH_ENV (from secret ci/hostile)")
            .expect_stderr_without(&["/tmp/evil"]);
        untouched.assert();
    }
}

#[test]
fn a_refused_name_starts_nothing() {
    let env = TestEnv::new();
    env.secret("ci/hostile", HOSTILE);
    exec(&env, &["-s", "ci/hostile"], &["touch", "started"])
        .expect_failure(7, "pass --allow-name PATH")
        .expect_stderr_without(&["/tmp/evil"]);
    assert!(!env.path("started").exists(), "the command ran");
    fs::write(env.path("vars.env"), "LD_PRELOAD='/tmp/evil.so'\n").unwrap();
    exec(&env, &["--env-file", "vars.env"], &["touch", "started"])
        .expect_failure(7, "variable LD_PRELOAD (from env file vars.env)");
    assert!(!env.path("started").exists(), "the command ran");
}

#[test]
fn the_check_applies_to_final_names_and_spares_ordinary_secrets() {
    let env = TestEnv::new();
    env.secret("ci/npm", "npm-token");
    env.secret(
        "ci/keys",
        r#"{"AWS_ACCESS_KEY_ID":"AKIA","path":"p","PATH":"x"}"#,
    );
    env.secret("ci/plain", "plain");
    // CI_NPM, AWS_* and lower-case `path` are ordinary; PATH under a prefix is APP_PATH.
    let outcome = env.run(["-s", "ci/npm", "-s", "ci/keys", "--prefix", "APP_"]);
    assert_eq!(
        outcome.expect_success().stdout,
        "APP_CI_NPM='npm-token'\nAPP_AWS_ACCESS_KEY_ID='AKIA'\nAPP_path='p'\nAPP_PATH='x'\n"
    );
    env.run(["-s", "ci/npm", "-s", "ci/keys#AWS_ACCESS_KEY_ID,path"])
        .expect_success();
    // Upper-casing, an alias and GitLab's own names are checked after naming.
    env.run(["-s", "ci/keys#path", "--uppercase"])
        .expect_failure(7, "variable PATH (from secret ci/keys)");
    env.run(["-s", "CI_JOB_TOKEN,ci/plain"])
        .expect_failure(7, "variable CI_JOB_TOKEN (from secret ci/plain)");
    env.run(["-s", "GITHUB_TOKEN,ci/plain"])
        .expect_failure(7, "GitHub Actions sets it");
    // Allowed one by one; `_` never.
    env.run([
        "-s",
        "CI_JOB_TOKEN,ci/plain",
        "--allow-name",
        "CI_JOB_TOKEN",
    ])
    .expect_success();
    env.run(["-s", "_,ci/plain", "--allow-name", "_"])
        .expect_failure(2, "--allow-name _: no variable may be named _");
    env.run(["-s", "_,ci/plain"])
        .expect_failure(7, "no variable may be named _");
}

#[test]
fn exec_finds_the_command_with_the_inherited_path_even_when_a_secret_sets_path() {
    let env = TestEnv::new();
    let evil = env.path("evil");
    fs::create_dir(&evil).unwrap();
    let marker = env.path("hijacked");
    fs::write(
        evil.join("echo"),
        format!("#!/bin/sh\ntouch {}\n", marker.display()),
    )
    .unwrap();
    fs::set_permissions(evil.join("echo"), fs::Permissions::from_mode(0o755)).unwrap();
    env.secret(
        "ci/path",
        &format!(r#"{{"PATH":"{}:/usr/bin:/bin"}}"#, evil.display()),
    );
    for masking in ["--mask", "--no-mask"] {
        let outcome = exec(
            &env,
            &["-s", "ci/path", "--allow-name", "PATH", masking],
            &["echo", "hi"],
        );
        assert_eq!(outcome.expect_success().stdout, "hi\n", "{masking}");
        assert!(
            !marker.exists(),
            "{masking}: the secret's PATH chose the program"
        );
        // The command itself still gets the PATH it was allowed to have.
        let evil_first = evil.display().to_string();
        exec(
            &env,
            &["-s", "ci/path", "--allow-name", "PATH", masking],
            &["sh", "-c", r#"[ "${PATH%%:*}" = "$1" ]"#, "sh", &evil_first],
        )
        .expect_success();
    }
}

#[test]
fn every_encoded_form_the_command_prints_is_masked() {
    let env = TestEnv::new();
    let value = format!("{CANARY} \"q\"/é");
    env.secret("ci/app", &serde_json::json!({ "TOKEN": value }).to_string());
    // The command encodes the value itself, as a careless script would log it; each line is
    // labelled with what it holds.
    let script = r#"
import base64, json, os, urllib.parse
v = os.environ["TOKEN"]
print("plain", v)
print("json", json.dumps(v))
print("json", json.dumps(v, ensure_ascii=False))
print("json", json.dumps({"token": v}))
for prefix in ("", "u", "us", "user:"):
    data = (prefix + v + "!tail").encode()
    print("base64", base64.b64encode(data).decode())
    print("base64", base64.urlsafe_b64encode(data).decode())
print("base64", base64.b64encode(v.encode()).decode())
print("percent", urllib.parse.quote(v, safe=""))
print("percent", "https://x.example/?t=" + urllib.parse.quote(v, safe="") + "&x=1")
"#;
    let python = crate::support::emulator::python();
    let outcome = exec(&env, &["-s", "ci/app", "--mask"], &[&python, "-c", script]);
    outcome.expect_success();
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(lines.len(), 15, "{}", outcome.stdout);
    for line in lines {
        let (label, shown) = line.split_once(' ').unwrap();
        assert!(shown.contains("***"), "not masked: {line}");
        assert!(
            !shown.contains(CANARY) && !shown.contains("canary"),
            "{line}"
        );
        // What is left beside the mask is what does not depend on the value: at most the
        // few characters a prefix or a tail shares with it.
        let left = shown.replace("***", "");
        let most = match label {
            "base64" => 20,
            "percent" => 28,
            _ => 16,
        };
        assert!(
            left.len() <= most,
            "{} characters unmasked: {line}",
            left.len()
        );
    }
}

#[test]
fn a_run_of_a_value_cannot_stall_the_masker() {
    let env = TestEnv::new();
    env.secret("ci/a", r#"{"A":"AAAAAAAA"}"#);
    // 8 MB of the value's own letter (every position ends a match), then a line, then the
    // command lingers: both lines must arrive while it still runs.
    let mut child = env
        .awssecrets(["exec", "-s", "ci/a", "--mask", "--"])
        .args([
            "sh",
            "-c",
            "head -c 8388608 /dev/zero | tr '\\0' A; echo; echo done; exec sleep 30",
        ])
        .spawn();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..2 {
            let _ = sender.send(lines.next().and_then(Result::ok));
        }
    });
    let mut seen = Vec::new();
    for _ in 0..2 {
        let line = receiver.recv_timeout(Duration::from_secs(20));
        seen.push(line.ok().flatten().unwrap_or_default());
    }
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen, vec!["***", "done"]);
    assert!(still_running, "the lines came only when the command ended");
}

#[test]
fn the_readme_lists_every_reserved_name() {
    let readme =
        crate::support::read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let section = readme
        .split("### Reserved names")
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .expect("README has a Reserved names section");
    for (name, reason) in awssecrets::naming::reserved_names() {
        assert!(
            section.contains(&format!("`{name}`")),
            "README lacks {name}"
        );
        assert!(
            section.contains(reason),
            "README lacks the reason {reason:?}"
        );
    }
}
