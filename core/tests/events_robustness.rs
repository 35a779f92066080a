//! Any JSON, of any shape, through every step of every source: parsing, keys, applying,
//! redacting and the API never panic, and no violation, warning, flag or audit entry echoes a
//! string value of the body. (Redaction keeps allow-listed identifiers by design; that PHI
//! fields never survive it is `events_redaction.rs`.)

use proptest::prelude::*;
use rxgate_core::api;
use rxgate_core::events::{parse, Source};
use serde_json::{json, Map, Value};

const S: &str = "PHI-SENTINEL";

/// Member names the parsers look at, so random bodies reach deep into them.
const KEYS: &[&str] = &[
    "event",
    "masterId",
    "orderId",
    "medsPrescribed",
    "medId",
    "docName",
    "data",
    "docFirstName",
    "visitOutcome",
    "content",
    "firstName",
    "lastName",
    "info",
    "carrier",
    "tracking",
    "scheduledDate",
    "labReqPdf",
    "order",
    "id",
    "externalId",
    "externalOrderId",
    "status",
    "shipping",
    "occurredAt",
    "rxStatus",
    "referenceId",
    "fillId",
];

const EVENTS: &[&str] = &[
    "RX_WRITTEN",
    "CONSULT_CONCLUDED",
    "DOCTOR_CHAT",
    "NAME_UPDATE",
    "PACKAGE_DELIVERED",
    "BOOKING_RESCHEDULED",
    "LAB_ORDER_REQUISITION_CREATED",
    "dispensepro.status",
    "order.shipped",
    "order.cancelled",
    "Shipped",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::String(S.to_owned())),
        prop::sample::select(EVENTS).prop_map(|e| Value::String(e.to_owned())),
        Just(json!("2026-11-24T10:15:00Z")),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<String, Value>>(),
                )
            }),
        ]
    })
}

fn snapshot() -> Value {
    json!({
        "schema_version": 1,
        "settings": {"beluga_enabled": true, "api_key_present": true},
        "patient": {},
        "order": {"id": "ord_1", "number": "A-1", "status": "PROCESSING", "source": "CHECKOUT",
                  "payment_status": "PAID"}
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn any_body_is_handled_without_panic_or_echo(input in body(), which in 0..4usize) {
        let source = [Source::Beluga, Source::Lifefile, Source::DispensePro, Source::Own]
            .get(which)
            .copied()
            .unwrap_or(Source::Beluga);
        let outcome = parse(source, &input, Some(10));
        let violations = serde_json::to_string(&outcome.violations).unwrap_or_default();
        prop_assert!(!violations.contains(S), "{}", violations);
        prop_assert_eq!(outcome.valid, outcome.violations.is_empty());

        for op in ["parse_event", "event_key", "apply_event", "redact_event"] {
            let request = json!({
                "source": source.as_str(), "input": input.clone(), "order": snapshot(),
                "now": "2026-11-24T10:15:00Z", "pharmacy_id": "ph_1", "webhook_id": "msg_1",
            });
            let answer = api::call(op, &request);
            prop_assert!(answer.is_ok(), "{} failed: {:?}", op, answer);
            if let Ok(answer) = answer {
                for key in ["violations", "warnings", "flags", "audit"] {
                    let part = answer.get(key).map(Value::to_string).unwrap_or_default();
                    prop_assert!(!part.contains(S), "{} {}: {}", op, key, part);
                }
            }
        }
    }
}
