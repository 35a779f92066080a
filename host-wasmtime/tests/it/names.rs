//! Issue 16 item 3, `NAME_UPDATE` reaches staff: Beluga's proposed names are checked by the
//! rules' name rule and kept on the order; staff accept one (the clinic app gets a
//! `patient_name_update` notification) or dismiss one; a name the rule refuses cannot be
//! accepted; a settled one cannot be settled again; and nothing of it calls Beluga.

use crate::common::{ready_order, seed_snapshot};
use crate::service::{beluga_event, json_body, send, state, BELUGA_SECRET, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::{worker, AppState};
use rxgate_host::store::{RecordTable, Storage};
use serde_json::{json, Value};

async fn name_update(state: &AppState, first: &str, last: &str) {
    let body =
        json!({"event": "NAME_UPDATE", "masterId": "m-name", "firstName": first, "lastName": last});
    let (status, answer, _) =
        send(state, beluga_event(Some(BELUGA_SECRET), &body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    worker::events_pass(state).await.unwrap();
}

async fn panel(state: &AppState) -> Value {
    let request = Request::get("/api/emr/orders/o-name/beluga")
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap();
    let (status, body, _) = send(state, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json_body(&body)
}

async fn settle(state: &AppState, update: &str, action: &str) -> (StatusCode, Value) {
    let request = Request::post(format!("/api/emr/orders/o-name/name-updates/{update}"))
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(json!({"action": action}).to_string()))
        .unwrap();
    let (status, body, _) = send(state, request).await;
    (status, json_body(&body))
}

#[tokio::test]
async fn proposed_names_are_checked_kept_and_settled_by_staff_without_a_beluga_call() {
    let (state, store) = state();
    let mut order = ready_order();
    order["order"]["id"] = json!("o-name");
    order["order"]["beluga"] =
        json!({"master_id": "m-name", "submit_status": "SUBMITTED", "visit_id": "v-name"});
    seed_snapshot(&*store, "o-name", &order);

    name_update(&state, "Maria", "Alvarez-Ruiz").await;
    name_update(&state, "Maria", &"a".repeat(101)).await;
    name_update(&state, "Mariah", "Alvarez").await;
    let p = panel(&state).await;
    let updates = p["nameUpdates"].as_array().cloned().unwrap_or_default();
    assert_eq!(updates.len(), 3, "{p}");
    assert_eq!(updates[0]["status"], "pending", "{p}");
    assert_eq!(updates[0]["lastName"], "Alvarez-Ruiz", "{p}");
    assert_eq!(updates[1]["status"], "invalid", "{p}");
    assert_eq!(updates[1]["codes"], json!(["text_too_long"]), "{p}");
    let id = |i: usize| updates[i]["id"].as_str().unwrap().to_owned();

    // Accept: the clinic app is notified; the name is settled once.
    let (status, body) = settle(&state, &id(0), "accept").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"status": "accepted", "clinic_notified": true}));
    let (status, body) = settle(&state, &id(0), "dismiss").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // The name the rule refused cannot be accepted; it can be dismissed.
    let (status, body) = settle(&state, &id(1), "accept").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(settle(&state, &id(1), "dismiss").await.0, StatusCode::OK);
    let (status, body) = settle(&state, &id(2), "dismiss").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["clinic_notified"], false);
    assert_eq!(
        settle(&state, "999999", "accept").await.0,
        StatusCode::NOT_FOUND
    );

    let p = panel(&state).await;
    let statuses: Vec<&str> = p["nameUpdates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "dismissed", "dismissed"], "{p}");
    assert_eq!(p["nameUpdates"][0]["by"], p["nameUpdates"][2]["by"], "{p}");
    assert!(p["nameUpdates"][0]["by"].is_string(), "{p}");
    let notes = store.records(RecordTable::Notifications, "o-name").unwrap();
    let kinds: Vec<&str> = notes.iter().filter_map(|n| n["kind"].as_str()).collect();
    assert_eq!(kinds, ["patient_name_update"], "{notes:?}");
    // No Beluga call: nothing queued for the order at all.
    let calls = store.calls_of("o-name").unwrap();
    assert!(calls.is_empty(), "{calls:?}");
}
