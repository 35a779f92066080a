//! The example snapshots of `tests/fixtures/` through every order operation: each fixture
//! answers the questions it was written for, and every operation accepts every fixture.
#![expect(
    clippy::indexing_slicing,
    reason = "tests index JSON answers; a missing key reads as null and fails the assertion"
)]

use rxgate_core::api;
use serde_json::{json, Value};
use std::path::Path;

const FIXTURES: [&str; 3] = [
    "order-dispensepro-ready.json",
    "order-belmar-split.json",
    "order-intake-correction.json",
];

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn call(op: &str, input: &Value, extra: Value) -> Result<Value, String> {
    let mut request = json!({ "input": input, "now": "2026-11-23T09:00:00Z" });
    if let (Some(r), Some(e)) = (request.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            r.insert(k.clone(), v.clone());
        }
    }
    api::call(op, &request).map_err(|e| e.to_string())
}

#[test]
fn every_operation_accepts_every_fixture() {
    let ops = [
        ("check_readiness", json!({})),
        ("decide_submit", json!({"trigger": "checkout_paid"})),
        ("decide_retry", json!({})),
        ("build_visit", json!({"master_id": "m-1"})),
        ("select_pharmacy", json!({})),
        ("route_fulfillment", json!({})),
        ("check_boundary", json!({})),
        ("order_state", json!({})),
        ("apply_order_facts", json!({"facts": []})),
        ("check_cancel", json!({})),
        ("message_visibility", json!({})),
        ("patient_view", json!({})),
        ("diagnose", json!({})),
    ];
    for name in FIXTURES {
        let snap = fixture(name);
        assert!(snap.is_object(), "{name} is not JSON");
        for (op, extra) in &ops {
            let answer = call(op, &snap, extra.clone());
            assert!(answer.is_ok(), "{op} on {name}: {answer:?}");
        }
    }
}

#[test]
fn applying_no_facts_returns_the_same_snapshot() {
    for name in FIXTURES {
        let snap = fixture(name);
        let answer = call("apply_order_facts", &snap, json!({"facts": []})).unwrap_or_default();
        let round = rxgate_core::order::snapshot::parse_snapshot(&answer["snapshot"]);
        let original = rxgate_core::order::snapshot::parse_snapshot(&snap);
        assert!(
            round.is_ok() && round == original,
            "{name} does not round-trip"
        );
    }
}

#[test]
fn dispensepro_fixture_is_ready_and_builds_a_valid_visit() {
    let snap = fixture("order-dispensepro-ready.json");
    let readiness = call("check_readiness", &snap, json!({})).unwrap_or_default();
    assert_eq!(readiness["status"], "ready");
    let built = call("build_visit", &snap, json!({"master_id": "m-1"})).unwrap_or_default();
    assert_eq!(built["valid"], true);
    assert_eq!(built["body"]["pharmacyId"], "100482");
    let diagnosis = call("diagnose", &snap, json!({})).unwrap_or_default();
    assert_eq!(diagnosis["stage"], "beluga_submission");
}

#[test]
fn belmar_fixture_needs_a_split_and_is_ready_for_pharmacy() {
    let snap = fixture("order-belmar-split.json");
    let plan = call("route_fulfillment", &snap, json!({})).unwrap_or_default();
    assert_eq!(plan["split_required"], true);
    let diagnosis = call("diagnose", &snap, json!({})).unwrap_or_default();
    assert_eq!(diagnosis["stage"], "pharmacy_submission");
    assert_eq!(diagnosis["answers"]["prescription_written"], true);
}

#[test]
fn intake_fixture_waits_on_the_patient() {
    let snap = fixture("order-intake-correction.json");
    let diagnosis = call("diagnose", &snap, json!({})).unwrap_or_default();
    assert_eq!(diagnosis["stage"], "intake");
    assert_eq!(diagnosis["next_action"]["actor"], "patient");
    let view = call("patient_view", &snap, json!({})).unwrap_or_default();
    let text = view.to_string();
    assert!(
        !text.contains("Phone number error"),
        "submit errors stay internal"
    );
    assert!(
        !text.contains("asked her to update"),
        "CS messages stay internal"
    );
}

#[test]
fn bundle_debug_output_redacts_patient_contact() {
    let snap = fixture("order-dispensepro-ready.json");
    let parsed = rxgate_core::order::snapshot::parse_snapshot(&snap);
    assert!(parsed.is_ok());
    if let Ok(mut parsed) = parsed {
        parsed.order.beluga.submit_status =
            Some(rxgate_core::order::snapshot::SubmitStatus::Failed);
        parsed.order.beluga.submit_error = Some("opaque failure 0x1".to_owned());
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
            .map(|d| d.with_timezone(&chrono::Utc));
        assert!(now.is_ok());
        if let Ok(now) = now {
            let diagnosis = rxgate_core::diagnosis::diagnose(&parsed, now);
            assert!(diagnosis.escalate);
            let debug = format!("{diagnosis:?}");
            assert!(!debug.contains("Alvarez"), "{debug}");
            assert!(!debug.contains("maria.alvarez@example.com"), "{debug}");
        }
    }
}

#[test]
fn the_diagnosis_retry_verdict_is_decide_retry() {
    use rxgate_core::order::readiness::check_readiness;
    use rxgate_core::order::snapshot::{parse_snapshot, SubmitStatus};
    use rxgate_core::order::submit::{decide_retry, decide_retry_with};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let mut checked = 0;
    for name in FIXTURES {
        let Ok(snap) = parse_snapshot(&fixture(name)) else {
            continue;
        };
        for status in [
            None,
            Some(SubmitStatus::Failed),
            Some(SubmitStatus::Submitted),
        ] {
            let mut snap = snap.clone();
            snap.order.beluga.submit_status = status;
            let readiness = check_readiness(&snap, today);
            assert_eq!(
                decide_retry_with(&snap, &readiness),
                decide_retry(&snap, today),
                "{name} {status:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 9);
}
