//! Staff tools and the state the rules read (issue 16 items 5 and 6): the activities the
//! service stored are the snapshot's, so the diagnosis judges message visibility on what was
//! really stored.

use crate::service::{json_body, send, shared_rules, state_with, test_config, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::AppState;
use rxgate_host::store::{sqlite::SqliteStore, Storage};
use serde_json::{json, Value};
use std::sync::Arc;

fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .method("GET")
        .uri(uri)
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap()
}

/// A submitted order `o1` whose rxgate state holds a received `DOCTOR_CHAT` and, in its own
/// document, a (stale, imported) doctor-chat activity the service never stored.
fn chatted_order() -> (AppState, Arc<SqliteStore>) {
    let (state, store) = state_with(test_config(), shared_rules());
    let mut order = crate::common::ready_order();
    order["order"]["id"] = json!("o1");
    order["order"]["beluga"]["master_id"] = json!("m-o1");
    order["order"]["beluga"]["submit_status"] = json!("SUBMITTED");
    order["events"] = json!([{"source": "BELUGA", "event": "DOCTOR_CHAT",
        "received_at": "2026-11-22T16:05:00Z", "master_id": "m-o1"}]);
    order["activities"] = json!([{"kind": "BELUGA_DOCTOR_CHAT", "at": "2026-11-22T16:05:00Z",
        "shown_to_patient": true}]);
    crate::common::seed_snapshot(&*store, "o1", &order);
    (state, store)
}

/// The codes of the panel's diagnosis escalations.
async fn escalations(state: &AppState) -> Vec<String> {
    let (status, body, _) = send(state, get("/api/emr/orders/o1/beluga")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json_body(&body)["diagnosis"]["escalations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["code"].as_str().map(str::to_owned))
        .collect()
}

const NOT_VISIBLE: &str = "doctor_message_not_visible";

#[tokio::test]
async fn a_doctor_chat_with_no_stored_activity_escalates() {
    // rxgate's document claims an activity; the service stored none: the rules read the store.
    let (state, _store) = chatted_order();
    assert!(escalations(&state).await.contains(&NOT_VISIBLE.to_owned()));
}

#[tokio::test]
async fn a_stored_doctor_chat_the_patient_cannot_see_escalates() {
    let (state, store) = chatted_order();
    crate::common::add_activity(
        &*store,
        "o1",
        "BELUGA_DOCTOR_CHAT",
        false,
        json!({"content": "hidden"}),
    );
    assert!(escalations(&state).await.contains(&NOT_VISIBLE.to_owned()));
}

#[tokio::test]
async fn a_stored_visible_doctor_chat_does_not_escalate_and_reaches_the_snapshot() {
    let (state, store) = chatted_order();
    crate::common::add_activity(
        &*store,
        "o1",
        "BELUGA_DOCTOR_CHAT",
        true,
        json!({"content": "Please send a photo."}),
    );
    crate::common::add_activity(
        &*store,
        "o1",
        "BELUGA_CS_SENT",
        false,
        json!({"content": "internal"}),
    );
    let codes = escalations(&state).await;
    assert!(!codes.contains(&NOT_VISIBLE.to_owned()), "{codes:?}");
    assert!(
        !codes.iter().any(|c| c == "internal_message_visible"),
        "{codes:?}"
    );
    // The order's snapshot carries the stored activities, as stored.
    let (status, body, _) = send(&state, get("/api/emr/orders/o1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let activities = json_body(&body)["snapshot"]["activities"].clone();
    let kinds: Vec<(Value, Value)> = activities
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| (a["kind"].clone(), a["shown_to_patient"].clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (json!("BELUGA_DOCTOR_CHAT"), json!(true)),
            (json!("BELUGA_CS_SENT"), json!(false))
        ],
        "{activities}"
    );
}

#[tokio::test]
async fn a_change_never_copies_the_activities_into_rxgates_document() {
    let (state, store) = chatted_order();
    crate::common::add_activity(
        &*store,
        "o1",
        "BELUGA_DOCTOR_CHAT",
        true,
        json!({"content": "PHI-SENTINEL"}),
    );
    // A staff action that writes rxgate's state (a flag settled is refused without a flag;
    // a CS message writes only its call and activity), so drive the worker's path: an event.
    let event = r#"{"event":"CS_MESSAGE","masterId":"m-o1","content":"noted"}"#;
    let (status, body, _) = send(
        &state,
        crate::service::beluga_event(Some(crate::service::BELUGA_SECRET), event),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    rxgate_host::service::worker::events_pass(&state)
        .await
        .unwrap();
    let record = store.get_order("o1").unwrap().unwrap();
    assert!(
        record.rxgate.get("activities").is_none(),
        "rxgate's document holds no activities: {}",
        record.rxgate
    );
    assert_eq!(
        record.rxgate["events"].as_array().map(Vec::len),
        Some(2),
        "the event was applied: {}",
        record.rxgate
    );
    assert_eq!(store.activities("o1", false).unwrap().len(), 2);
}
