//! IAM users of a test's account on the emulator, for runs under IAM enforcement
//! (`Emulator::enforce_iam`): create them first, then enforce.

use awssecrets::aws::percent_encode;

use super::http::{request, xml_field};
use super::{Emulator, TestEnv};

/// Creates IAM user `user` of `account_env`'s account holding `policy`; returns its access key.
pub fn user(
    emulator: &Emulator,
    account_env: &TestEnv,
    user: &str,
    policy: &serde_json::Value,
) -> (String, String) {
    let iam = |params: &[(&str, &str)]| {
        let mut body = String::from("Version=2010-05-08");
        for (name, value) in params {
            body.push_str(&format!("&{name}={}", percent_encode(value)));
        }
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
            account_env.credentials.access_key_id()
        );
        let (status, response) = request(
            &emulator.url,
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &authorization),
            ],
            body.as_bytes(),
        );
        assert_eq!(status, 200, "IAM call failed: {response}");
        response
    };
    let policy = policy.to_string();
    iam(&[("Action", "CreateUser"), ("UserName", user)]);
    iam(&[
        ("Action", "PutUserPolicy"),
        ("UserName", user),
        ("PolicyName", "awssecrets-test"),
        ("PolicyDocument", &policy),
    ]);
    let key = iam(&[("Action", "CreateAccessKey"), ("UserName", user)]);
    (
        xml_field(&key, "AccessKeyId"),
        xml_field(&key, "SecretAccessKey"),
    )
}
