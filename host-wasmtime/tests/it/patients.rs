//! Per-patient export and erase (issue 18 item 5): admin only, every order naming the
//! patient, the export audited, the erase refused while partner calls are in flight unless
//! forced with a reason, the audit trail kept.

use crate::service::{json_body, send, shared_rules, state_with, test_config, ADMIN, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::AppState;
use rxgate_host::store::{sqlite::SqliteStore, AuditEntry, AuditFilter, NewEvent, Storage};
use serde_json::{json, Value};
use std::sync::Arc;

/// Orders `a1`, `a2` of patient `pat_A` (an event and a pending call on `a1`) and `b1` of
/// `pat_B`.
fn patients_state() -> (AppState, Arc<SqliteStore>) {
    let (state, store) = state_with(test_config(), shared_rules());
    for (id, patient) in [("a1", "pat_A"), ("a2", "pat_A"), ("b1", "pat_B")] {
        let mut order = crate::common::ready_order();
        order["patient"]["id"] = json!(patient);
        order["order"]["id"] = json!(id);
        crate::common::seed_snapshot(&*store, id, &order);
    }
    let event = NewEvent {
        source: "beluga".into(),
        partner: String::new(),
        event: "DOCTOR_CHAT".into(),
        dedupe_key: "k-a1".into(),
        raw: br#"{"masterId":"m-a1","content":"how is the rash, Maria?"}"#.to_vec(),
        unsigned: false,
        received_at: 1,
    };
    let inserted = store
        .accept_events(&[event], &AuditEntry::default())
        .unwrap();
    let rxgate_host::store::Inserted::New(id) = inserted[0] else {
        panic!("stored once")
    };
    store
        .finish_event(id, rxgate_host::store::EventOutcome::Applied, Some("a1"), 2)
        .unwrap();
    store
        .enqueue(
            "beluga_chat",
            Some("a1"),
            "chat-1",
            &json!({"body": {"content": "hi"}}),
            3,
        )
        .unwrap();
    let upserted = AuditEntry {
        source: "api".into(),
        event: "order_upserted".into(),
        order_id: Some("a1".into()),
        outcome: "stored".into(),
        ..AuditEntry::default()
    };
    store.audit(&upserted).unwrap();
    (state, store)
}

fn request(method: &str, uri: &str, key: &str, body: Option<Value>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("x-api-key", key)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap()
}

fn audit_of(store: &SqliteStore, order: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        order_id: Some(order.into()),
        ..AuditFilter::default()
    };
    store.audit_log(&filter).unwrap()
}

#[tokio::test]
async fn an_export_holds_every_order_of_the_patient_and_is_audited() {
    let (state, store) = patients_state();
    let uri = "/admin/patients/pat_A/export";
    let (status, _, _) = send(&state, request("GET", uri, EMR, None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admin only");
    let (status, body, _) = send(&state, request("GET", uri, ADMIN, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let export = json_body(&body);
    let orders = export["orders"].as_array().unwrap();
    let ids: Vec<&str> = orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["a1", "a2"],
        "every order of the patient, no other patient's"
    );
    let a1 = &orders[0];
    assert_eq!(a1["clinic"]["patient"]["id"], "pat_A");
    assert_eq!(a1["events"][0]["raw"]["content"], "how is the rash, Maria?");
    assert_eq!(a1["calls"][0]["kind"], "beluga_chat");
    assert_eq!(a1["calls"][0]["payload"]["body"]["content"], "hi");
    for member in [
        "activities",
        "documents",
        "prescriptions",
        "shipments",
        "audit",
    ] {
        assert!(a1[member].is_array(), "{member}");
    }
    let trail = audit_of(&store, "a1");
    assert_eq!(trail[0].event, "patient_exported");
    assert!(trail[0].actor.as_deref().unwrap_or("").starts_with("key_"));
    assert!(!serde_json::to_string(&trail).unwrap().contains("pat_A"));
    let (status, body, _) = send(
        &state,
        request("GET", "/admin/patients/nobody/export", ADMIN, None),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json_body(&body)["code"], "patient_not_found");
}

#[tokio::test]
async fn an_erase_waits_for_calls_in_flight_unless_forced_with_a_reason() {
    let (state, store) = patients_state();
    let uri = "/admin/patients/pat_A/erase";
    let (status, _, _) = send(&state, request("POST", uri, EMR, Some(json!({})))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admin only");
    let (status, body, _) = send(&state, request("POST", uri, ADMIN, Some(json!({})))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let refused = json_body(&body);
    assert_eq!(refused["code"], "erase_calls_in_flight");
    assert_eq!(refused["inFlight"], 1);
    assert_eq!(refused["inFlightOrders"], json!(["a1"]));
    let forced = json!({"force": true, "reason": " "});
    let (status, body, _) = send(&state, request("POST", uri, ADMIN, Some(forced))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(json_body(&body)["code"], "erase_reason_missing");
    assert!(
        store.get_order("a1").unwrap().is_some(),
        "a refusal erases nothing"
    );
    let forced = json!({"force": true, "reason": "deletion request DR-7"});
    let (status, body, _) = send(&state, request("POST", uri, ADMIN, Some(forced))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let erased = json_body(&body);
    assert_eq!(erased["orders"], json!(["a1", "a2"]));
    assert_eq!(erased["forced"], true);
    assert_eq!(erased["erased"]["orders"], 2);
    assert_eq!(erased["erased"]["callsParked"], 1);
    assert!(store.get_order("a1").unwrap().is_none());
    assert!(store.get_order("b1").unwrap().is_some());
    let call = &store.calls_of("a1").unwrap()[0];
    assert_eq!(
        (call.status.as_str(), &call.payload["purged"]),
        ("failed", &json!("patient_erased"))
    );
    let trail = audit_of(&store, "a1");
    assert_eq!(trail[0].event, "patient_erased");
    assert_eq!(trail[0].outcome, "erased_forced");
    assert_eq!(
        trail[0].detail.as_ref().unwrap()["reason"],
        "deletion request DR-7"
    );
    assert_eq!(trail[1].event, "order_upserted", "the earlier trail stays");
    let (status, _, _) = send(
        &state,
        request("GET", "/admin/patients/pat_A/export", ADMIN, None),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing is left to export");
    let (status, _, _) = send(&state, request("GET", "/api/emr/orders/a1", ADMIN, None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
