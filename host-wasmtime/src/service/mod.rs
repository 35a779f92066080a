//! The HTTP service: axum on tokio.
//!
//! [`start`] opens the store under the data directory, loads the rules guest (compiled
//! component cached under `<data_dir>/rules-cache`), provisions bootstrap API keys, binds the
//! listen address (port 0: an ephemeral port) and spawns the server and the background
//! [`worker`] (inbox processing, outbox partner calls, raw-body retention). [`router`] builds
//! the same routes over a given [`AppState`] for socket-free handler tests.
//!
//! Every decision goes through the guest ([`crate::rules::RulesHandle::call`]); the host
//! authenticates, stores, schedules and calls partners.

pub mod app;
pub mod audit;
pub mod beluga_calls;
pub mod guard;
pub mod idempotency;
pub mod inbox;
pub mod labs;
pub mod metrics;
pub mod names;
pub mod openapi;
pub mod orders;
pub mod patients;
pub mod pharmacy;
pub mod photo_id;
pub mod portal;
pub mod problem;
pub mod sweep;
pub mod visits;
pub mod webhooks;
pub mod worker;

use crate::config::Config;
use crate::keys::{self, Scope};
use crate::rules::{RulesConfig, RulesHandle};
use crate::store::Db;
use aide::axum::routing::{get_with, post_with};
use aide::axum::ApiRouter;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use metrics::{Count, Timing};
use problem::{Problem, RawBody};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{oneshot, Notify};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// The OpenAPI document generated from the routes (see [`openapi`]), served at
/// `/openapi.json`; `host-wasmtime/openapi.json` is a committed copy for client generators
/// (a test keeps it equal).
pub fn openapi_document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        aide::generate::infer_responses(true);
        aide::generate::extract_schemas(true);
        aide::generate::on_error(|e| {
            if let Ok(mut errors) = OPENAPI_ERRORS.lock() {
                errors.push(e.to_string());
            }
        });
        let mut api = aide::openapi::OpenApi::default();
        let _ = api_routes().finish_api_with(&mut api, openapi::describe);
        openapi::finish(&api)
    })
}

/// What aide reported while generating the document (a test checks it is empty).
pub static OPENAPI_ERRORS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The active rules (the only source of decisions).
    pub rules: RulesHandle,
    /// The store.
    pub db: Db,
    /// The configuration.
    pub config: Arc<crate::config::LiveConfig>,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Wakes the worker when new work is stored.
    pub wake: Arc<Notify>,
    /// Outbound HTTP client (rustls).
    pub http: reqwest::Client,
    /// The service's clock (tests inject a fixed one).
    pub clock: Clock,
    /// This process's id: the owner of the leases its worker takes (fresh per start).
    pub instance: String,
    /// Set when a stop begins: the worker starts no new event or partner call.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// Concurrency permits and rate limits ([`guard`]).
    pub guard: Arc<guard::Guard>,
}

/// A clock answering Unix milliseconds: the system's, or a fixed one in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(now_ms))
    }

    /// A clock answering what `f` answers.
    pub fn from_fn(f: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// Who called an API route: the key's scope and its stable id (the audit's actor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The key's scope.
    pub scope: Scope,
    /// The key's id (`key_…`), never the key.
    pub key_id: String,
    /// The request's id (`x-request-id` when it is a plain token, else a fresh one): audit
    /// entries carry it, so a request can be followed to every order it touched.
    pub request_id: String,
}

/// The request id header, read and answered (`x-request-id`).
pub const REQUEST_ID: &str = "x-request-id";

fn plain_token(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A request's id: its `x-request-id` (which the router's layers set on every request: the
/// client's when it is a plain token of at most 128 characters, else a fresh UUID); a fresh
/// UUID when called outside the router.
pub fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| plain_token(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Unix milliseconds as a UTC instant (the form the core's functions take).
pub fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl AppState {
    /// Builds the state: opens the store, loads the rules, provisions bootstrap keys.
    pub fn open(config: Config) -> anyhow::Result<Self> {
        let db = Db::new(crate::store::open(&config)?);
        let rules_config = RulesConfig {
            cache_dir: config
                .rules
                .cache_dir
                .clone()
                .or_else(|| Some(config.data_dir.join("rules-cache"))),
            ..config.rules.clone()
        };
        let rules = RulesHandle::builtin(rules_config)?;
        if let Some(path) = &config.rules_component {
            let bytes = std::fs::read(path)?;
            let outcome = rules.reload(&bytes)?;
            anyhow::ensure!(
                outcome.swapped,
                "the rules component fails {} of {} vectors",
                outcome.vectors.failed,
                outcome.vectors.total
            );
        }
        let bytes = match &config.rules_component {
            Some(path) => std::fs::read(path)?,
            None => crate::rules::BUILTIN_COMPONENT.to_vec(),
        };
        let instance = instance_id(&config);
        // The previous process under this name died (or stopped): its claims are ours again.
        db.blocking().lapse_leases_of(&instance)?;
        // A start publishes the rules it runs: the newest start or reload is the fleet's.
        let digest = rules.current().digest().to_owned();
        if db.blocking().active_rules()?.as_deref() != Some(digest.as_str()) {
            db.blocking().set_active_rules(&digest, &bytes, now_ms())?;
        }
        let mut state = Self::with_parts(config, db, rules)?;
        state.instance = instance;
        Ok(state)
    }

    /// Builds the state from parts (tests use an in-memory store).
    pub fn with_parts(config: Config, db: Db, rules: RulesHandle) -> anyhow::Result<Self> {
        keys::provision_bootstrap(db.blocking(), &config.bootstrap_keys, now_ms())?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_millis(
                config.outbox.request_timeout_ms,
            ))
            .build()?;
        Ok(Self {
            rules,
            db,
            guard: Arc::new(guard::Guard::new(&config.limits)),
            config: Arc::new(crate::config::LiveConfig::new(config)),
            metrics: Arc::new(metrics::Metrics::default()),
            wake: Arc::new(Notify::new()),
            http,
            clock: Clock::system(),
            instance: format!("rxgate-{}", uuid::Uuid::new_v4().simple()),
            draining: Arc::default(),
        })
    }

    /// Whether a stop has begun (the worker starts no new work).
    pub fn is_draining(&self) -> bool {
        self.draining.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Now, by the service's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Calls a rules operation; `Ok(Err(..))` is the guest's misuse envelope.
    pub async fn decide(&self, op: &str, request: Value) -> Result<Result<Value, Value>, Problem> {
        self.measured(op, self.rules.call(op, request)).await
    }

    /// As [`AppState::decide`], with the request's document (`input`) passed as JSON text
    /// beside the other members: the guest reads it without unescaping it from a request
    /// string, and `validate` reads it straight into its typed model.
    pub async fn decide_document(
        &self,
        op: &str,
        params: Value,
        document: String,
    ) -> Result<Result<Value, Value>, Problem> {
        self.measured(op, self.rules.call_document(op, params, document))
            .await
    }

    /// Awaits a rules call, counting it by outcome and timing it.
    async fn measured(
        &self,
        op: &str,
        call: impl std::future::Future<Output = Result<Result<Value, Value>, crate::rules::RulesError>>,
    ) -> Result<Result<Value, Value>, Problem> {
        let started = std::time::Instant::now();
        let result = call.await;
        let outcome = match &result {
            Ok(Ok(_)) => "ok",
            Ok(Err(_)) => "misuse",
            Err(e) => e.kind(),
        };
        self.metrics
            .inc(Count::RulesCalls, &[("op", op), ("outcome", outcome)]);
        self.metrics.observe(
            Timing::RulesCall,
            &[("op", op)],
            started.elapsed().as_secs_f64(),
        );
        Ok(result?)
    }

    /// The caller of the request's API key (`Authorization: Bearer` or `X-Api-Key`), if its
    /// scope is one of `allowed`.
    pub async fn authorize(
        &self,
        headers: &HeaderMap,
        allowed: &[Scope],
    ) -> Result<Caller, Problem> {
        let caller = self.authenticate(headers).await?;
        if allowed.contains(&caller.scope) {
            Ok(caller)
        } else {
            Err(Problem::client(
                StatusCode::FORBIDDEN,
                "this key's scope does not allow this call",
            ))
        }
    }

    /// The caller of the request's API key, whatever its scope (401 without a known key).
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, Problem> {
        let key = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
            .ok_or_else(Problem::unauthorized)?;
        let hash = keys::hash_key(key.trim());
        let row = self
            .db
            .run(move |s| s.api_key(&hash))
            .await?
            .ok_or_else(Problem::unauthorized)?;
        let now = self.now_ms();
        if !row.valid_at(now) {
            return Err(Problem::unauthorized());
        }
        if row
            .last_used_at
            .is_none_or(|t| now.saturating_sub(t) >= 60_000)
        {
            let id = row.id.clone();
            if let Err(e) = self.db.run(move |s| s.touch_api_key(&id, now)).await {
                tracing::warn!(cause = %e, "the key's last use was not recorded");
            }
        }
        Ok(Caller {
            scope: row.scope,
            key_id: row.id,
            request_id: request_id(headers),
        })
    }

    /// Whether the request may read `/metrics` and the detailed `/readyz`
    /// ([`crate::config::Config::ops_access`]).
    pub async fn ops_allowed(&self, headers: &HeaderMap) -> bool {
        match self.config.ops_access() {
            crate::config::OpsAccess::Open => true,
            crate::config::OpsAccess::Key => self.authorize(headers, &[Scope::Admin]).await.is_ok(),
        }
    }
}

/// The name this process claims work under (see `Config::instance_id`).
pub fn instance_id(config: &Config) -> String {
    if let Some(id) = config.instance_id.as_ref().filter(|i| !i.trim().is_empty()) {
        return id.trim().to_owned();
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match (host, config.listen.port()) {
        (Some(host), port) if port != 0 => format!("{host}:{port}"),
        _ => format!("rxgate-{}", uuid::Uuid::new_v4().simple()),
    }
}

/// Unix time in milliseconds.
/// An instant in Unix milliseconds as RFC 3339 (UTC, whole seconds), the form the rules read.
pub fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let secs = ms.rem_euclid(86_400_000) / 1000;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The current instant in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Every route, each with its OpenAPI operation.
pub fn api_routes() -> ApiRouter<AppState> {
    use openapi::{op, Answer};
    ApiRouter::new()
        .api_route(
            "/livez",
            get_with(livez, |t| op(t, "getLivez", "operations", "Liveness", &[])),
        )
        .api_route(
            "/readyz",
            get_with(readyz, |t| {
                op(t, "getReadyz", "operations", "Readiness: store, active rules, and the worker (503 when the oldest item waiting for it is older than outbox.stuck_after_s)", &[])
                    .answer::<200, Json<openapi::Ready>>()
                    .answer::<503, Json<openapi::Ready>>()
            }),
        )
        .api_route(
            "/metrics",
            get_with(metrics_text, |t| {
                op(t, "getMetrics", "operations", "Prometheus metrics (text 0.0.4)", &[])
                    .answer::<200, String>()
            }),
        )
        .api_route(
            "/openapi.json",
            get_with(openapi_json, |t| {
                op(t, "getOpenapi", "operations", "This document", &[])
                    .answer::<200, Json<serde_json::Map<String, Value>>>()
            }),
        )
        .api_route(
            "/admin/rules/reload",
            post_with(reload, |t| {
                openapi::raw_body(
                    op(t, "reloadRules", "admin",
                        "Hot-reload the rules component (body: component bytes; empty: the built-in one); swapped only if every vector passes",
                        &openapi::STAFF_SECURITY),
                    "application/wasm",
                )
                .answer::<200, Json<openapi::Reloaded>>()
                .answer::<409, Json<openapi::Reloaded>>()
            })
            .layer(DefaultBodyLimit::max(64 << 20)),
        )
        .merge(webhooks::routes())
        .merge(app::routes())
        .merge(portal::routes())
        .merge(inbox::routes())
        .merge(audit::routes())
        .merge(pharmacy::routes())
        .merge(patients::routes())
        .merge(pharmacy::dispensepro_routes())
        .merge(visits::routes())
        .merge(names::routes())
        .merge(beluga_calls::routes())
        .merge(labs::routes())
}

/// The service's routes over `state`.
pub fn router(state: AppState) -> Router {
    Router::from(api_routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::authenticate_first,
        ))
        .fallback(problem::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        // Outermost first: drop an unusable id, give one to every request, answer it.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(sanitize_request_id))
        .with_state(state)
}

/// Runs a request inside a `request` span carrying its id (so every log line of the request
/// names it), then logs one JSON line (method, route template, status, latency; no bodies, no
/// query strings), counts it and records its duration.
async fn observe(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use tracing::Instrument;
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = metrics::method_label(request.method());
    let id = request_id(request.headers());
    let span = tracing::info_span!("request", request_id = %id);
    let started = std::time::Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed();
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = %route,
            status = %status,
            millis = elapsed.as_millis() as u64,
            "request"
        )
    });
    state.metrics.inc(
        Count::HttpRequests,
        &[("method", method), ("route", &route), ("status", &status)],
    );
    state.metrics.observe(
        Timing::HttpRequest,
        &[("method", method), ("route", &route)],
        elapsed.as_secs_f64(),
    );
    response
}

/// Drops an `x-request-id` that is not a plain token (at most 128 characters of letters,
/// digits, `-`, `_`, `.`): the next layer then gives the request a fresh UUID. A header is
/// never trusted to carry text into logs or the audit.
async fn sanitize_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let valid = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .is_some_and(plain_token);
    if !valid {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

async fn livez() -> Json<openapi::Live> {
    Json(openapi::Live {
        status: "ok".into(),
    })
}

async fn readyz(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> (StatusCode, Json<openapi::Ready>) {
    let detailed = state.ops_allowed(&headers).await;
    readiness(state, detailed).await
}

/// `/readyz`'s answer; `detailed`: with the store, rules, instance and configuration.
async fn readiness(state: AppState, detailed: bool) -> (StatusCode, Json<openapi::Ready>) {
    let rules = state.rules.current();
    let now = state.now_ms();
    let backlog = state.db.run(move |s| s.backlog(now)).await;
    let store_ok = backlog.is_ok();
    let stuck_after_s = state.config.outbox.stuck_after_s;
    let worker = backlog.ok().map(|b| {
        let oldest = b.oldest_pending_age_s(now);
        openapi::WorkerHealth {
            oldest_pending_s: oldest,
            stuck_after_s,
            stuck: u64::try_from(oldest).unwrap_or(0) > stuck_after_s,
        }
    });
    let ready = store_ok
        && !worker.as_ref().is_some_and(|w| w.stuck)
        && state.config.weak_secrets.is_empty();
    let mut body = openapi::Ready {
        status: if ready { "ready" } else { "not_ready" }.into(),
        store: Some(store_ok),
        rules: Some(openapi::RulesInfo {
            digest: rules.digest().to_owned(),
            version: rules.version().as_object().cloned().unwrap_or_default(),
        }),
        instance: Some(state.instance.clone()),
        config_warnings: Some(state.config.warnings()),
        config_errors: Some(state.config.weak_secrets.clone()),
        worker,
    };
    if !detailed {
        body = openapi::Ready {
            status: body.status,
            ..openapi::Ready::default()
        };
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

async fn metrics_text(
    State(state): State<AppState>,
    request_headers: HeaderMap,
) -> Result<(HeaderMap, String), Problem> {
    if !state.ops_allowed(&request_headers).await {
        return Err(Problem::unauthorized());
    }
    Ok(metrics_scrape(state).await)
}

/// The operations listener's routes (`Config::ops_listen`): liveness, the detailed readiness
/// and the metrics, without a key.
pub fn ops_router(state: AppState) -> Router {
    use axum::routing::get;
    Router::new()
        .route("/livez", get(livez))
        .route(
            "/readyz",
            get(|State(state): State<AppState>| readiness(state, true)),
        )
        .route(
            "/metrics",
            get(|State(state): State<AppState>| metrics_scrape(state)),
        )
        .fallback(problem::not_found)
        .with_state(state)
}

async fn metrics_scrape(state: AppState) -> (HeaderMap, String) {
    let now = state.now_ms();
    let backlog = match state.db.run(move |s| s.backlog(now)).await {
        Ok(backlog) => Some(backlog),
        Err(e) => {
            tracing::warn!(cause = %e, "backlog query failed: gauges left out of this scrape");
            None
        }
    };
    let stuck = match sweep::worklist(&state).await {
        Ok(list) => Some(sweep::by_stage(&list)),
        Err(e) => {
            tracing::warn!(cause = %e, "worklist query failed: stuck gauge left out of this scrape");
            None
        }
    };
    let scrape = metrics::Scrape {
        stuck,
        backlog,
        now_ms: now,
        rules_digest: state.rules.current().digest().to_owned(),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    (headers, state.metrics.render(&scrape))
}

async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
        .into_response()
}

/// `POST /admin/rules/reload`: the body is a new component (empty body: the built-in one).
/// It is swapped in only when it passes every bundled vector.
async fn reload(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<openapi::Reloaded>), Problem> {
    state.authorize(&headers, &[Scope::Admin]).await?;
    let outcome = reload_bytes(&state, body.to_vec()).await?;
    let status = if outcome.swapped {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let answer = serde_json::from_value(json!(outcome)).map_err(Problem::internal)?;
    Ok((status, Json(answer)))
}

/// Reloads from bytes (empty: the built-in component), on the blocking pool.
pub async fn reload_bytes(
    state: &AppState,
    bytes: Vec<u8>,
) -> Result<crate::rules::ReloadOutcome, Problem> {
    let rules = state.rules.clone();
    let published = if bytes.is_empty() {
        crate::rules::BUILTIN_COMPONENT.to_vec()
    } else {
        bytes
    };
    let candidate = published.clone();
    let outcome = tokio::task::spawn_blocking(move || rules.reload(&candidate))
        .await
        .map_err(Problem::internal)?
        .map_err(|e| {
            Problem::client(
                StatusCode::UNPROCESSABLE_ENTITY,
                "the component cannot be loaded",
            )
            .with(json!({ "reason": e.kind() }))
        })?;
    tracing::info!(swapped = outcome.swapped, digest = %outcome.candidate_digest, failed = outcome.vectors.failed, "rules reload");
    if outcome.swapped {
        // Published for the other instances (each follows within a worker pass).
        let (digest, now) = (outcome.candidate_digest.clone(), state.now_ms());
        state
            .db
            .run(move |s| s.set_active_rules(&digest, &published, now))
            .await?;
    }
    state.metrics.inc(
        Count::RulesReloads,
        &[("swapped", if outcome.swapped { "true" } else { "false" })],
    );
    Ok(outcome)
}

/// Follows the rules another instance published: when the database names other rules than
/// the ones running, loads their component (checked against the bundled vectors like every
/// reload). A component this instance refused is not tried again until another is published.
pub async fn follow_rules(state: &AppState, refused: &mut Option<String>) -> anyhow::Result<()> {
    let Some(digest) = state.db.run(|s| s.active_rules()).await? else {
        return Ok(());
    };
    if digest == state.rules.current().digest() || refused.as_deref() == Some(digest.as_str()) {
        return Ok(());
    }
    let Some(bytes) = state.db.run(|s| s.active_rules_component()).await? else {
        return Ok(());
    };
    let rules = state.rules.clone();
    let outcome = match tokio::task::spawn_blocking(move || rules.reload(&bytes)).await? {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::warn!(reason = %e.kind(), "the published rules cannot be loaded");
            *refused = Some(digest);
            return Ok(());
        }
    };
    tracing::info!(swapped = outcome.swapped, digest = %outcome.candidate_digest, "rules followed");
    state.metrics.inc(
        Count::RulesReloads,
        &[("swapped", if outcome.swapped { "true" } else { "false" })],
    );
    if !outcome.swapped {
        *refused = Some(digest);
    }
    Ok(())
}

/// Reloads the configured rules component (or the built-in one): the `SIGHUP` action.
pub async fn reload_configured(state: &AppState) -> Result<crate::rules::ReloadOutcome, Problem> {
    let bytes = match &state.config.rules_component {
        Some(path) => std::fs::read(path).map_err(Problem::internal)?,
        None => Vec::new(),
    };
    reload_bytes(state, bytes).await
}

/// Takes the secrets of `fresh` (a new reading of the configuration: the `SIGHUP` rotation,
/// [`Config::with_secrets_of`]) and re-provisions the bootstrap API keys, so a key removed from
/// its file stops working at once. In production a fresh reading with weak secrets is refused
/// and the running secrets stay. Settings other than secrets take effect at the next restart.
pub async fn reload_secrets(state: &AppState, fresh: Config) -> Result<SecretsReload, Problem> {
    if let Some(message) = fresh.startup_error() {
        return Err(Problem::client(StatusCode::UNPROCESSABLE_ENTITY, message).code("weak_secrets"));
    }
    let restart_needed = state.config.settings_differ(&fresh);
    let next = state.config.with_secrets_of(&fresh);
    let keys = next.bootstrap_keys.clone();
    let now = state.clock.now_ms();
    state
        .db
        .run(move |db| keys::provision_bootstrap(db, &keys, now))
        .await?;
    state.config.replace(next);
    Ok(SecretsReload { restart_needed })
}

/// What a secrets reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretsReload {
    /// The file or environment also changed settings that only a restart applies.
    pub restart_needed: bool,
}

/// A service running in-process.
#[derive(Debug)]
pub struct RunningService {
    /// The bound address (the real port when the config asked for port 0).
    pub addr: SocketAddr,
    /// The state the service runs on (store, rules).
    pub state: AppState,
    /// The operations listener's address, when configured.
    pub ops_addr: Option<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    ops: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
    worker: tokio::task::JoinHandle<()>,
    stop_worker: tokio::sync::watch::Sender<bool>,
}

/// How a stop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Every in-flight request and partner call finished within the bound.
    Clean,
    /// The bound passed: what was still running was abandoned uncommitted (a partner call
    /// stays `pending` and is sent again after the restart; a LifeFile order whose sending had
    /// begun is parked instead).
    Abandoned,
}

impl RunningService {
    /// The base URL, `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops: accepts nothing new, lets in-flight requests and the partner call under way
    /// finish, starts no new work, all within `config.drain_ms`; past it, abandons the rest
    /// (nothing half-committed: every change is one transaction).
    pub async fn shutdown(mut self) -> Drained {
        self.state
            .draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = self.stop_worker.send(true);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((tx, server)) = self.ops.take() {
            let _ = tx.send(());
            let _ = server.await;
        }
        let bound = std::time::Duration::from_millis(self.state.config.drain_ms);
        let both = async {
            let _ = (&mut self.server).await;
            let _ = (&mut self.worker).await;
        };
        if tokio::time::timeout(bound, both).await.is_ok() {
            tracing::info!("drained");
            return Drained::Clean;
        }
        tracing::warn!(
            drain_ms = self.state.config.drain_ms,
            "drain bound reached: in-flight work abandoned uncommitted, retried after restart"
        );
        self.server.abort();
        self.worker.abort();
        Drained::Abandoned
    }
}

/// Starts the full service (HTTP server + worker) on the current tokio runtime.
pub async fn start(config: Config) -> anyhow::Result<RunningService> {
    let listen = config.listen;
    let state = tokio::task::spawn_blocking(move || AppState::open(config)).await??;
    start_with_state(listen, state).await
}

/// Starts the service over a prepared state.
pub async fn start_with_state(
    listen: SocketAddr,
    state: AppState,
) -> anyhow::Result<RunningService> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(state.clone());
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker::run(state.clone(), worker_stopped));
    let server = tokio::spawn(guard::serve(listener, app, state.config.limits.clone(), rx));
    let (ops_addr, ops) = match state.config.ops_listen {
        Some(listen) => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            let ops_addr = listener.local_addr()?;
            let (tx, rx) = oneshot::channel::<()>();
            let server = tokio::spawn(guard::serve(
                listener,
                ops_router(state.clone()),
                state.config.limits.clone(),
                rx,
            ));
            tracing::info!(addr = %ops_addr, "rxgate operations listening");
            (Some(ops_addr), Some((tx, server)))
        }
        None => (None, None),
    };
    for warning in state.config.warnings() {
        tracing::warn!(warning = %warning, "configuration gap: the matching routes refuse work");
    }
    tracing::info!(%addr, "rxgate listening");
    Ok(RunningService {
        addr,
        ops_addr,
        ops,
        state,
        shutdown: Some(tx),
        server,
        worker,
        stop_worker,
    })
}
