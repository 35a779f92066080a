//! # rxgate-wasm — the npm package `rxgate`
//!
//! A thin wasm-bindgen adapter over [`rxgate_core::api`]: it holds no rules of its own, so
//! the browser, Node and every other binding give the same answers by construction.
//!
//! ## What it exports to JavaScript
//! - `call(op, request)`: any operation of the core API. The request is a plain JS object,
//!   converted to JSON by `serde-wasm-bindgen`; the answer is a plain JS object built with
//!   [`Serializer::json_compatible`] (maps become objects, not `Map`s).
//! - `validate(kind, payload, options)`: the entry point of the package. A string `payload`
//!   is JSON text parsed inside the module by the core's `validate_text` (the fast path for
//!   a server holding the raw body; the empty string answers a valid report without
//!   warnings, which js/api.js expands, any other report as JSON text it parses); anything
//!   else is the document itself (`validate`, converted by serde-wasm-bindgen).
//! - `validateJson(kind, utf8, optionsText)`: the path js/api.js takes for a string `kind`,
//!   JSON text or a plain JSON object (which it serialises once with `JSON.stringify`) and
//!   plain options: no serde-wasm-bindgen walk on the way in or out. The body comes as the
//!   UTF-8 bytes js/api.js encodes with `TextEncoder.encodeInto` (wasm-bindgen's own string
//!   transfer copies leading ASCII one character at a time in JS: 5.6 µs for a 2 KB body).
//!   `options` holds further request parameters (`today`, `allowed_states`); when `today` is
//!   absent it is taken from the JS clock at UTC−10, exactly as the CLI does.
//! - `defaultToday()`: that default date, for callers that want to show it.
//!
//! ## Errors
//! Verdicts (an invalid visit, a refused cancel) are data. Misuse — an unknown operation, a
//! wrong argument type, text that is not JSON — throws a JS `Error` named `RxgateError`
//! with a snake_case `code` (the core's `ApiErrorCode`) and, when known, a JSON Pointer
//! `path`. The hand-written JS entry points re-throw it as an instance of the exported
//! `RxgateError` class. Messages never contain input values.
//!
//! The crate also builds natively (as an `rlib`) so `cargo clippy --workspace` covers it;
//! only the `wasm32` build is shipped.

use js_sys::{Error, Reflect};
use rxgate_core::api::{self, ApiError, ApiErrorCode};
use serde::Serialize;
use serde_json::{Map, Value};
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::prelude::*;

/// Runs core operation `op` on a plain-object `request`; throws `RxgateError` on misuse.
#[wasm_bindgen]
pub fn call(op: JsValue, request: JsValue) -> Result<JsValue, JsValue> {
    let op = op
        .as_string()
        .ok_or_else(|| misuse(ApiErrorCode::InvalidRequest, "`op` must be a string", None))?;
    let request = if request.is_undefined() || request.is_null() {
        Value::Object(Map::new())
    } else {
        from_js(request, "request")?
    };
    answer(api::call(&op, &request))
}

/// Validates an outbound body of `kind`, given as an object or as JSON text.
#[wasm_bindgen]
pub fn validate(kind: JsValue, payload: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let kind = kind.as_string().ok_or_else(|| {
        misuse(
            ApiErrorCode::InvalidRequest,
            "`kind` must be a string",
            Some("/kind"),
        )
    })?;
    let options = if options.is_undefined() || options.is_null() {
        None
    } else {
        Some(from_js(options, "options")?)
    };
    let mut request = validate_request(options, kind)?;
    let op = match payload.as_string() {
        Some(text) => return validate_text(&Value::Object(request), &text),
        None if payload.is_undefined() => {
            return Err(misuse(
                ApiErrorCode::InvalidRequest,
                "`payload` must be an object or JSON text",
                Some("/input"),
            ))
        }
        None => {
            request.insert("input".into(), from_js(payload, "payload")?);
            "validate"
        }
    };
    answer(api::call(op, &Value::Object(request)))
}

/// The fast path of `validate` for JSON text: the body is parsed once, straight from the
/// string wasm-bindgen copied in (never put into a request `Value`). A valid report without
/// warnings goes back as the empty string (js/api.js answers `{valid: true, violations: [],
/// warnings: []}` for it); any other as JSON text that js/api.js parses (`JSON.parse` builds
/// the objects faster than serde-wasm-bindgen calling into JS for every member).
fn validate_text(params: &Value, text: &str) -> Result<JsValue, JsValue> {
    report_text(params, text).map(JsValue::from)
}

/// The text path of `validate` as js/api.js calls it for the common case: `kind` a string,
/// `text` the UTF-8 bytes of JSON text (the caller's, or a plain object serialised once by
/// `JSON.stringify`; `TextEncoder` output, so never refused as UTF-8 from js/api.js),
/// `options` the JSON text of a plain options object or absent. Answers as [`validate_text`]
/// does, as a string: `''` or the report's JSON text. Misuse throws `RxgateError` exactly as
/// `validate` does.
#[wasm_bindgen(js_name = validateJson)]
pub fn validate_json(
    kind: String,
    text: &[u8],
    options: Option<String>,
) -> Result<String, JsValue> {
    // `TextEncoder` output is UTF-8 by construction; anything else is misuse of the export.
    let text = std::str::from_utf8(text).map_err(|_| {
        misuse(
            ApiErrorCode::InvalidRequest,
            "`text` must be UTF-8",
            Some("/input"),
        )
    })?;
    // Options text that is not JSON is refused as options that are not an object.
    let options = options
        .as_deref()
        .map(|text| serde_json::from_str(text).unwrap_or(Value::Null));
    let request = validate_request(options, kind)?;
    report_text(&Value::Object(request), text)
}

/// The request of both `validate` entry points: the caller's options (an object, or none),
/// `today` defaulted to the business date, and the kind.
fn validate_request(options: Option<Value>, kind: String) -> Result<Map<String, Value>, JsValue> {
    let mut request = match options {
        None => Map::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(misuse(
                ApiErrorCode::InvalidRequest,
                "`options` must be an object",
                Some("/options"),
            ))
        }
    };
    if request.get("today").is_none_or(Value::is_null) {
        request.insert("today".into(), Value::String(default_today()));
    }
    request.insert("kind".into(), Value::String(kind));
    Ok(request)
}

/// The report of `text` under `params` as the answer string: `''` when valid without
/// warnings, else its JSON text.
fn report_text(params: &Value, text: &str) -> Result<String, JsValue> {
    let report = api::validate_text_parts(params, text)
        .map_err(|err| misuse(err.code, &err.message, err.path.as_deref()))?;
    if report.valid && report.warnings.is_empty() {
        return Ok(String::new());
    }
    serde_json::to_string(&report).map_err(|_| {
        misuse(
            ApiErrorCode::Internal,
            "could not convert the answer to JS",
            None,
        )
    })
}

/// Today's date (`YYYY-MM-DD`) at UTC−10 by the JS clock: the default `today`. The rule is
/// the core's ([`rxgate_core::calendar::business_date_of_unix_ms`]); only the clock is JS.
#[wasm_bindgen(js_name = defaultToday)]
pub fn default_today() -> String {
    // A JS timestamp is an integral f64 well inside i64.
    let now = js_sys::Date::now() as i64;
    rxgate_core::calendar::business_date_of_unix_ms(now).unwrap_or_default()
}

/// Converts a JS value into JSON, reporting a value JSON cannot hold as misuse.
fn from_js(value: JsValue, name: &str) -> Result<Value, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|_| {
        misuse(
            ApiErrorCode::InvalidRequest,
            &format!("`{name}` must be a plain JSON-compatible value"),
            None,
        )
    })
}

/// Turns a core answer into a plain JS object, or its error into a thrown `RxgateError`.
fn answer(result: Result<Value, ApiError>) -> Result<JsValue, JsValue> {
    match result {
        Ok(value) => value
            .serialize(&Serializer::json_compatible())
            .map_err(|_| {
                misuse(
                    ApiErrorCode::Internal,
                    "could not convert the answer to JS",
                    None,
                )
            }),
        Err(err) => Err(misuse(err.code, &err.message, err.path.as_deref())),
    }
}

/// A JS `Error` named `RxgateError` with `code` (snake_case) and optional `path`.
fn misuse(code: ApiErrorCode, message: &str, path: Option<&str>) -> JsValue {
    let error = Error::new(message);
    error.set_name("RxgateError");
    let code = match serde_json::to_value(code) {
        Ok(Value::String(code)) => code,
        _ => "internal".to_owned(),
    };
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from(code));
    if let Some(path) = path {
        let _ = Reflect::set(&error, &JsValue::from_str("path"), &JsValue::from_str(path));
    }
    error.into()
}
