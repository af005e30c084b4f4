//! Proxies: `https_proxy`, `http_proxy`, `all_proxy` and `no_proxy` (either case, lower case
//! first, as curl and the AWS CLI read them) route every AWS, STS and OIDC-token call; instance
//! metadata and container credentials are always reached directly. A proxy is named in `-v`
//! and in errors without its password; one that is down or refuses fails the call as
//! unavailable (exit 6).

mod connector;
mod settings;
mod url;

use aws_smithy_http_client::tls::TlsContext;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

pub use connector::is_proxy_refusal;
pub use settings::ProxySettings;

impl ProxySettings {
    /// The HTTP client every AWS call uses: `direct` itself when no proxy is set, else one
    /// that sends each request the way [`ProxySettings::route`] says.
    pub fn client(&self, direct: SharedHttpClient, tls_context: &TlsContext) -> SharedHttpClient {
        connector::routed_client(self, direct, tls_context)
    }
}
