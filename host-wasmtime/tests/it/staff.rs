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

fn post(uri: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap()
}

/// A call of `kind` for `o1`, parked with `error` as the worker parks it; answers its id.
fn parked(store: &SqliteStore, kind: &str, error: &str) -> i64 {
    let key = format!("{kind}:o1:{}", uuid::Uuid::new_v4());
    let payload = json!({"path": "external/receivePhotos", "endpoint": "photos",
                         "body": {"masterId": "m-o1"}});
    let Ok(rxgate_host::store::Inserted::New(id)) =
        store.enqueue(kind, Some("o1"), &key, &payload, 0)
    else {
        panic!("the call is queued");
    };
    crate::common::settle_call(
        store,
        id,
        rxgate_host::store::CallDisposition::Failed {
            error: error.to_owned(),
        },
    );
    id
}

async fn panel_of(state: &AppState) -> Value {
    let (status, body, _) = send(state, get("/api/emr/orders/o1/beluga")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json_body(&body)
}

#[tokio::test]
async fn a_parked_beluga_call_is_re_armed_once_by_staff_with_an_audited_actor() {
    let (state, store) = chatted_order();
    let id = parked(&store, "beluga_photos", "retry_later: partner_server_error");
    // The panel offers it among the allowed actions and in its failure list.
    let panel = panel_of(&state).await;
    let offered = panel["allowedActions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["action"] == "retry_beluga_call" && a["call_id"] == id)
        .cloned();
    assert_eq!(
        offered.as_ref().map(|a| a["allowed"].clone()),
        Some(json!(true)),
        "{panel}"
    );
    let failure = &panel["failures"][0];
    assert_eq!(failure["callId"], id, "{panel}");
    assert_eq!(failure["class"], "retry_later");
    assert_eq!(failure["retry"]["allowed"], true);
    let uri = format!("/api/emr/orders/o1/beluga/calls/{id}/retry");
    let (status, body, _) = send(&state, post(&uri)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(json_body(&body)["callId"], id);
    let call = store
        .calls_of("o1")
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    assert_eq!((call.status.as_str(), call.attempts), ("pending", 0));
    // Audited with the actor (the EMR key's id, never the key).
    let audit = store
        .audit_log(&rxgate_host::store::AuditFilter {
            order_id: Some("o1".into()),
            ..Default::default()
        })
        .unwrap();
    let entry = audit
        .iter()
        .find(|e| e.outcome == "rearmed")
        .expect("audited");
    assert_eq!(entry.event, "beluga_photos");
    assert!(
        entry
            .actor
            .as_deref()
            .is_some_and(|a| a.starts_with("key_")),
        "{entry:?}"
    );
    // A second retry of the now pending call changes nothing: 409 with the rule's reason.
    let (status, body, _) = send(&state, post(&uri)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(json_body(&body)["code"], "beluga_call_pending", "{body}");
    let audit = store
        .audit_log(&rxgate_host::store::AuditFilter {
            order_id: Some("o1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(audit.iter().filter(|e| e.outcome == "rearmed").count(), 1);
    // No longer parked: no longer offered.
    let panel = panel_of(&state).await;
    assert_eq!(panel["failures"], json!([]), "{panel}");
}

#[tokio::test]
async fn the_rules_refuse_to_re_arm_what_must_not_be_sent_again() {
    let (state, store) = chatted_order();
    let permanent = parked(
        &store,
        "beluga_update_visit",
        "permanent: TOO_MANY_RETRIES — the prescription retry limit is reached: a new visit is needed",
    );
    let submit = parked(
        &store,
        "beluga_submit",
        "fix_patient_data: Phone number error — correct the phone",
    );
    let pharmacy = parked(
        &store,
        "dispensepro_order",
        "fix_configuration: partner_call_refused",
    );
    let retry = |id: i64| format!("/api/emr/orders/o1/beluga/calls/{id}/retry");
    let (status, body, _) = send(&state, post(&retry(permanent))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        json_body(&body)["violations"][0]["code"],
        "beluga_call_permanent",
        "{body}"
    );
    let (status, body, _) = send(&state, post(&retry(submit))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        json_body(&body)["violations"][0]["code"],
        "beluga_call_use_retry",
        "{body}"
    );
    let (status, body, _) = send(&state, post(&retry(pharmacy))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(json_body(&body)["code"], "not_a_beluga_call", "{body}");
    let (status, _, _) = send(&state, post(&retry(999_999))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing was re-armed.
    assert!(store
        .calls_of("o1")
        .unwrap()
        .iter()
        .all(|c| c.status == "failed"));
    // The panel shows each failure with its CS guidance (item 6: the guidance per failure).
    let panel = panel_of(&state).await;
    let failures = panel["failures"].as_array().cloned().unwrap_or_default();
    assert_eq!(failures.len(), 3, "{panel}");
    let of = |id: i64| {
        failures
            .iter()
            .find(|f| f["callId"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(of(permanent)["class"], "permanent");
    assert_eq!(of(permanent)["message"], "TOO_MANY_RETRIES");
    assert_eq!(
        of(permanent)["guidance"],
        "the prescription retry limit is reached: a new visit is needed"
    );
    assert_eq!(of(permanent)["retry"]["allowed"], false);
    assert_eq!(of(submit)["guidance"], "correct the phone");
    assert_eq!(of(pharmacy)["message"], "partner_call_refused");
    assert_eq!(of(pharmacy)["guidance"], Value::Null);
    assert_eq!(
        of(pharmacy)["retry"],
        Value::Null,
        "pharmacy routes have their own retry"
    );
}

#[tokio::test]
async fn a_re_arm_repeated_with_its_idempotency_key_replays_the_first_answer() {
    let (state, store) = chatted_order();
    let id = parked(
        &store,
        "beluga_pdf",
        "fix_configuration: Visit does not exist — check the visit id",
    );
    let request = || {
        Request::builder()
            .method("POST")
            .uri(format!("/api/emr/orders/o1/beluga/calls/{id}/retry"))
            .header("x-api-key", EMR)
            .header("idempotency-key", "rearm-1")
            .body(Body::empty())
            .unwrap()
    };
    let (first, body, _) = send(&state, request()).await;
    assert_eq!(first, StatusCode::ACCEPTED, "{body}");
    let (again, replayed, _) = send(&state, request()).await;
    assert_eq!(again, StatusCode::ACCEPTED, "{replayed}");
    assert_eq!(json_body(&replayed), json_body(&body));
    let rearmed = store
        .audit_log(&rxgate_host::store::AuditFilter {
            order_id: Some("o1".into()),
            ..Default::default()
        })
        .unwrap()
        .iter()
        .filter(|e| e.outcome == "rearmed")
        .count();
    assert_eq!(rearmed, 1);
}
