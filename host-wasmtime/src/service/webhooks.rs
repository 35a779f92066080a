//! Inbound partner webhooks (webhooks.md): authenticate before parsing, cap the body per
//! route, store the raw event durably under its dedupe key, and answer 2xx only after the
//! commit. Processing happens later, from the stored copy ([`super::worker`]). A duplicate
//! answers 2xx and changes nothing; every request gets an audit entry without PHI.
//!
//! Authentication is fail-closed: a route whose secret is not configured refuses every
//! request with a 500 and a configuration error in the log. Secrets are compared in constant
//! time (HMAC verification or a digest comparison).

use super::problem::{Problem, RawBody};
use super::{now_ms, AppState};
use crate::config::{Environment, HmacEncoding};
use crate::store::{AuditEntry, Inserted, NewEvent};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

type HmacSha256 = Hmac<Sha256>;

/// Body cap of the Beluga route (lab requisitions carry PDFs).
pub const BELUGA_BODY_LIMIT: usize = 10 << 20;
/// Body cap of every other route, and of a Beluga event other than a lab requisition.
pub const BODY_LIMIT: usize = 1 << 20;
/// Largest clock skew accepted on a Standard Webhooks timestamp, in seconds.
pub const TIMESTAMP_TOLERANCE_S: i64 = 300;

/// The webhook routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/webhooks/beluga",
            post(beluga).layer(DefaultBodyLimit::max(BELUGA_BODY_LIMIT)),
        )
        .route(
            "/api/webhooks/lifefile/{pharmacy_id}",
            post(lifefile).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route(
            "/api/webhooks/dispensepro/{pharmacy_id}",
            post(dispensepro).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route(
            "/api/webhooks/pharmacy/{pharmacy_id}",
            post(own_pharmacy).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
}

/// Constant-time equality of two secrets (compares their SHA-256 digests with HMAC's
/// constant-time verifier, so lengths leak nothing either).
pub fn secret_eq(given: &str, expected: &str) -> bool {
    let Ok(mut mac) = HmacSha256::new_from_slice(b"rxgate-secret-compare") else {
        return false;
    };
    mac.update(expected.as_bytes());
    let expected_tag = mac.finalize().into_bytes();
    let Ok(mut mac) = HmacSha256::new_from_slice(b"rxgate-secret-compare") else {
        return false;
    };
    mac.update(given.as_bytes());
    mac.verify_slice(&expected_tag).is_ok()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn misconfigured(route: &str) -> Problem {
    Problem::internal(format!(
        "webhook secret for {route} is not configured: refusing"
    ))
}

/// Verifies a Standard Webhooks signature (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature: v1,<base64> …`) over the raw body with a `whsec_` secret.
pub fn verify_standard(headers: &HeaderMap, body: &[u8], secret: &str, now_s: i64) -> bool {
    let (Some(id), Some(ts), Some(sigs)) = (
        header(headers, "webhook-id"),
        header(headers, "webhook-timestamp"),
        header(headers, "webhook-signature"),
    ) else {
        return false;
    };
    let Ok(ts_value) = ts.parse::<i64>() else {
        return false;
    };
    if (now_s - ts_value).abs() > TIMESTAMP_TOLERANCE_S {
        return false;
    }
    let key_b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    let Ok(key) = base64::engine::general_purpose::STANDARD.decode(key_b64) else {
        return false;
    };
    sigs.split(' ').any(|sig| {
        let Some(b64) = sig.strip_prefix("v1,") else {
            return false;
        };
        let Ok(tag) = base64::engine::general_purpose::STANDARD.decode(b64) else {
            return false;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&key) else {
            return false;
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&tag).is_ok()
    })
}

/// Signs like Standard Webhooks (for partners' simulators and tests).
pub fn sign_standard(id: &str, ts: i64, body: &[u8], secret: &str) -> String {
    let key_b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .unwrap_or_default();
    let Ok(mut mac) = HmacSha256::new_from_slice(&key) else {
        return String::new();
    };
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// The Beluga dedupe key: `beluga:{event}:{masterId}:{orderId or -}:{sha256 of canonical JSON}`.
pub fn beluga_key(body: &Value) -> String {
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_owned()
    };
    // serde_json's map is ordered and its output has no whitespace: the canonical form for
    // the string-valued bodies Beluga sends.
    let digest = crate::rules::hex(&Sha256::digest(body.to_string().as_bytes()));
    format!(
        "beluga:{}:{}:{}:{digest}",
        s("event"),
        s("masterId"),
        s("orderId")
    )
}

struct Intake<'a> {
    source: &'a str,
    partner: String,
    event: String,
    key: String,
    raw: Vec<u8>,
    unsigned: bool,
}

/// Stores one event and writes its audit entry; answers `accepted` or `duplicate`.
async fn store_event(
    state: &AppState,
    intake: Intake<'_>,
    remote: Option<SocketAddr>,
    request_id: &str,
) -> Result<&'static str, Problem> {
    let now = now_ms();
    let event = NewEvent {
        source: intake.source.to_owned(),
        partner: intake.partner,
        event: intake.event.clone(),
        dedupe_key: intake.key,
        raw: intake.raw,
        unsigned: intake.unsigned,
        received_at: now,
    };
    let inserted = state.db.run(move |s| s.insert_event(&event)).await?;
    let outcome = match inserted {
        Inserted::New(_) => "accepted",
        Inserted::Duplicate => "duplicate",
    };
    let entry = AuditEntry {
        at: now,
        source: intake.source.to_owned(),
        event: intake.event,
        order_id: None,
        outcome: outcome.to_owned(),
        request_id: Some(request_id.to_owned()),
        remote: remote.map(|a| a.ip().to_string()),
        detail: intake.unsigned.then(|| json!({ "unsigned": true })),
    };
    state.db.run(move |s| s.audit(&entry)).await?;
    state.metrics.inc(
        "rxgate_webhook_events_total",
        &[("source", intake.source), ("outcome", outcome)],
    );
    if matches!(inserted, Inserted::New(_)) {
        state.wake.notify_one();
    }
    Ok(outcome)
}

/// A configured pharmacy of a route, or 404.
fn pharmacy<'a, T>(
    map: &'a std::collections::BTreeMap<String, T>,
    id: &str,
) -> Result<&'a T, Problem> {
    map.get(id).ok_or_else(|| Problem::not_found("pharmacy"))
}

fn request_id(headers: &HeaderMap) -> String {
    header(headers, "x-request-id")
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn remote(info: &axum::http::Extensions) -> Option<SocketAddr> {
    info.get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| *a)
}

fn refused(state: &AppState, source: &str) -> Problem {
    state.metrics.inc(
        "rxgate_webhook_events_total",
        &[("source", source), ("outcome", "unauthorized")],
    );
    Problem::unauthorized()
}

async fn beluga(
    State(state): State<AppState>,
    info: axum::http::Extensions,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let cfg = &state.config.beluga;
    if cfg.webhook_secrets.is_empty() {
        return Err(misconfigured("beluga"));
    }
    let given = header(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| header(&headers, "x-webhook-secret"))
        .unwrap_or("");
    let secret_ok = cfg.webhook_secrets.iter().any(|s| secret_eq(given, s));
    let hmac_ok = match &cfg.hmac_header {
        None => true,
        Some(name) => header(&headers, name).is_some_and(|sig| {
            cfg.webhook_secrets.iter().any(|secret| {
                let tag = match cfg.hmac_encoding {
                    HmacEncoding::Hex => decode_hex(sig.trim()),
                    HmacEncoding::Base64 => base64::engine::general_purpose::STANDARD
                        .decode(sig.trim())
                        .ok(),
                };
                let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
                    return false;
                };
                mac.update(&body);
                tag.is_some_and(|t| mac.verify_slice(&t).is_ok())
            })
        }),
    };
    if !secret_ok || !hmac_ok {
        return Err(refused(&state, "beluga"));
    }
    let parsed: Value = serde_json::from_slice(&body)
        .map_err(|_| Problem::client(StatusCode::BAD_REQUEST, "the body is not JSON"))?;
    if !parsed.is_object() {
        return Err(Problem::client(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        ));
    }
    let event = parsed
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if body.len() > BODY_LIMIT && event != "LAB_ORDER_REQUISITION_CREATED" {
        return Err(Problem::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is too large for this event",
        ));
    }
    let intake = Intake {
        source: "beluga",
        partner: String::new(),
        key: beluga_key(&parsed),
        event,
        raw: body.to_vec(),
        unsigned: false,
    };
    let outcome = store_event(&state, intake, remote(&info), &request_id(&headers)).await?;
    Ok((StatusCode::OK, Json(json!({ "status": outcome }))))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

async fn lifefile(
    State(state): State<AppState>,
    Path(pharmacy_id): Path<String>,
    info: axum::http::Extensions,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let cfg = pharmacy(&state.config.lifefile, &pharmacy_id)?;
    let Some(password) = cfg.webhook_password.as_deref() else {
        return Err(misconfigured("lifefile"));
    };
    let given = header(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let expected = format!("{}:{password}", cfg.webhook_username);
    if !secret_eq(&given, &expected) {
        return Err(refused(&state, "lifefile"));
    }
    let parsed: Value = serde_json::from_slice(&body)
        .map_err(|_| Problem::client(StatusCode::BAD_REQUEST, "the body is not JSON"))?;
    let lines = parsed
        .as_array()
        .ok_or_else(|| Problem::client(StatusCode::BAD_REQUEST, "the body must be a JSON array"))?;
    let rid = request_id(&headers);
    let mut outcomes = Vec::new();
    for line in lines {
        let s = |k: &str| {
            line.get(k)
                .and_then(Value::as_str)
                .unwrap_or("-")
                .to_owned()
        };
        let intake = Intake {
            source: "lifefile",
            partner: pharmacy_id.clone(),
            event: s("rxStatus"),
            key: format!(
                "lifefile:{}:{}:{}:{}",
                s("orderId"),
                s("fillId"),
                s("rxStatus"),
                s("rxStatusDateTime")
            ),
            raw: line.to_string().into_bytes(),
            unsigned: false,
        };
        outcomes.push(store_event(&state, intake, remote(&info), &rid).await?);
    }
    Ok((StatusCode::OK, Json(json!({ "status": outcomes }))))
}

async fn dispensepro(
    State(state): State<AppState>,
    Path(pharmacy_id): Path<String>,
    info: axum::http::Extensions,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let cfg = pharmacy(&state.config.dispensepro, &pharmacy_id)?;
    let Some(secret) = cfg.webhook_secret.as_deref() else {
        return Err(misconfigured("dispensepro"));
    };
    if !verify_standard(&headers, &body, secret, now_ms() / 1000) {
        return Err(refused(&state, "dispensepro"));
    }
    standard_intake(
        &state,
        "dispensepro",
        pharmacy_id,
        info,
        &headers,
        &body,
        false,
    )
    .await
}

async fn own_pharmacy(
    State(state): State<AppState>,
    Path(pharmacy_id): Path<String>,
    info: axum::http::Extensions,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let cfg = pharmacy(&state.config.pharmacies, &pharmacy_id)?;
    let unsigned = match cfg.webhook_secret.as_deref() {
        Some(secret) => {
            if !verify_standard(&headers, &body, secret, now_ms() / 1000) {
                return Err(refused(&state, "pharmacy"));
            }
            false
        }
        None if cfg.allow_unsigned && state.config.environment != Environment::Production => true,
        None => return Err(misconfigured("pharmacy")),
    };
    standard_intake(
        &state,
        "pharmacy",
        pharmacy_id,
        info,
        &headers,
        &body,
        unsigned,
    )
    .await
}

async fn standard_intake(
    state: &AppState,
    source: &'static str,
    pharmacy_id: String,
    info: axum::http::Extensions,
    headers: &HeaderMap,
    body: &[u8],
    unsigned: bool,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|_| Problem::client(StatusCode::BAD_REQUEST, "the body is not JSON"))?;
    let event = parsed
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let id = match header(headers, "webhook-id") {
        Some(id) => id.to_owned(),
        // Unsigned requests (allowed outside production) may lack an id: key on the body.
        None => crate::rules::hex(&Sha256::digest(body)),
    };
    let intake = Intake {
        source,
        key: format!("{source}:{pharmacy_id}:{id}"),
        partner: pharmacy_id,
        event,
        raw: body.to_vec(),
        unsigned,
    };
    let outcome = store_event(state, intake, remote(&info), &request_id(headers)).await?;
    Ok((StatusCode::OK, Json(json!({ "status": outcome }))))
}
