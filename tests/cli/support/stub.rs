//! Small loopback HTTP/1.1 servers for what moto cannot play: instance metadata, the GitHub
//! Actions OIDC token endpoint, and (later) fault injection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What the stub answers.
pub enum Reply {
    /// Status, headers, body.
    Respond(u16, Vec<(String, String)>, Vec<u8>),
    /// Keep the connection open and never answer (until the stub is dropped).
    Hang,
    /// Close the connection without answering.
    Reset,
}

impl Reply {
    /// A response with a body and no extra headers.
    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond(status, Vec::new(), body.into())
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A server on 127.0.0.1 answering with `handler`; stopped when dropped.
pub struct Stub {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
    stopped: Arc<AtomicBool>,
}

impl Stub {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (seen, stop) = (Arc::clone(&requests), Arc::clone(&stopped));
        listener.set_nonblocking(true).unwrap();
        thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (handler, seen, stop) =
                            (Arc::clone(&handler), Arc::clone(&seen), Arc::clone(&stop));
                        thread::spawn(move || serve(stream, &*handler, &seen, &stop));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Stub {
            url,
            requests,
            stopped,
        }
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>, stop: &AtomicBool) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    // Keep-alive: serve requests on this connection until the client closes it.
    while let Some(request) = read_request(&mut reader) {
        seen.lock().unwrap().push(request.clone());
        match handler(&request) {
            Reply::Respond(status, headers, body) => {
                let mut head = format!(
                    "HTTP/1.1 {status} Stub\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if writer
                    .write_all(head.as_bytes())
                    .and_then(|()| writer.write_all(&body))
                    .is_err()
                {
                    return;
                }
            }
            Reply::Reset => return,
            Reply::Hang => {
                // Bounded: the stub's owner stops it, or two minutes pass.
                for _ in 0..1200 {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    thread::sleep(Duration::from_millis(100));
                }
                return;
            }
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

/// How the instance metadata stub behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Imds {
    /// IMDSv2 as on EC2: a token from PUT (with its TTL header) is required for every GET.
    Serving,
    /// The token PUT is never answered: what a container behind hop limit 1 sees.
    TokenNeverAnswered,
}

/// An IMDSv2 stub serving an instance role with `credentials` in `region`.
pub fn imds(mode: Imds, credentials: &aws_credential_types::Credentials, region: &str) -> Stub {
    const TOKEN: &str = "imds-session-token-AQAEAE";
    let expiration = aws_smithy_types::DateTime::from(
        std::time::SystemTime::now() + Duration::from_secs(6 * 3600),
    )
    .fmt(aws_smithy_types::date_time::Format::DateTime)
    .unwrap();
    let role_credentials = serde_json::json!({
        "Code": "Success",
        "Type": "AWS-HMAC",
        "AccessKeyId": credentials.access_key_id(),
        "SecretAccessKey": credentials.secret_access_key(),
        "Token": credentials.session_token().unwrap_or_default(),
        "Expiration": expiration,
    })
    .to_string();
    let region = region.to_owned();
    Stub::start(move |request| {
        if request.method == "PUT" && request.target == "/latest/api/token" {
            if mode == Imds::TokenNeverAnswered {
                return Reply::Hang;
            }
            let Some(ttl) = request.header("x-aws-ec2-metadata-token-ttl-seconds") else {
                return Reply::text(400, "missing TTL");
            };
            return Reply::Respond(
                200,
                vec![(
                    "x-aws-ec2-metadata-token-ttl-seconds".into(),
                    ttl.to_owned(),
                )],
                TOKEN.into(),
            );
        }
        if request.header("x-aws-ec2-metadata-token") != Some(TOKEN) {
            return Reply::text(401, "");
        }
        match request.target.as_str() {
            "/latest/meta-data/iam/security-credentials/" => Reply::text(200, "ci-runner-role"),
            "/latest/meta-data/iam/security-credentials/ci-runner-role" => {
                Reply::text(200, role_credentials.clone())
            }
            "/latest/meta-data/placement/region" => Reply::text(200, region.clone()),
            _ => Reply::text(404, ""),
        }
    })
}

/// A web identity token moto accepts (it checks the form, not the signature).
pub const JWT: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6Z3JvdXAvYXBwIn0.c2lnbmF0dXJl";

/// A GitHub Actions OIDC token endpoint: checks the bearer token `runtime-bearer-token`,
/// answers [`JWT`].
pub fn github_token_endpoint() -> Stub {
    Stub::start(|request| {
        if request.header("authorization") != Some("Bearer runtime-bearer-token") {
            return Reply::text(401, "");
        }
        Reply::text(200, format!(r#"{{"count":1,"value":"{JWT}"}}"#))
    })
}

/// A container credentials endpoint (ECS, EKS Pod Identity) serving `credentials`.
pub fn container_credentials(credentials: &aws_credential_types::Credentials) -> Stub {
    let expiration = aws_smithy_types::DateTime::from(
        std::time::SystemTime::now() + Duration::from_secs(6 * 3600),
    )
    .fmt(aws_smithy_types::date_time::Format::DateTime)
    .unwrap();
    let body = serde_json::json!({
        "AccessKeyId": credentials.access_key_id(),
        "SecretAccessKey": credentials.secret_access_key(),
        "Token": credentials.session_token().unwrap_or_default(),
        "Expiration": expiration,
    })
    .to_string();
    Stub::start(move |_| Reply::text(200, body.clone()))
}
