//! Which proxy a request goes through: `https_proxy`, `http_proxy`, `all_proxy` and
//! `no_proxy` as curl reads them; instance metadata and container credentials always direct.

use std::net::{IpAddr, Ipv6Addr};

use hyper_util::client::proxy::matcher::Matcher;

use super::url::ProxyUrl;
use crate::error::Error;

/// The container credentials endpoint a profile's `credential_source` may send us to.
const CONTAINER_FULL_URI_ENV: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// Instance metadata over IPv6 (IPv4 is link-local, which never goes through a proxy).
const IMDS_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
/// EKS Pod Identity over IPv6.
const EKS_POD_IDENTITY_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);

/// The proxy settings of the environment, validated.
#[derive(Debug, Clone, Default)]
pub struct ProxySettings {
    /// For `https://` endpoints: `https_proxy`, else `all_proxy`.
    pub(super) https: Option<ProxyUrl>,
    /// For `http://` endpoints: `http_proxy`, else `all_proxy`.
    pub(super) http: Option<ProxyUrl>,
    /// `no_proxy`: hosts, domains, IPs and CIDRs reached directly; `*` for all.
    no_proxy: Option<(&'static str, String)>,
    /// The container credentials endpoint (`host:port`), always reached directly.
    container_endpoint: Option<String>,
}

/// Where one request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Direct,
    /// Through the proxy for `https://` endpoints.
    HttpsProxy,
    /// Through the proxy for `http://` endpoints.
    HttpProxy,
}

impl ProxySettings {
    /// Reads the proxy variables through `variable` (lower case first; an empty one is unset).
    /// A URL that is not an http(s) proxy is a usage error, never silently ignored.
    pub fn from_env(variable: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                variable(name)
                    .map(|value| value.trim().to_owned())
                    .filter(|value| !value.is_empty())
                    .map(|value| (name, value))
            })
        };
        // A CGI program must not take a proxy from a request's `Proxy:` header (httpoxy).
        if variable("REQUEST_METHOD").is_some() {
            return Ok(ProxySettings::default());
        }
        let parse = |found: Option<(&'static str, String)>| {
            found
                .map(|(name, value)| ProxyUrl::parse(name, &value))
                .transpose()
        };
        let all = parse(first(["all_proxy", "ALL_PROXY"]))?;
        let https = parse(first(["https_proxy", "HTTPS_PROXY"]))?.or_else(|| all.clone());
        let http = parse(first(["http_proxy", "HTTP_PROXY"]))?.or(all);
        let container_endpoint = variable(CONTAINER_FULL_URI_ENV)
            .and_then(|url| url.parse::<http::Uri>().ok())
            .and_then(|uri| authority_with_port(&uri));
        Ok(ProxySettings {
            https,
            http,
            no_proxy: first(["no_proxy", "NO_PROXY"]),
            container_endpoint,
        })
    }

    /// Whether any proxy is configured.
    pub fn is_empty(&self) -> bool {
        self.https.is_none() && self.http.is_none()
    }

    /// Where a request to `uri` goes.
    pub fn route(&self, uri: &http::Uri) -> Route {
        let (proxy, route) = match uri.scheme_str() {
            Some("https") => (&self.https, Route::HttpsProxy),
            Some("http") => (&self.http, Route::HttpProxy),
            _ => return Route::Direct,
        };
        let Some(proxy) = proxy else {
            return Route::Direct;
        };
        if self.is_always_direct(uri) {
            return Route::Direct;
        }
        let no_proxy = self.no_proxy.as_ref().map_or("", |(_, rules)| rules);
        // curl's `*` is every host; hyper-util applies it to names only, not to addresses.
        if no_proxy.split(',').any(|rule| rule.trim() == "*") {
            return Route::Direct;
        }
        // hyper-util's matcher reads no_proxy as curl does (domains and their subdomains,
        // IPs, CIDRs, `*`); it is given this one proxy, so it only decides the bypass.
        let matcher = Matcher::builder()
            .all(proxy.url.clone())
            .no(no_proxy)
            .build();
        match matcher.intercept(uri) {
            Some(_) => route,
            None => Route::Direct,
        }
    }

    /// Instance metadata and container credentials: link-local addresses, their IPv6
    /// addresses, and the configured container endpoint.
    fn is_always_direct(&self, uri: &http::Uri) -> bool {
        let host = uri.host().unwrap_or_default();
        let address = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        let link_local = match address {
            Ok(IpAddr::V4(address)) => address.is_link_local(),
            Ok(IpAddr::V6(address)) => {
                address == IMDS_IPV6
                    || address == EKS_POD_IDENTITY_IPV6
                    || address.is_unicast_link_local()
            }
            Err(_) => false,
        };
        link_local
            || self
                .container_endpoint
                .as_ref()
                .is_some_and(|endpoint| authority_with_port(uri).as_ref() == Some(endpoint))
    }

    /// The proxy a route goes through.
    pub(super) fn proxy(&self, route: Route) -> Option<&ProxyUrl> {
        match route {
            Route::Direct => None,
            Route::HttpsProxy => self.https.as_ref(),
            Route::HttpProxy => self.http.as_ref(),
        }
    }

    /// For `-v`: each proxy without its password, and what bypasses it.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "no proxy (https_proxy, http_proxy, all_proxy are not set)".to_owned();
        }
        let mut parts = Vec::new();
        if let Some(proxy) = &self.https {
            parts.push(format!("https:// endpoints through {proxy}"));
        }
        if let Some(proxy) = &self.http {
            parts.push(format!("http:// endpoints through {proxy}"));
        }
        if let Some((variable, rules)) = &self.no_proxy {
            parts.push(format!("direct for {variable}={rules}"));
        }
        parts.push("instance metadata and container credentials always direct".to_owned());
        parts.join("; ")
    }

    /// For `-v`: how a request to `url` goes.
    pub fn describe_route(&self, url: &str) -> String {
        match url.parse::<http::Uri>() {
            Ok(uri) => match self.proxy(self.route(&uri)) {
                Some(proxy) => format!("through the proxy {proxy}"),
                None => "direct".to_owned(),
            },
            Err(_) => "direct".to_owned(),
        }
    }
}

/// `host:port` of `uri`, the scheme's default port when it has none.
fn authority_with_port(uri: &http::Uri) -> Option<String> {
    let host = uri.host()?;
    let port = uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })?;
    Some(format!("{}:{port}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<ProxySettings, Error> {
        ProxySettings::from_env(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    fn route(settings: &ProxySettings, url: &str) -> Route {
        settings.route(&url.parse().unwrap())
    }

    #[test]
    fn each_scheme_takes_its_own_proxy_lower_case_first() {
        let proxies = settings(&[
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("HTTP_PROXY", "plain:8080"),
        ])
        .unwrap();
        assert_eq!(
            proxies.https.as_ref().unwrap().url,
            "http://lower:3128",
            "lower case wins, as for curl and the AWS CLI"
        );
        assert_eq!(proxies.http.as_ref().unwrap().url, "http://plain:8080");
        assert_eq!(
            route(&proxies, "https://secretsmanager.eu-west-1.amazonaws.com/"),
            Route::HttpsProxy
        );
        assert_eq!(route(&proxies, "http://127.0.0.1:5000/"), Route::HttpProxy);
        let only_https = settings(&[("HTTPS_PROXY", "http://p:1")]).unwrap();
        assert_eq!(route(&only_https, "http://127.0.0.1:5000/"), Route::Direct);
        let all = settings(&[("ALL_PROXY", "http://p:1"), ("https_proxy", "")]).unwrap();
        assert_eq!(route(&all, "https://sts.amazonaws.com/"), Route::HttpsProxy);
        assert_eq!(route(&all, "http://127.0.0.1/"), Route::HttpProxy);
    }

    #[test]
    fn no_proxy_bypasses_hosts_domains_and_networks() {
        let proxies = settings(&[
            ("https_proxy", "http://p:1"),
            ("http_proxy", "http://p:1"),
            ("NO_PROXY", "localhost, .internal,10.0.0.0/8,amazonaws.com"),
        ])
        .unwrap();
        for url in [
            "http://localhost:5000/",
            "https://vpce.internal/",
            "http://10.1.2.3/",
            "https://secretsmanager.eu-west-1.amazonaws.com/",
        ] {
            assert_eq!(route(&proxies, url), Route::Direct, "{url}");
        }
        assert_eq!(route(&proxies, "http://127.0.0.1/"), Route::HttpProxy);
        assert_eq!(route(&proxies, "https://example.com/"), Route::HttpsProxy);
        let everything = settings(&[("all_proxy", "http://p:1"), ("no_proxy", "*")]).unwrap();
        assert_eq!(route(&everything, "https://example.com/"), Route::Direct);
        assert_eq!(route(&everything, "http://127.0.0.1:5000/"), Route::Direct);
    }

    #[test]
    fn metadata_and_container_credentials_never_go_through_the_proxy() {
        let proxies = settings(&[
            ("all_proxy", "http://p:1"),
            (CONTAINER_FULL_URI_ENV, "http://127.0.0.1:9911/creds"),
        ])
        .unwrap();
        for url in [
            "http://169.254.169.254/latest/api/token",
            "http://169.254.170.2/v2/credentials/x",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::254]/latest/api/token",
            "http://[fd00:ec2::23]/v1/credentials",
            "http://[fe80::a9fe:a9fe]/latest/api/token",
            "http://[febf::1]/",
            "http://127.0.0.1:9911/creds",
        ] {
            assert_eq!(route(&proxies, url), Route::Direct, "{url}");
        }
        assert_eq!(route(&proxies, "http://127.0.0.1:5000/"), Route::HttpProxy);
        assert_eq!(route(&proxies, "http://[fec0::1]/"), Route::HttpProxy);
    }

    #[test]
    fn passwords_are_never_shown() {
        let proxies =
            settings(&[("HTTPS_PROXY", "http://ci-user:s3cret%40pw@proxy.corp:3128")]).unwrap();
        let shown = proxies.describe();
        assert!(
            shown.contains("http://ci-user:***@proxy.corp:3128 (from HTTPS_PROXY)"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!format!("{proxies:?}").contains("s3cret"));
        assert_eq!(
            proxies.describe_route("https://sts.amazonaws.com"),
            "through the proxy http://ci-user:***@proxy.corp:3128 (from HTTPS_PROXY)"
        );
    }

    #[test]
    fn unusable_proxy_urls_are_refused_naming_the_variable() {
        for (value, why) in [
            ("socks5://p:1080", "SOCKS proxies are not supported"),
            ("ftp://p:21", "its scheme is not http or https"),
            ("http://", "does not parse"),
            ("http://exa mple:1", "does not parse"),
        ] {
            let error = settings(&[("HTTPS_PROXY", value)]).unwrap_err().to_string();
            assert!(
                error.contains("HTTPS_PROXY is not a usable proxy URL"),
                "{error}"
            );
            assert!(error.contains(why), "{value}: {error}");
        }
    }

    #[test]
    fn cgi_programs_ignore_the_proxy_variables() {
        let proxies =
            settings(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil:1")]).unwrap();
        assert!(proxies.is_empty());
    }
}
