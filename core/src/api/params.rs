//! Reading parameters out of a request object, with errors that name the parameter.

use super::ApiError;
use crate::calendar;
use chrono::{DateTime, NaiveDate, Utc};
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

/// What a date parameter must be.
pub(crate) const ISO_DATE: &str = "an ISO date YYYY-MM-DD";

/// An optional ISO `YYYY-MM-DD` date parameter.
pub fn opt_date(request: &Value, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    match opt_str(request, name)? {
        None => Ok(None),
        Some(s) => iso_date(s)
            .map(Some)
            .ok_or_else(|| ApiError::invalid_request(name, ISO_DATE)),
    }
}

/// `YYYY-MM-DD` as chrono's `%Y-%m-%d` reads it. The common form (ten bytes, all digits
/// but the dashes) is read by hand: chrono's format parser cost more than the rest of
/// reading a `validate` request's parameters. Any other text goes to chrono.
pub(crate) fn iso_date(s: &str) -> Option<NaiveDate> {
    let digits = |range: std::ops::Range<usize>| {
        s.as_bytes().get(range).and_then(|part| {
            part.iter().try_fold(0u32, |n, b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        })
    };
    if s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(7) == Some(&b'-') {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return i32::try_from(y)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, m, d));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
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

pub use crate::issue::redact_serde;

/// `now` (required), as an RFC 3339 string or integer Unix milliseconds.
pub fn now(request: &Value) -> Result<DateTime<Utc>, ApiError> {
    let expected = "an RFC 3339 instant or integer Unix milliseconds";
    match request.get("now") {
        Some(Value::String(text)) => DateTime::parse_from_rfc3339(text)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| ApiError::invalid_request("now", expected)),
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(DateTime::from_timestamp_millis)
            .ok_or_else(|| ApiError::invalid_request("now", expected)),
        _ => Err(ApiError::invalid_request("now", expected)),
    }
}

/// `now` when given (absent or null is `None`), as [`now`] reads it.
pub fn opt_now(request: &Value) -> Result<Option<super::wire::Instant>, ApiError> {
    match request.get("now") {
        None | Some(Value::Null) => Ok(None),
        Some(_) => now(request).map(|n| Some(super::wire::Instant(n))),
    }
}

/// The date rules are evaluated on: `today` (an ISO date) when given, else the date of `now`
/// at UTC−10 ([`calendar::today_at_utc_minus_10`]: never ahead of any US state's date), else `None`.
/// Hosts pass `now` and leave the calendar rule to the core.
pub fn evaluation_date(request: &Value) -> Result<Option<NaiveDate>, ApiError> {
    let today = opt_date(request, "today")?;
    let now = match (today, request.get("now")) {
        (Some(_), _) | (None, None | Some(Value::Null)) => None,
        (None, Some(_)) => Some(now(request)?),
    };
    Ok(calendar::evaluation_date(today, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn iso_dates_read_by_hand_agree_with_chrono() {
        for text in [
            "2026-11-22",
            "2024-02-29",
            "2023-02-29",
            "0000-01-01",
            "9999-12-31",
            "2026-13-01",
            "2026-00-10",
            "2026-11-31",
            "2026-1-05",
            "2026-01-5",
            "+2026-01-05",
            "2026/01/05",
            "2026-01-05 ",
            "20261-01-05",
            "２０２６-01-05",
            "",
            "2026-01-0x",
            "-001-01-05",
        ] {
            let chrono = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            assert_eq!(iso_date(text), chrono, "{text:?}");
        }
    }

    #[test]
    fn the_evaluation_date_is_today_else_now_at_utc_minus_10() {
        let day = |request: Value| evaluation_date(&request).map(|d| d.map(|d| d.to_string()));
        // 05:00 UTC on the 24th is still the 23rd at UTC−10.
        assert_eq!(
            day(json!({"now": "2026-11-24T05:00:00Z"})),
            Ok(Some("2026-11-23".to_owned()))
        );
        assert_eq!(
            day(json!({"now": "2026-11-24T11:00:00Z"})),
            Ok(Some("2026-11-24".to_owned()))
        );
        assert_eq!(
            day(json!({"today": "2026-01-02", "now": "2026-11-24T05:00:00Z"})),
            Ok(Some("2026-01-02".to_owned()))
        );
        assert_eq!(day(json!({"today": null})), Ok(None));
        assert!(day(json!({"now": "yesterday"})).is_err());
        assert!(day(json!({"today": "24/11/2026"})).is_err());
    }
}
