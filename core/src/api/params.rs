//! Reading parameters out of a request object, with errors that name the parameter.

use super::ApiError;
use chrono::NaiveDate;
use serde_json::Value;

/// The request's `input` document (required).
pub fn input(request: &Value) -> Result<&Value, ApiError> {
    request
        .get("input")
        .ok_or_else(|| ApiError::invalid_request("input", "present"))
}

/// An optional string parameter; wrong type is an error, absent or null is `None`.
pub fn opt_str<'a>(request: &'a Value, name: &str) -> Result<Option<&'a str>, ApiError> {
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid_request(name, "a string")),
    }
}

/// A required string parameter.
pub fn req_str<'a>(request: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    opt_str(request, name)?.ok_or_else(|| ApiError::invalid_request(name, "a string"))
}

/// An optional ISO `YYYY-MM-DD` date parameter.
pub fn opt_date(request: &Value, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    match opt_str(request, name)? {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::invalid_request(name, "an ISO date YYYY-MM-DD")),
    }
}

/// An optional boolean parameter.
pub fn opt_bool(request: &Value, name: &str) -> Result<Option<bool>, ApiError> {
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::invalid_request(name, "a boolean")),
    }
}

/// Deserializes a typed parameter (or the input) with serde, mapping errors to
/// `schema_error` with the serde path, never the value.
pub fn typed<T: serde::de::DeserializeOwned>(value: &Value, name: &str) -> Result<T, ApiError> {
    T::deserialize(value).map_err(|e| {
        ApiError::new(
            super::ApiErrorCode::SchemaError,
            format!(
                "`{name}` does not match its schema: {}",
                redact_serde(&e.to_string())
            ),
        )
        .at(format!("/{name}"))
    })
}

/// serde_json messages can quote input strings (`invalid value: string "..."`); keep only
/// the part before any quoted value so no input leaks into an error.
pub fn redact_serde(message: &str) -> String {
    match message.find('"') {
        Some(pos) => {
            let (head, _) = message.split_at(pos);
            format!("{}…", head.trim_end())
        }
        None => message.to_owned(),
    }
}
