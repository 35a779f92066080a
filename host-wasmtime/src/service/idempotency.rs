//! `Idempotency-Key` on the staff POSTs that queue partner calls or change an order (messages,
//! Beluga pass-throughs, triggers, submissions): the answer is stored with the change, in the
//! same transaction ([`crate::store::Change::idempotency`]), and a request repeating the key
//! gets the stored answer back (`idempotent-replayed: true`) with nothing done again — a
//! retried staff chat or CS message is sent once.
//!
//! The key is scoped to the API key, the route and the order, so two clients cannot collide.
//! A refused request (4xx) stores nothing: its retry is judged again. An answer is replayed
//! for `idempotency_ttl_hours` (default 24, like the common payment APIs); then the key may be
//! used again and the worker's hourly housekeeping deletes the answer.

use super::problem::Problem;
use super::{AppState, Caller};
use crate::store::IdempotentAnswer;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

/// An hour in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// The answer header marking a replay.
pub const REPLAYED: &str = "idempotent-replayed";

/// The request's key scoped to the caller, `route` (its template) and the order; `None`
/// without the header; a 400 for a key that is not 1–255 visible ASCII characters.
pub fn key(
    headers: &HeaderMap,
    caller: &Caller,
    route: &str,
    order_id: &str,
) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .filter(|v| !v.is_empty() && v.len() <= 255 && v.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            Problem::client(
                StatusCode::BAD_REQUEST,
                "Idempotency-Key must be 1 to 255 visible ASCII characters",
            )
            .code("invalid_idempotency_key")
        })?;
    Ok(Some(format!(
        "{} POST {route} {order_id} {text}",
        caller.key_id
    )))
}

/// The stored answer of `key`, if any.
pub async fn stored(
    state: &AppState,
    key: Option<&str>,
) -> Result<Option<IdempotentAnswer>, Problem> {
    let Some(key) = key.map(str::to_owned) else {
        return Ok(None);
    };
    let since = state
        .now_ms()
        .saturating_sub(i64::from(state.config.idempotency_ttl_hours) * HOUR_MS);
    Ok(state
        .db
        .run(move |s| s.idempotent_answer(&key, since))
        .await?)
}

/// The answer to store with the change (none without a key).
pub fn record(key: Option<&str>, status: StatusCode, body: &Value) -> Option<IdempotentAnswer> {
    key.map(|key| IdempotentAnswer {
        key: key.to_owned(),
        status: status.as_u16(),
        body: body.clone(),
    })
}

/// A stored answer, replayed.
pub fn replay(answer: IdempotentAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, Json(answer.body)).into_response();
    response.headers_mut().insert(
        HeaderName::from_static(REPLAYED),
        HeaderValue::from_static("true"),
    );
    response
}
