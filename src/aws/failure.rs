//! Failure classification: every SDK error becomes one [`Failure`] of a documented kind, by the
//! error codes a source owns, then by the codes every AWS service shares, then by HTTP status.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::{Error, Failure, FailureKind, error_chain};

/// A source's own error codes: the kind of `code` (with AWS's `message`), or `None` to leave
/// it to the codes every service shares.
pub type SourceCodes = fn(code: &str, message: Option<&str>) -> Option<FailureKind>;

/// No codes of one's own (STS, the shared codes only).
pub fn no_source_codes(_code: &str, _message: Option<&str>) -> Option<FailureKind> {
    None
}

/// Sorts an SDK error into the documented failure kinds.
pub fn classify<E>(error: &SdkError<E, HttpResponse>, source_codes: SourceCodes) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error {
        SdkError::TimeoutError(_) => out_of_time(),
        SdkError::DispatchFailure(failure) => {
            let cause = error_chain(error);
            if failure.is_timeout() {
                Failure::new(FailureKind::Unavailable, format!("timed out: {cause}"))
            } else if cause.contains("certificate") || cause.contains("UnknownIssuer") {
                Failure::new(
                    FailureKind::Unavailable,
                    format!(
                        "TLS error: {cause} (if a proxy or private endpoint uses your own CA, set \
                         AWS_CA_BUNDLE or SSL_CERT_FILE to a PEM bundle holding it)"
                    ),
                )
            } else if failure.is_io() {
                Failure::new(FailureKind::Unavailable, format!("network error: {cause}"))
            } else {
                Failure::new(FailureKind::Other, cause)
            }
        }
        // Never the parse error's details: they could quote the response body, which may hold
        // the secret. An error status is still classified by its code, read as for counting
        // throttled calls (some endpoints answer JSON-protocol calls in XML); a success status
        // is an unreadable answer, its body never looked at.
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            let code = if (200..300).contains(&status) {
                None
            } else {
                response_error_code(response.raw())
            };
            classify_service_error(status, code.as_deref(), None, source_codes)
        }
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let body_code = service.raw().body().bytes().and_then(xml_error_code);
            // Some endpoints (proxies, emulators) answer JSON-protocol calls with an XML error
            // the SDK cannot parse: its <Code> still says what happened.
            let code = service.err().code().or(body_code);
            let message = service.err().message().map(str::to_owned);
            classify_service_error(status, code, message, source_codes)
        }
        _ => Failure::new(FailureKind::Other, error_chain(error)),
    }
}

/// A call that had no answer before the run's `--timeout`.
pub fn out_of_time() -> Failure {
    Failure::new(
        FailureKind::Unavailable,
        "no answer within the time allowed (--timeout), retries included",
    )
}

/// Classification by the source's codes, the shared codes, then the HTTP status.
pub fn classify_service_error(
    status: u16,
    code: Option<&str>,
    message: Option<String>,
    source_codes: SourceCodes,
) -> Failure {
    if let Some(kind) = code.and_then(|code| source_codes(code, message.as_deref())) {
        return Failure {
            kind,
            message,
            action: None,
        };
    }
    let with_code = |kind| Failure::new(kind, describe(code, message.clone()));
    match code {
        Some("AccessDeniedException" | "AccessDenied") => Failure {
            kind: FailureKind::AccessDenied,
            message,
            action: None,
        },
        Some(
            "KMSAccessDeniedException"
            | "KMSDisabledException"
            | "KMSInvalidStateException"
            | "KMSNotFoundException",
        ) => Failure {
            kind: FailureKind::Decryption,
            message,
            action: None,
        },
        Some(
            "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredTokenException"
            | "ExpiredToken"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "InvalidIdentityToken"
            | "IDPRejectedClaim",
        ) => Failure {
            kind: FailureKind::Credentials,
            message,
            action: None,
        },
        Some(code) if is_throttling_code(code) => with_code(FailureKind::Throttled),
        Some(
            "InternalServiceError"
            | "InternalServerError"
            | "InternalFailure"
            | "ServiceUnavailable"
            | "IDPCommunicationError",
        ) => with_code(FailureKind::Unavailable),
        // A success status with an error means the answer could not be read: never quote it.
        _ if (200..300).contains(&status) => Failure::new(
            FailureKind::Unavailable,
            format!("unreadable response (HTTP {status})"),
        ),
        _ if status == 403 => Failure {
            kind: FailureKind::AccessDenied,
            message,
            action: None,
        },
        _ if status == 429 => Failure::new(
            FailureKind::Throttled,
            format!("HTTP 429: {}", describe(code, message)),
        ),
        _ if status >= 500 => Failure::new(
            FailureKind::Unavailable,
            format!("HTTP {status}: {}", describe(code, message)),
        ),
        _ => Failure::new(
            FailureKind::Other,
            format!("HTTP {status}: {}", describe(code, message)),
        ),
    }
}

/// The error for `subject` failing in `region`, placed without lookups:
/// `in REGION[ (endpoint URL)]` (the endpoint only where it may be the cause).
pub fn aws_error(
    subject: impl Into<String>,
    failure: Failure,
    region: &str,
    endpoint: Option<&str>,
) -> Error {
    let endpoint = match (failure.kind, endpoint) {
        (FailureKind::Unavailable | FailureKind::Throttled | FailureKind::Other, Some(url)) => {
            format!(" (endpoint {url})")
        }
        _ => String::new(),
    };
    Error::Aws {
        subject: subject.into(),
        place: format!("in {region}{endpoint}"),
        failure,
    }
}

/// Whether AWS answered with throttling: HTTP 429, or an error whose code says so.
pub fn is_throttled_response(response: &HttpResponse) -> bool {
    let status = response.status().as_u16();
    status == 429
        || (status >= 400
            && response_error_code(response).is_some_and(|code| is_throttling_code(&code)))
}

/// The error code of an HTTP error response: the JSON protocols' `x-amzn-errortype` header or
/// `__type` member, or the XML protocols' `<Code>` (for counting throttled calls).
fn response_error_code(response: &HttpResponse) -> Option<String> {
    if let Some(header) = response.headers().get("x-amzn-errortype") {
        return Some(header.split(':').next().unwrap_or(header).to_owned());
    }
    let body = response.body().bytes()?;
    if let Some(code) = xml_error_code(body) {
        return Some(code.to_owned());
    }
    #[derive(serde::Deserialize)]
    struct JsonError {
        #[serde(rename = "__type")]
        kind: String,
    }
    let parsed: JsonError = serde_json::from_slice(body).ok()?;
    Some(
        parsed
            .kind
            .rsplit('#')
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Whether an error code says the caller was throttled.
fn is_throttling_code(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException"
            | "Throttling"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "ThrottledException"
    )
}

/// The `<Code>` of an XML error body.
fn xml_error_code(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(&text[start..end])
}

fn describe(code: Option<&str>, message: Option<String>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        (None, Some(message)) => message,
        (None, None) => "no error code".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn shared(status: u16, code: Option<&str>, text: Option<String>) -> Failure {
        classify_service_error(status, code, text, no_source_codes)
    }

    #[test]
    fn service_errors_are_classified_by_code_then_status() {
        assert_eq!(
            shared(400, Some("AccessDeniedException"), None),
            Failure::bare(FailureKind::AccessDenied)
        );
        assert_eq!(
            shared(403, None, None),
            Failure::bare(FailureKind::AccessDenied)
        );
        assert_eq!(
            shared(400, Some("KMSAccessDeniedException"), None),
            Failure::bare(FailureKind::Decryption)
        );
        assert_eq!(
            shared(400, Some("ExpiredTokenException"), None),
            Failure::bare(FailureKind::Credentials)
        );
        assert_eq!(
            shared(400, Some("ThrottlingException"), message("Rate exceeded")),
            Failure::new(FailureKind::Throttled, "ThrottlingException: Rate exceeded")
        );
        assert_eq!(
            shared(429, None, None).kind,
            FailureKind::Throttled,
            "429 is throttling whatever the code"
        );
        assert_eq!(
            shared(503, None, None),
            Failure::new(FailureKind::Unavailable, "HTTP 503: no error code")
        );
        assert_eq!(
            shared(400, Some("InvalidParameterException"), message("bad")),
            Failure::new(
                FailureKind::Other,
                "HTTP 400: InvalidParameterException: bad"
            )
        );
    }

    #[test]
    fn a_sources_own_codes_come_first() {
        fn codes(code: &str, _: Option<&str>) -> Option<FailureKind> {
            (code == "ParameterNotFound").then_some(FailureKind::NotFound)
        }
        assert_eq!(
            classify_service_error(400, Some("ParameterNotFound"), message("gone"), codes),
            Failure::new(FailureKind::NotFound, "gone")
        );
        assert_eq!(
            classify_service_error(400, Some("ParameterNotFound"), None, no_source_codes).kind,
            FailureKind::Other
        );
    }

    #[test]
    fn the_endpoint_is_named_only_where_it_may_be_the_cause() {
        let unavailable = aws_error(
            "secret x",
            Failure::new(FailureKind::Unavailable, "network error"),
            "eu-west-1",
            Some("http://127.0.0.1:9"),
        );
        assert_eq!(
            unavailable.to_string(),
            "secret x: unavailable in eu-west-1 (endpoint http://127.0.0.1:9): network error"
        );
        let denied = aws_error(
            "secret x",
            Failure::bare(FailureKind::AccessDenied),
            "eu-west-1",
            Some("http://127.0.0.1:9"),
        );
        assert_eq!(denied.to_string(), "secret x: access denied in eu-west-1");
    }

    #[test]
    fn an_unreadable_error_answer_is_classified_by_its_code_wherever_it_stands() {
        use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
        use aws_smithy_runtime_api::http::StatusCode;
        use aws_smithy_types::body::SdkBody;

        let unreadable = |status: u16, header: Option<&str>, body: &'static str| {
            let mut raw =
                HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
            if let Some(code) = header {
                raw.headers_mut()
                    .insert("x-amzn-errortype", code.to_owned());
            }
            let error: SdkError<GetCallerIdentityError, HttpResponse> =
                SdkError::response_error("unparsable", raw);
            classify(&error, no_source_codes)
        };
        for (header, body) in [
            (
                Some("ThrottlingException:http://internal.amazon.com/"),
                "not json",
            ),
            (None, r#"{"__type":"com.amazonaws#ThrottlingException"}"#),
            (None, "<Error><Code>Throttling</Code></Error>"),
        ] {
            assert_eq!(
                unreadable(400, header, body).kind,
                FailureKind::Throttled,
                "{header:?} {body}"
            );
        }
        assert_eq!(
            unreadable(200, None, "<Error><Code>Throttling</Code></Error>"),
            Failure::new(FailureKind::Unavailable, "unreadable response (HTTP 200)")
        );
        assert_eq!(unreadable(400, None, "garbage").kind, FailureKind::Other);
    }

    #[test]
    fn xml_error_bodies_give_their_code() {
        let body = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code></Error></Errors></ErrorResponse>";
        assert_eq!(xml_error_code(body), Some("InvalidClientTokenId"));
        assert_eq!(xml_error_code(b"{}"), None);
        assert_eq!(xml_error_code(b"<Code>unterminated"), None);
    }
}
