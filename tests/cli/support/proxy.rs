//! A real HTTP proxy (tinyproxy) on a free loopback port, its requests read from its log.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running tinyproxy; stopped when dropped.
pub struct Proxy {
    /// `http://127.0.0.1:PORT`, without credentials.
    pub url: String,
    pub port: u16,
    directory: TempDir,
    process: Child,
}

impl Proxy {
    /// A tinyproxy asking for `user:password` when given (a missing tinyproxy fails the
    /// test: `scripts/test` installs it).
    pub fn start(basic_auth: Option<(&str, &str)>) -> Proxy {
        super::require("tinyproxy");
        let directory = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = directory.path().join("proxy.log");
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Connect\n\
             MaxClients 50\nAllow 127.0.0.1\n",
            log.display()
        );
        if let Some((user, password)) = basic_auth {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let config_path = directory.path().join("tinyproxy.conf");
        std::fs::write(&config_path, config).unwrap();
        let process = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tinyproxy");
        let proxy = Proxy {
            url: format!("http://127.0.0.1:{port}"),
            port,
            directory,
            process,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < START_TIMEOUT,
                "tinyproxy did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        proxy
    }

    /// The URL with `user:password` in it.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// What each request asked for: `POST http://127.0.0.1:5000/` or `CONNECT localhost:5001`.
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.split_once("]: Request (file descriptor "))
            .filter_map(|(_, rest)| rest.split_once("): "))
            .map(|(_, request)| request.trim_end_matches(" HTTP/1.1").to_owned())
            .collect()
    }

    fn log_path(&self) -> PathBuf {
        self.directory.path().join("proxy.log")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A loopback port nothing listens on: a proxy that is down.
pub fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
