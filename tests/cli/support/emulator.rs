//! The Secrets Manager + STS emulator (moto), started on a free loopback port.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use super::http;

/// Set by `scripts/test` to share one emulator among all test processes.
const SHARED_URL_ENV: &str = "AWSSECRETS_TEST_MOTO_URL";
/// The Python that has moto installed (default: `.venv/bin/python`, else `python3`).
const PYTHON_ENV: &str = "AWSSECRETS_TEST_PYTHON";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running moto server; a dedicated one is stopped when dropped.
pub struct Emulator {
    pub url: String,
    process: Option<Child>,
}

impl Emulator {
    /// The emulator shared by every test of this process (or of the whole run, when
    /// `AWSSECRETS_TEST_MOTO_URL` names one). Tests isolate themselves by account.
    pub fn shared() -> &'static Emulator {
        static SHARED: OnceLock<Emulator> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var(SHARED_URL_ENV) {
            Ok(url) if !url.is_empty() => Emulator { url, process: None },
            _ => Emulator::start(),
        })
    }

    /// A dedicated emulator, for tests that change global emulator state (IAM enforcement).
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// A dedicated emulator serving HTTPS with a certificate of a throwaway CA written to
    /// `directory` (`ca.pem`), valid for 127.0.0.1, localhost and `names`.
    pub fn start_tls(directory: &Path, names: &[&str]) -> Emulator {
        let status = Command::new(python())
            .arg(support_file("make_ca.py"))
            .arg(directory)
            .args(names)
            .status()
            .expect("run make_ca.py");
        assert!(status.success(), "make_ca.py failed");
        let certificate = directory.join("server.pem");
        let key = directory.join("server.key");
        Emulator::start_with(&[
            OsStr::new("-s"),
            OsStr::new("-c"),
            certificate.as_os_str(),
            OsStr::new("-k"),
            key.as_os_str(),
        ])
    }

    fn start_with(arguments: &[&OsStr]) -> Emulator {
        let python = python();
        let mut process = Command::new(&python)
            .arg(support_file("emulator.py"))
            .args(arguments)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot run {python}: {error}; run scripts/test, which installs moto")
            });
        let stderr = process.stderr.take().expect("stderr is piped");
        let (url_sender, url_receiver) = mpsc::channel();
        let recent_lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let recorded = Arc::clone(&recent_lines);
        // Keeps draining moto's request log so that it never blocks on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(start) = line.find("Running on http") {
                    let url = line[start + "Running on ".len()..].trim().to_owned();
                    let _ = url_sender.send(url);
                }
                let mut recent = recorded.lock().unwrap();
                recent.push(line);
                if recent.len() > 20 {
                    recent.remove(0);
                }
            }
        });
        let url = url_receiver.recv_timeout(START_TIMEOUT).unwrap_or_else(|_| {
            let _ = process.kill();
            panic!(
                "moto did not start with {python} (is moto[server] installed? scripts/test installs it):\n{}",
                recent_lines.lock().unwrap().join("\n")
            )
        });
        Emulator {
            url,
            process: Some(process),
        }
    }

    /// Enforces IAM from now on: requests must be signed with keys of IAM users or roles whose
    /// policies allow the action.
    pub fn enforce_iam(&self) {
        let (status, body) = http::request(
            &self.url,
            "POST",
            "/moto-api/reset-auth",
            &[("Content-Type", "application/octet-stream")],
            b"0",
        );
        assert_eq!(status, 200, "reset-auth failed: {body}");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(process) = &mut self.process {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

fn support_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/support")
        .join(name)
}

/// The Python interpreter with moto.
pub fn python() -> String {
    if let Ok(python) = std::env::var(PYTHON_ENV) {
        return python;
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if venv.exists() {
        return venv.display().to_string();
    }
    "python3".to_owned()
}
