//! A fault-injecting proxy between the binary and the emulator: throttling, 5xx, resets, slow
//! or malformed answers, injected service errors; it records every call it sees.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::http;
use super::stub::{Reply, Request, Stub};

/// What the proxy does with one call.
pub enum Fault {
    /// Pass it to the emulator.
    Forward,
    /// Answer a service error: HTTP status, error code, message (AWS JSON protocol).
    Error(u16, &'static str, &'static str),
    /// Answer this status with an empty body.
    Status(u16),
    /// Close the connection without answering.
    Reset,
    /// Wait, then pass it on.
    Slow(Duration),
    /// Answer 200 with this body as is.
    Body(String),
}

/// One call the proxy saw: the operation (`BatchGetSecretValue`...) and its JSON body.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub body: serde_json::Value,
}

/// The proxy; `url` is what the binary gets as its endpoint.
pub struct FaultProxy {
    pub url: String,
    calls: Arc<Mutex<Vec<Call>>>,
    /// Calls being answered now, and the most there ever were at once.
    in_flight: Arc<Mutex<(usize, usize)>>,
    _stub: Stub,
}

impl FaultProxy {
    /// Proxies to `upstream`; `plan` decides each call from the call itself and how many calls
    /// of the same operation came before it.
    pub fn start(
        upstream: &str,
        plan: impl Fn(&Call, usize) -> Fault + Send + Sync + 'static,
    ) -> FaultProxy {
        let calls: Arc<Mutex<Vec<Call>>> = Arc::default();
        let in_flight: Arc<Mutex<(usize, usize)>> = Arc::default();
        let seen = Arc::clone(&calls);
        let counting = Arc::clone(&in_flight);
        let upstream = upstream.to_owned();
        let stub = Stub::start(move |request| {
            {
                let mut counts = counting.lock().unwrap();
                counts.0 += 1;
                counts.1 = counts.1.max(counts.0);
            }
            let reply = answer(&upstream, request, &seen, &plan);
            counting.lock().unwrap().0 -= 1;
            reply
        });
        FaultProxy {
            url: stub.url.clone(),
            calls,
            in_flight,
            _stub: stub,
        }
    }

    /// The most calls that were being answered at once.
    pub fn most_in_flight(&self) -> usize {
        self.in_flight.lock().unwrap().1
    }

    /// Every call seen so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// How many calls of `operation` were seen.
    pub fn count(&self, operation: &str) -> usize {
        self.calls()
            .iter()
            .filter(|call| call.operation == operation)
            .count()
    }
}

/// What the proxy answers `request`: as `plan` says, the call recorded in `seen`.
fn answer(
    upstream: &str,
    request: &Request,
    seen: &Mutex<Vec<Call>>,
    plan: &(impl Fn(&Call, usize) -> Fault + Send + Sync),
) -> Reply {
    let call = Call {
        operation: operation(request),
        body: serde_json::from_slice(&request.body).unwrap_or(serde_json::Value::Null),
    };
    let earlier = {
        let mut calls = seen.lock().unwrap();
        let earlier = calls
            .iter()
            .filter(|seen| seen.operation == call.operation)
            .count();
        calls.push(call.clone());
        earlier
    };
    match plan(&call, earlier) {
        Fault::Forward => forward(upstream, request),
        Fault::Error(status, code, message) => Reply::Respond(
            status,
            vec![
                ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                ("x-amzn-errortype".into(), code.into()),
            ],
            serde_json::json!({"__type": code, "message": message})
                .to_string()
                .into_bytes(),
        ),
        Fault::Status(status) => Reply::text(status, ""),
        Fault::Reset => Reply::Reset,
        Fault::Slow(delay) => {
            thread::sleep(delay);
            forward(upstream, request)
        }
        Fault::Body(body) => Reply::Respond(
            200,
            vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
            body.into_bytes(),
        ),
    }
}

/// `secretsmanager.GetSecretValue` -> `GetSecretValue`; STS (query protocol) -> its Action.
fn operation(request: &Request) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    let body = String::from_utf8_lossy(&request.body);
    body.split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or("unknown")
        .to_owned()
}

fn forward(upstream: &str, request: &Request) -> Reply {
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "host" | "content-length" | "connection"))
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let response = http::exchange(
        upstream,
        &request.method,
        &request.target,
        &headers,
        &request.body,
    );
    let headers = response
        .headers
        .into_iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "content-length" | "connection" | "transfer-encoding"
            )
        })
        .collect();
    Reply::Respond(response.status, headers, response.body)
}

/// Tokens left, and when they were counted.
type Bucket = (f64, std::time::Instant);

/// AWS's per-API quotas, scaled down: a token bucket per operation (`calls` per second, a
/// burst of one second's worth), answering ThrottlingException as AWS does when it is empty;
/// other operations pass.
pub fn rate_limited(
    limits: &[(&'static str, f64)],
) -> impl Fn(&Call, usize) -> Fault + Send + Sync + use<> {
    let buckets: Vec<(&'static str, f64, Mutex<Bucket>)> = limits
        .iter()
        .map(|(operation, rate)| {
            (
                *operation,
                *rate,
                Mutex::new((rate.max(1.0), std::time::Instant::now())),
            )
        })
        .collect();
    move |call, _| {
        let Some((_, rate, bucket)) = buckets
            .iter()
            .find(|(operation, _, _)| *operation == call.operation)
        else {
            return Fault::Forward;
        };
        let mut bucket = bucket.lock().unwrap();
        let now = std::time::Instant::now();
        let refilled = bucket.0 + now.duration_since(bucket.1).as_secs_f64() * rate;
        *bucket = (refilled.min(rate.max(1.0)), now);
        if bucket.0 >= 1.0 {
            bucket.0 -= 1.0;
            Fault::Forward
        } else {
            Fault::Error(400, "ThrottlingException", "Rate exceeded")
        }
    }
}
