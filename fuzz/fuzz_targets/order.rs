//! The order snapshot (`parse_snapshot`) and the operations on it: readiness, diagnosis,
//! event application and the rest of the order domain.
//! Input: selector byte (operation = byte % 16), the snapshot JSON, and for `apply_event`
//! optionally a NUL byte followed by the event body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rxgate_core::api::{self, ApiErrorCode};
use rxgate_core::order::readiness::{check_readiness, ReadinessStatus};
use rxgate_core::order::snapshot::parse_snapshot;
use rxgate_fuzz::{assert_json, has_sentinel, sentinel_in_keys, split_selector, NOW, TODAY};
use serde_json::{json, Value};

const OPS: [&str; 12] = [
    "check_readiness",
    "diagnose",
    "decide_submit",
    "decide_retry",
    "build_visit",
    "select_pharmacy",
    "route_fulfillment",
    "check_boundary",
    "order_state",
    "check_cancel",
    "message_visibility",
    "patient_view",
];
const SOURCES: [&str; 4] = ["beluga", "lifefile", "dispensepro", "pharmacy"];

/// Fails when a member named `message` anywhere in `answer` carries the sentinel.
fn assert_clean_messages(what: &str, answer: &Value) {
    match answer {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "message" {
                    assert!(
                        !v.as_str().is_some_and(has_sentinel),
                        "{what}: an input value reached a message"
                    );
                }
                assert_clean_messages(what, v);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| assert_clean_messages(what, v)),
        _ => {}
    }
}

fn request(op: &str, snapshot: &Value, event: Option<Value>, source: &str) -> Value {
    let mut request = json!({
        "input": snapshot, "now": NOW, "today": TODAY, "trigger": "manual",
        "master_id": "9b1e0c55-2f4d-4a8e-8c61-7d3e2a1b0f99", "reason": "fuzz", "confirmed": true,
    });
    if op == "apply_event" {
        request = json!({
            "source": source, "order": snapshot, "input": event.unwrap_or(Value::Null),
            "now": NOW, "pharmacy_id": "ph_fuzz", "webhook_id": "msg_fuzz",
        });
    }
    request
}

fn check_answer(op: &str, answer: &Result<Value, api::ApiError>, check_sentinel: bool) {
    match answer {
        Ok(value) => {
            if check_sentinel {
                assert_clean_messages(op, value);
            }
            if op == "apply_event" && value.get("valid") == Some(&Value::Bool(true)) {
                let after = value.get("snapshot").unwrap_or(&Value::Null);
                if let Err(e) = parse_snapshot(after) {
                    panic!(
                        "apply_event answered a snapshot that does not parse: {}",
                        e.pointer
                    );
                }
            }
        }
        Err(e) => {
            assert!(
                e.code != ApiErrorCode::Internal,
                "{op}: internal error: {}",
                e.message
            );
            if check_sentinel {
                assert!(!has_sentinel(&e.message), "{op}: an error echoes input");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = split_selector(data) else {
        return;
    };
    let (snapshot_bytes, event_bytes) = match rest.iter().position(|b| *b == 0) {
        Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..)),
        None => (rest, None),
    };
    let Ok(snapshot) = serde_json::from_slice::<Value>(snapshot_bytes) else {
        return;
    };
    let check_sentinel = !sentinel_in_keys(&snapshot);
    let parsed = match parse_snapshot(&snapshot) {
        Ok(parsed) => parsed,
        Err(e) => {
            if check_sentinel {
                assert!(
                    !has_sentinel(&e.expected),
                    "parse_snapshot: the error echoes input"
                );
            }
            return;
        }
    };
    let index = usize::from(selector) % (OPS.len() + SOURCES.len());
    let (op, source) = match OPS.get(index) {
        Some(op) => (*op, ""),
        None => (
            "apply_event",
            SOURCES.get(index - OPS.len()).copied().unwrap_or("beluga"),
        ),
    };
    if op == "check_readiness" {
        if let Some(today) = chrono::NaiveDate::from_ymd_opt(2026, 11, 23) {
            let r = check_readiness(&parsed, today);
            assert_json("check_readiness", &r);
            assert_eq!(
                r.ready,
                r.status == ReadinessStatus::Ready,
                "`ready` disagrees with status"
            );
            // not_required explains itself with one reason; ready has none, not_ready some.
            match r.status {
                ReadinessStatus::Ready => assert!(r.reasons.is_empty(), "reasons on a ready order"),
                ReadinessStatus::NotReady => {
                    assert!(!r.reasons.is_empty(), "not_ready without reasons")
                }
                ReadinessStatus::NotRequired => {}
            }
        }
    }
    let event = event_bytes.and_then(|b| serde_json::from_slice::<Value>(b).ok());
    let event_sentinel = event.as_ref().is_some_and(sentinel_in_keys);
    let answer = api::call(op, &request(op, &snapshot, event, source));
    check_answer(op, &answer, check_sentinel && !event_sentinel);
});
