//! Test harness: the real binary against moto, each test in its own AWS account and temp HOME.

pub mod consumers;
pub mod emulator;
pub mod fault;
pub mod http;
pub mod stub;
pub mod values;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_secretsmanager::primitives::Blob;
use tempfile::TempDir;

pub use emulator::Emulator;

/// The region tests use unless they say otherwise.
pub const REGION: &str = "eu-west-1";

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

    fn on_trusting(emulator_url: &str, ca: Option<PathBuf>) -> TestEnv {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let account = random_account();
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

    fn secrets_client(&self, region: &str) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(&self.runtime.block_on(sdk_config(
            &self.emulator_url,
            self.ca.as_deref(),
            region,
            self.credentials.clone(),
        )))
    }

    /// Creates a string secret in the default region; returns its ARN.
    pub fn secret(&self, name: &str, value: &str) -> String {
        self.secret_in(REGION, name, value)
    }

    /// Creates a string secret in `region`; returns its ARN.
    pub fn secret_in(&self, region: &str, name: &str, value: &str) -> String {
        let client = self.secrets_client(region);
        self.create(client.create_secret().name(name).secret_string(value))
    }

    /// Creates a binary secret; returns its ARN.
    pub fn binary_secret(&self, name: &str, bytes: &[u8]) -> String {
        let client = self.secrets_client(REGION);
        self.create(
            client
                .create_secret()
                .name(name)
                .secret_binary(Blob::new(bytes)),
        )
    }

    fn create(
        &self,
        request: aws_sdk_secretsmanager::operation::create_secret::builders::CreateSecretFluentBuilder,
    ) -> String {
        let created = self.runtime.block_on(request.send()).expect("CreateSecret");
        created.arn().unwrap().to_owned()
    }

    /// Stores a new AWSCURRENT version; the previous one becomes AWSPREVIOUS.
    pub fn rotate(&self, name: &str, value: &str) {
        let client = self.secrets_client(REGION);
        self.runtime
            .block_on(
                client
                    .put_secret_value()
                    .secret_id(name)
                    .secret_string(value)
                    .send(),
            )
            .expect("PutSecretValue");
    }

    /// The binary with a hermetic environment: no inherited AWS settings, HOME in a temp dir,
    /// credentials of this test's account, instance metadata disabled.
    pub fn command(&self) -> Command {
        let mut command = Command::new(binary());
        self.isolate(&mut command);
        command
    }

    /// Gives `command` this test's hermetic environment (see [`TestEnv::command`]).
    pub fn isolate(&self, command: &mut Command) {
        let aws_dir = self.home.path().join(".aws");
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
    }

    /// Runs the binary with `args` and collects its output.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Outcome::of(self.command().args(args).output().expect("run awssecrets"))
    }

    /// Runs the binary with `args`, every AWS request sent to `endpoint` (e.g. a fault proxy).
    pub fn run_through<I, S>(&self, endpoint: &str, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = self.command();
        command.arg("--endpoint-url").arg(endpoint).args(args);
        Outcome::of(command.output().expect("run awssecrets"))
    }

    /// A path inside the temp HOME.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
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

/// What one run of the binary did.
pub struct Outcome {
    pub output: Output,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn of(output: Output) -> Outcome {
        Outcome {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output,
        }
    }

    /// The exit code (`None` if a signal ended it).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
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

    #[track_caller]
    pub fn expect_success(&self) -> &Outcome {
        self.expect_code(0)
    }

    /// Asserts a failure wrote nothing to stdout and said `fragment` on stderr.
    #[track_caller]
    pub fn expect_failure(&self, code: i32, fragment: &str) -> &Outcome {
        self.expect_code(code);
        assert_eq!(self.stdout, "", "a failure must print nothing to stdout");
        self.expect_stderr(fragment)
    }

    #[track_caller]
    pub fn expect_stderr(&self, fragment: &str) -> &Outcome {
        assert!(
            self.stderr.contains(fragment),
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
                !self.stderr.contains(value),
                "{value:?} leaked to stderr:\n{}",
                self.stderr
            );
        }
        self
    }
}

/// Reads a file the binary wrote.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}
