//! The audit/log form of any partner body, with PHI removed, so the host can never log the
//! raw thing by accident.
//!
//! Redaction is an **allow-list**: only members known to carry operational identifiers and
//! statuses (event names, `masterId`, order and fill ids, `medId`/`rxId`, statuses, carriers,
//! tracking numbers, event instants) keep their values; every other scalar — names, DOB,
//! phone, email, address lines, chat content, base64 documents, drug names, doctor names,
//! appointment details, and any member a partner adds tomorrow — becomes `"[redacted]"`.
//! Structure is kept (objects and arrays under known containers are walked), so the audit
//! form still shows which fields were sent. It works on any JSON, parsed or malformed.

use super::Source;
use serde_json::{Map, Value};

/// The placeholder that replaces a redacted value.
pub const REDACTED: &str = "[redacted]";

/// Members whose values are kept (operational identifiers, statuses, instants).
const KEEP: &[&str] = &[
    "event",
    "masterId",
    "orderId",
    "visitOutcome",
    "medId",
    "rxId",
    "carrier",
    "tracking",
    "trackingUrl",
    "trackerStatus",
    "trackerId",
    "deliveredDate",
    "pharmacyLocation",
    "fillId",
    "rxNumber",
    "foreignRxNumber",
    "referenceId",
    "practiceId",
    "lfdrugId",
    "rxStatus",
    "rxStatusDateTime",
    "deliveryService",
    "service",
    "trackingNumber",
    "shipCarrier",
    "foreignOrderId",
    "id",
    "externalId",
    "externalOrderId",
    "status",
    "occurredAt",
];

/// Members whose object or array values are walked with the same rules.
const WALK: &[&str] = &["info", "data", "order", "shipping", "medsPrescribed"];

/// The redacted audit form of a body of `source`.
pub fn redact_body(source: Source, body: &Value) -> Value {
    let _ = source; // one allow-list serves every source today; kept for per-source rules
    walk(body, true)
}

fn walk(value: &Value, container: bool) -> Value {
    match value {
        Value::Object(map) if container => Value::Object(redact_object(map)),
        Value::Array(items) if container => {
            Value::Array(items.iter().map(|item| walk(item, true)).collect())
        }
        Value::Null => Value::Null,
        _ => Value::String(REDACTED.to_owned()),
    }
}

fn redact_object(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(key, value)| {
            let out = if WALK.contains(&key.as_str()) {
                walk(value, true)
            } else if KEEP.contains(&key.as_str()) && is_scalar(value) {
                value.clone()
            } else {
                walk(value, false)
            };
            (key.clone(), out)
        })
        .collect()
}

fn is_scalar(value: &Value) -> bool {
    matches!(
        value,
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_identifiers_and_redacts_everything_else() {
        let body = json!({
            "event": "DOCTOR_CHAT", "masterId": "m1", "content": "PHI",
            "info": {"carrier": "UPS", "note": "PHI"},
            "extra": {"nested": "PHI"}
        });
        let out = redact_body(Source::Beluga, &body);
        assert_eq!(
            out,
            json!({
                "event": "DOCTOR_CHAT", "masterId": "m1", "content": REDACTED,
                "info": {"carrier": "UPS", "note": REDACTED},
                "extra": REDACTED
            })
        );
    }
}
