//! What several test modules share.

use serde_json::Value;
use std::path::Path;

/// A 1×1 JPEG, base64 (photos, chat images).
pub(crate) const JPEG: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==";

/// Whether the panel lists a partner call of `kind` at `status`.
pub(crate) fn has_call(panel: &Value, kind: &str, status: &str) -> bool {
    panel["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["kind"] == kind && c["status"] == status)
}

/// The paid DispensePro order of `tests/fixtures/`, ready for Beluga.
pub(crate) fn ready_order() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-dispensepro-ready.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or(Value::Null)
}

/// Stores an order directly (no rules involved): `clinic` as the clinic's input, no rxgate
/// state yet.
pub(crate) fn seed_order(store: &dyn rxgate_host::store::Storage, id: &str, clinic: &Value) {
    let audit = rxgate_host::store::AuditEntry::default();
    let stored = store.put_clinic_input(id, clinic, &serde_json::json!({}), None, &audit, &[]);
    assert!(stored.is_ok(), "the order is stored");
}

/// Adds one activity to an order in its own change.
pub(crate) fn add_activity(
    store: &dyn rxgate_host::store::Storage,
    id: &str,
    kind: &str,
    patient_visible: bool,
    body: Value,
) {
    let change = rxgate_host::store::Change {
        order_id: Some(id.to_owned()),
        activities: vec![rxgate_host::store::NewActivity {
            kind: kind.to_owned(),
            patient_visible,
            body,
        }],
        ..Default::default()
    };
    assert!(store.commit(&change).is_ok(), "the activity is stored");
}

/// Sets a call's status the way the worker does.
pub(crate) fn settle_call(
    store: &dyn rxgate_host::store::Storage,
    id: i64,
    disposition: rxgate_host::store::CallDisposition,
) {
    let change = rxgate_host::store::Change {
        call_outcome: Some((id, disposition)),
        ..Default::default()
    };
    assert!(store.commit(&change).is_ok(), "the call is settled");
}

/// Stores a whole snapshot as an order would arrive from before rxgate: the clinic's members
/// as its input, the rest (masterId, statuses…) as rxgate's initial state.
pub(crate) fn seed_snapshot(store: &dyn rxgate_host::store::Storage, id: &str, snapshot: &Value) {
    let (clinic, rxgate) = rxgate_core::order::ownership::split(snapshot);
    let audit = rxgate_host::store::AuditEntry::default();
    let stored = store.put_clinic_input(id, &clinic, &rxgate, None, &audit, &[]);
    assert!(stored.is_ok(), "the order is stored");
}
