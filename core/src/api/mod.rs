//! The one JSON API every binding re-exports (cedar's `ffi` module).
//!
//! Each operation exists as a typed function in its domain module and here as
//! `call(op, request)`: a JSON request in, a JSON response out. [`call_json_str`] wraps it
//! for string ABIs (the wasmtime guest) in an envelope `{"ok": response}` or
//! `{"err": {"code", "message"}}`. Verdicts are always `ok` data; `err` is only for misuse
//! (unknown operation, malformed request envelope) and never echoes input values.
//!
//! Requests are objects; the main document of an operation is always under `input`
//! (the payload to validate, the order snapshot, the webhook body), with the operation's
//! parameters beside it (`kind`, `today`, `trigger`, …). The operation list is [`OPS`].

mod calls;
mod contract;
mod error;
mod events;
mod order;
mod ownership;
pub mod params;
pub mod vectors;

pub use error::{ApiError, ApiErrorCode};

use serde_json::Value;

/// Description of one operation of the API.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct OpInfo {
    /// Operation name, e.g. `validate`.
    pub name: &'static str,
    /// One line saying what it does.
    pub summary: &'static str,
}

/// Operations answered by this module itself.
const OWN_OPS: &[OpInfo] = &[
    OpInfo {
        name: "codes",
        summary: "the registry of violation and decision codes",
    },
    OpInfo {
        name: "ops",
        summary: "the list of operations of this API",
    },
];

/// The operation lists of every domain, in order.
const ALL_OPS: &[&[OpInfo]] = &[
    OWN_OPS,
    contract::OPS,
    order::OPS,
    ownership::OPS,
    calls::OPS,
    events::OPS,
];

/// Every operation [`call`] understands.
pub fn ops() -> impl Iterator<Item = &'static OpInfo> {
    ALL_OPS.iter().flat_map(|list| list.iter())
}

/// Runs operation `op` on a JSON `request` (an object; see the module docs).
pub fn call(op: &str, request: &Value) -> Result<Value, ApiError> {
    let answer = match op {
        "codes" => Some(to_value(
            &crate::registry::all_codes()
                .map(|c| c.info())
                .collect::<Vec<_>>(),
        )),
        "ops" => Some(to_value(&ops().collect::<Vec<_>>())),
        _ => None,
    };
    let answer = answer
        .or_else(|| contract::dispatch(op, request))
        .or_else(|| order::dispatch(op, request))
        .or_else(|| ownership::dispatch(op, request))
        .or_else(|| calls::dispatch(op, request))
        .or_else(|| events::dispatch(op, request));
    match answer {
        Some(result) => result.map_err(|e| e.with_op(op)),
        None => Err(ApiError::new(
            ApiErrorCode::UnknownOp,
            format!("unknown operation `{op}`"),
        )),
    }
}

/// Runs `op` on a request given as JSON text and answers with the JSON text of the envelope
/// `{"ok": response}` or `{"err": {"code", "message"}}`. Never panics on any input.
pub fn call_json_str(op: &str, request: &str) -> String {
    let result = parse_request(request).and_then(|req| call(op, &req));
    envelope(result)
}

/// Parses request text, reporting syntax errors with line, column and byte offset.
pub fn parse_request(text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::invalid_json(&e, text))
}

/// Wraps a result in the `{"ok"}` / `{"err"}` envelope as JSON text.
pub fn envelope(result: Result<Value, ApiError>) -> String {
    let value = match result {
        Ok(v) => serde_json::json!({ "ok": v }),
        Err(e) => serde_json::json!({ "err": e }),
    };
    value.to_string()
}

/// Serializes a typed response into a JSON value.
pub(crate) fn to_value<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| {
        ApiError::new(
            ApiErrorCode::Internal,
            format!("could not serialize the response: {e}"),
        )
    })
}
