//! Parameter Store's edge: a client on the run's session, and its own error codes.

use crate::aws::{Session, service_client};
use crate::error::FailureKind;

/// Parameter Store's own error codes.
pub fn codes(code: &str, _message: Option<&str>) -> Option<FailureKind> {
    match code {
        "ParameterNotFound" | "ParameterVersionNotFound" => Some(FailureKind::NotFound),
        "InvalidKeyId" => Some(FailureKind::Decryption),
        _ => None,
    }
}

/// A client for `region`, counting its calls with the session's.
pub fn client(session: &Session, region: &str) -> aws_sdk_ssm::Client {
    service_client!(aws_sdk_ssm, session, region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_and_key_errors_are_parameter_stores_own() {
        assert_eq!(
            codes("ParameterNotFound", None),
            Some(FailureKind::NotFound)
        );
        assert_eq!(
            codes("ParameterVersionNotFound", None),
            Some(FailureKind::NotFound)
        );
        assert_eq!(codes("InvalidKeyId", None), Some(FailureKind::Decryption));
        assert_eq!(codes("ValidationException", None), None);
    }
}
