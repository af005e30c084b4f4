//! `exec` under signals and crashes: every signal reaches the command exactly once, whoever
//! sends it; the command ends with awssecrets; as PID 1 no zombie is left; and nothing of the
//! secrets is found in a core dump or through /proc.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

use crate::support::child::{lines_of, stop, until_line, until_then, wait_within};
use crate::support::{CANARY, TestEnv, binary};

/// The signals `exec` passes on, and their numbers.
const FORWARDED: [(Signal, &str); 6] = [
    (Signal::SIGINT, "INT"),
    (Signal::SIGTERM, "TERM"),
    (Signal::SIGHUP, "HUP"),
    (Signal::SIGQUIT, "QUIT"),
    (Signal::SIGUSR1, "USR1"),
    (Signal::SIGUSR2, "USR2"),
];

/// A command that says `got NAME` for each forwarded signal it receives, at once (a second
/// delivery is a second line), bounded to 20 s.
const COUNTING: &str = r#"
import signal, time
def report(number, frame):
    print("got", signal.Signals(number).name[3:], flush=True)
for name in ("INT", "TERM", "HUP", "QUIT", "USR1", "USR2"):
    signal.signal(getattr(signal, "SIG" + name), report)
print("ready", flush=True)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    time.sleep(0.01)
"#;

/// `python3 -c COUNTING`.
fn counting() -> Vec<String> {
    vec![
        crate::support::emulator::python(),
        "-c".to_owned(),
        COUNTING.to_owned(),
    ]
}

fn vars_env(env: &TestEnv) -> &'static str {
    fs::write(env.path("vars.env"), format!("TOKEN='{CANARY}'\n")).unwrap();
    "vars.env"
}

#[test]
fn each_signal_reaches_the_command_once_sent_to_the_pid_or_to_the_group() {
    let env = TestEnv::new();
    let file = vars_env(&env);
    for to_group in [false, true] {
        let mut child = env
            .awssecrets(["exec", "--env-file", file, "--mask", "--"])
            .args(counting())
            .own_process_group()
            .spawn();
        let pid = Pid::from_raw(child.id() as i32);
        let lines = lines_of(&mut child);
        until_then(&lines, "ready", Duration::ZERO);
        for (signal, name) in FORWARDED {
            if to_group {
                killpg(pid, signal).unwrap();
            } else {
                kill(pid, signal).unwrap();
            }
            let expected = format!("got {name}");
            let seen = until_then(&lines, &expected, Duration::from_millis(400));
            let count = seen.iter().filter(|line| **line == expected).count();
            assert_eq!(
                count,
                1,
                "{name} to the {}: {seen:?}",
                if to_group { "group" } else { "pid" }
            );
        }
        stop(child);
    }
}

#[test]
fn on_a_terminal_keys_typed_and_signals_sent_reach_the_command_once() {
    let env = TestEnv::new();
    let file = vars_env(&env);
    let binary = binary().display().to_string();
    let output = Command::new(crate::support::emulator::python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/support/pty_run.py"))
        .args(["INT,QUIT,kill-INT,kill-HUP,kill-TERM", "--", &binary])
        .args(["exec", "--env-file", file, "--mask", "--"])
        .args(counting())
        .current_dir(env.home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(shown.contains("ready"), "{shown}");
    for (name, times) in [("INT", 2), ("QUIT", 1), ("HUP", 1), ("TERM", 1)] {
        let count = shown.matches(&format!("got {name}")).count();
        assert_eq!(count, times, "{name}, typed or sent: {shown}");
    }
}

#[test]
fn a_command_killed_by_a_signal_gives_128_plus_its_number() {
    let env = TestEnv::new();
    let file = vars_env(&env);
    for (signal, name) in FORWARDED {
        let mut child = env
            .awssecrets(["exec", "--env-file", file, "--mask", "--"])
            .args(["sh", "-c", "echo ready; exec sleep 30"])
            .spawn();
        let lines = lines_of(&mut child);
        until_then(&lines, "ready", Duration::ZERO);
        kill(Pid::from_raw(child.id() as i32), signal).unwrap();
        let status = wait_within(&mut child, Duration::from_secs(10));
        assert_eq!(status.code(), Some(128 + signal as i32), "{name}");
    }
}

fn is_running(pid: i32) -> bool {
    // A zombie no longer runs: only its status is left.
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| !stat.rsplit(") ").next().unwrap_or("").starts_with('Z'))
}

#[test]
fn the_command_ends_when_awssecrets_is_killed_outright() {
    let env = TestEnv::new();
    let file = vars_env(&env);
    let mut child = env
        .awssecrets(["exec", "--env-file", file, "--mask", "--"])
        .args(["sh", "-c", "echo $$; exec sleep 30"])
        .spawn();
    let lines = lines_of(&mut child);
    let command: i32 = lines
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .parse()
        .unwrap();
    assert!(is_running(command));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while is_running(command) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    assert!(!is_running(command), "the command outlived awssecrets");
}

#[test]
fn as_pid_1_no_orphan_is_left_a_zombie() {
    let env = TestEnv::new();
    let file = vars_env(&env);
    // The inner shell leaves `sleep` behind; orphaned, it is handed to PID 1, which must
    // collect it when it ends. The command then counts the zombies of its namespace.
    let script = r#"sh -c 'sleep 0.2 &'
sleep 1
cat /proc/[0-9]*/stat 2>/dev/null | awk '{ s = $0; sub(/.*\) /, "", s); if (substr(s, 1, 1) == "Z") z++ } END { print "zombies", z + 0 }'"#;
    for masking in ["--mask", "--no-mask"] {
        let output = Command::new("unshare")
            .args(["--pid", "--fork", "--mount-proc"])
            .arg(binary())
            .args([
                "exec",
                "--env-file",
                file,
                masking,
                "--",
                "sh",
                "-c",
                script,
            ])
            .current_dir(env.home.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("unshare (util-linux) runs awssecrets in a PID namespace of its own");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{masking}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(stdout.trim(), "zombies 0", "{masking}");
    }
}

/// Files under `directory` holding `needle`, or named like a core dump.
fn cores_and_leaks(directory: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(&path).unwrap_or_default();
        if name.starts_with("core") || bytes.windows(needle.len()).any(|window| window == needle) {
            found.push(name);
        }
    }
    found
}

/// Whether this machine writes core dumps to the working directory (core_pattern `core`).
fn cores_land_here(directory: &Path) -> bool {
    let _ = Command::new("sh")
        .args(["-c", "ulimit -c unlimited; kill -ABRT $$"])
        .current_dir(directory)
        .status();
    let landed = fs::read_dir(directory).unwrap().any(|entry| {
        entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("core")
    });
    for entry in fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("core")
        {
            fs::remove_file(path).unwrap();
        }
    }
    landed
}

#[test]
fn abort_and_quit_leave_no_core_and_no_canary_in_any_file() {
    let env = TestEnv::new();
    let directory = tempfile::tempdir().unwrap();
    let control = cores_land_here(directory.path());
    let pattern = fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    assert!(
        control,
        "a core dump does not land in the working directory here (core_pattern {:?}): the test \
         could not see one",
        pattern.trim()
    );
    fs::write(
        directory.path().join("vars.env"),
        format!("TOKEN='{CANARY}'\n"),
    )
    .unwrap();
    // QUIT is forwarded (the command ignores it) and leaves awssecrets running; ABRT kills it.
    for signals in [
        &[Signal::SIGQUIT, Signal::SIGABRT][..],
        &[Signal::SIGABRT][..],
    ] {
        let mut child = env
            .program("sh")
            .args([
                "-c",
                r#"ulimit -c unlimited; exec "$0" exec --env-file vars.env --mask -- sh -c "trap '' QUIT; echo ready; exec sleep 30""#,
            ])
            .arg(binary())
            .current_dir(directory.path())
            .spawn();
        let lines = lines_of(&mut child);
        until_line(&lines, "ready");
        // Whatever the machine does with cores, awssecrets itself allows none.
        let limits = fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
        let core = limits
            .lines()
            .find(|line| line.starts_with("Max core file size"))
            .unwrap();
        assert_eq!(
            core.split_whitespace().nth(4),
            Some("0"),
            "awssecrets' soft core limit: {core}"
        );
        for signal in signals {
            kill(Pid::from_raw(child.id() as i32), *signal).unwrap();
            thread::sleep(Duration::from_millis(300));
        }
        let status = wait_within(&mut child, Duration::from_secs(10));
        assert!(!status.success());
        let found = cores_and_leaks(directory.path(), CANARY.as_bytes());
        let found: Vec<_> = found
            .into_iter()
            .filter(|name| name != "vars.env")
            .collect();
        assert!(
            found.is_empty(),
            "{signals:?} left {found:?} (cores land here: {control})"
        );
    }
    // awssecrets alone, fetching: QUIT takes the default action, which would dump a core.
    let stall = crate::support::stub::Stub::start(|_| crate::support::stub::Reply::Hang);
    let mut child = env
        .program("sh")
        .args([
            "-c",
            r#"ulimit -c unlimited; exec "$0" -s ci/x --endpoint-url "$1""#,
        ])
        .arg(binary())
        .arg(&stall.url)
        .current_dir(directory.path())
        .spawn();
    thread::sleep(Duration::from_millis(500));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGQUIT).unwrap();
    wait_within(&mut child, Duration::from_secs(10));
    let found = cores_and_leaks(directory.path(), CANARY.as_bytes());
    let found: Vec<_> = found
        .into_iter()
        .filter(|name| name != "vars.env")
        .collect();
    assert!(
        found.is_empty(),
        "QUIT while fetching left {found:?} (cores land here: {control})"
    );
}

#[test]
fn no_other_process_of_the_same_user_can_read_its_environment() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the test runs processes as another user: run it as root (CI does)"
    );
    let directory = tempfile::tempdir().unwrap();
    fs::set_permissions(directory.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let file = directory.path().join("vars.env");
    fs::write(&file, format!("TOKEN='{CANARY}'\n")).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    // Everything as an unprivileged user (nobody): same user, so only the process' own state
    // (not dumpable) can keep the reader out.
    let as_nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let start = |program: &[&str]| {
        Command::new("setpriv")
            .args(as_nobody)
            .args(program)
            .current_dir("/")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWSSECRETS_PROBE", CANARY)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("setpriv (util-linux) runs a program as nobody")
    };
    let read_environment = |pid: u32| {
        Command::new("setpriv")
            .args(as_nobody)
            .args(["cat", &format!("/proc/{pid}/environ")])
            .output()
            .unwrap()
    };
    // Control: a process of nobody's that is dumpable, as every process is by default, shows
    // its environment to another of nobody's processes.
    let mut control = start(&["sh", "-c", "echo ready; exec sleep 30"]);
    let lines = lines_of(&mut control);
    until_line(&lines, "ready");
    let seen = read_environment(control.id());
    stop(control);
    assert!(
        seen.status.success() && String::from_utf8_lossy(&seen.stdout).contains(CANARY),
        "control: another process of the user cannot read a dumpable one's environment here"
    );
    let binary = binary().display().to_string();
    let file = file.display().to_string();
    let mut child = start(&[
        &binary,
        "exec",
        "--env-file",
        &file,
        "--mask",
        "--",
        "sh",
        "-c",
        "echo ready; exec sleep 30",
    ]);
    let lines = lines_of(&mut child);
    until_line(&lines, "ready");
    let read = read_environment(child.id());
    stop(child);
    assert!(
        !read.status.success(),
        "another process of the user read the environment"
    );
    assert!(!String::from_utf8_lossy(&read.stdout).contains(CANARY));
}

#[test]
fn the_command_gets_exactly_the_core_limits_awssecrets_started_with() {
    let env = TestEnv::new();
    let file = vars_env(&env);
    for limits in [
        "ulimit -c unlimited",
        "ulimit -H -c unlimited; ulimit -S -c 0",
        "ulimit -H -c unlimited; ulimit -S -c 2048",
        "ulimit -c 4096",
    ] {
        for masking in ["--mask", "--no-mask"] {
            let script = format!(
                r#"{limits}; echo "$(ulimit -S -c) $(ulimit -H -c)"; "$0" exec --env-file {file} {masking} -- sh -c 'echo "$(ulimit -S -c) $(ulimit -H -c)"'"#
            );
            let outcome = env.program("sh").args(["-c", &script]).arg(binary()).run();
            outcome.expect_success();
            let lines: Vec<&str> = outcome.stdout.lines().collect();
            assert_eq!(lines.len(), 2, "{limits} {masking}: {}", outcome.stdout);
            assert_eq!(lines[1], lines[0], "{limits} {masking}");
        }
    }
}
