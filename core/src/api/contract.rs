//! API operations of the `contract` domain: validation of the nine outbound bodies (from a
//! JSON value or from JSON text), the normalisers, and response parsing.

use super::params::{evaluation_date, input, opt_str, req_str, typed};
use super::{to_value, ApiError, ApiErrorCode, OpInfo};
use crate::contract::normalize::{self, Field, NormalizeError};
use crate::contract::response::{parse_response, Endpoint, HttpAnswer};
use crate::contract::{validate_str, validate_value, Kind, ValidateOptions};
use serde_json::{json, Value};

/// Operations of this domain.
pub(super) const OPS: &[OpInfo] = &[
    OpInfo { name: "validate", summary: "validates an outbound Beluga body: {valid, violations, warnings} ({kind, input, today? (else now? at UTC−10), allowed_states?, max_image_bytes?})" },
    OpInfo { name: "validate_text", summary: "as validate, the body given as JSON text parsed inside the core, the fast path ({kind, text, today? or now?, allowed_states?})" },
    OpInfo { name: "normalize", summary: "a normaliser: phone, date, state, trim, multiple_choice_question, multiple_choice_answer ({field, input, choices?})" },
    OpInfo { name: "parse_response", summary: "types and classifies a Beluga answer ({kind, input: {status, body, network_error?}})" },
];

const KINDS: &str =
    "one of visit, lab, photos, pdf, chat, cs-message, patient-name, pharmacy-search, update-visit";
const ENDPOINTS: &str = "a request kind (visit, lab, …) or fetch-patient, fetch-visit";
const FIELDS: &str =
    "one of phone, date, state, trim, multiple_choice_question, multiple_choice_answer";

/// Answers `op` when it belongs to this domain, else `None`.
pub(super) fn dispatch(op: &str, request: &Value) -> Option<Result<Value, ApiError>> {
    Some(match op {
        "validate" => validate(request),
        "validate_text" => validate_text(request),
        "normalize" => normalize_op(request),
        "parse_response" => parse(request),
        _ => return None,
    })
}

fn kind(request: &Value) -> Result<Kind, ApiError> {
    let name = req_str(request, "kind").map_err(|_| ApiError::invalid_request("kind", KINDS))?;
    Kind::from_name(name).ok_or_else(|| ApiError::invalid_request("kind", KINDS))
}

fn options(request: &Value) -> Result<ValidateOptions, ApiError> {
    let allowed_states = match request.get("allowed_states") {
        None | Some(Value::Null) => None,
        Some(v) => Some(typed::<Vec<String>>(v, "allowed_states")?),
    };
    let max_image_bytes = match request.get("max_image_bytes") {
        None | Some(Value::Null) => None,
        Some(v) => Some(typed::<usize>(v, "max_image_bytes")?),
    };
    Ok(ValidateOptions {
        today: evaluation_date(request)?,
        allowed_states,
        max_image_bytes,
    })
}

fn validate(request: &Value) -> Result<Value, ApiError> {
    let kind = kind(request)?;
    let options = options(request)?;
    to_value(&validate_value(kind, input(request)?, &options))
}

fn validate_text(request: &Value) -> Result<Value, ApiError> {
    let kind = kind(request)?;
    let options = options(request)?;
    let text = req_str(request, "text")?;
    let report =
        validate_str(kind, text, &options).map_err(|e| ApiError::invalid_json(&e, text))?;
    to_value(&report)
}

fn strings(value: Option<&Value>, name: &str) -> Result<Vec<String>, ApiError> {
    match value {
        Some(v) => typed::<Vec<String>>(v, name),
        None => Err(ApiError::invalid_request(name, "an array of strings")),
    }
}

fn normalize_op(request: &Value) -> Result<Value, ApiError> {
    let name = req_str(request, "field").map_err(|_| ApiError::invalid_request("field", FIELDS))?;
    let field = Field::from_name(name).ok_or_else(|| ApiError::invalid_request("field", FIELDS))?;
    let text = || req_str(request, "input");
    let result: Result<String, NormalizeError> = match field {
        Field::Phone => normalize::phone(text()?),
        Field::Date => normalize::date(text()?),
        Field::State => normalize::state(text()?),
        Field::Trim => Ok(normalize::trim(text()?)),
        Field::MultipleChoiceQuestion => normalize::multiple_choice_question(
            text()?,
            &strings(request.get("choices"), "choices")?,
        ),
        Field::MultipleChoiceAnswer => normalize::multiple_choice_answer(
            &strings(request.get("choices"), "choices")?,
            &strings(request.get("input"), "input")?,
        ),
    };
    Ok(match result {
        Ok(value) => json!({"valid": true, "value": value}),
        Err(e) => {
            json!({"valid": false, "code": e.code(), "message": e.to_string()})
        }
    })
}

fn parse(request: &Value) -> Result<Value, ApiError> {
    let name = opt_str(request, "kind")?
        .or(opt_str(request, "endpoint")?)
        .ok_or_else(|| ApiError::invalid_request("kind", ENDPOINTS))?;
    let endpoint =
        Endpoint::from_name(name).ok_or_else(|| ApiError::invalid_request("kind", ENDPOINTS))?;
    let http: HttpAnswer = typed(input(request)?, "input")?;
    if http.status.is_none() && http.network_error.is_none() {
        return Err(ApiError::new(
            ApiErrorCode::InvalidRequest,
            "`input` needs `status` (the HTTP status) or `network_error`",
        )
        .at("/input/status"));
    }
    to_value(&parse_response(endpoint, &http))
}
