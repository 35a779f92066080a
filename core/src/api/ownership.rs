//! API operations of order ownership (`crate::order::ownership`): split a snapshot into the
//! clinic's input and the members rxgate owns, and assemble the snapshot the rules read from
//! the clinic's input, rxgate's state and the service's integration facts.
//!
//! `assemble_order` takes two documents, so it names them (`clinic`, `rxgate`) instead of
//! `input`. A schema error's `path` points into the request (`/clinic/patient/ssn`,
//! `/rxgate/order/beluga/submit_status`, `/integration`), its message says what was
//! expected, never the value.

use super::params::typed;
use super::{to_value, ApiError, ApiErrorCode, OpInfo};
use crate::order::ownership::{assemble, split, IntegrationFacts};
use serde_json::{json, Value};

/// Operations of this domain.
pub(super) const OPS: &[OpInfo] = &[
    OpInfo {
        name: "split_order",
        summary: "splits an order snapshot into the clinic's input and the members rxgate owns ({input} → {clinic, rxgate})",
    },
    OpInfo {
        name: "assemble_order",
        summary: "the snapshot the rules read: the clinic's input, rxgate's owned members, the status join and the service's integration facts ({clinic, rxgate, integration} → {snapshot})",
    },
];

fn member<'a>(request: &'a Value, name: &str, expected: &str) -> Result<&'a Value, ApiError> {
    match request.get(name) {
        Some(value @ Value::Object(_)) => Ok(value),
        _ => Err(ApiError::invalid_request(name, expected)),
    }
}

fn split_order(request: &Value) -> Result<Value, ApiError> {
    // The snapshot must be valid; the split itself keeps the members as given.
    super::order::snapshot(request)?;
    let (clinic, rxgate) = split(super::params::input(request)?);
    Ok(json!({ "clinic": clinic, "rxgate": rxgate }))
}

fn assemble_order(request: &Value) -> Result<Value, ApiError> {
    let clinic = member(request, "clinic", "the clinic's order input (an object)")?;
    let rxgate = member(
        request,
        "rxgate",
        "the members rxgate owns (an object; {} for a new order)",
    )?;
    let integration: IntegrationFacts = typed(
        member(
            request,
            "integration",
            "the service's integration facts (an object)",
        )?,
        "integration",
    )?;
    let snapshot = assemble(clinic, rxgate, &integration).map_err(|e| {
        let part = e.part.name();
        ApiError::new(
            ApiErrorCode::SchemaError,
            format!(
                "`{part}` does not make a valid order snapshot: {}",
                e.error.expected
            ),
        )
        .at(format!("/{part}{}", e.error.pointer))
    })?;
    Ok(json!({ "snapshot": to_value(&snapshot)? }))
}

/// Answers `op` when it belongs to this domain, else `None`.
pub(super) fn dispatch(op: &str, request: &Value) -> Option<Result<Value, ApiError>> {
    match op {
        "split_order" => Some(split_order(request)),
        "assemble_order" => Some(assemble_order(request)),
        _ => None,
    }
}
