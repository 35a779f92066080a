//! Inbound partner webhooks (webhooks.md): the core decides, the route stores.
//!
//! Every route hands the raw request to [`rxgate_core::events::ingest::accept`] — authenticate
//! the raw bytes (fail closed, constant time), check the body's JSON shape and the Beluga size
//! rule, split a LifeFile push into lines, key every event (RFC 8785 canonical content hash for
//! Beluga) — and stores what it accepts: every event of the request and its audit entries in
//! one transaction, answering 2xx only after the commit. Processing happens later, from the
//! stored copy ([`super::worker`]). A duplicate answers 2xx and changes nothing.
//!
//! The core is linked natively here, not called through the rules guest: ingest runs on every
//! request and its keys must never change across a rules reload (a reloaded guest cannot
//! change how redeliveries are recognised). No HMAC, hash or secret comparison is written in
//! this crate.

use super::openapi::{AckStatus, PharmacyPath, WebhookAck};
use super::problem::{Problem, RawBody};
use super::AppState;
use crate::config::{Environment, Secret};
use crate::store::{AuditEntry, Inserted, NewEvent};
use aide::axum::routing::post_with;
use aide::axum::ApiRouter;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use rxgate_core::events::auth::{AuthConfig, BasicCredential, Headers, HmacHeader};
use rxgate_core::events::ingest::{self, Ingest};
use rxgate_core::events::Source;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// Body cap of the Beluga route (lab requisitions carry PDFs).
pub const BELUGA_BODY_LIMIT: usize = 10 << 20;
/// Body cap of every other route (a Beluga event other than a lab requisition is held to
/// 1 MiB by the core's size rule).
pub const BODY_LIMIT: usize = 1 << 20;
/// Longest header value the routes read; longer ones are left out (and so fail auth).
const MAX_HEADER_BYTES: usize = 8 << 10;

/// The webhook routes.
pub fn routes() -> ApiRouter<AppState> {
    use super::openapi::{op, Answer};
    ApiRouter::new()
        .api_route(
            "/api/webhooks/beluga",
            post_with(beluga, |t| {
                op(t, "receiveBelugaEvent", "webhooks",
                    "Beluga events (Bearer or X-Webhook-Secret; 10 MiB cap, 1 MiB unless LAB_ORDER_REQUISITION_CREATED)",
                    &["webhookSecret"])
                .answer::<200, Json<WebhookAck>>()
            })
            .layer(DefaultBodyLimit::max(BELUGA_BODY_LIMIT)),
        )
        .api_route(
            "/api/webhooks/lifefile/{pharmacy_id}",
            post_with(lifefile, |t| {
                op(t, "receiveLifefileEvent", "webhooks",
                    "LifeFile status lines (HTTP Basic per pharmacy; one line or an array)",
                    &["basic"])
                .answer::<200, Json<WebhookAck>>()
            })
            .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .api_route(
            "/api/webhooks/dispensepro/{pharmacy_id}",
            post_with(dispensepro, |t| {
                op(t, "receiveDispenseproEvent", "webhooks",
                    "DispensePro status (Standard Webhooks signature)",
                    &["standardWebhooks"])
                .answer::<200, Json<WebhookAck>>()
            })
            .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .api_route(
            "/api/webhooks/pharmacy/{pharmacy_id}",
            post_with(own_pharmacy, |t| {
                op(t, "receivePharmacyEvent", "webhooks",
                    "OWN pharmacy events (Standard Webhooks signature)",
                    &["standardWebhooks"])
                .answer::<200, Json<WebhookAck>>()
            })
            .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
}

/// The authentication configuration of a route, from the service's configuration (secrets
/// exposed only into the core's verifier). `None`: no such pharmacy (404).
pub fn auth_config(state: &AppState, source: Source, pharmacy_id: &str) -> Option<AuthConfig> {
    let config = &state.config;
    let production = config.environment == Environment::Production;
    let base = AuthConfig {
        production,
        ..AuthConfig::default()
    };
    // The current secret, then the previous one during a rotation: the core tries each.
    let secrets = |current: &Option<Secret>, previous: &Option<Secret>| -> Vec<String> {
        [current, previous]
            .into_iter()
            .flatten()
            .map(|s| s.expose().to_owned())
            .collect()
    };
    Some(match source {
        Source::Beluga => AuthConfig {
            secrets: config
                .beluga
                .webhook_secrets
                .iter()
                .map(|s| s.expose().to_owned())
                .collect(),
            hmac: config.beluga.hmac_header.as_ref().map(|header| HmacHeader {
                header: header.clone(),
                encoding: config.beluga.hmac_encoding,
            }),
            ..base
        },
        Source::Lifefile => {
            let cfg = config.lifefile.get(pharmacy_id)?;
            AuthConfig {
                credentials: [&cfg.webhook_password, &cfg.webhook_password_previous]
                    .into_iter()
                    .flatten()
                    .map(|p| BasicCredential {
                        username: cfg.webhook_username.clone(),
                        password: p.expose().to_owned(),
                    })
                    .collect(),
                ..base
            }
        }
        Source::DispensePro => {
            let cfg = config.dispensepro.get(pharmacy_id)?;
            AuthConfig {
                secrets: secrets(&cfg.webhook_secret, &cfg.webhook_secret_previous),
                ..base
            }
        }
        Source::Own => {
            let cfg = config.pharmacies.get(pharmacy_id)?;
            AuthConfig {
                secrets: secrets(&cfg.webhook_secret, &cfg.webhook_secret_previous),
                allow_unsigned: cfg.allow_unsigned,
                ..base
            }
        }
    })
}

/// The request's headers as the core reads them (names lower-case; values that are not
/// visible ASCII or are longer than the cap are left out).
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(_, v)| v.len() <= MAX_HEADER_BYTES)
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

/// The connection's remote address, when the server recorded one (tests call the router
/// without a socket).
#[derive(Debug, Clone, Copy)]
pub struct Remote(pub Option<SocketAddr>);

impl axum::extract::FromRequestParts<AppState> for Remote {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| *a);
        Ok(Self(peer.map(|peer| {
            let ip = client_ip(peer.ip(), &parts.headers, &state.config.trusted_proxies);
            SocketAddr::new(ip, peer.port())
        })))
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the
/// `X-Forwarded-For` entry nearest to it that is not itself a trusted proxy (entries are
/// read right to left: only the ones trusted proxies appended are believed). No trusted
/// proxies (the default): the header is ignored.
pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in forwarded.iter().rev() {
        let Ok(ip) = entry.parse::<std::net::IpAddr>() else {
            break;
        };
        client = ip;
        if !trusted.contains(&ip) {
            break;
        }
    }
    client
}

impl aide::OperationInput for Remote {}

fn remote(info: &Remote) -> Option<String> {
    info.0.map(|a| a.ip().to_string())
}

/// One webhook request, whichever route: authenticate and key through the core, store in one
/// commit, answer.
async fn receive(
    state: &AppState,
    source: Source,
    pharmacy_id: Option<String>,
    info: &Remote,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, Json<WebhookAck>), Problem> {
    let Some(auth) = auth_config(state, source, pharmacy_id.as_deref().unwrap_or("")) else {
        return Err(Problem::not_found("pharmacy"));
    };
    let pairs = header_pairs(headers);
    let request = ingest::Request {
        source,
        pharmacy_id: pharmacy_id.as_deref(),
        headers: Headers(&pairs),
        body,
    };
    let now = state.now_ms();
    let verdict = ingest::accept(request, &auth, super::instant(now));
    let (unsigned, events) = match verdict {
        Ingest::Accepted {
            unsigned, events, ..
        } => (unsigned, events),
        Ingest::Refused {
            http_status,
            violations,
        } => return Err(refusal(state, source, http_status, violations)),
    };
    let partner = pharmacy_id.unwrap_or_default();
    let new: Vec<NewEvent> = events
        .into_iter()
        .map(|e| NewEvent {
            source: source.as_str().to_owned(),
            partner: partner.clone(),
            event: e.event,
            dedupe_key: e.key,
            raw: e.raw,
            unsigned,
            received_at: now,
        })
        .collect();
    let template = AuditEntry {
        at: now,
        source: source.as_str().to_owned(),
        actor: Some(format!("partner:{}", source.as_str())),
        request_id: Some(super::request_id(headers)),
        remote: remote(info),
        detail: unsigned.then(|| json!({ "unsigned": true })),
        ..AuditEntry::default()
    };
    let inserted = state
        .db
        .run(move |s| s.accept_events(&new, &template))
        .await?;
    let outcomes: Vec<&str> = inserted
        .iter()
        .map(|i| match i {
            Inserted::New(_) => "accepted",
            Inserted::Duplicate => "duplicate",
        })
        .collect();
    for outcome in &outcomes {
        state.metrics.inc(
            super::metrics::Count::WebhookEvents,
            &[("source", source.as_str()), ("outcome", outcome)],
        );
    }
    if inserted.iter().any(|i| matches!(i, Inserted::New(_))) {
        state.wake.notify_one();
    }
    let owned = || outcomes.iter().map(|o| (*o).to_owned()).collect();
    let status = match (source, outcomes.as_slice()) {
        (Source::Lifefile, _) => AckStatus::Many(owned()),
        (_, [one]) => AckStatus::One((*one).to_owned()),
        _ => AckStatus::Many(owned()),
    };
    Ok((StatusCode::OK, Json(WebhookAck { status })))
}

/// The problem for a refused request: the core's violations (they name headers and rules,
/// never values); configuration errors are logged for the operator.
fn refusal(
    state: &AppState,
    source: Source,
    http_status: u16,
    violations: Vec<rxgate_core::issue::Violation>,
) -> Problem {
    let status = StatusCode::from_u16(http_status).unwrap_or(StatusCode::UNAUTHORIZED);
    let outcome = match http_status {
        401 => "unauthorized",
        500 => "misconfigured",
        _ => "refused",
    };
    state.metrics.inc(
        super::metrics::Count::WebhookEvents,
        &[("source", source.as_str()), ("outcome", outcome)],
    );
    let codes: Vec<&str> = violations.iter().map(|v| v.code.as_str()).collect();
    if http_status == 500 {
        tracing::error!(source = source.as_str(), codes = ?codes, "webhook route not configured: refusing");
        return Problem::internal(format!(
            "the {} webhook route is not configured",
            source.as_str()
        ));
    }
    let title = match http_status {
        401 => "authentication required",
        413 => "the body is too large for this event",
        _ => "the webhook body is not what this route accepts",
    };
    let violations = violations
        .iter()
        .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
        .collect();
    let problem = Problem::violations(title, violations).with_status(status);
    if http_status == 401 {
        problem.with_authenticate("Webhook")
    } else {
        problem
    }
}

async fn beluga(
    State(state): State<AppState>,
    info: Remote,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<WebhookAck>), Problem> {
    receive(&state, Source::Beluga, None, &info, &headers, &body).await
}

async fn lifefile(
    State(state): State<AppState>,
    Path(PharmacyPath { pharmacy_id }): Path<PharmacyPath>,
    info: Remote,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<WebhookAck>), Problem> {
    receive(
        &state,
        Source::Lifefile,
        Some(pharmacy_id),
        &info,
        &headers,
        &body,
    )
    .await
}

async fn dispensepro(
    State(state): State<AppState>,
    Path(PharmacyPath { pharmacy_id }): Path<PharmacyPath>,
    info: Remote,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<WebhookAck>), Problem> {
    receive(
        &state,
        Source::DispensePro,
        Some(pharmacy_id),
        &info,
        &headers,
        &body,
    )
    .await
}

async fn own_pharmacy(
    State(state): State<AppState>,
    Path(PharmacyPath { pharmacy_id }): Path<PharmacyPath>,
    info: Remote,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<WebhookAck>), Problem> {
    receive(
        &state,
        Source::Own,
        Some(pharmacy_id),
        &info,
        &headers,
        &body,
    )
    .await
}
