//! TLS: a private CA is trusted through AWS_CA_BUNDLE or SSL_CERT_FILE, and a TLS failure says
//! how to fix it. Against moto serving HTTPS on loopback with a throwaway CA.

use crate::support::{Emulator, TestEnv};

#[test]
fn a_private_ca_is_trusted_through_aws_ca_bundle_or_ssl_cert_file() {
    let certificates = tempfile::tempdir().unwrap();
    let emulator = Emulator::start_tls(certificates.path(), &["localhost"]);
    assert!(emulator.url.starts_with("https://"), "{}", emulator.url);
    let ca = certificates.path().join("ca.pem");
    let env = TestEnv::on_tls(&emulator.url, &ca);
    env.secret("ci/npm", "over-tls");

    let untrusted = env.run(["-s", "ci/npm", "--timeout", "5", "-v"]);
    untrusted
        .expect_failure(6, "TLS error")
        .expect_stderr("set AWS_CA_BUNDLE or SSL_CERT_FILE")
        // No retry fixes a certificate: the one attempt is the only one.
        .expect_stderr("1 API call for secret values (GetSecretValue 1)");

    let with_bundle = env
        .awssecrets(["-s", "ci/npm", "-v"])
        .env("AWS_CA_BUNDLE", &ca)
        .run();
    with_bundle
        .expect_success()
        .expect_stderr("TLS trusts the system's CA bundle + 1 certificates from AWS_CA_BUNDLE");
    assert_eq!(with_bundle.stdout, "CI_NPM='over-tls'\n");

    let with_cert_file = env
        .awssecrets(["-s", "ci/npm", "-v"])
        .env("SSL_CERT_FILE", &ca)
        .run();
    with_cert_file
        .expect_success()
        .expect_stderr("TLS trusts SSL_CERT_FILE/SSL_CERT_DIR");
    assert_eq!(with_cert_file.stdout, "CI_NPM='over-tls'\n");
}

#[test]
fn an_unusable_ca_bundle_is_a_usage_error() {
    let env = TestEnv::new();
    std::fs::write(
        env.path("bad.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    env.awssecrets(["-s", "x"])
        .env("AWS_CA_BUNDLE", env.path("bad.pem"))
        .run()
        .expect_failure(2, "cannot be a trust root");
    env.awssecrets(["-s", "x"])
        .env("AWS_CA_BUNDLE", env.path("missing.pem"))
        .run()
        .expect_failure(2, "cannot read it");
}
