//! The HTTP client every AWS call uses when a proxy is set: each request sent the way its route
//! says, and a proxy's refusal told apart from AWS's answers (no retry changes it).

use std::fmt;
use std::sync::Arc;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, Connector};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;

use super::settings::{ProxySettings, Route};
use super::url::ProxyUrl;
use crate::error::error_chain;

/// The HTTP client every AWS call uses: `direct` itself when no proxy is set, else one that
/// sends each request the way [`ProxySettings::route`] says.
pub fn routed_client(
    settings: &ProxySettings,
    direct: SharedHttpClient,
    tls_context: &TlsContext,
) -> SharedHttpClient {
    if settings.is_empty() {
        return direct;
    }
    let via = |proxy: &Option<ProxyUrl>| {
        proxy
            .as_ref()
            .map(|proxy| proxied_client(&proxy.url, tls_context.clone()))
    };
    RoutedClient {
        settings: Arc::new(settings.clone()),
        direct,
        https: via(&settings.https),
        http: via(&settings.http),
    }
    .into_shared()
}

/// A client whose every request goes through the proxy at `url` (credentials in the URL).
fn proxied_client(url: &str, tls_context: TlsContext) -> SharedHttpClient {
    let config = ProxyConfig::all(url).expect("the proxy URL was validated");
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut builder = Connector::builder().proxy_config(config.clone());
        builder.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            builder.set_sleep_impl(components.sleep_impl());
        }
        builder
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls_context.clone())
            .build()
    })
}

/// The client of [`routed_client`].
#[derive(Debug)]
struct RoutedClient {
    settings: Arc<ProxySettings>,
    direct: SharedHttpClient,
    https: Option<SharedHttpClient>,
    http: Option<SharedHttpClient>,
}

impl HttpClient for RoutedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let connector = |client: &Option<SharedHttpClient>| {
            client
                .as_ref()
                .map(|client| client.http_connector(settings, components))
        };
        RoutedConnector {
            settings: self.settings.clone(),
            direct: self.direct.http_connector(settings, components),
            https: connector(&self.https),
            http: connector(&self.http),
        }
        .into_shared()
    }
}

#[derive(Debug)]
struct RoutedConnector {
    settings: Arc<ProxySettings>,
    direct: SharedHttpConnector,
    https: Option<SharedHttpConnector>,
    http: Option<SharedHttpConnector>,
}

impl HttpConnector for RoutedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let route = match request.uri().parse::<http::Uri>() {
            Ok(uri) => self.settings.route(&uri),
            Err(_) => Route::Direct,
        };
        let (connector, proxy) = match (route, &self.https, &self.http) {
            (Route::HttpsProxy, Some(connector), _) | (Route::HttpProxy, _, Some(connector)) => {
                (connector, self.settings.proxy(route).cloned())
            }
            _ => (&self.direct, None),
        };
        let Some(proxy) = proxy else {
            return connector.call(request);
        };
        let answer = connector.call(request);
        HttpConnectorFuture::new(async move {
            match answer.await {
                // Through a CONNECT tunnel every answer is AWS's own.
                Ok(response) if route == Route::HttpProxy && is_refusal_by_the_proxy(&response) => {
                    let status = response.status().as_u16();
                    let reason = if status == 407 {
                        " Proxy Authentication Required"
                    } else {
                        ""
                    };
                    Err(ConnectorError::io(Box::new(ProxyFailure {
                        proxy,
                        refused: true,
                        cause: format!(
                            "it refused the request: HTTP {status}{reason} (check the user and \
                             password in the URL)"
                        )
                        .into(),
                    })))
                }
                Ok(response) => Ok(response),
                Err(error) => {
                    let timeout = error.is_timeout();
                    // A CONNECT answered 407 (hyper-util's tunnel error type cannot be named;
                    // any other refusal of a CONNECT reads as "unsuccessful", as a failing
                    // upstream does, and stays retried).
                    let refused = error_chain(&error).contains("proxy authorization required");
                    let failure = Box::new(ProxyFailure {
                        proxy,
                        refused,
                        cause: Box::new(error),
                    });
                    Err(if timeout {
                        ConnectorError::timeout(failure)
                    } else {
                        ConnectorError::io(failure)
                    })
                }
            }
        })
    }
}

/// The answer of a proxy that refuses to forward a plain-HTTP request: 407, or 401 without
/// the request id every AWS answer carries (tinyproxy answers bad credentials so).
fn is_refusal_by_the_proxy(response: &HttpResponse) -> bool {
    match response.status().as_u16() {
        407 => true,
        401 => {
            let headers = response.headers();
            headers.get("x-amzn-requestid").is_none() && headers.get("x-amz-request-id").is_none()
        }
        _ => false,
    }
}

/// A request that could not go through a proxy: names the proxy, never its password.
#[derive(Debug)]
struct ProxyFailure {
    proxy: ProxyUrl,
    /// The proxy answered and refused: our credentials, not the network, are the cause.
    refused: bool,
    cause: Box<dyn std::error::Error + Send + Sync>,
}

/// Whether `error` or one of its causes is a proxy refusing the request: no retry changes that.
pub fn is_proxy_refusal(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error
            .downcast_ref::<ProxyFailure>()
            .is_some_and(|failure| failure.refused)
        {
            return true;
        }
        next = error.source();
    }
    false
}

impl fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "through the proxy {}", self.proxy)
    }
}

impl std::error::Error for ProxyFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.cause.as_ref())
    }
}
