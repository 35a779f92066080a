//! API operations of the `calls` domain: the decisions around partner calls the service
//! makes through the core (submission planning, call outcomes, message bodies).
//!
//! Each request is read into its typed struct of [`crate::order::calls`] — the same struct
//! the host serializes — so an unknown member or a wrong type is misuse: `schema_error` when
//! it lies in the snapshot under `input`, `invalid_request` elsewhere, with the JSON Pointer
//! of the member and never its value.

use super::{to_value, ApiError, ApiErrorCode, OpInfo};
use crate::order::calls::{
    build_message, plan_submission, record_call_outcome, BuildMessageRequest, InvalidRequest,
    PlanSubmissionRequest, RecordCallOutcomeRequest,
};
use crate::order::snapshot::path_error;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Operations of this domain.
pub(super) const OPS: &[OpInfo] = &[
    OpInfo {
        name: "plan_submission",
        summary: "plan a Beluga submission for a trigger or a staff retry: submit with the call to queue, or wait/skip with violations ({input, trigger?, manual, master_id, attempt, now})",
    },
    OpInfo {
        name: "record_call_outcome",
        summary: "what a partner call's answer means: classification, disposition, facts applied to the snapshot, follow-up calls, error ({input, call, answer, now})",
    },
    OpInfo {
        name: "build_message",
        summary: "a chat or CS message to Beluga: the call to queue and the activity, or violations ({input, to, content, master_id})",
    },
];

/// Reads the typed request, mapping serde's error to an [`ApiError`] at its pointer.
fn typed<T: DeserializeOwned>(request: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(request).map_err(|e| {
        let err = path_error(e);
        let (code, what) = if err.pointer.starts_with("/input") {
            (
                ApiErrorCode::SchemaError,
                "`input` is not a valid order snapshot",
            )
        } else {
            (
                ApiErrorCode::InvalidRequest,
                "the request does not match its schema",
            )
        };
        ApiError::new(code, format!("{what}: {}", err.expected)).at(err.pointer)
    })
}

fn misuse(err: InvalidRequest) -> ApiError {
    ApiError::new(ApiErrorCode::InvalidRequest, err.to_string()).at(err.pointer)
}

/// Answers `op` when it belongs to this domain, else `None`.
pub(super) fn dispatch(op: &str, request: &Value) -> Option<Result<Value, ApiError>> {
    let answer = match op {
        "plan_submission" => typed::<PlanSubmissionRequest>(request)
            .and_then(|r| plan_submission(&r).map_err(misuse))
            .and_then(|a| to_value(&a)),
        "record_call_outcome" => typed::<RecordCallOutcomeRequest>(request)
            .and_then(|r| record_call_outcome(&r).map_err(misuse))
            .and_then(|a| to_value(&a)),
        "build_message" => {
            typed::<BuildMessageRequest>(request).and_then(|r| to_value(&build_message(&r)))
        }
        _ => return None,
    };
    Some(answer)
}
