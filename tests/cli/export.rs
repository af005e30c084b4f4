//! `awssecrets [export]`: selection, naming, layering, destinations.

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};

use crate::support::fault::{Fault, FaultProxy};
use crate::support::{NO_ARGS, REGION, TestEnv, Untouched, read};

#[test]
fn json_and_plain_secrets_print_as_dotenv() {
    let env = TestEnv::new();
    env.secret(
        "ci/npm",
        r#"{"NPM_TOKEN":"npm_abc","registry":"https://r.example"}"#,
    );
    env.secret("ci/deploy-key", "plain text");
    let outcome = env.run([
        "--region",
        REGION,
        "--secret",
        "ci/npm",
        "--secret",
        "ci/deploy-key",
    ]);
    outcome.expect_success();
    assert_eq!(
        outcome.stdout,
        "NPM_TOKEN='npm_abc'\nregistry='https://r.example'\nCI_DEPLOY_KEY='plain text'\n"
    );
    assert_eq!(outcome.stderr(), "");
}

#[test]
fn export_subcommand_is_the_bare_command() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"1"}"#);
    let bare = env.run(["-s", "app"]);
    let explicit = env.run(["export", "-s", "app"]);
    bare.expect_success();
    explicit.expect_success();
    assert_eq!(bare.stdout, explicit.stdout);
}

#[test]
fn secrets_list_from_the_environment() {
    let env = TestEnv::new();
    env.secret("ci/a", r#"{"A":"1","B":"2"}"#);
    env.secret("ci/b", "bee");
    let comma = env
        .awssecrets(NO_ARGS)
        .env("AWSSECRETS_SECRETS", "ci/a, ci/b")
        .run();
    comma.expect_success();
    assert_eq!(comma.stdout, "A='1'\nB='2'\nCI_B='bee'\n");
    let lines = env
        .awssecrets(NO_ARGS)
        .env("AWSSECRETS_SECRETS", "ci/a#B\n  BEE,ci/b\n")
        .run();
    lines.expect_success();
    assert_eq!(lines.stdout, "B='2'\nBEE='bee'\n");
}

#[test]
fn flag_wins_over_the_environment_list() {
    let env = TestEnv::new();
    env.secret("ci/b", "bee");
    let outcome = env
        .awssecrets(["-s", "ci/b"])
        .env("AWSSECRETS_SECRETS", "does/not/exist")
        .run();
    outcome.expect_success();
    assert_eq!(outcome.stdout, "CI_B='bee'\n");
}

#[test]
fn key_selection_alias_prefix_and_uppercase() {
    let env = TestEnv::new();
    env.secret(
        "ci/db",
        r#"{"user":"u","password":"p","host":"h","opts":{"tls":true}}"#,
    );
    env.secret("ci/npm-token", "t");
    let outcome = env.run([
        "-s",
        "ci/db#password,user",
        "-s",
        "DB,ci/db#opts",
        "-s",
        "NPM,ci/npm-token",
        "--prefix",
        "APP_",
        "--uppercase",
    ]);
    outcome.expect_success();
    assert_eq!(
        outcome.stdout,
        "APP_PASSWORD='p'\nAPP_USER='u'\nAPP_DB_OPTS_TLS='true'\nAPP_NPM='t'\n"
    );
}

#[test]
fn missing_key_is_bad_content_naming_the_key() {
    let env = TestEnv::new();
    env.secret("ci/db", r#"{"user":"u","password":"p"}"#);
    env.run(["-s", "ci/db#user,passwd"])
        .expect_failure(
            7,
            r#"secret ci/db: key "passwd" is not in the secret (its keys: user, password)"#,
        )
        .expect_stderr_without(&["\"u\"", "'p'"]);
}

#[test]
fn later_secret_overrides_earlier_with_a_warning() {
    let env = TestEnv::new();
    env.secret("ci/common", r#"{"REGISTRY":"r","LOG":"info"}"#);
    env.secret("ci/prod", r#"{"LOG":"warn"}"#);
    let outcome = env.run(["-s", "ci/common", "-s", "ci/prod"]);
    outcome
        .expect_success()
        .expect_stderr("warning: secret ci/prod overrides variable LOG of secret ci/common")
        .expect_stderr_without(&["info", "warn'"]);
    assert_eq!(outcome.stdout, "REGISTRY='r'\nLOG='warn'\n");
}

#[test]
fn version_stage_fetches_the_previous_value() {
    let env = TestEnv::new();
    env.secret("ci/rotating", "old");
    env.rotate("ci/rotating", "new");
    let current = env.run(["-s", "V,ci/rotating"]);
    assert_eq!(current.expect_success().stdout, "V='new'\n");
    let previous = env.run(["-s", "V,ci/rotating", "--version-stage", "AWSPREVIOUS"]);
    assert_eq!(previous.expect_success().stdout, "V='old'\n");
}

#[test]
fn a_full_arns_region_wins_and_partial_arns_work() {
    let env = TestEnv::new();
    let arn = env.secret_in("us-east-1", "ci/far", "far away");
    env.secret("ci/near", "close");
    let partial = format!(
        "arn:aws:secretsmanager:{REGION}:{}:secret:ci/near",
        env.account
    );
    let outcome = env.run(["--region", REGION, "-s", &arn, "-s", &partial, "-v"]);
    outcome
        .expect_success()
        .expect_stderr("from us-east-1")
        .expect_stderr(&format!("from {REGION}"));
    assert_eq!(outcome.stdout, "CI_FAR='far away'\nCI_NEAR='close'\n");
}

#[test]
fn full_arns_need_no_region() {
    let env = TestEnv::new();
    let arn = env.secret_in("ap-southeast-2", "ci/syd", "s");
    let outcome = env.awssecrets(["-s", &arn]).env_remove("AWS_REGION").run();
    assert_eq!(outcome.expect_success().stdout, "CI_SYD='s'\n");
    let no_region = env
        .awssecrets(["-s", "ci/syd"])
        .env_remove("AWS_REGION")
        .run();
    no_region.expect_failure(2, "no AWS region for secret ci/syd: pass --region");
}

#[test]
fn binary_secrets_are_exported_base64() {
    let env = TestEnv::new();
    env.binary_secret("ci/keystore", &[0, 1, 2, 0xfe, 0xff]);
    let outcome = env.run(["-s", "ci/keystore"]);
    assert_eq!(outcome.expect_success().stdout, "CI_KEYSTORE='AAEC/v8='\n");
}

#[test]
fn invalid_keys_are_sanitised_with_a_warning_or_refused_under_strict() {
    let env = TestEnv::new();
    env.secret("app", r#"{"api-key":"k","2fa":"t"}"#);
    let outcome = env.run(["-s", "app"]);
    outcome
        .expect_success()
        .expect_stderr(r#"warning: secret app: key "api-key" is not a valid variable name; exported as api_key"#)
        .expect_stderr(r#"key "2fa" is not a valid variable name; exported as _2fa"#);
    assert_eq!(outcome.stdout, "api_key='k'\n_2fa='t'\n");
    env.run(["-s", "app", "--strict"]).expect_failure(
        7,
        r#"secret app: key "api-key" is not a valid variable name"#,
    );
}

#[test]
fn output_file_is_0600_even_under_umask_000() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"1"}"#);
    let path = env.path(".ci-secrets");
    fs::write(&path, "old contents").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let outcome = env
        .awssecrets(["-s", "app", "-o"])
        .arg(&path)
        .umask(0)
        .run();
    outcome.expect_success();
    assert_eq!(outcome.stdout, "");
    assert_eq!(read(&path), "A='1'\n");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let leftovers: Vec<_> = fs::read_dir(env.home.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".awssecrets-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn stdout_redirected_to_a_readable_file_is_made_private() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"1"}"#);
    let path = env.path("redirected");
    let file = fs::File::create(&path).unwrap();
    file.set_permissions(fs::Permissions::from_mode(0o644))
        .unwrap();
    let status = env.awssecrets(["-s", "app"]).stdout(file).status();
    assert!(status.success());
    assert_eq!(read(&path), "A='1'\n");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn verbose_tells_what_was_fetched_but_never_a_value() {
    let env = TestEnv::new();
    env.secret("ci/npm", r#"{"NPM_TOKEN":"canary-value-123"}"#);
    let outcome = env.run(["-s", "ci/npm", "-v", "-o", "out"]);
    outcome
        .expect_success()
        .expect_stderr("credentials from environment variables")
        .expect_stderr(&format!("fetched ci/npm from {REGION} in "))
        .expect_stderr(": NPM_TOKEN")
        .expect_stderr("wrote 1 variables to out (mode 0600)")
        .expect_stderr_without(&["canary-value-123"]);
}

#[test]
fn usage_errors_exit_2_and_name_every_problem() {
    let env = TestEnv::new();
    env.run(Vec::<&str>::new()).expect_failure(
        2,
        "no secrets to fetch: pass --secret SPEC or set AWSSECRETS_SECRETS",
    );
    env.run(["-s", "bad id", "-s", "ok", "-s", "A,B,c"])
        .expect_failure(2, r#"invalid secret SPEC "bad id""#)
        .expect_stderr(r#"invalid secret SPEC "A,B,c""#);
    env.run(["--format", "yaml", "-s", "x"])
        .expect_failure(2, "invalid value 'yaml'");
    env.run(["--format", "github", "-s", "x"])
        .expect_failure(2, "GITHUB_ENV");
}

#[test]
fn profile_from_a_temp_aws_config() {
    let env = TestEnv::new();
    env.secret("ci/npm", "from-profile");
    fs::create_dir_all(env.path(".aws")).unwrap();
    fs::write(
        env.path(".aws/config"),
        format!(
            "[profile ci]\nregion = {REGION}\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            env.credentials.access_key_id(),
            env.credentials.secret_access_key(),
            env.credentials.session_token().unwrap()
        ),
    )
    .unwrap();
    let outcome = env
        .awssecrets(["--profile", "ci", "-s", "ci/npm", "-v"])
        .without_credentials()
        .env_remove("AWS_REGION")
        .run();
    outcome.expect_success().expect_stderr(&format!(
        "region {REGION} (from profile), credentials from profile ci,"
    ));
    assert_eq!(outcome.stdout, "CI_NPM='from-profile'\n");
}

#[test]
fn a_one_line_secret_list_that_reads_two_ways_is_refused() {
    let env = TestEnv::new();
    env.secret("ci/db", r#"{"user":"u","password":"p"}"#);
    env.awssecrets(NO_ARGS)
        .env("AWSSECRETS_SECRETS", "DB,ci/db#user,password")
        .run()
        .expect_failure(2, "reads both as one SPEC and as 3 comma-separated ids: put each SPEC on a line of its own");
    let one = env
        .awssecrets(NO_ARGS)
        .env("AWSSECRETS_SECRETS", "DB,ci/db#user,password\n")
        .run();
    assert_eq!(
        one.expect_success().stdout,
        "DB_user='u'\nDB_password='p'\n"
    );
}

#[test]
fn appending_to_github_env_ends_0600_or_leaves_the_file_as_it_was() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"1"}"#);
    let path = env.path("github_env");
    fs::write(&path, "EARLIER=kept\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    env.run(["-s", "app", "-f", "github", "-o", "github_env"])
        .expect_success();
    assert_eq!(read(&path), "EARLIER=kept\nA=1\n");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // A write that fails halfway (the file size limit) is cut back: not a byte changes.
    env.secret("big", &format!(r#"{{"BIG":"{}"}}"#, "b".repeat(4096)));
    let untouched = Untouched::of(&path);
    let outcome = env
        .program("sh")
        .args([
            "-c",
            r#"ulimit -f 1; exec "$0" -s big -f github -o github_env"#,
        ])
        .arg(crate::support::binary())
        .run();
    outcome
        .expect_code(8)
        .expect_stderr("cannot write github_env");
    untouched.assert();
}

#[test]
fn a_redirected_stdout_that_cannot_be_made_private_gets_nothing() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"secret-1"}"#);
    // A file of root's that others may read, as stdout of a run as nobody: it cannot chmod it.
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("shared.out");
    let file = fs::File::create(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let status = env
        .program("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(crate::support::binary())
        .args(["-s", "app"])
        .current_dir("/")
        .stdout(file)
        .status();
    assert_eq!(status.code(), Some(8));
    assert_eq!(read(&path), "", "nothing was written");
}

#[test]
fn output_through_fifos_devices_descriptors_and_symlinks() {
    let env = TestEnv::new();
    env.secret("app", r#"{"A":"1"}"#);
    // /dev/null is written, never replaced.
    env.run(["-s", "app", "-o", "/dev/null"]).expect_success();
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // /dev/stdout is stdout.
    assert_eq!(
        env.run(["-s", "app", "-o", "/dev/stdout"])
            .expect_success()
            .stdout,
        "A='1'\n"
    );
    // /dev/stderr is the job log: refused.
    env.run(["-s", "app", "-o", "/dev/stderr"])
        .expect_failure(8, "job log");
    // A symlink: its target is written, the link stays a link.
    fs::write(env.path("real"), "old").unwrap();
    std::os::unix::fs::symlink(env.path("real"), env.path("link")).unwrap();
    env.run(["-s", "app", "-o", "link"]).expect_success();
    assert!(
        fs::symlink_metadata(env.path("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(&env.path("real")), "A='1'\n");
    std::os::unix::fs::symlink(env.path("nowhere"), env.path("dangling")).unwrap();
    env.run(["-s", "app", "-o", "dangling"])
        .expect_failure(8, "symbolic link to nothing");
    assert!(!env.path("nowhere").exists());
    // A FIFO: written in place, read by whoever opened it.
    let fifo = env.path("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let reader_path = fifo.clone();
    let reader = std::thread::spawn(move || fs::read_to_string(reader_path).unwrap());
    env.run(["-s", "app", "-o", "fifo"]).expect_success();
    assert_eq!(reader.join().unwrap(), "A='1'\n");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn optional_specs_skip_only_what_does_not_exist() {
    let env = TestEnv::new();
    env.secret("ci/common", r#"{"REGISTRY":"https://r.example"}"#);
    env.parameter("/ci/app/url", "https://app.example");
    let outcome = env.run([
        "-s",
        "ci/common",
        "-s",
        "ci/overrides/feature-x?",
        "-s",
        "DB,ci/missing-db?#user",
        "-s",
        "ci/none/*?",
        "-s",
        "ssm:/ci/app/url?",
        "-s",
        "ssm:/ci/missing/token?",
        "-s",
        "ssm:/ci/nothing/here/?",
        "-s",
        "ssm:/ci/app/url:7?",
    ]);
    outcome.expect_success();
    assert_eq!(
        outcome.stdout,
        "REGISTRY='https://r.example'\nCI_APP_URL='https://app.example'\n"
    );
    for skipped in [
        "secret ci/overrides/feature-x: not found",
        "secret ci/missing-db: not found",
        "ci/none/",
        "parameter /ci/missing/token: not found",
        "/ci/nothing/here/",
        "parameter /ci/app/url:7: not found",
    ] {
        assert!(
            outcome
                .stderr()
                .lines()
                .any(|line| line.contains(skipped) && line.contains("(optional: skipped)")),
            "no warning for {skipped}:\n{}",
            outcome.stderr()
        );
    }
    // Without the `?`, the same SPEC fails the run.
    env.run(["-s", "ci/common", "-s", "ci/overrides/feature-x"])
        .expect_failure(3, "secret ci/overrides/feature-x: not found");
}

#[test]
fn an_optional_spec_still_fails_on_anything_but_not_found() {
    let env = TestEnv::new();
    env.secret("ci/common", "common");
    let proxy = FaultProxy::start(&env.emulator_url, |call, _| {
        if call.body.to_string().contains("ci/denied") {
            Fault::Error(400, "AccessDeniedException", "not authorized")
        } else {
            Fault::Forward
        }
    });
    std::fs::write(env.path("out"), "OLD=1\n").unwrap();
    let untouched = Untouched::of(env.path("out"));
    env.run_through(
        &proxy.url,
        ["-s", "ci/common", "-s", "ci/denied?", "-o", "out"],
    )
    .expect_failure(4, "secret ci/denied: access denied");
    untouched.assert();
}

/// `sh -c SCRIPT` as a CI job's shell runs it (`CI` set), with `$AWSSECRETS` the binary: the
/// shell's stdout is the job's log (here a pipe the test reads).
fn in_a_ci_job(env: &TestEnv, script: &str) -> crate::support::Outcome {
    env.program("sh")
        .args(["-c", script])
        .env("CI", "true")
        .env("AWSSECRETS", crate::support::binary())
        .run()
}

#[test]
fn in_ci_values_are_never_printed_into_the_jobs_log() {
    let env = TestEnv::new();
    env.secret("ci/npm", "npm-token-value");
    let refused = in_a_ci_job(&env, r#""$AWSSECRETS" -s ci/npm; echo "status $?""#);
    assert_eq!(refused.expect_success().stdout, "status 8\n");
    assert_eq!(
        refused.stderr(),
        "error: cannot write stdout: it is the CI job's log (CI is set, and awssecrets writes \
         where the job's script writes): every value would be printed there; write a file with \
         -o FILE (and load it in later jobs), or pass -o - to print to stdout on purpose\n"
    );
    for script in [
        r#"value=$("$AWSSECRETS" -s ci/npm) && printf '%s\n' "$value"; true"#,
        r#""$AWSSECRETS" -s ci/npm | cat; true"#,
        r#""$AWSSECRETS" -s ci/npm > out && cat out; true"#,
        r#""$AWSSECRETS" -s ci/npm -o - ; true"#,
        r#""$AWSSECRETS" -s ci/npm -o out.env && cat out.env; true"#,
    ] {
        let outcome = in_a_ci_job(&env, script);
        assert_eq!(
            outcome.expect_success().stdout,
            "CI_NPM='npm-token-value'\n",
            "{script}"
        );
        assert_eq!(outcome.stderr(), "", "{script}");
    }
    // Not in CI, stdout is the user's terminal or whatever they chose.
    let laptop = env
        .program("sh")
        .args(["-c", r#""$AWSSECRETS" -s ci/npm; true"#])
        .env("AWSSECRETS", crate::support::binary())
        .run();
    assert_eq!(laptop.expect_success().stdout, "CI_NPM='npm-token-value'\n");
    // The GitHub formats print only masks to stdout, and append the values to a file.
    let github = env
        .program("sh")
        .args(["-c", r#""$AWSSECRETS" -s ci/npm --format github; true"#])
        .env("CI", "true")
        .env("GITHUB_ENV", env.path("github_env"))
        .env("AWSSECRETS", crate::support::binary())
        .run();
    assert_eq!(
        github.expect_success().stdout,
        "::add-mask::npm-token-value\n"
    );
    env.run(["-s", "ci/npm", "--format", "github", "-o", "-"])
        .expect_failure(
            2,
            "-o - prints to stdout, but --format github appends to a file",
        );
}

#[test]
fn a_trap_another_user_owns_in_a_shared_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.secret("ci/npm", "npm-token-value");
    let shared = env.path("tmp");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let other = nix::unistd::Uid::from_raw(65534);
    let ours = nix::unistd::geteuid();
    assert!(
        ours.is_root(),
        "the test plants files as another user: run it as root (CI does)"
    );
    let fifo = shared.join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o666)).unwrap();
    let link = shared.join("link");
    std::os::unix::fs::symlink(env.path("elsewhere"), &link).unwrap();
    let file = shared.join("file");
    fs::write(&file, "theirs\n").unwrap();
    for trap in [&fifo, &link, &file] {
        nix::unistd::fchownat(
            nix::fcntl::AT_FDCWD,
            trap.as_path(),
            Some(other),
            None,
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .unwrap();
    }
    for (trap, what) in [
        (&fifo, "a FIFO"),
        (&link, "a symbolic link"),
        (&file, "a file"),
    ] {
        let untouched = Untouched::of(trap);
        env.awssecrets(["-s", "ci/npm", "-o"])
            .arg(trap)
            .run()
            .expect_failure(
                8,
                &format!("it is {what} that another user (uid 65534) owns in a directory everyone may write to"),
            );
        untouched.assert();
        env.awssecrets(["-s", "ci/npm", "--format", "github", "-o"])
            .arg(trap)
            .run()
            .expect_failure(8, "another user (uid 65534)");
        untouched.assert();
    }
    assert!(!env.path("elsewhere").exists(), "the link was followed");
    // A second user (uid 65533), not root, and a FIFO root planted in a directory of a third.
    let base = tempfile::Builder::new().tempdir_in("/tmp").unwrap();
    fs::set_permissions(base.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let theirs = base.path().join("shared");
    fs::create_dir(&theirs).unwrap();
    fs::set_permissions(&theirs, fs::Permissions::from_mode(0o1777)).unwrap();
    nix::unistd::chown(&theirs, Some(nix::unistd::Uid::from_raw(65532)), None).unwrap();
    let planted = theirs.join("fifo");
    nix::unistd::mkfifo(&planted, nix::sys::stat::Mode::from_bits_truncate(0o666)).unwrap();
    let as_another_user = env
        .program("setpriv")
        .args(["--reuid=65533", "--regid=65533", "--clear-groups"])
        .arg(crate::support::binary())
        .args(["-s", "ci/npm", "-o"])
        .arg(&planted)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .current_dir("/")
        .run();
    as_another_user.expect_failure(8, "it is a FIFO that another user (uid 0) owns");
    // What the directory's owner or we own is ours to write.
    let own = shared.join("own");
    fs::write(&own, "old\n").unwrap();
    env.run(["-s", "ci/npm", "-o", &own.display().to_string()])
        .expect_success();
    assert_eq!(read(&own), "CI_NPM='npm-token-value'\n");
}

#[test]
fn overrides_are_warned_once_per_pair_of_secrets_and_quiet_says_none() {
    let env = TestEnv::new();
    for index in 0..10 {
        env.secret(
            &format!("svc/s{index:02}"),
            &format!(r#"{{"host":"h{index}","port":"p{index}","user":"u{index}","password":"pw{index}"}}"#),
        );
    }
    let outcome = env.run(["-s", "svc/*"]);
    outcome
        .expect_success()
        .expect_stdout("host='h9'\nport='p9'\nuser='u9'\npassword='pw9'\n");
    let warnings: Vec<&str> = outcome.stderr().lines().collect();
    assert_eq!(warnings.len(), 9, "{warnings:?}");
    assert_eq!(
        warnings[0],
        "warning: secret svc/s01 overrides 4 variables of secret svc/s00: host, password, port, user"
    );
    env.run(["-s", "svc/*", "-q"])
        .expect_success()
        .expect_stdout("host='h9'\nport='p9'\nuser='u9'\npassword='pw9'\n");
    // Errors are said whatever -q says.
    env.run(["-s", "svc/missing", "-q"])
        .expect_failure(3, "secret svc/missing: not found");
}
