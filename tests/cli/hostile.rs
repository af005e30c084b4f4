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
            .expect_stderr(r#"variable PATH (key "PATH" of secret ci/hostile, SPEC "ci/hostile"): a reserved name (it decides which program a command name runs); the secret's content (a JSON key the SPEC does not list) chose it, not the pipeline: if the pipeline means it, list the key in the SPEC ("ci/hostile#PATH"), or pass --allow-name PATH"#)
            .expect_stderr(r#"variable LD_PRELOAD (key "LD_PRELOAD" of secret ci/hostile"#)
            .expect_stderr(r#"variable BASH_ENV (key "BASH_ENV" of secret ci/hostile"#)
            .expect_stderr_without(&["/tmp/evil"]);
        untouched.assert();
    }
}

#[test]
fn a_refused_name_starts_nothing() {
    let env = TestEnv::new();
    env.secret("ci/hostile", HOSTILE);
    env.exec(&["-s", "ci/hostile"], &["touch", "started"])
        .expect_failure(7, "pass --allow-name PATH")
        .expect_stderr_without(&["/tmp/evil"]);
    assert!(!env.path("started").exists(), "the command ran");
    fs::write(env.path("vars.env"), "LD_PRELOAD='/tmp/evil.so'\n").unwrap();
    env.exec(&["--env-file", "vars.env"], &["touch", "started"])
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
    // CI_NPM and the AWS keys are ordinary; PATH and zsh's `path` under a prefix are APP_*.
    let outcome = env.run(["-s", "ci/npm", "-s", "ci/keys", "--prefix", "APP_"]);
    assert_eq!(
        outcome.expect_success().stdout,
        "APP_CI_NPM='npm-token'\nAPP_AWS_ACCESS_KEY_ID='AKIA'\nAPP_path='p'\nAPP_PATH='x'\n"
    );
    env.run(["-s", "ci/npm", "-s", "ci/keys#AWS_ACCESS_KEY_ID,path"])
        .expect_success();
    // Upper-casing applies before the check: the content's `path` becomes PATH.
    env.secret("ci/lower", r#"{"path":"p"}"#);
    env.run(["-s", "ci/lower", "--uppercase"])
        .expect_failure(7, r#"variable PATH (key "path" of secret ci/lower"#);
    env.run(["-s", "_,ci/npm", "--allow-name", "_"])
        .expect_failure(2, "--allow-name _: no variable may be named _");
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
        let outcome = env.exec(
            &["-s", "ci/path", "--allow-name", "PATH", masking],
            &["echo", "hi"],
        );
        outcome
            .expect_success()
            .expect_stdout("hi\n")
            .expect_stderr_exactly("warning: variable PATH overrides the inherited one\n");
        assert!(
            !marker.exists(),
            "{masking}: the secret's PATH chose the program"
        );
        // The command itself still gets the PATH it was allowed to have.
        let evil_first = evil.display().to_string();
        env.exec(
            &["-s", "ci/path", "--allow-name", "PATH", masking],
            &["sh", "-c", r#"[ "${PATH%%:*}" = "$1" ]"#, "sh", &evil_first],
        )
        .expect_success()
        .expect_stderr("variable PATH overrides the inherited one");
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
    let outcome = env.exec(&["-s", "ci/app", "--mask"], &[&python, "-c", script]);
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

/// Programs printing `$TOKEN` as each mainstream encoder writes a JSON string by default:
/// (encoder, program and arguments, source file to write first).
fn json_encoders(env: &TestEnv) -> Vec<(&'static str, Vec<String>)> {
    let go = env.path("encode.go");
    fs::write(
        &go,
        "package main\nimport (\"encoding/json\"; \"fmt\"; \"os\")\nfunc main() {\n\
         out, _ := json.Marshal(os.Getenv(\"TOKEN\"))\nfmt.Println(string(out))\n\
         out, _ = json.Marshal(map[string]string{\"token\": os.Getenv(\"TOKEN\")})\n\
         fmt.Println(string(out))\n}\n",
    )
    .unwrap();
    let python = crate::support::emulator::python();
    let strings = |parts: &[&str]| parts.iter().map(|part| part.to_string()).collect();
    vec![
        ("go", strings(&["go", "run", &go.display().to_string()])),
        (
            "php",
            strings(&[
                "php",
                "-r",
                "echo json_encode(getenv('TOKEN')), \"\\n\", json_encode(['token' => getenv('TOKEN')]), \"\\n\";",
            ]),
        ),
        (
            "python",
            strings(&[
                &python,
                "-c",
                "import json, os; t = os.environ['TOKEN']; print(json.dumps(t)); print(json.dumps({'token': t}, ensure_ascii=False, separators=(',', ':')))",
            ]),
        ),
        (
            "node",
            strings(&[
                "node",
                "-e",
                "console.log(JSON.stringify(process.env.TOKEN)); console.log(JSON.stringify({token: process.env.TOKEN}))",
            ]),
        ),
    ]
}

#[test]
fn what_real_json_encoders_write_of_a_value_is_masked() {
    for program in ["go", "php", "node"] {
        crate::support::require(program);
    }
    let env = TestEnv::new();
    // Every character some encoder escapes: HTML-sensitive ones (Go, .NET), `/` (PHP),
    // non-ASCII and beyond the BMP (Python, PHP), U+2028 (Go), a backspace (Go before 1.22).
    let value = format!("{CANARY}<&>\"/+'`é€🦀\u{2028}\u{8}end");
    env.secret("ci/app", &serde_json::json!({ "TOKEN": value }).to_string());
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-cache");
    for (encoder, command) in json_encoders(&env) {
        let outcome = env
            .awssecrets(["exec", "-s", "ci/app", "--mask", "--"])
            .args(&command)
            .env("GOCACHE", &cache)
            .env("GOFLAGS", "-mod=mod")
            .run();
        assert_eq!(
            outcome.expect_code(0).stdout,
            "\"***\"\n{\"token\":\"***\"}\n",
            "{encoder}: {}",
            outcome.stderr()
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

/// The reserved names as docs/security.md lists them: a table per family, a row per group.
fn reserved_names_section() -> String {
    use awssecrets::naming::{CREDENTIALS, Family, RESERVED};
    let mut text = String::new();
    for family in Family::ALL {
        text.push_str(&format!(
            "\n### {}\n\n| names | why | documented in |\n| --- | --- | --- |\n",
            family.title()
        ));
        for group in RESERVED.iter().filter(|group| group.family == family) {
            let names: Vec<String> = group
                .patterns
                .iter()
                .map(|pattern| format!("`{pattern}`"))
                .collect();
            let case = if group.any_case { " (any case)" } else { "" };
            text.push_str(&format!(
                "| {}{case} | {} | {} |\n",
                names.join(", "),
                group.why,
                group.source
            ));
        }
    }
    let credentials: Vec<String> = CREDENTIALS.iter().map(|name| format!("`{name}`")).collect();
    text.push_str(&format!(
        "\nCredentials inside reserved namespaces stay free (they carry a secret, not a \
         destination): {}.\n\n",
        credentials.join(", ")
    ));
    text
}

#[test]
fn the_docs_list_every_reserved_name() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/security.md");
    let text = crate::support::read(&path);
    let (begin, end) = (
        "<!-- BEGIN reserved names -->\n",
        "<!-- END reserved names -->",
    );
    let start = text.find(begin).expect("docs/security.md marks the table") + begin.len();
    let stop = text.find(end).expect("docs/security.md ends the table");
    let expected = reserved_names_section();
    if text[start..stop] != expected {
        if std::env::var_os("AWSSECRETS_BLESS").is_some() {
            let updated = format!("{}{expected}{}", &text[..start], &text[stop..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "docs/security.md's reserved names differ from src/naming/reserved/table.rs; \
                 AWSSECRETS_BLESS=1 rewrites them:\n{expected}"
            );
        }
    }
}

#[test]
fn messages_quote_keys_names_and_inputs_without_line_breaks_or_escapes() {
    let env = TestEnv::new();
    let hostile_key = "a\n::warning::injected\u{1b}[2J";
    env.secret(
        "ci/keys",
        &serde_json::json!({ hostile_key: "v", "PATH\n::error::x": "p" }).to_string(),
    );
    let bad_path = "missing\n::warning::dir\u{1b}[31m/out";
    let runs: Vec<Outcome> = vec![
        env.run(["-s", "ci/keys", "--strict"]),
        env.run(["-s", "ci/keys"]),
        env.run(["-s", "ci/keys#missing", "-o", bad_path]),
        env.run(["exec", "--file", "X\n::warning::f", "--", "true"]),
        env.run(["-s", "ci/keys", "--profile", "p\n::warning::profile"]),
        env.run(["-s", "ci/keys", "--region", "eu\r\n::warning::region"]),
        env.run(["exec", "--env-file", bad_path, "--", "true"]),
    ];
    for outcome in &runs {
        assert!(!outcome.stderr().is_empty());
        for line in outcome.stderr().lines() {
            assert!(!line.starts_with("::"), "a workflow command: {line:?}");
        }
        assert!(
            !outcome.stderr().contains('\u{1b}'),
            "{:?}",
            outcome.stderr()
        );
        assert!(!outcome.stderr().contains('\r'), "{:?}", outcome.stderr());
    }
    runs[0].expect_failure(
        7,
        r#"key "a\n::warning::injected\u{1b}[2J" is not a valid variable name"#,
    );
    runs[1].expect_stderr(
        r#"key "a\n::warning::injected\u{1b}[2J" is not a valid variable name; exported as"#,
    );
    runs[2].expect_failure(
        2,
        r#"argument 4 ("missing\n::warning::dir\u{1b}[31m/out") holds"#,
    );
    env.run(["-s", "ci/keys#missing"])
        .expect_failure(7, r#"key "missing" is not in the secret (its keys: "a\n::warning::injected\u{1b}[2J", "PATH\n::error::x")"#);
    env.secret("ci/fine", "fine-value");
    env.run(["-s", "ci/fine", "-o", "missing dir/out"])
        .expect_failure(8, r#"cannot write "missing dir/out": "#);
    runs[3].expect_failure(2, r#"argument 3 ("X\n::warning::f") holds a line break"#);
    runs[4].expect_failure(
        2,
        r#"argument 4 ("p\n::warning::profile") holds a line break"#,
    );
    runs[5].expect_failure(
        2,
        r#"argument 4 ("eu\r\n::warning::region") holds a line break"#,
    );
    runs[6].expect_failure(2, r#"argument 3 ("missing\n::warning::dir\u{1b}[31m/out")"#);
}
