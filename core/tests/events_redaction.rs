//! Redaction is proven: a sentinel planted in every PHI field of every event of every source
//! appears in no redacted output, no violation message, no audit entry and no staff flag.

use rxgate_core::events::apply::apply;
use rxgate_core::events::dedupe::{event_keys, KeyContext};
use rxgate_core::events::redact::redact_body;
use rxgate_core::events::{beluga::KNOWN_EVENTS, parse, parse_event, Source};
use rxgate_core::order::snapshot::parse_snapshot;
use serde_json::{json, Value};

const S: &str = "PHI-SENTINEL";

/// Members any partner might add that carry patient data.
fn patient_block() -> Value {
    json!({"firstName": S, "lastName": S, "dob": S, "phone": S, "email": S,
           "address": S, "address1": S, "city": S, "state": S, "zip": S})
}

fn beluga_bodies() -> Vec<Value> {
    KNOWN_EVENTS
        .iter()
        .chain(["SOMETHING_NEW"].iter())
        .map(|event| {
            json!({
                "event": event, "masterId": "m-1", "orderId": "o-1",
                "docName": S, "data": {"docFirstName": S, "docLastName": S, "dob": S},
                "medsPrescribed": [{"name": S, "strength": S, "refills": "1", "quantity": "1",
                                    "medId": "SEMA-025", "rxId": "RX-1", "pharmacyNotes": S}],
                "visitOutcome": "prescribed", "content": S, "firstName": S, "lastName": S,
                "info": {"carrier": "UPS", "tracking": "1Z", "recipient": S, "address": S},
                "scheduledDate": S, "location": S, "bookingLink": S, "labReqPdf": S,
                "patient": patient_block(), "email": S, "phone": S, "dob": S
            })
        })
        .collect()
}

fn lifefile_body() -> Value {
    json!([{"fillId": "F-1", "orderId": "LF-1", "referenceId": "ord_5521", "rxStatus": "Shipped",
            "rxStatusDateTime": "2026-11-24 10:15:00", "trackingNumber": "1Z",
            "shipAddressLine1": S, "shipAddressLine2": S, "shipAddressLine3": S, "shipCity": S,
            "shipState": S, "shipZip": S, "shipCountry": S, "patientName": S,
            "patient": patient_block()}])
}

fn pharmacy_bodies() -> Vec<(Source, Value)> {
    let mut out = Vec::new();
    for status in [
        "authorized",
        "submitted",
        "filled",
        "shipped",
        "delivered",
        "voided",
        "failed",
    ] {
        out.push((
            Source::DispensePro,
            json!({"event": "dispensepro.status",
                   "order": {"id": "dp_1", "externalId": "ord_5521", "status": status, "patient": patient_block()},
                   "shipping": {"carrier": "FedEx", "tracking": "77", "recipient": S},
                   "occurredAt": "2026-11-24T10:15:00Z", "patient": patient_block(), "note": S}),
        ));
    }
    for event in [
        "order.shipped",
        "order.fulfilled",
        "order.out_for_delivery",
        "order.delivered",
        "order.cancelled",
        "order.other",
    ] {
        out.push((
            Source::Own,
            json!({"event": event, "order": {"id": "pp_1", "externalOrderId": "HLC-10482", "shipTo": S},
                   "shipping": {"carrier": "USPS", "tracking": "94", "address": S},
                   "occurredAt": "2026-11-24T10:15:00Z", "customer": patient_block()}),
        ));
    }
    out
}

fn all_bodies() -> Vec<(Source, Value)> {
    let mut all: Vec<(Source, Value)> = beluga_bodies()
        .into_iter()
        .map(|b| (Source::Beluga, b))
        .collect();
    all.push((Source::Lifefile, lifefile_body()));
    all.extend(pharmacy_bodies());
    all
}

#[test]
fn sentinel_reaches_no_redacted_output() {
    let bodies = all_bodies();
    assert!(bodies.len() >= 38, "every event of every source is covered");
    for (source, body) in &bodies {
        assert!(body.to_string().contains(S), "the sentinel is planted");
        let redacted = redact_body(*source, body).to_string();
        assert!(!redacted.contains(S), "{source:?} leaks: {redacted}");
        // Identifiers stay for the audit trail.
        assert!(
            redacted.contains("\"event\"") || redacted.contains("\"fillId\":\"F-1\""),
            "{redacted}"
        );
    }
}

#[test]
fn sentinel_reaches_no_message_audit_or_flag() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/events/apply.json"),
    )
    .unwrap_or_default();
    let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let snapshot = doc
        .pointer("/params/order")
        .and_then(|o| parse_snapshot(o).ok());
    assert!(snapshot.is_some());
    let Some(snapshot) = snapshot else { return };
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp(1_795_900_000, 0).unwrap_or_default();
    for (source, body) in all_bodies() {
        // Parsing: violations (if any) never carry values.
        let outcome = parse(source, &body, Some(2_000_000));
        let violations = serde_json::to_string(&outcome.violations).unwrap_or_default();
        assert!(!violations.contains(S), "{violations}");
        let Ok(event) = parse_event(source, &body) else {
            continue;
        };
        let ctx = KeyContext {
            pharmacy_id: Some("ph_1"),
            webhook_id: Some("msg_1"),
        };
        let keys = event_keys(source, &body, ctx).unwrap_or_default();
        let effects = apply(&snapshot, &event, &keys, Some("ph_1"), now);
        for part in [
            serde_json::to_string(&effects.audit),
            serde_json::to_string(&effects.warnings),
            serde_json::to_string(&effects.flags),
            serde_json::to_string(&effects.snapshot.events),
            serde_json::to_string(&effects.snapshot.order.flags),
        ] {
            let part = part.unwrap_or_default();
            assert!(!part.contains(S), "{source:?} {}: {part}", event.name());
        }
    }
    // And malformed bodies: every violation names fields, never values.
    for (source, body) in [
        (
            Source::Beluga,
            json!({"event": "CONSULT_CONCLUDED", "masterId": "m", "visitOutcome": S}),
        ),
        (
            Source::Beluga,
            json!({"event": "RX_WRITTEN", "masterId": S, "medsPrescribed": [{"medId": [S]}]}),
        ),
        (
            Source::Own,
            json!({"event": "order.shipped", "order": {"id": S}, "occurredAt": S}),
        ),
        (
            Source::DispensePro,
            json!({"event": "dispensepro.status", "order": {"id": "1", "externalId": "2", "status": S}, "occurredAt": S}),
        ),
        (
            Source::Lifefile,
            json!([{"orderId": S, "rxStatus": {"x": S}}]),
        ),
    ] {
        let outcome = parse(source, &body, None);
        assert!(!outcome.valid);
        let text = serde_json::to_string(&outcome).unwrap_or_default();
        assert!(!text.contains(S), "{text}");
    }
}

/// No output of any `tests/vectors/events/` case carries the sentinel planted in inputs.
#[test]
fn sentinel_reaches_no_vector_output() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/events");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut planted = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let op = doc.get("op").and_then(Value::as_str).unwrap_or_default();
        let params = doc.get("params").cloned().unwrap_or_else(|| json!({}));
        for case in doc
            .get("cases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !case.to_string().contains(S) {
                continue;
            }
            planted += 1;
            let mut request = params.clone();
            if let (Value::Object(req), Value::Object(c)) = (&mut request, case) {
                for (k, v) in c {
                    if !matches!(
                        k.as_str(),
                        "name" | "description" | "expect" | "expect_error"
                    ) {
                        req.insert(k.clone(), v.clone());
                    }
                }
            }
            let answer = rxgate_core::api::call(op, &request)
                .map(|v| v.to_string())
                .unwrap_or_else(|e| e.message);
            assert!(!answer.contains(S), "{}: {answer}", file.display());
        }
    }
    assert!(planted >= 3, "vectors plant the sentinel");
}
