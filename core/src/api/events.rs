//! API operations of the `events` domain: parse, authenticate, key, apply and redact partner
//! webhooks. The partner body is always under `input` (parsed JSON); `source` is one of
//! `beluga`, `lifefile`, `dispensepro`, `pharmacy`; `now` is an RFC 3339 instant or an
//! integer of Unix milliseconds (what the host sends).

use super::params::{input, now, opt_str, req_str, typed};
use super::{to_value, ApiError, ApiErrorCode, OpInfo};
use crate::events::apply::apply;
use crate::events::auth::{verify, AuthConfig, Headers};
use crate::events::dedupe::{content_hash, event_keys, KeyContext, KeyError};
use crate::events::redact::redact_body;
use crate::events::{parse, Source};
use crate::order::snapshot::parse_snapshot;
use base64::Engine;
use serde_json::{json, Value};

/// Operations of this domain.
pub(super) const OPS: &[OpInfo] = &[
    OpInfo {
        name: "parse_event",
        summary: "a partner webhook body into a typed event, or every violation ({source, input, body_bytes?})",
    },
    OpInfo {
        name: "verify_webhook",
        summary: "authenticate a webhook request: headers, raw body, configured secrets, now ({source, headers, body|body_base64, config, now})",
    },
    OpInfo {
        name: "event_key",
        summary: "the idempotency key(s) of a webhook body ({source, input, pharmacy_id?, webhook_id?})",
    },
    OpInfo {
        name: "apply_event",
        summary: "what an event changes: new snapshot and state, records, activities, notifications, outbox, flags, audit ({source, input, order, state?, now, pharmacy_id?, webhook_id?})",
    },
    OpInfo {
        name: "redact_event",
        summary: "the audit/log form of a webhook body with PHI removed ({source, input})",
    },
];

const SOURCES: &str = "one of beluga, lifefile, dispensepro, pharmacy";

fn source(request: &Value) -> Result<Source, ApiError> {
    let name =
        req_str(request, "source").map_err(|_| ApiError::invalid_request("source", SOURCES))?;
    Source::from_name(name).ok_or_else(|| ApiError::invalid_request("source", SOURCES))
}

fn headers(request: &Value) -> Result<Vec<(String, String)>, ApiError> {
    let expected = "an object of header names to string values";
    match request.get("headers") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(ApiError::invalid_request("headers", expected)),
            })
            .collect(),
        Some(_) => Err(ApiError::invalid_request("headers", expected)),
    }
}

/// The raw body: `body` (text, exact bytes as UTF-8) or `body_base64`.
fn raw_body(request: &Value) -> Result<Vec<u8>, ApiError> {
    if let Some(b64) = opt_str(request, "body_base64")? {
        return base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| ApiError::invalid_request("body_base64", "standard base64"));
    }
    match request.get("body") {
        Some(Value::String(text)) => Ok(text.as_bytes().to_vec()),
        _ => Err(ApiError::invalid_request(
            "body",
            "the raw body as a string (or give `body_base64`)",
        )),
    }
}

fn keys(source: Source, request: &Value, body: &Value) -> Result<Vec<String>, ApiError> {
    let ctx = KeyContext {
        pharmacy_id: opt_str(request, "pharmacy_id")?,
        webhook_id: opt_str(request, "webhook_id")?,
    };
    event_keys(source, body, ctx).map_err(|e| match e {
        KeyError::PharmacyIdMissing => {
            ApiError::invalid_request("pharmacy_id", "the route's pharmacy id (a string)")
        }
        KeyError::WebhookIdMissing => {
            ApiError::invalid_request("webhook_id", "the webhook-id header (a string)")
        }
    })
}

/// Keys for `apply_event`: as [`keys`], but a signed source without `webhook_id` falls back
/// to a content key (`{source}:{pharmacy}:sha256-{hash}`) so stored events always apply.
fn apply_keys(source: Source, request: &Value, body: &Value) -> Result<Vec<String>, ApiError> {
    let signed = matches!(source, Source::DispensePro | Source::Own);
    if signed && opt_str(request, "webhook_id")?.is_none() {
        let pharmacy = opt_str(request, "pharmacy_id")?.unwrap_or("-");
        return Ok(vec![format!(
            "{}:{pharmacy}:sha256-{}",
            source.as_str(),
            content_hash(body)
        )]);
    }
    keys(source, request, body)
}

fn apply_event(request: &Value) -> Result<Value, ApiError> {
    let source = source(request)?;
    let body = input(request)?;
    let at = now(request)?;
    let order = request
        .get("order")
        .ok_or_else(|| ApiError::invalid_request("order", "the order snapshot"))?;
    let snapshot = parse_snapshot(order).map_err(|e| {
        ApiError::new(
            ApiErrorCode::SchemaError,
            format!("`order` is not a valid order snapshot: {}", e.expected),
        )
        .at(format!("/order{}", e.pointer))
    })?;
    let keys = apply_keys(source, request, body)?;
    let parsed = parse(source, body, None);
    let Some(event) = parsed.event.as_ref() else {
        return Ok(json!({
            "valid": false,
            "outcome": "rejected",
            "violations": to_value(&parsed.violations)?,
            "keys": keys,
        }));
    };
    let pharmacy_id = opt_str(request, "pharmacy_id")?;
    let effects = apply(&snapshot, event, &keys, pharmacy_id, at);
    let mut answer = to_value(&effects)?;
    let mut state = match request.get("state") {
        Some(Value::Object(map)) => map.clone(),
        _ => serde_json::Map::new(),
    };
    state.insert("order_state".to_owned(), to_value(&effects.order_state)?);
    state.insert(
        "lab_milestone".to_owned(),
        to_value(&effects.lab_milestone)?,
    );
    if let Value::Object(map) = &mut answer {
        map.insert("valid".to_owned(), Value::Bool(true));
        map.insert("state".to_owned(), Value::Object(state));
        map.insert("outcome".to_owned(), to_value(&effects.audit.outcome)?);
    }
    Ok(answer)
}

/// Answers `op` when it belongs to this domain, else `None`.
pub(super) fn dispatch(op: &str, request: &Value) -> Option<Result<Value, ApiError>> {
    let run = || -> Result<Value, ApiError> {
        match op {
            "parse_event" => {
                let source = source(request)?;
                let body = input(request)?;
                let size = match request.get("body_bytes") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(
                        v.as_u64()
                            .and_then(|n| usize::try_from(n).ok())
                            .ok_or_else(|| {
                                ApiError::invalid_request("body_bytes", "a non-negative integer")
                            })?,
                    ),
                };
                to_value(&parse(source, body, size))
            }
            "verify_webhook" => {
                let source = source(request)?;
                let headers = headers(request)?;
                let body = raw_body(request)?;
                let config: AuthConfig = match request.get("config") {
                    None | Some(Value::Null) => AuthConfig {
                        production: true,
                        ..AuthConfig::default()
                    },
                    Some(v) => typed(v, "config")?,
                };
                let at = now(request)?;
                to_value(&verify(source, Headers(&headers), &body, &config, at))
            }
            "event_key" => {
                let source = source(request)?;
                let body = input(request)?;
                let keys = keys(source, request, body)?;
                Ok(json!({ "key": keys.first(), "keys": keys }))
            }
            "apply_event" => apply_event(request),
            "redact_event" => {
                let source = source(request)?;
                Ok(redact_body(source, input(request)?))
            }
            _ => Err(ApiError::new(ApiErrorCode::UnknownOp, String::new())),
        }
    };
    if OPS.iter().any(|o| o.name == op) {
        Some(run())
    } else {
        None
    }
}
