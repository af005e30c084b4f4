//! Secrets Manager's edge: a client on the run's session, and its own error codes.

use crate::aws::{Session, service_client};
use crate::error::FailureKind;

/// Secrets Manager's own error codes.
pub fn codes(code: &str, message: Option<&str>) -> Option<FailureKind> {
    match code {
        "ResourceNotFoundException" => Some(FailureKind::NotFound),
        // A secret scheduled for deletion cannot be read: for the caller it is gone.
        "InvalidRequestException" if message.is_some_and(|text| text.contains("deletion")) => {
            Some(FailureKind::NotFound)
        }
        "DecryptionFailure" => Some(FailureKind::Decryption),
        _ => None,
    }
}

/// A client for `region`, counting its calls with the session's.
pub fn client(session: &Session, region: &str) -> aws_sdk_secretsmanager::Client {
    service_client!(aws_sdk_secretsmanager, session, region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_deleted_and_undecryptable_are_secrets_managers_own() {
        assert_eq!(
            codes("ResourceNotFoundException", None),
            Some(FailureKind::NotFound)
        );
        assert_eq!(
            codes(
                "InvalidRequestException",
                Some(
                    "You can't perform this operation on the secret because it was marked for deletion."
                )
            ),
            Some(FailureKind::NotFound)
        );
        assert_eq!(codes("InvalidRequestException", Some("other")), None);
        assert_eq!(
            codes("DecryptionFailure", None),
            Some(FailureKind::Decryption)
        );
    }
}
