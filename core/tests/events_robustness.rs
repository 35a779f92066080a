//! Any JSON, of any shape, through every step of every source: parsing, keys, applying,
//! redacting and the API never panic, and no violation, warning, flag or audit entry echoes a
//! string value of the body. (Redaction keeps allow-listed identifiers by design; that PHI
//! fields never survive it is `events_redaction.rs`. The audit entry's `keys` and `master_id`
//! are such identifiers — the idempotency keys are built from `masterId`, `orderId`,
//! `fillId` — so the audit check leaves out exactly those two members and instead checks that
//! `master_id` is the body's own `masterId`, nothing else.)

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

/// The audit entry echoes no body value outside its identifier members, and its `master_id`
/// is exactly the body's `masterId`.
fn check_audit(op: &str, audit: &Value, input: &Value) -> Result<(), TestCaseError> {
    let mut rest = audit.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("keys");
        let master_id = map.remove("master_id").unwrap_or(Value::Null);
        if !master_id.is_null() {
            let sent = match input.get("masterId") {
                Some(Value::String(text)) => Some(text.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            prop_assert_eq!(master_id.as_str(), sent.as_deref(), "{} master_id", op);
        }
    }
    let rest = rest.to_string();
    prop_assert!(!rest.contains(S), "{} audit: {}", op, rest);
    Ok(())
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
                for key in ["violations", "warnings", "flags"] {
                    let part = answer.get(key).map(Value::to_string).unwrap_or_default();
                    prop_assert!(!part.contains(S), "{} {}: {}", op, key, part);
                }
                if let Some(audit) = answer.get("audit") {
                    check_audit(op, audit, &input)?;
                }
            }
        }
    }
}

/// The case a CI run once drew: a Beluga body whose only string is its `masterId`. The audit
/// keeps it as the identifier it is, and nothing else of the body.
#[test]
fn audit_keeps_the_master_id_and_nothing_else() {
    let input = json!({"masterId": S, "event": 0});
    let request = json!({
        "source": "beluga", "input": input.clone(), "order": snapshot(),
        "now": "2026-11-24T10:15:00Z",
    });
    let answer = api::call("apply_event", &request);
    let audit = answer.as_ref().ok().and_then(|a| a.get("audit"));
    assert!(audit.is_some(), "no audit entry: {answer:?}");
    if let Some(audit) = audit {
        let checked = check_audit("apply_event", audit, &input);
        assert!(checked.is_ok(), "{checked:?}");
        assert_eq!(audit.get("master_id"), Some(&json!(S)));
    }
}
