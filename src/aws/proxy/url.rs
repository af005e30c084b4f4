//! One proxy URL from the environment: validated (http or https, a host), kept with its
//! credentials for the connector, shown without its password.

use std::fmt;

use crate::error::Error;

/// One proxy URL from the environment.
#[derive(Clone)]
pub struct ProxyUrl {
    /// The variable it came from, e.g. `HTTPS_PROXY`.
    pub variable: &'static str,
    /// The URL as the connector needs it, credentials included (never printed).
    pub url: String,
    /// The URL with its password replaced by `***`.
    shown: String,
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.shown, self.variable)
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {})", self.shown, self.variable)
    }
}

impl ProxyUrl {
    /// `[http://|https://][user[:password]@]host[:port][/]`; no scheme means `http://`.
    pub fn parse(variable: &'static str, value: &str) -> Result<ProxyUrl, Error> {
        let problem = |why: &str| {
            Error::Usage(format!(
                "{variable} is not a usable proxy URL ({why}): expected \
                 http://[user:password@]host:port"
            ))
        };
        let with_scheme = if value.contains("://") {
            value.to_owned()
        } else {
            format!("http://{value}")
        };
        let uri: http::Uri = with_scheme
            .parse()
            .map_err(|_| problem("it does not parse as a URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(scheme) if scheme.starts_with("socks") => {
                return Err(problem("SOCKS proxies are not supported"));
            }
            _ => return Err(problem("its scheme is not http or https")),
        }
        let authority = uri.authority().ok_or_else(|| problem("it has no host"))?;
        if uri.host().is_none_or(str::is_empty) {
            return Err(problem("it has no host"));
        }
        let (user, host_port) = match authority.as_str().rsplit_once('@') {
            Some((userinfo, host_port)) => match userinfo.split_once(':') {
                Some((user, _)) => (format!("{user}:***@"), host_port),
                None => (format!("{userinfo}@"), host_port),
            },
            None => (String::new(), authority.as_str()),
        };
        let scheme = uri.scheme_str().unwrap_or("http");
        Ok(ProxyUrl {
            variable,
            url: format!("{scheme}://{}", authority.as_str()),
            shown: format!("{scheme}://{user}{host_port}"),
        })
    }
}
