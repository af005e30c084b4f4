//! `awssecrets exec`: the child's environment, exec semantics, masking and signals.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::child::{lines_of, until_line, wait_within};
use crate::support::consumers::{PRINT_VARIABLES, nul_separated_pairs};
use crate::support::values::{expected, names, seed, tricky_values};
use crate::support::{CANARY, Outcome, TestEnv};

/// Starts awssecrets exec with its stdout piped to the test.
fn spawn_piped(env: &TestEnv, args: &[&str], command: &[&str]) -> Child {
    env.exec_command(args, command).spawn()
}

/// A child printing the named variables NUL-separated.
fn print_variables(names: &[&str]) -> Vec<String> {
    let mut command = vec![
        "sh".to_owned(),
        "-c".to_owned(),
        PRINT_VARIABLES.to_owned(),
        "child".to_owned(),
    ];
    command.extend(names.iter().map(|name| name.to_string()));
    command
}

/// Asserts the child printed exactly `values` (see [`print_variables`]).
#[track_caller]
fn assert_child_saw(outcome: &Outcome, values: &[(&str, &str)]) {
    outcome.expect_success();
    assert_eq!(
        nul_separated_pairs(&outcome.output.stdout),
        expected(values)
    );
}

fn as_strs(strings: &[String]) -> Vec<&str> {
    strings.iter().map(String::as_str).collect()
}

#[test]
fn tricky_values_reach_the_child_exactly() {
    let env = TestEnv::new();
    let values = tricky_values();
    seed(&env, "ci/tricky", &values);
    let child = print_variables(&names(&values));
    let outcome = env.exec(&["-s", "ci/tricky", "--no-mask"], &as_strs(&child));
    assert_child_saw(&outcome, &values);
}

#[test]
fn export_then_env_file_then_exec_round_trips_without_aws() {
    let env = TestEnv::new();
    let values = tricky_values();
    seed(&env, "ci/tricky", &values);
    env.run(["-s", "ci/tricky", "-o", ".ci-secrets"])
        .expect_success();
    let child = print_variables(&names(&values));
    // No credentials and no endpoint: a later stage needs no AWS at all.
    let outcome = env
        .exec_command(
            &["--env-file", ".ci-secrets", "--no-mask"],
            &as_strs(&child),
        )
        .without_credentials()
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .run();
    assert_child_saw(&outcome, &values);
}

#[test]
fn later_wins_inherited_then_env_files_then_secrets() {
    let env = TestEnv::new();
    env.secret(
        "ci/app",
        r#"{"FROM_CANARY":"secret","SHARED":"from-secret"}"#,
    );
    fs::write(
        env.path("first.env"),
        "SHARED='first'\nFROM_FILE='file'\nINHERITED='file-wins'\n",
    )
    .unwrap();
    fs::write(env.path("second.env"), "SHARED='second'\n").unwrap();
    let child = print_variables(&[
        "INHERITED",
        "FROM_FILE",
        "FROM_CANARY",
        "SHARED",
        "UNTOUCHED",
    ]);
    let outcome = env
        .exec_command(
            &[
                "--env-file",
                "first.env",
                "--env-file",
                "second.env",
                "-s",
                "ci/app",
                "--no-mask",
            ],
            &as_strs(&child),
        )
        .env("INHERITED", "parent")
        .env("UNTOUCHED", "kept")
        .run();
    outcome
        .expect_success()
        .expect_stderr(
            "warning: env file second.env overrides variable SHARED of env file first.env",
        )
        .expect_stderr("warning: secret ci/app overrides variable SHARED of env file second.env")
        .expect_stderr("warning: variable INHERITED overrides the inherited one")
        .expect_stderr_without(&["parent", "file-wins", "from-secret"]);
    assert_eq!(
        nul_separated_pairs(&outcome.output.stdout),
        expected(&[
            ("INHERITED", "file-wins"),
            ("FROM_FILE", "file"),
            ("FROM_CANARY", "secret"),
            ("SHARED", "from-secret"),
            ("UNTOUCHED", "kept"),
        ])
    );
}

#[test]
fn pristine_keeps_only_a_minimal_environment() {
    let env = TestEnv::new();
    env.secret("ci/app", r#"{"TOKEN":"t"}"#);
    let outcome = env
        .exec_command(
            &["--pristine", "--no-mask", "-s", "ci/app"],
            &["sh", "-c", "env | sort"],
        )
        .env("LEAKY", "should-not-pass")
        .run();
    outcome.expect_success();
    let names: Vec<&str> = outcome
        .stdout
        .lines()
        .filter_map(|line| line.split('=').next())
        .collect();
    assert!(
        names.contains(&"TOKEN") && names.contains(&"PATH") && names.contains(&"HOME"),
        "{names:?}"
    );
    // The credentials awssecrets itself used (the harness sets them) stay behind too.
    for absent in [
        "LEAKY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
    ] {
        assert!(
            !names.contains(&absent),
            "{absent} passed through --pristine: {names:?}"
        );
    }
}

#[test]
fn exit_codes_of_the_command() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), "A='1'\n").unwrap();
    let with_file = ["--env-file", "vars.env"];
    env.exec(&with_file, &["true"]).expect_success();
    for masking in ["--mask", "--no-mask"] {
        let args = [with_file[0], with_file[1], masking];
        env.exec(&args, &["sh", "-c", "exit 7"]).expect_code(7);
        env.exec(&args, &["no-such-command-4a1b"])
            .expect_failure(127, "command not found: no-such-command-4a1b");
        let script = env.path("not-executable.sh");
        fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
        env.exec(&args, &["./not-executable.sh"])
            .expect_failure(126, "cannot run ./not-executable.sh: permission denied");
    }
    // Masked, a child killed by SIGTERM gives 128+15; unmasked, awssecrets *is* the child.
    env.exec(
        &["--env-file", "vars.env", "--mask"],
        &["sh", "-c", "kill -TERM $$"],
    )
    .expect_code(143);
    let unmasked = env.exec(
        &["--env-file", "vars.env", "--no-mask"],
        &["sh", "-c", "kill -TERM $$"],
    );
    assert_eq!(unmasked.signal(), Some(15));
}

#[test]
fn no_command_is_a_usage_error() {
    let env = TestEnv::new();
    env.run(["exec", "-s", "ci/x"])
        .expect_failure(2, "<COMMAND>");
    env.run(["exec", "--", "true"])
        .expect_failure(2, "nothing to put in the environment");
}

#[test]
fn without_masking_the_command_replaces_awssecrets() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), "A='1'\n").unwrap();
    let child = spawn_piped(
        &env,
        &["--env-file", "vars.env", "--no-mask"],
        &["sh", "-c", "echo $$"],
    );
    let awssecrets_pid = child.id();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        awssecrets_pid.to_string()
    );
}

#[test]
fn a_failing_fetch_never_starts_the_command() {
    let env = TestEnv::new();
    env.secret("ci/ok", &format!(r#"{{"A":"{CANARY}"}}"#));
    env.exec(&["-s", "ci/ok", "-s", "ci/missing"], &["touch", "started"])
        .expect_failure(3, "secret ci/missing: not found")
        .expect_stderr_without(&[CANARY]);
    assert!(!env.path("started").exists(), "the command ran");
}

#[test]
fn masked_output_hides_every_value_and_line() {
    let env = TestEnv::new();
    env.secret(
        "ci/app",
        &format!(r#"{{"TOKEN":"{CANARY}","KEY":"-----BEGIN KEY-----\nmulti-line-secret\n-----END KEY-----","PORT":"5432"}}"#),
    );
    let script = r#"echo "token=$TOKEN port=$PORT"; echo "$KEY" >&2"#;
    let outcome = env.exec(&["-s", "ci/app", "--mask"], &["sh", "-c", script]);
    outcome.expect_success();
    assert_eq!(
        outcome.stdout, "token=*** port=5432\n",
        "values under 8 characters stay visible"
    );
    assert_eq!(outcome.stderr(), "***\n***\n***\n");
}

#[test]
fn masking_is_on_in_ci_and_off_elsewhere() {
    let env = TestEnv::new();
    env.secret("ci/app", &format!(r#"{{"TOKEN":"{CANARY}"}}"#));
    let in_ci = env
        .exec_command(&["-s", "ci/app"], &["sh", "-c", "echo $TOKEN"])
        .env("CI", "true")
        .run();
    assert_eq!(in_ci.expect_success().stdout, "***\n");
    let laptop = env.exec(&["-s", "ci/app"], &["sh", "-c", "echo $TOKEN"]);
    assert_eq!(laptop.expect_success().stdout, format!("{CANARY}\n"));
    let told = env
        .exec_command(&["-s", "ci/app", "--no-mask"], &["sh", "-c", "echo $TOKEN"])
        .env("CI", "true")
        .run();
    assert_eq!(told.expect_success().stdout, format!("{CANARY}\n"));
}

#[test]
fn a_value_written_byte_by_byte_is_still_masked() {
    let env = TestEnv::new();
    env.secret("ci/app", &format!(r#"{{"TOKEN":"{CANARY}"}}"#));
    // Each character is its own write, with a pause: the reads split the value everywhere.
    let script = r#"printf 'before '; v=$TOKEN; while [ -n "$v" ]; do rest=${v#?}; printf '%s' "${v%"$rest"}"; v=$rest; sleep 0.01; done; printf ' after\n'"#;
    let outcome = env.exec(&["-s", "ci/app", "--mask"], &["sh", "-c", script]);
    assert_eq!(outcome.expect_success().stdout, "before *** after\n");
}

#[test]
fn lines_appear_when_written_not_at_exit() {
    let env = TestEnv::new();
    env.secret("ci/app", &format!(r#"{{"TOKEN":"{CANARY}"}}"#));
    let mut child = spawn_piped(
        &env,
        &["-s", "ci/app", "--mask"],
        &["sh", "-c", "echo first $TOKEN; exec sleep 30"],
    );
    let first = read_line_within(&mut child, Duration::from_secs(20));
    assert_eq!(first, "first ***\n");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the line came only when the command ended"
    );
    let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
    let _ = child.wait();
}

/// Reads one line of the child's stdout, failing after `limit`.
fn read_line_within(child: &mut Child, limit: Duration) -> String {
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = sender.send((line, reader));
    });
    let (line, reader) = receiver
        .recv_timeout(limit)
        .expect("a line within the limit");
    // Keep draining so the child never blocks on a full pipe.
    thread::spawn(move || {
        let _ = std::io::copy(&mut reader.into_inner(), &mut std::io::sink());
    });
    line
}

#[test]
fn sigterm_is_forwarded_to_a_masked_child_and_its_status_reported() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    let trapping = r#"trap 'echo "got TERM, token $TOKEN"; exit 42' TERM; echo ready; while :; do sleep 0.05; done"#;
    let mut child = spawn_piped(
        &env,
        &["--env-file", "vars.env", "--mask"],
        &["sh", "-c", trapping],
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "got TERM, token ***\n");
    assert_eq!(
        wait_within(&mut child, Duration::from_secs(10)).code(),
        Some(42)
    );

    // A child that does not handle it dies of it: 128+15.
    let mut child = spawn_piped(
        &env,
        &["--env-file", "vars.env", "--mask"],
        &["sh", "-c", "echo ready; exec sleep 30"],
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(
        wait_within(&mut child, Duration::from_secs(10)).code(),
        Some(143)
    );
}

#[test]
fn binary_output_and_colours_pass_unchanged() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    // Deterministic bytes of every value, ANSI colour codes included, never holding the secret.
    let mut bytes: Vec<u8> = b"\x1b[31mred\x1b[0m\n".to_vec();
    let mut state: u32 = 12345;
    bytes.extend((0..200_000).map(|_| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (state >> 16) as u8
    }));
    fs::write(env.path("data.bin"), &bytes).unwrap();
    let outcome = env.exec(&["--env-file", "vars.env", "--mask"], &["cat", "data.bin"]);
    outcome.expect_success();
    assert!(outcome.output.stdout == bytes, "binary output changed");
}

#[test]
fn stdin_passes_through_to_a_masked_child() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), "A='1'\n").unwrap();
    let mut child = env
        .exec_command(&["--env-file", "vars.env", "--mask"], &["cat"])
        .stdin(Stdio::piped())
        .spawn();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"typed input\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, b"typed input\n");
}

#[test]
fn env_file_problems_are_reported_without_values() {
    let env = TestEnv::new();
    fs::write(env.path("bad.env"), format!("OK='x'\nBROKEN='{CANARY}\n")).unwrap();
    env.exec(&["--env-file", "bad.env"], &["true"])
        .expect_failure(
            7,
            "env file bad.env: line 2 (variable BROKEN): a single quote is never closed",
        )
        .expect_stderr_without(&[CANARY]);
    env.exec(&["--env-file", "missing.env"], &["true"])
        .expect_failure(2, "cannot read env file missing.env");
}

#[test]
fn a_background_process_left_behind_does_not_hold_a_masked_run() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), "A='1'\n").unwrap();
    let started = Instant::now();
    let outcome = env.exec(
        &["--env-file", "vars.env", "--mask"],
        &["sh", "-c", "sleep 30 & echo done"],
    );
    assert_eq!(outcome.expect_success().stdout, "done\n");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_signal_ends_the_draining_of_a_chatty_background_process() {
    let env = TestEnv::new();
    fs::write(env.path("vars.env"), "A='1'\n").unwrap();
    // The command exits at once; what it leaves behind writes forever, keeping the pipe busy.
    let mut child = spawn_piped(
        &env,
        &["--env-file", "vars.env", "--mask"],
        &[
            "sh",
            "-c",
            "(sleep 0.2; while :; do echo tick; sleep 0.2; done) & echo started",
        ],
    );
    let lines = lines_of(&mut child);
    until_line(&lines, "started");
    // Three ticks of the orphan come through well after the command exited: still draining.
    for _ in 0..3 {
        until_line(&lines, "tick");
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "still draining the background output"
    );
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(
        wait_within(&mut child, Duration::from_secs(5)).code(),
        Some(0),
        "the command's own status"
    );
}

#[test]
fn an_env_file_in_another_grammar_is_read_exactly_or_refused_never_changed() {
    let env = TestEnv::new();
    // What `--format env` (docker's grammar) writes for values sh would read differently.
    for (line, variable) in [
        ("TAIL=value #not a comment\n", "TAIL"),
        ("QUOTED=\"q\"x'y\n", "QUOTED"),
        ("HOME_REF=$HOME/x\n", "HOME_REF"),
        ("SPACED=a b\n", "SPACED"),
    ] {
        fs::write(env.path("docker.env"), format!("OK=plain\n{line}")).unwrap();
        env.exec(&["--env-file", "docker.env"], &["touch", "started"])
            .expect_failure(
                7,
                &format!("env file docker.env: line 2 (variable {variable})"),
            )
            .expect_stderr_without(&["not a comment", "$HOME"]);
        assert!(!env.path("started").exists(), "the command ran");
    }
    // Plain values are the same in every grammar: read as they are.
    fs::write(env.path("plain.env"), "A=abc-1.2/x@y:z\nexport B=é\n").unwrap();
    let child = print_variables(&["A", "B"]);
    let outcome = env.exec(&["--env-file", "plain.env", "--no-mask"], &as_strs(&child));
    assert_child_saw(&outcome, &[("A", "abc-1.2/x@y:z"), ("B", "é")]);
}

/// A command that records where `$SECRET_FILE` is, its mode, its directory's mode and its
/// bytes, then ends as `ending` says (`exit 0`, `exec sleep 30`, `kill -SEGV $$`).
fn file_recorder(ending: &str) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!(
            "printf %s \"$SECRET_FILE\" > where; stat -c %a \"$SECRET_FILE\" > modes; \
             stat -c %a \"$(dirname \"$SECRET_FILE\")\" >> modes; cat \"$SECRET_FILE\" > copy; \
             echo ready > ready; {ending}"
        ),
    ]
}

/// Waits (bounded) for the recorder to be ready.
fn until_ready(env: &TestEnv) {
    let started = Instant::now();
    while !env.path("ready").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the command never started"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn file_holds_the_exact_value_in_a_private_directory_removed_after_the_command() {
    let env = TestEnv::new();
    let kubeconfig = format!("apiVersion: v1\nclusters: []\n# {CANARY} é\n");
    env.secret("ci/kubeconfig", &kubeconfig);
    let keystore: Vec<u8> = (0..=255u8).chain([0, b'\n', b'\r']).collect();
    env.binary_secret("ci/keystore", &keystore);
    env.secret(
        "ci/sa",
        r#"{"client_email":"ci@example.iam","FILE":"-----BEGIN-----\nabc\n"}"#,
    );
    let cases: [(&str, &str, Vec<u8>); 3] = [
        (
            "SECRET_FILE,ci/kubeconfig",
            "plain text",
            kubeconfig.clone().into_bytes(),
        ),
        (
            "SECRET_FILE,ci/keystore",
            "binary secret, raw bytes",
            keystore.clone(),
        ),
        (
            "SECRET,ci/sa#FILE",
            "a JSON key",
            b"-----BEGIN-----\nabc\n".to_vec(),
        ),
    ];
    for (spec, what, expected_bytes) in cases {
        for name in ["where", "modes", "copy", "ready"] {
            let _ = fs::remove_file(env.path(name));
        }
        let command = file_recorder("exit 3");
        let outcome = env
            .exec_command(&["-s", spec, "--file", "SECRET_FILE", "--no-mask"], &[])
            .args(&command)
            .run();
        outcome.expect_code(3);
        assert_eq!(
            fs::read(env.path("copy")).unwrap(),
            expected_bytes,
            "{what}"
        );
        assert_eq!(
            fs::read_to_string(env.path("modes")).unwrap(),
            "600\n700\n",
            "{what}"
        );
        let file = fs::read_to_string(env.path("where")).unwrap();
        assert!(file.ends_with("/SECRET_FILE"), "{file}");
        assert!(
            !std::path::Path::new(&file).parent().unwrap().exists(),
            "{what}: {file}'s directory is left behind"
        );
    }
}

#[test]
fn files_are_removed_when_the_command_is_terminated_or_crashes() {
    let env = TestEnv::new();
    env.secret("ci/key", CANARY);
    for (ending, signal, code) in [
        ("exec sleep 30", Some(Signal::SIGTERM), 128 + 15),
        ("exec sleep 30", Some(Signal::SIGINT), 128 + 2),
        ("kill -SEGV $$", None, 128 + 11),
    ] {
        for name in ["where", "modes", "copy", "ready"] {
            let _ = fs::remove_file(env.path(name));
        }
        let mut child = env
            .exec_command(&["-s", "SECRET_FILE,ci/key", "--file", "SECRET_FILE"], &[])
            .args(file_recorder(ending))
            .own_process_group()
            .spawn();
        until_ready(&env);
        if let Some(signal) = signal {
            kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        }
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{ending} {signal:?}");
        let file = fs::read_to_string(env.path("where")).unwrap();
        assert!(
            !std::path::Path::new(&file).parent().unwrap().exists(),
            "{ending} {signal:?}: {file}'s directory is left behind"
        );
        assert_eq!(fs::read_to_string(env.path("copy")).unwrap(), CANARY);
    }
}

#[test]
fn file_values_are_still_masked_and_unknown_names_refused() {
    let env = TestEnv::new();
    env.secret("ci/key", CANARY);
    let outcome = env.exec(
        &[
            "-s",
            "SECRET_FILE,ci/key",
            "--file",
            "SECRET_FILE",
            "--mask",
        ],
        &[
            "sh",
            "-c",
            "cat \"$SECRET_FILE\"; echo; echo \"$SECRET_FILE\"",
        ],
    );
    outcome.expect_success();
    assert!(!outcome.stdout.contains(CANARY), "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("/SECRET_FILE\n"),
        "the path is not masked: {}",
        outcome.stdout
    );

    // A binary secret's bytes reach the command as they are: masked too when they are text.
    let kubeconfig = format!("apiVersion: v1\ntoken: {CANARY}\n");
    env.binary_secret("ci/kubeconfig", kubeconfig.as_bytes());
    let binary = env.exec(
        &["-s", "KUBE,ci/kubeconfig", "--file", "KUBE", "--mask"],
        &["sh", "-c", "cat \"$KUBE\""],
    );
    binary.expect_success();
    assert!(!binary.stdout.contains(CANARY), "{}", binary.stdout);

    let refused = env.exec(
        &["-s", "SECRET_FILE,ci/key", "--file", "KUBECONFIG"],
        &["sh", "-c", "echo ran > ran"],
    );
    refused
        .expect_failure(2, "--file KUBECONFIG: no variable KUBECONFIG")
        .expect_stderr("they give: SECRET_FILE");
    assert!(!env.path("ran").exists(), "the command must not run");
}
