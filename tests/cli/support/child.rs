//! A binary started in the background, watched by events (the lines it prints, its exit),
//! never by fixed sleeps: each wait is bounded, and generous for a loaded 2-core machine.

use std::io::{BufRead, BufReader};
use std::process::{Child, ExitStatus};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

/// The lines a child prints on stdout, as they come.
pub fn lines_of(child: &mut Child) -> Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Waits (at most 20 s) for `line`; then collects what follows for `settle`. Everything seen
/// is returned, `line` last before what followed.
pub fn until_then(lines: &Receiver<String>, line: &str, settle: Duration) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(next) = lines.recv_timeout(Duration::from_millis(50)) {
            let found = next == line;
            seen.push(next);
            if found {
                break;
            }
        }
    }
    let settled = Instant::now() + settle;
    while Instant::now() < settled {
        if let Ok(next) = lines.recv_timeout(Duration::from_millis(20)) {
            seen.push(next);
        }
    }
    seen
}

/// Waits (at most 20 s) for `line`, failing the test without it.
#[track_caller]
pub fn until_line(lines: &Receiver<String>, line: &str) {
    let seen = until_then(lines, line, Duration::ZERO);
    assert!(
        seen.last().is_some_and(|last| last == line),
        "{line:?} never came: {seen:?}"
    );
}

/// The child's exit status, failing the test (and killing it) after `limit`.
#[track_caller]
pub fn wait_within(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not exit within {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Kills the child and collects its status.
pub fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}
