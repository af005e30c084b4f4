//! Test harness: the real binary against moto, each test in its own AWS account and temp HOME.
//!
//! - [`TestEnv`]: one test's world (an emulator account, credentials, a temp HOME); each
//!   source's fixtures (creating secrets, parameters) live in [`fixtures`].
//! - [`Run`]: the one builder for running the binary (or a script) hermetically; [`Outcome`]
//!   checks its status and streams.
//! - [`CANARY`]: the one value that must never reach stderr, a log or a leftover file.
//! - [`Untouched`]: the one check that a failed run left a file as it was.

pub mod child;
pub mod consumers;
pub mod emulator;
pub mod fault;
pub mod fixtures;
pub mod http;
pub mod iam;
pub mod proxy;
pub mod stub;
pub mod values;

use std::cell::Cell;
use std::ffi::OsStr;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use tempfile::TempDir;

pub use emulator::Emulator;

/// The region tests use unless they say otherwise.
pub const REGION: &str = "eu-west-1";

/// No arguments, for [`TestEnv::awssecrets`].
pub const NO_ARGS: [&str; 0] = [];

/// A secret value long enough to be masked, that no message, log or leftover may hold.
pub const CANARY: &str = "canary-7f3a9c5e2a";

/// One test's world: an emulator account of its own, credentials for it, a temp HOME.
pub struct TestEnv {
    pub emulator_url: String,
    pub account: String,
    pub credentials: Credentials,
    pub home: TempDir,
    /// The CA to trust when the emulator speaks HTTPS.
    ca: Option<PathBuf>,
    runtime: tokio::runtime::Runtime,
}

impl TestEnv {
    /// A fresh account on the shared emulator.
    pub fn new() -> TestEnv {
        TestEnv::on(&Emulator::shared().url)
    }

    /// A fresh account on the emulator at `emulator_url`.
    pub fn on(emulator_url: &str) -> TestEnv {
        TestEnv::on_trusting(emulator_url, None)
    }

    /// A fresh account on an HTTPS emulator whose certificate `ca` signed.
    pub fn on_tls(emulator_url: &str, ca: &Path) -> TestEnv {
        TestEnv::on_trusting(emulator_url, Some(ca.to_owned()))
    }

    /// The emulator account `account` (e.g. the documentation's 123456789012), which other
    /// runs may have written to before: what a test creates there must allow for that.
    pub fn in_account(account: &str) -> TestEnv {
        TestEnv::in_account_trusting(&Emulator::shared().url, None, account.to_owned())
    }

    fn on_trusting(emulator_url: &str, ca: Option<PathBuf>) -> TestEnv {
        TestEnv::in_account_trusting(emulator_url, ca, random_account())
    }

    fn in_account_trusting(emulator_url: &str, ca: Option<PathBuf>, account: String) -> TestEnv {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Credentials of a role in a random account: moto files every resource they create
        // under that account, so tests sharing one emulator never see each other's secrets.
        let bootstrap = Credentials::new("AKIDBOOTSTRAP", "bootstrap", None, None, "test");
        let sts = aws_sdk_sts::Client::new(&runtime.block_on(sdk_config(
            emulator_url,
            ca.as_deref(),
            REGION,
            bootstrap,
        )));
        let assumed = runtime
            .block_on(
                sts.assume_role()
                    .role_arn(format!("arn:aws:iam::{account}:role/awssecrets-test"))
                    .role_session_name("awssecrets-test")
                    .send(),
            )
            .expect("AssumeRole on the emulator");
        let role = assumed.credentials().expect("credentials");
        let credentials = Credentials::new(
            role.access_key_id(),
            role.secret_access_key(),
            Some(role.session_token().to_owned()),
            None,
            "test",
        );
        TestEnv {
            emulator_url: emulator_url.to_owned(),
            account,
            credentials,
            home: tempfile::tempdir().unwrap(),
            ca,
            runtime,
        }
    }

    /// The SDK configuration of this test's account in `region`, for fixtures.
    pub fn sdk_config(&self, region: &str) -> aws_config::SdkConfig {
        self.runtime.block_on(sdk_config(
            &self.emulator_url,
            self.ca.as_deref(),
            region,
            self.credentials.clone(),
        ))
    }

    /// Runs a fixture's future to completion.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The binary with `args`, in this test's hermetic environment (see [`Run`]).
    pub fn awssecrets<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.program(binary()).args(args)
    }

    /// `awssecrets exec OPTIONS -- COMMAND...`, to be set up further.
    pub fn exec_command(&self, options: &[&str], command: &[&str]) -> Run {
        self.awssecrets(["exec"])
            .args(options)
            .arg("--")
            .args(command)
    }

    /// Runs `awssecrets exec OPTIONS -- COMMAND...` now.
    pub fn exec(&self, options: &[&str], command: &[&str]) -> Outcome {
        self.exec_command(options, command).run()
    }

    /// Runs the binary with `args` now.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.awssecrets(args).run()
    }

    /// Runs the binary with `args`, every AWS request sent to `endpoint` (e.g. a fault proxy).
    pub fn run_through<I, S>(&self, endpoint: &str, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.awssecrets(["--endpoint-url", endpoint])
            .args(args)
            .run()
    }

    /// `program` (a script, a shell) in this test's hermetic environment: no inherited AWS
    /// settings, HOME in a temp dir, credentials of this test's account, instance metadata
    /// disabled, stdin empty, the temp HOME as working directory.
    pub fn program(&self, program: impl AsRef<OsStr>) -> Run {
        let aws_dir = self.home.path().join(".aws");
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_CONFIG_FILE", aws_dir.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", aws_dir.join("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", &self.emulator_url)
            .env("AWS_REGION", REGION)
            .env("AWS_ACCESS_KEY_ID", self.credentials.access_key_id())
            .env(
                "AWS_SECRET_ACCESS_KEY",
                self.credentials.secret_access_key(),
            )
            .env(
                "AWS_SESSION_TOKEN",
                self.credentials.session_token().unwrap(),
            )
            .current_dir(self.home.path())
            .stdin(Stdio::null());
        Run { command }
    }

    /// A path inside the temp HOME.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }
}

/// One run of the binary (or a script) being set up: arguments, environment, streams.
pub struct Run {
    command: Command,
}

impl Run {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Run {
        self.command.env(name, value);
        self
    }

    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Run {
        self.command.env_remove(name);
        self
    }

    /// No AWS credentials of any kind in the environment.
    pub fn without_credentials(self) -> Run {
        self.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
    }

    /// Runs with this umask.
    pub fn umask(mut self, mask: u32) -> Run {
        // SAFETY: umask is async-signal-safe and touches only the child.
        unsafe {
            self.command.pre_exec(move || {
                nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(mask));
                Ok(())
            });
        }
        self
    }

    /// Runs in `directory` instead of the temp HOME.
    pub fn current_dir(mut self, directory: impl AsRef<Path>) -> Run {
        self.command.current_dir(directory);
        self
    }

    /// Runs in a process group of its own, so that a signal to the group reaches it alone.
    pub fn own_process_group(mut self) -> Run {
        self.command.process_group(0);
        self
    }

    pub fn stdin(mut self, stdin: impl Into<Stdio>) -> Run {
        self.command.stdin(stdin);
        self
    }

    pub fn stdout(mut self, stdout: impl Into<Stdio>) -> Run {
        self.command.stdout(stdout);
        self
    }

    /// Runs to the end, collecting both streams.
    pub fn run(mut self) -> Outcome {
        Outcome::of(self.command.output().expect("run the program"))
    }

    pub fn stderr(mut self, stderr: impl Into<Stdio>) -> Run {
        self.command.stderr(stderr);
        self
    }

    /// Runs to the end with the streams as set (e.g. stdout to a file).
    pub fn status(mut self) -> ExitStatus {
        self.command.status().expect("run the program")
    }

    /// Runs with the streams as set, failing the test (and killing it) after `limit`.
    #[track_caller]
    pub fn status_within(mut self, limit: std::time::Duration) -> ExitStatus {
        let mut child = self.command.spawn().expect("start the program");
        child::wait_within(&mut child, limit)
    }

    /// Starts it with the streams as set.
    pub fn spawn_as_is(mut self) -> Child {
        self.command.spawn().expect("start the program")
    }

    /// Starts it with stdout piped to the test and stderr discarded (unless set otherwise).
    pub fn spawn(mut self) -> Child {
        self.command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the program")
    }
}

/// The binary under test: `AWSSECRETS_TEST_BIN` (e.g. the static release build) or the one
/// cargo built for this test run.
pub fn binary() -> PathBuf {
    std::env::var_os("AWSSECRETS_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_awssecrets")))
}

async fn sdk_config(
    url: &str,
    ca: Option<&Path>,
    region: &str,
    credentials: Credentials,
) -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let http_client = match ca {
        None => aws_smithy_http_client::Builder::new().build_http(),
        Some(ca) => aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(
                TlsContext::builder()
                    .with_trust_store(
                        TrustStore::empty().with_pem_certificate(std::fs::read(ca).unwrap()),
                    )
                    .build()
                    .unwrap(),
            )
            .build_https(),
    };
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .endpoint_url(url)
        .region(Region::new(region.to_owned()))
        .credentials_provider(credentials)
        .load()
        .await
}

fn random_account() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let number = u64::from_le_bytes(bytes) % 900_000_000_000 + 100_000_000_000;
    number.to_string()
}

/// What one run of the binary did. Strict by default, as casey/just's `Test` is: unless the
/// test says otherwise (an `expect_*` about the exit code or stderr, or reading them), the
/// run must have exited 0 with an empty stderr; when it is dropped unchecked, it fails the
/// test showing both streams. Stdout is the test's to check.
pub struct Outcome {
    pub output: Output,
    pub stdout: String,
    stderr: String,
    code_checked: Cell<bool>,
    stderr_checked: Cell<bool>,
}

impl Outcome {
    pub fn of(output: Output) -> Outcome {
        Outcome {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output,
            code_checked: Cell::new(false),
            stderr_checked: Cell::new(false),
        }
    }

    /// The exit code (`None` if a signal ended it); the test now answers for it.
    pub fn code(&self) -> Option<i32> {
        self.code_checked.set(true);
        self.output.status.code()
    }

    /// The signal that ended the run, if one did; the test now answers for the exit status.
    pub fn signal(&self) -> Option<i32> {
        self.code_checked.set(true);
        std::os::unix::process::ExitStatusExt::signal(&self.output.status)
    }

    /// Stderr, whatever it holds; the test now answers for it.
    pub fn stderr(&self) -> &str {
        self.stderr_checked.set(true);
        &self.stderr
    }

    /// Lets stderr hold anything (warnings the test does not care about), saying so.
    pub fn allow_stderr(&self) -> &Outcome {
        self.stderr_checked.set(true);
        self
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Outcome {
        assert_eq!(
            self.code(),
            Some(code),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts exit 0 (stderr is still expected empty unless the test says otherwise).
    #[track_caller]
    pub fn expect_success(&self) -> &Outcome {
        self.expect_code(0)
    }

    /// Asserts stdout is exactly `expected`, showing a diff when it is not.
    #[track_caller]
    pub fn expect_stdout(&self, expected: &str) -> &Outcome {
        assert_same("stdout", expected, &self.stdout);
        self
    }

    /// Asserts stderr is exactly `expected`, showing a diff when it is not.
    #[track_caller]
    pub fn expect_stderr_exactly(&self, expected: &str) -> &Outcome {
        assert_same("stderr", expected, self.stderr());
        self
    }

    /// Asserts a failure wrote nothing to stdout and said `fragment` on stderr.
    #[track_caller]
    pub fn expect_failure(&self, code: i32, fragment: &str) -> &Outcome {
        self.expect_code(code);
        assert_eq!(self.stdout, "", "a failure must print nothing to stdout");
        self.expect_stderr(fragment)
    }

    /// Asserts `scan` found something (exit 9; the findings are on stdout) and said `fragment`.
    #[track_caller]
    pub fn expect_found(&self, fragment: &str) -> &Outcome {
        self.expect_code(9);
        assert!(!self.stdout.is_empty(), "findings are listed on stdout");
        self.expect_stderr(fragment)
    }

    #[track_caller]
    pub fn expect_stderr(&self, fragment: &str) -> &Outcome {
        assert!(
            self.stderr().contains(fragment),
            "stderr lacks {fragment:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that none of `values` (secret values) appears on stderr.
    #[track_caller]
    pub fn expect_stderr_without(&self, values: &[&str]) -> &Outcome {
        for value in values {
            assert!(
                !self.stderr().contains(value),
                "{value:?} leaked to stderr:\n{}",
                self.stderr
            );
        }
        self
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let code = self.output.status.code();
        if !self.code_checked.get() && code != Some(0) {
            panic!(
                "the run exited {code:?}, and the test did not expect it\n--- stdout\n{}\n--- \
                 stderr\n{}",
                self.stdout, self.stderr
            );
        }
        if !self.stderr_checked.get() && !self.stderr.is_empty() {
            panic!(
                "the run wrote to stderr, and the test did not expect it (expect_stderr, \
                 allow_stderr)\n--- stderr\n{}",
                self.stderr
            );
        }
    }
}

/// Asserts `actual` is `expected`, with a line diff of `what` when it is not.
#[track_caller]
pub fn assert_same(what: &str, expected: &str, actual: &str) {
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected, actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        panic!("{what} differs:\n{diff}");
    }
}

/// A file's state before a run that must leave it alone: its bytes, mode and inode (or its
/// absence).
pub struct Untouched {
    path: PathBuf,
    before: Option<(Vec<u8>, u32, u64)>,
}

impl Untouched {
    /// Remembers `path` as it is now.
    pub fn of(path: impl Into<PathBuf>) -> Untouched {
        let path = path.into();
        let before = state(&path);
        Untouched { path, before }
    }

    /// Asserts the file is byte for byte, mode and inode as it was (or still absent).
    #[track_caller]
    pub fn assert(&self) {
        let now = state(&self.path);
        match (&self.before, &now) {
            (None, None) => {}
            (None, Some(_)) => panic!("{} was created", self.path.display()),
            (Some(_), None) => panic!("{} was removed", self.path.display()),
            (Some((bytes, mode, inode)), Some((now_bytes, now_mode, now_inode))) => {
                assert!(bytes == now_bytes, "{} changed", self.path.display());
                assert_eq!(mode, now_mode, "{}: mode changed", self.path.display());
                assert_eq!(inode, now_inode, "{} was replaced", self.path.display());
            }
        }
    }
}

fn state(path: &Path) -> Option<(Vec<u8>, u32, u64)> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    let bytes = if metadata.is_file() {
        std::fs::read(path).unwrap()
    } else {
        Vec::new()
    };
    Some((bytes, metadata.mode(), metadata.ino()))
}

/// Reads a file the binary wrote.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}

/// Asserts `program` is installed: a test that needs a tool fails without it, never skips
/// (`scripts/test` installs every tool the tests run).
#[track_caller]
pub fn require(program: &str) {
    assert!(
        consumers::which(program),
        "{program} is not installed (scripts/test installs it)"
    );
}
