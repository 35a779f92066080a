//! Issue 15 item 8, "nothing waits unseen": the periodic sweep re-runs the rules' diagnosis of
//! open orders with the configured thresholds, records what is stuck (with an audit entry),
//! and the worklist and the `rxgate_stuck_orders` gauge show it. The clock is injected: an
//! order whose `RX_WRITTEN` has no pharmacy submission appears once the clock is past the
//! threshold, never before.

use crate::common::{ready_order, seed_snapshot};
use crate::service::{
    beluga_event, json_body, send, shared_rules, state_with, test_config, ADMIN, BELUGA_SECRET, EMR,
};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::{self, sweep, worker, AppState, Clock};
use rxgate_host::store::{AuditFilter, Storage};
use serde_json::{json, Value};

fn get(path: &str, key: &str) -> Request<Body> {
    Request::get(path)
        .header("x-api-key", key)
        .body(Body::empty())
        .unwrap()
}

/// A stored order whose `RX_WRITTEN` was applied now (its pharmacy call queued, never sent).
async fn rx_written_now(state: &AppState, store: &dyn Storage) {
    let mut order = ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-stuck");
    order["order"]["beluga"]["submit_status"] = json!("SUBMITTED");
    order["order"]["beluga"]["visit_id"] = json!("v-stuck");
    seed_snapshot(store, "o-stuck", &order);
    let body = json!({"event": "RX_WRITTEN", "masterId": "m-stuck",
                      "medsPrescribed": [{"medId": "SEMA-025", "rxId": "rx-1"}]});
    let (status, answer, _) =
        send(state, beluga_event(Some(BELUGA_SECRET), &body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    worker::events_pass(state).await.unwrap();
    let rx = store.get_order("o-stuck").unwrap().unwrap().rxgate;
    assert!(rx.to_string().contains("RX_WRITTEN"), "{rx}");
}

async fn worklist(state: &AppState) -> Vec<Value> {
    let (status, body, _) = send(state, get("/api/emr/worklist", EMR)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    json_body(&body).as_array().cloned().unwrap_or_default()
}

/// The `rxgate_stuck_orders` sample of `stage`.
async fn gauge(state: &AppState, stage: &str) -> Option<i64> {
    let (_, text, _) = send(state, get("/metrics", ADMIN)).await;
    let prefix = format!("rxgate_stuck_orders{{stage=\"{stage}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .and_then(|v| v.trim().parse().ok())
}

fn codes(entry: &Value) -> Vec<String> {
    entry["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["code"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn rx_written_without_a_pharmacy_submission_shows_past_the_threshold() {
    let (mut state, store) = state_with(test_config(), shared_rules());
    rx_written_now(&state, &*store).await;

    // Before the threshold the sweep finds no rx_without_fulfillment.
    sweep::once(&state).await.unwrap();
    let before = worklist(&state).await;
    assert!(
        before
            .iter()
            .all(|e| !codes(e).contains(&"rx_without_fulfillment".to_owned())),
        "{before:?}"
    );
    // 25 h later (threshold 24 h): stuck, with stage, next actor and reason.
    let later = service::now_ms() + 25 * 3_600_000;
    state.clock = Clock::from_fn(move || later);
    let swept = sweep::once(&state).await.unwrap();
    assert_eq!(swept.written, 1, "{swept:?}");
    let list = worklist(&state).await;
    let entry = list
        .iter()
        .find(|e| e["orderId"] == "o-stuck")
        .unwrap_or_else(|| panic!("o-stuck in the worklist: {list:?}"));
    assert!(
        codes(entry).contains(&"rx_without_fulfillment".to_owned()),
        "{entry}"
    );
    let reason = entry["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "rx_without_fulfillment")
        .unwrap();
    assert_eq!(reason["actor"], "admin_development", "{entry}");
    assert!(
        reason["message"].as_str().unwrap().contains("24 h"),
        "{entry}"
    );
    let stage_now = entry["stage"].as_str().unwrap().to_owned();
    assert!(
        ["prescription", "pharmacy_submission"].contains(&stage_now.as_str()),
        "{entry}"
    );
    assert!(
        entry["nextActor"].as_str().is_some_and(|a| !a.is_empty()),
        "{entry}"
    );
    assert!(
        entry["nextAction"].as_str().is_some_and(|a| !a.is_empty()),
        "{entry}"
    );
    assert!(
        !entry.to_string().contains("m-stuck"),
        "no visit ids: {entry}"
    );
    let counted = gauge(&state, &stage_now).await;
    assert_eq!(counted, Some(1), "gauge of {stage_now}");

    // The raise is audited once, by rxgate; a second sweep writes nothing.
    let audit = store
        .audit_log(&AuditFilter {
            order_id: Some("o-stuck".into()),
            source: Some("sweep".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    let raised: Vec<_> = audit
        .iter()
        .filter(|a| {
            a.outcome == "raised"
                && a.detail
                    .as_ref()
                    .is_some_and(|d| d.to_string().contains("rx_without_fulfillment"))
        })
        .collect();
    assert_eq!(raised.len(), 1, "{audit:?}");
    assert_eq!(raised[0].actor.as_deref(), Some("rxgate"));
    let again = sweep::once(&state).await.unwrap();
    assert_eq!(again.written, 0, "{again:?}");
}

#[tokio::test]
async fn the_threshold_comes_from_the_configuration() {
    let mut config = test_config();
    config.escalations.rx_to_pharmacy_hours = 48;
    let (mut state, store) = state_with(config, shared_rules());
    rx_written_now(&state, &*store).await;
    let later = service::now_ms() + 25 * 3_600_000;
    state.clock = Clock::from_fn(move || later);
    sweep::once(&state).await.unwrap();
    let list = worklist(&state).await;
    assert!(
        list.iter()
            .all(|e| !codes(e).contains(&"rx_without_fulfillment".to_owned())),
        "{list:?}"
    );
    let later = service::now_ms() + 49 * 3_600_000;
    state.clock = Clock::from_fn(move || later);
    sweep::once(&state).await.unwrap();
    let list = worklist(&state).await;
    let entry = list.iter().find(|e| e["orderId"] == "o-stuck").unwrap();
    assert!(
        codes(entry).contains(&"rx_without_fulfillment".to_owned()),
        "{entry}"
    );
}

#[tokio::test]
async fn the_worklist_is_for_staff() {
    let (state, _store) = state_with(test_config(), shared_rules());
    let (status, _, _) = send(&state, get("/api/emr/worklist", "portal-test-key")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn post(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Issue 15 item 5: staff resolve a flag with a reason through the EMR route; the audit names
/// the key and keeps the reason; the sweep stops escalating it.
#[tokio::test]
async fn a_resolved_flag_is_audited_and_no_longer_escalated() {
    let (state, store) = state_with(test_config(), shared_rules());
    let mut order = ready_order();
    order["order"]["flags"] = json!([{"code": "fulfillment_before_confirmation",
        "raised_at": "2026-11-22T10:00:00Z", "event": "order.shipped"}]);
    seed_snapshot(&*store, "o-flag", &order);
    sweep::once(&state).await.unwrap();
    let stuck = |list: &[Value]| {
        list.iter()
            .any(|e| e["orderId"] == "o-flag" && codes(e).contains(&"staff_flag_open".to_owned()))
    };
    assert!(stuck(&worklist(&state).await));

    let route = "/api/emr/orders/o-flag/flags/settle";
    let mut body = json!({"code": "fulfillment_before_confirmation",
        "raisedAt": "2026-11-22T10:00:00Z", "action": "resolved"});
    let (status, answer, _) = send(&state, post(route, &body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.contains("flag_reason_missing"), "{answer}");

    body["reason"] = json!("prescription confirmed by phone");
    let (status, answer, _) = send(&state, post(route, &body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let flags = store.get_order("o-flag").unwrap().unwrap().rxgate["order"]["flags"].clone();
    assert_eq!(flags[0]["settled"]["outcome"], "resolved", "{flags}");
    let audit = store
        .audit_log(&AuditFilter {
            order_id: Some("o-flag".into()),
            event: Some("flag".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].outcome, "resolved");
    assert!(audit[0]
        .actor
        .as_deref()
        .is_some_and(|a| a.starts_with("key_")));
    assert_eq!(
        audit[0].detail.as_ref().unwrap()["reason"],
        "prescription confirmed by phone"
    );
    // A resolved flag is final.
    let (status, answer, _) = send(&state, post(route, &body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.contains("flag_already_settled"), "{answer}");

    sweep::once(&state).await.unwrap();
    assert!(!stuck(&worklist(&state).await));
}

/// Issue 15 item 1 ("a flag resolved" is an order change): settling a flag re-evaluates the
/// routes in the same change, so a route ready but never queued (an order imported with its
/// prescription) is queued with the settlement, once.
#[tokio::test]
async fn settling_a_flag_queues_every_ready_route_once() {
    // DispensePro configured for the order's pharmacy (the worker is not running: nothing
    // is sent).
    let mut config = test_config();
    config.dispensepro.insert(
        "ph_dp_1".into(),
        rxgate_host::config::DispenseProConfig {
            base_url: "http://127.0.0.1:9/".into(),
            api_key: Some("dispensepro-test-key".into()),
            webhook_secret: None,
            webhook_secret_previous: None,
        },
    );
    let (state, store) = state_with(config, shared_rules());
    let mut order = ready_order();
    order["order"]["beluga"] = json!({"submit_status": "SUBMITTED", "visit_status": "resolved",
        "resolved_status": "closed", "visit_outcome": "prescribed", "visit_id": "v-1",
        "master_id": "m-flag-route"});
    order["order"]["prescriptions"] = json!([{"source": "RX_WRITTEN", "item_id": "item_1",
        "med_id": "SEMA-025", "rx_id": "RX-1", "doctor_name": "Dr. Alan Whitaker",
        "written_at": "2026-11-22T16:05:00Z"}]);
    order["events"] = json!([{"source": "BELUGA", "event": "RX_WRITTEN",
        "received_at": "2026-11-22T16:05:00Z", "master_id": "m-flag-route"}]);
    order["order"]["flags"] = json!([{"code": "partner_exception",
        "raised_at": "2026-11-22T10:00:00Z", "event": "dispensepro.status"}]);
    seed_snapshot(&*store, "o-flag-route", &order);
    assert!(store.calls_of("o-flag-route").unwrap().is_empty());

    let route = "/api/emr/orders/o-flag-route/flags/settle";
    let body = json!({"code": "partner_exception", "raisedAt": "2026-11-22T10:00:00Z",
        "action": "acknowledged", "reason": "looking into it"});
    let (status, answer, _) = send(&state, post(route, &body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let kinds = |store: &dyn Storage| -> Vec<String> {
        store
            .calls_of("o-flag-route")
            .unwrap()
            .iter()
            .map(|c| c.kind.clone())
            .collect()
    };
    assert_eq!(kinds(&*store), ["dispensepro_order"]);
    // Resolving it later is another change: the route's key is held, nothing more queued.
    let body = json!({"code": "partner_exception", "raisedAt": "2026-11-22T10:00:00Z",
        "action": "resolved", "reason": "carrier confirmed"});
    let (status, answer, _) = send(&state, post(route, &body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(kinds(&*store), ["dispensepro_order"]);
}
