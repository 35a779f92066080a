//! Findings of the fuzz targets (`fuzz/`, `bash scripts/fuzz.sh`), each kept as a test that
//! failed before its fix. The inputs are the minimised crash inputs, with the targets'
//! sentinel planted where the finding leaked an input value.

use rxgate_core::api::{self, params::redact_serde, ApiErrorCode};
use serde_json::{json, Value};

/// The fuzz targets' sentinel (fuzz/src/lib.rs): an input value that must never surface.
const SENTINEL: &str = "Zq7@Phi";

fn snapshot() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/order-dispensepro-ready.json"
    );
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null)
}

fn schema_error(op: &str, request: &Value) -> String {
    let result = api::call(op, request);
    assert!(
        result.is_err(),
        "{op}: expected a schema error, got {result:?}"
    );
    match result {
        Err(e) => {
            assert_eq!(e.code, ApiErrorCode::SchemaError, "{op}: {}", e.message);
            e.message
        }
        Ok(_) => String::new(),
    }
}

/// api_call finding 1 (2026-12-04): `apply_order_facts` with an unknown fact name answered
/// ``unknown variant `<the input>`, expected one of …``: the value reached the error.
#[test]
fn an_unknown_fact_name_is_not_echoed() {
    let facts = json!([{ "fact": format!("teleport{SENTINEL}") }]);
    let message = schema_error(
        "apply_order_facts",
        &json!({ "input": snapshot(), "facts": facts }),
    );
    assert!(!message.contains(SENTINEL), "{message}");
    assert!(!message.contains("teleport"), "{message}");
    // The expectation is still there for the caller.
    assert!(message.contains("expected one of `submit`"), "{message}");
}

/// The same leak through `params::typed` (every typed parameter, e.g. a webhook route's
/// `config`): an unknown enum value.
#[test]
fn an_unknown_enum_value_in_a_typed_parameter_is_not_echoed() {
    let request = json!({
        "source": "beluga", "headers": {}, "body": "{}", "now": "2026-11-23T16:05:00Z",
        "config": { "secrets": ["s"], "hmac": { "header": "x-sig", "encoding": format!("hex{SENTINEL}") } }
    });
    let message = schema_error("verify_webhook", &request);
    assert!(!message.contains(SENTINEL), "{message}");
    assert!(message.contains("expected `hex` or `base64`"), "{message}");
}

#[test]
fn serde_messages_keep_the_expectation_and_drop_every_value() {
    let cases = [
        (
            "unknown variant `a, expected b`, expected one of `hex`, `base64`".to_owned(),
            "unknown variant …, expected one of `hex`, `base64`",
        ),
        (
            format!("invalid type: string \"{SENTINEL}\", expected u32"),
            "invalid type: string …, expected u32",
        ),
        (
            "invalid type: integer `5125550123`, expected a string".to_owned(),
            "invalid type: integer …, expected a string",
        ),
        (
            "missing field `masterId`".to_owned(),
            "missing field `masterId`",
        ),
        (
            "unknown field `extra`, expected one of `a`, `b`".to_owned(),
            "unknown field `extra`, expected one of `a`, `b`",
        ),
    ];
    for (message, expected) in cases {
        assert_eq!(redact_serde(&message), expected);
    }
}

/// event_key finding (2026-12-04): canonical JSON was not idempotent for numbers with more
/// digits than a double holds (`999999999899E99`, `9990000.9999999000371`): serde_json's
/// default float parser is not correctly rounded, so a body and its own canonical text hashed
/// differently, and a native Beluga key could differ from one computed over a JavaScript
/// `JSON.parse` of the same body. Fixed with serde_json's `float_roundtrip` in the core.
/// Expected texts: the ECMAScript form of the correctly rounded double (Python's `float`).
#[test]
fn canonical_numbers_are_the_correctly_rounded_double() {
    use rxgate_core::events::canonical::canonical_json;
    let cases = [
        ("999999999899E99", "9.99999999899e+110"),
        ("99999999899E99", "9.9999999899e+109"),
        ("9990000.9999999000371", "9990000.9999999"),
        ("999999999999999955306", "1e+21"),
    ];
    for (text, expected) in cases {
        let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let canonical = canonical_json(&value);
        assert_eq!(canonical, expected, "{text}");
        let again: Value = serde_json::from_str(&canonical).unwrap_or(Value::Null);
        assert_eq!(canonical_json(&again), canonical, "{text}");
    }
}
