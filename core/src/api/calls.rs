//! API operations of the `calls` domain: the decisions around partner calls the service
//! makes through the core (submission planning, call outcomes, message bodies).
//!
//! Each request is read into its typed struct of [`crate::order::calls`] — the same struct
//! the host serializes — so an unknown member or a wrong type is misuse: `schema_error` when
//! it lies in the snapshot under `input`, `invalid_request` elsewhere, with the JSON Pointer
//! of the member and never its value.

use super::{ApiError, ApiErrorCode, Request};
use crate::order::calls::{
    build_message, plan_submission, plan_visit_fetch, record_call_outcome, BuildMessageRequest,
    CallOutcome, InvalidRequest, MessagePlan, PlanSubmissionRequest, PlanVisitFetchRequest,
    RecordCallOutcomeRequest, SubmissionPlan, VisitFetchPlan,
};
use crate::order::snapshot::path_error;
use crate::routing::dispensepro_actions::{
    decide_dispensepro_action, record_dispensepro_action, DispenseProActionDecision,
    DispenseProActionOutcome, DispenseProActionRequest, RecordDispenseProActionRequest,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

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

impl Request<'_> for PlanSubmissionRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

impl Request<'_> for RecordCallOutcomeRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

impl Request<'_> for crate::order::erase::DecideEraseRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

impl Request<'_> for PlanVisitFetchRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

impl Request<'_> for crate::diagnosis::calls::BelugaCallRetryRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

/// `decide_beluga_call_retry`.
pub(super) fn beluga_call_retry(
    r: crate::diagnosis::calls::BelugaCallRetryRequest,
) -> Result<crate::diagnosis::calls::BelugaCallRetry, ApiError> {
    Ok(crate::diagnosis::calls::decide_beluga_call_retry(&r))
}

/// `decide_erase`.
pub(super) fn erase(
    r: crate::order::erase::DecideEraseRequest,
) -> Result<crate::order::erase::EraseDecision, ApiError> {
    Ok(crate::order::erase::decide_erase(&r))
}

impl Request<'_> for BuildMessageRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

impl Request<'_> for DispenseProActionRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

impl Request<'_> for RecordDispenseProActionRequest {
    fn read(request: &Value) -> Result<Self, ApiError> {
        typed(request)
    }
}

/// `decide_dispensepro_action`.
pub(super) fn dispensepro_action(
    r: DispenseProActionRequest,
) -> Result<DispenseProActionDecision, ApiError> {
    Ok(decide_dispensepro_action(&r))
}

/// `record_dispensepro_action`.
pub(super) fn dispensepro_outcome(
    r: RecordDispenseProActionRequest,
) -> Result<DispenseProActionOutcome, ApiError> {
    Ok(record_dispensepro_action(&r))
}

/// `plan_submission`.
pub(super) fn plan(r: PlanSubmissionRequest) -> Result<SubmissionPlan, ApiError> {
    plan_submission(&r).map_err(misuse)
}

/// `record_call_outcome`.
pub(super) fn outcome(r: RecordCallOutcomeRequest) -> Result<CallOutcome, ApiError> {
    record_call_outcome(&r).map_err(misuse)
}

/// `build_message`.
pub(super) fn message(r: BuildMessageRequest) -> Result<MessagePlan, ApiError> {
    Ok(build_message(&r))
}

/// `plan_visit_fetch`.
pub(super) fn visit_fetch(r: PlanVisitFetchRequest) -> Result<VisitFetchPlan, ApiError> {
    plan_visit_fetch(&r).map_err(misuse)
}
