//! Service clients on the run's session.

/// A client of `$sdk` (an `aws_sdk_*` crate) for `$region`, on `$session`'s configuration:
/// TLS failures and throttling are the run's to decide, not the SDK's retries; `-v` counts
/// every call. One macro because the SDKs' config builders share no trait.
macro_rules! service_client {
    ($sdk:ident, $session:expr, $region:expr) => {{
        let session: &$crate::aws::Session = $session;
        let config = $sdk::config::Builder::from(session.sdk_config())
            .region(::aws_config::Region::new(::std::borrow::ToOwned::to_owned(
                $region,
            )))
            .retry_classifier($crate::aws::NoRetryCanFix)
            .retry_classifier($crate::aws::ThrottlingIsDecidedPerRun)
            .interceptor(session.calls.clone())
            .build();
        $sdk::Client::from_conf(config)
    }};
}

pub(crate) use service_client;
