//! Proxies: every AWS, STS and OIDC-token call goes through the proxy of `http_proxy` /
//! `https_proxy` (a real tinyproxy on loopback), `no_proxy` bypasses it, instance metadata and
//! container credentials never use it, and a proxy that refuses or is down fails with exit 6
//! naming it, never its password.

use crate::support::proxy::{Proxy, dead_port};
use crate::support::stub::{self, Imds};
use crate::support::{CANARY, Emulator, REGION, TestEnv, Untouched};

const USER: &str = "ci-user";
const PASSWORD: &str = "pr0xy-Pa55";

#[test]
fn every_aws_and_sts_call_goes_through_the_proxy_which_v_names() {
    let proxy = Proxy::start(None);
    let env = TestEnv::new();
    env.secret("ci/npm", "through-the-proxy");
    let role = format!("arn:aws:iam::{}:role/ci", env.account);
    for variable in ["http_proxy", "HTTP_PROXY", "all_proxy"] {
        let outcome = env
            .awssecrets(["-s", "ci/npm", "--role-arn", &role, "-v"])
            .env(variable, &proxy.url)
            .run();
        outcome
            .expect_success()
            .expect_stderr(&format!(
                "http:// endpoints through {} (from {variable})",
                proxy.url
            ))
            .expect_stderr(&format!(
                "{}: through the proxy {} (from {variable})",
                env.emulator_url, proxy.url
            ));
        assert_eq!(outcome.stdout, "CI_NPM='through-the-proxy'\n");
    }
    let requests = proxy.requests();
    assert_eq!(
        requests,
        vec![format!("POST {}/", env.emulator_url); 6],
        "AssumeRole and the fetch, three times, all through the proxy"
    );
    // An https proxy does not apply to http:// endpoints.
    env.awssecrets(["-s", "ci/npm", "-v"])
        .env("https_proxy", format!("http://127.0.0.1:{}", dead_port()))
        .run()
        .expect_success()
        .expect_stderr(&format!("{}: direct", env.emulator_url));
}

#[test]
fn a_proxy_with_authentication_gets_the_password_and_never_shows_it() {
    let proxy = Proxy::start(Some((USER, PASSWORD)));
    let env = TestEnv::new();
    env.secret("ci/npm", CANARY);
    let good = env
        .awssecrets(["-s", "ci/npm", "-v"])
        .env("HTTP_PROXY", proxy.url_with(USER, PASSWORD))
        .run();
    good.expect_success()
        .expect_stderr(&format!(
            "through http://{USER}:***@127.0.0.1:{} (from HTTP_PROXY)",
            proxy.port
        ))
        .expect_stderr_without(&[PASSWORD, CANARY]);
    assert_eq!(good.stdout, format!("CI_NPM='{CANARY}'\n"));

    let output = env.path("secrets.env");
    std::fs::write(&output, "OLD=1\n").unwrap();
    let untouched = Untouched::of(&output);
    for proxy_url in [proxy.url_with(USER, "wrong-Pa55"), proxy.url.clone()] {
        let refused = env
            .awssecrets(["-s", "ci/npm", "-v", "--timeout", "10", "-o"])
            .arg(&output)
            .env("HTTP_PROXY", &proxy_url)
            .run();
        refused
            .expect_failure(6, "it refused the request: HTTP 40")
            // A refusal is final: no retry can change it.
            .expect_stderr("1 API call for secret values")
            .expect_stderr(&format!(
                "through the proxy http://{}",
                &proxy_url[7..].replace("wrong-Pa55", "***")
            ))
            .expect_stderr_without(&["wrong-Pa55", CANARY]);
        assert!(refused.stdout.is_empty());
        untouched.assert();
    }
}

#[test]
fn no_proxy_bypasses_the_proxy() {
    let env = TestEnv::new();
    env.secret("ci/npm", "direct");
    let dead = format!("http://127.0.0.1:{}", dead_port());
    for no_proxy in ["127.0.0.1", "localhost,127.0.0.0/8", "*"] {
        for (proxy_variable, no_proxy_variable) in
            [("HTTP_PROXY", "NO_PROXY"), ("http_proxy", "no_proxy")]
        {
            let outcome = env
                .awssecrets(["-s", "ci/npm", "-v"])
                .env(proxy_variable, &dead)
                .env(no_proxy_variable, no_proxy)
                .run();
            outcome
                .expect_success()
                .expect_stderr(&format!("direct for {no_proxy_variable}={no_proxy}"))
                .expect_stderr(&format!("{}: direct", env.emulator_url));
            assert_eq!(outcome.stdout, "CI_NPM='direct'\n");
        }
    }
}

#[test]
fn a_dead_proxy_fails_with_exit_6_naming_it() {
    let env = TestEnv::new();
    env.secret("ci/npm", CANARY);
    let dead = format!("http://{USER}:{PASSWORD}@127.0.0.1:{}", dead_port());
    let shown = dead.replace(PASSWORD, "***");
    let started = std::time::Instant::now();
    let outcome = env
        .awssecrets(["-s", "ci/npm", "--timeout", "10"])
        .env("http_proxy", &dead)
        .run();
    outcome
        .expect_failure(6, &format!("through the proxy {shown} (from http_proxy)"))
        .expect_stderr("secret ci/npm")
        .expect_stderr_without(&[PASSWORD, CANARY]);
    assert!(outcome.stdout.is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    // The same for the STS call credentials need.
    let role = format!("arn:aws:iam::{}:role/ci", env.account);
    env.awssecrets(["-s", "ci/npm", "--role-arn", &role, "--timeout", "10"])
        .env("http_proxy", &dead)
        .run()
        .expect_failure(6, &format!("through the proxy {shown}"))
        .expect_stderr("assuming role");
}

#[test]
fn unusable_proxy_urls_are_usage_errors() {
    let env = TestEnv::new();
    env.awssecrets(["-s", "ci/npm"])
        .env("HTTPS_PROXY", "socks5://127.0.0.1:1080")
        .run()
        .expect_failure(
            2,
            "HTTPS_PROXY is not a usable proxy URL (SOCKS proxies are not supported)",
        );
}

#[test]
fn metadata_and_container_credentials_never_go_through_the_proxy_oidc_tokens_do() {
    let proxy = Proxy::start(None);
    let env = TestEnv::new();
    env.secret("ci/npm", "from-ci");

    let metadata = stub::imds(Imds::Serving, &env.credentials, REGION);
    env.awssecrets(["-s", "ci/npm"])
        .without_credentials()
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url)
        .env("http_proxy", &proxy.url)
        .run()
        .expect_success();
    assert!(!metadata.requests().is_empty());

    let container = stub::container_credentials(&env.credentials);
    env.awssecrets(["-s", "ci/npm", "-v"])
        .without_credentials()
        .env(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/credentials", container.url),
        )
        .env("http_proxy", &proxy.url)
        .run()
        .expect_success()
        .expect_stderr("credentials from container credentials (ECS/EKS)");
    assert_eq!(container.requests().len(), 1);

    let oidc = stub::github_token_endpoint();
    let role = format!("arn:aws:iam::{}:role/github", env.account);
    env.awssecrets(["-s", "ci/npm", "--role-arn", &role])
        .without_credentials()
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            format!("{}/token?api-version=2.0", oidc.url),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runtime-bearer-token")
        .env("http_proxy", &proxy.url)
        .run()
        .expect_success();

    let fetch = format!("POST {}/", env.emulator_url);
    assert_eq!(
        proxy.requests(),
        vec![
            fetch.clone(),
            fetch.clone(),
            format!(
                "GET {}/token?api-version=2.0&audience=sts.amazonaws.com",
                oidc.url
            ),
            fetch.clone(),
            fetch,
        ],
        "the fetches, the OIDC token and its exchange; never metadata or container credentials"
    );
}

#[test]
fn https_endpoints_are_tunnelled_with_connect_and_the_password() {
    let proxy = Proxy::start(Some((USER, PASSWORD)));
    let certificates = tempfile::tempdir().unwrap();
    let emulator = Emulator::start_tls(certificates.path(), &["localhost"]);
    let ca = certificates.path().join("ca.pem");
    let env = TestEnv::on_tls(&emulator.url, &ca);
    env.secret("ci/npm", "over-tls-through-the-proxy");
    let good = env
        .awssecrets(["-s", "ci/npm"])
        .env("AWS_CA_BUNDLE", &ca)
        .env("HTTPS_PROXY", proxy.url_with(USER, PASSWORD))
        .run();
    good.expect_success();
    assert_eq!(good.stdout, "CI_NPM='over-tls-through-the-proxy'\n");
    let authority = emulator.url.trim_start_matches("https://");
    assert_eq!(proxy.requests(), vec![format!("CONNECT {authority}")]);

    env.awssecrets(["-s", "ci/npm", "--timeout", "10"])
        .env("AWS_CA_BUNDLE", &ca)
        .env("HTTPS_PROXY", proxy.url_with(USER, "wrong-Pa55"))
        .run()
        .expect_failure(
            6,
            &format!(
                "through the proxy http://{USER}:***@127.0.0.1:{}",
                proxy.port
            ),
        )
        .expect_stderr_without(&["wrong-Pa55"]);
}
