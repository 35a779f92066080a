//! What holds before a request is authenticated (docs/security.md, "Hostile input"):
//!
//! - [`serve`]: the accept loop. At most `limits.max_connections` open connections (further
//!   ones wait in the kernel's backlog), `limits.header_timeout_ms` to send the headers
//!   (slowloris), HTTP/1.1 only.
//! - [`guard`], the router's outer middleware: header length caps (431), at most
//!   `limits.max_concurrent_requests` at once (503), a rate limit per client address (429),
//!   `limits.request_timeout_ms` per request (408), and every error answer that is not
//!   already problem+json replaced by one naming no input.
//! - [`authenticate_first`], the route layer: the API key checked before any body or path
//!   is read (401) with a rate limit per key (429), and a Beluga webhook larger than
//!   `limits.preauth_body_bytes` refused unless its secret header matches (401).

use super::problem::{status_code_name, Problem};
use super::AppState;
use crate::config::LimitsConfig;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Longest value accepted for each header the service reads, in bytes; any other header is
/// held to [`MAX_HEADER_BYTES`].
pub const HEADER_CAPS: [(&str, usize); 11] = [
    ("authorization", 4096),
    ("x-api-key", 256),
    ("x-webhook-secret", 512),
    ("webhook-id", 256),
    ("webhook-timestamp", 32),
    ("webhook-signature", 4096),
    ("idempotency-key", 256),
    ("if-match", 64),
    ("x-request-id", 1024),
    ("x-forwarded-for", 1024),
    ("content-type", 256),
];

/// Longest value of any other header, in bytes.
pub const MAX_HEADER_BYTES: usize = 8 << 10;

/// Token buckets by key (an API key's id or a client address): `rate` per second, bursts of
/// ten seconds' worth. At most [`RateLimiter::MAX_ENTRIES`] keys are tracked; when full,
/// buckets that have refilled are dropped first, then all (a flood of fresh addresses cannot
/// grow memory).
#[derive(Debug)]
pub struct RateLimiter {
    rate: u32,
    buckets: Mutex<HashMap<String, (f64, i64)>>,
}

impl RateLimiter {
    /// Keys tracked at most.
    pub const MAX_ENTRIES: usize = 100_000;

    /// A limiter of `rate` requests per second (0: off).
    pub fn new(rate: u32) -> Self {
        Self {
            rate,
            buckets: Mutex::default(),
        }
    }

    /// Takes one token for `key` at `now_ms`; false when its bucket is empty.
    pub fn allow(&self, key: &str, now_ms: i64) -> bool {
        if self.rate == 0 {
            return true;
        }
        let rate = f64::from(self.rate);
        let burst = rate * 10.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() >= Self::MAX_ENTRIES && !buckets.contains_key(key) {
            let full_after = (burst / rate * 1000.0) as i64;
            buckets.retain(|_, (_, at)| now_ms.saturating_sub(*at) < full_after);
            if buckets.len() >= Self::MAX_ENTRIES {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((burst, now_ms));
        let elapsed = now_ms.saturating_sub(*at).max(0) as f64 / 1000.0;
        *tokens = (*tokens + elapsed * rate).min(burst);
        *at = now_ms;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The guard's shared state: the concurrency permits and the two rate limiters.
#[derive(Debug)]
pub struct Guard {
    busy: Arc<Semaphore>,
    per_key: RateLimiter,
    per_address: RateLimiter,
}

impl Guard {
    /// The guard for `limits`.
    pub fn new(limits: &LimitsConfig) -> Self {
        Self {
            busy: Arc::new(Semaphore::new(limits.max_concurrent_requests.max(1))),
            per_key: RateLimiter::new(limits.rate_per_key),
            per_address: RateLimiter::new(limits.rate_per_address),
        }
    }
}

/// What a matched route needs before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteClass {
    /// `/livez`, `/readyz`, `/metrics`, `/openapi.json`, unknown routes: no body read.
    Open,
    /// `/api/emr/…`, `/api/portal/…`, `/admin/…`: an API key, checked first.
    Keyed,
    /// `/api/webhooks/beluga`: a secret header, checked first when the body is large.
    Beluga,
    /// The other webhooks: signed bodies held to their route's small cap.
    Signed,
}

fn classify(route: Option<&str>) -> RouteClass {
    match route {
        Some("/api/webhooks/beluga") => RouteClass::Beluga,
        Some(r) if r.starts_with("/api/webhooks/") => RouteClass::Signed,
        Some(r) if r.starts_with("/api/") || r.starts_with("/admin/") => RouteClass::Keyed,
        _ => RouteClass::Open,
    }
}

/// The header over its cap, if any (the name is one of ours or the client's; never a value).
fn oversized_header(headers: &HeaderMap) -> Option<String> {
    headers.iter().find_map(|(name, value)| {
        let cap = HEADER_CAPS
            .iter()
            .find(|(n, _)| *n == name.as_str())
            .map_or(MAX_HEADER_BYTES, |(_, cap)| *cap);
        (value.len() > cap).then(|| name.as_str().to_owned())
    })
}

/// The declared body length; None when the body is chunked (length unknown).
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Constant-time equality of two secrets (over their SHA-256 digests, so lengths leak nothing).
fn same_secret(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

/// Whether a Beluga webhook's header carries one of the configured secrets.
fn beluga_header_secret(state: &AppState, headers: &HeaderMap) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| {
            headers
                .get("x-webhook-secret")
                .and_then(|v| v.to_str().ok())
        });
    presented.is_some_and(|p| {
        state
            .config
            .beluga
            .webhook_secrets
            .iter()
            .any(|s| same_secret(p.trim(), s.expose()))
    })
}

/// The connection's peer (none in handler tests, which have no socket).
fn peer(request: &Request) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| *a)
}

fn too_many() -> Response {
    Problem::client(
        StatusCode::TOO_MANY_REQUESTS,
        "rate limit reached; retry later",
    )
    .code("rate_limited")
    .into_response()
}

/// The router's outer middleware (see the module documentation).
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(name) = oversized_header(request.headers()) {
        return Problem::client(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the header {name} is longer than this service accepts"),
        )
        .code("header_too_large")
        .into_response();
    }
    let Ok(_permit) = state.guard.busy.clone().try_acquire_owned() else {
        return Problem::client(StatusCode::SERVICE_UNAVAILABLE, "too many requests at once")
            .code("overloaded")
            .into_response();
    };
    let now = state.now_ms();
    if let Some(addr) = peer(&request) {
        // Behind a trusted proxy, the client it forwards for (else every client would share
        // the proxy's bucket).
        let ip =
            super::webhooks::client_ip(addr.ip(), request.headers(), &state.config.trusted_proxies);
        if !state.guard.per_address.allow(&ip.to_string(), now) {
            return too_many();
        }
    }
    let bound = Duration::from_millis(state.config.limits.request_timeout_ms.max(1));
    match tokio::time::timeout(bound, next.run(request)).await {
        Ok(response) => as_problem(response),
        Err(_) => Problem::client(StatusCode::REQUEST_TIMEOUT, "the request took too long")
            .code("request_timeout")
            .into_response(),
    }
}

/// The route layer (inside the method dispatch, so an unsupported method is still 405):
/// the API key before anything of the request is parsed, the Beluga secret header before a
/// large body is read, the per-key rate limit.
pub async fn authenticate_first(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str());
    if !route.is_some_and(|r| answers(r, request.method())) {
        // Not a method of this route: the router answers 405 without reading anything.
        return next.run(request).await;
    }
    match classify(route) {
        RouteClass::Keyed => match state.authenticate(request.headers()).await {
            Ok(caller) if !state.guard.per_key.allow(&caller.key_id, state.now_ms()) => {
                return too_many()
            }
            Ok(_) => {}
            Err(problem) => return problem.into_response(),
        },
        RouteClass::Beluga => {
            use axum::body::HttpBody;
            let cap = state.config.limits.preauth_body_bytes;
            let small = declared_length(request.headers())
                .or(request.body().size_hint().exact())
                .is_some_and(|n| n <= cap);
            if !small && !beluga_header_secret(&state, request.headers()) {
                return Problem::unauthorized().into_response();
            }
        }
        RouteClass::Signed | RouteClass::Open => {}
    }
    next.run(request).await
}

/// Whether the route template answers the method: the OpenAPI document generated from the
/// routes lists each route's methods (HEAD with GET).
fn answers(route: &str, method: &axum::http::Method) -> bool {
    static METHODS: std::sync::OnceLock<HashMap<String, Vec<String>>> = std::sync::OnceLock::new();
    let methods = METHODS.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(super::openapi_document()).unwrap_or_default();
        doc["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, item)| {
                        let names = item
                            .as_object()
                            .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                            .unwrap_or_default();
                        (path.clone(), names)
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let name = if method == axum::http::Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    methods
        .get(route)
        .is_some_and(|names| names.iter().any(|m| m == name))
}

/// An error answer that is not JSON (axum's extractor rejections: plain text that may quote
/// the input; an empty 405) becomes a problem naming only its status.
fn as_problem(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("application/problem+json") || t.starts_with("application/json")
        });
    if json {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = Problem::client(status, "the request cannot be handled as sent")
        .code(status_code_name(status))
        .into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

/// Serves `app` on `listener` until `stop` fires, then lets open requests finish (see the
/// module documentation for the limits).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: LimitsConfig,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use tower::ServiceExt;
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let header_timeout = Duration::from_millis(limits.header_timeout_ms.max(1));
    let (close, closing) = tokio::sync::watch::channel(());
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(cause = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            },
        );
        let mut closing = closing.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let hyper_service = hyper_util::service::TowerToHyperService::new(service);
            let connection =
                builder.serve_connection_with_upgrades(TokioIo::new(stream), hyper_service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = closing.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        while tasks.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = close.send(());
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let limiter = RateLimiter::new(2);
        let granted = (0..25).filter(|_| limiter.allow("k", 1_000)).count();
        assert_eq!(granted, 20, "ten seconds' worth at 2/s");
        assert!(!limiter.allow("k", 1_000));
        assert!(limiter.allow("k", 1_500), "half a second refills one token");
        assert!(limiter.allow("other", 1_000), "buckets are per key");
        assert!(RateLimiter::new(0).allow("k", 0), "0 is off");
    }

    #[test]
    fn routes_are_classified_by_template() {
        assert_eq!(classify(Some("/api/emr/orders/{id}")), RouteClass::Keyed);
        assert_eq!(classify(Some("/admin/rules/reload")), RouteClass::Keyed);
        assert_eq!(classify(Some("/api/webhooks/beluga")), RouteClass::Beluga);
        assert_eq!(
            classify(Some("/api/webhooks/pharmacy/{pharmacy_id}")),
            RouteClass::Signed
        );
        assert_eq!(classify(Some("/metrics")), RouteClass::Open);
        assert_eq!(classify(None), RouteClass::Open);
    }
}
