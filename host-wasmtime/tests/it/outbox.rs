//! The outbox's retry mechanics, against a stub Beluga that answers every call the same way
//! and the real rules (which classify the answer and decide the disposition): a 503 is retried
//! with backoff until `max_attempts`, a data error parks the call at once, `Duplicate masterId`
//! reconciles by fetching the visit by master id, a successful fetch marks the order submitted.

use http_body_util::BodyExt;
use rxgate_host::config::{Config, Environment};
use rxgate_host::rules::{RulesConfig, RulesHandle};
use rxgate_host::service::{self, AppState};
use rxgate_host::store::{sqlite::SqliteStore, CallDisposition, Db, Storage};
use serde_json::json;
use std::sync::{Arc, Mutex};

type Seen = Arc<Mutex<Vec<String>>>;

async fn stub(status: u16, body: &'static str) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app =
        axum::Router::new().fallback(axum::routing::any(move |req: axum::extract::Request| {
            let log = log.clone();
            async move {
                let path = req.uri().path().to_owned();
                let _ = req.into_body().collect().await;
                log.lock().unwrap().push(path);
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    body,
                )
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), seen)
}

async fn setup(
    status: u16,
    body: &'static str,
    max_attempts: u32,
) -> (AppState, Arc<SqliteStore>, Seen) {
    let (base, seen) = stub(status, body).await;
    let rules = RulesHandle::builtin(RulesConfig::default()).unwrap();
    let mut config = Config {
        environment: Environment::Sandbox,
        ..Config::default()
    };
    config.beluga.base_url = base;
    config.beluga.api_key = Some("k".into());
    config.outbox.max_attempts = max_attempts;
    config.outbox.base_backoff_ms = 60_000;
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let db = Db::new(store.clone() as Arc<dyn Storage>);
    let state = AppState::with_parts(config, db, rules).unwrap();
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-1");
    crate::common::seed_snapshot(&*store, "o1", &order);
    let call = json!({"path": "visit/createNoPayPhotos", "endpoint": "visit", "body": {}});
    store
        .enqueue("beluga_submit", Some("o1"), "beluga_submit:m-1:0", &call, 0)
        .unwrap();
    (state, store, seen)
}

/// Makes every pending call due now and runs one worker pass.
async fn pass(state: &AppState, store: &SqliteStore) {
    for call in store.calls_of("o1").unwrap() {
        if call.status == "pending" {
            let due = CallDisposition::Retry {
                next_try_at: 0,
                error: "test: due now".into(),
            };
            crate::common::settle_call(store, call.id, due);
        }
    }
    let mut last = i64::MAX;
    service::worker::tick(state, &mut last).await.unwrap();
}

#[tokio::test]
async fn retry_later_is_retried_with_backoff_then_parked() {
    let (state, store, seen) = setup(503, "", 3).await;
    let mut last = i64::MAX;
    let before = service::now_ms();
    service::worker::tick(&state, &mut last).await.unwrap();
    let call = &store.calls_of("o1").unwrap()[0];
    assert_eq!(call.status, "pending");
    assert_eq!(call.attempts, 1);
    // Backoff: the next try is at least half the base delay away, with jitter.
    assert!(
        call.next_try_at >= before + 30_000,
        "{}",
        call.next_try_at - before
    );
    assert!(call.next_try_at <= service::now_ms() + 60_000);
    // Not due yet: another pass sends nothing.
    service::worker::tick(&state, &mut last).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
    // `pass` marks it due (that bookkeeping counts as an attempt), then the worker retries.
    pass(&state, &store).await;
    let call = &store.calls_of("o1").unwrap()[0];
    assert_eq!(call.status, "failed", "parked after max_attempts");
    assert_eq!(seen.lock().unwrap().len(), 2);
    let order = store.get_order("o1").unwrap().unwrap();
    assert_eq!(order.rxgate["order"]["beluga"]["submit_status"], "FAILED");
    assert!(call
        .last_error
        .as_deref()
        .unwrap_or("")
        .starts_with("retry_later"));
}

#[tokio::test]
async fn a_data_error_is_never_retried() {
    let (state, store, seen) = setup(400, r#"{"error":"Phone number error"}"#, 10).await;
    let mut last = i64::MAX;
    service::worker::tick(&state, &mut last).await.unwrap();
    pass(&state, &store).await;
    assert_eq!(seen.lock().unwrap().len(), 1, "sent once");
    let call = &store.calls_of("o1").unwrap()[0];
    assert_eq!(call.status, "failed");
    assert!(call
        .last_error
        .as_deref()
        .unwrap_or("")
        .starts_with("fix_patient_data"));
    let order = store.get_order("o1").unwrap().unwrap();
    assert_eq!(order.rxgate["order"]["beluga"]["submit_status"], "FAILED");
    assert_eq!(
        order.rxgate["order"]["beluga"]["submit_error"],
        "Phone number error"
    );
}

#[tokio::test]
async fn duplicate_master_id_reconciles_by_fetching_the_visit() {
    let (state, store, seen) = setup(400, r#"{"error":"Duplicate masterId"}"#, 10).await;
    let mut last = i64::MAX;
    service::worker::tick(&state, &mut last).await.unwrap();
    // The fetch is queued by the first pass and sent by the next.
    service::worker::tick(&state, &mut last).await.unwrap();
    let paths = seen.lock().unwrap().clone();
    assert_eq!(
        paths,
        vec![
            "/visit/createNoPayPhotos".to_owned(),
            "/visit/externalFetch/m-1".to_owned()
        ],
        "a fetch by the same master id, never a second create"
    );
    let calls = store.calls_of("o1").unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].kind, "beluga_fetch");
}

#[tokio::test]
async fn a_successful_visit_fetch_marks_the_order_submitted() {
    let (state, store, _) = setup(
        200,
        r#"{"status":200,"masterId":"m-1","visitStatus":"active","updateTimestamp":"2026-11-23T08:00:00.000Z","resolvedStatus":"open","data":{"visitType":"weightLossGLP1","rxHistory":[]}}"#,
        10,
    ).await;
    // Replace the queued create by a reconciliation fetch.
    let create = store.calls_of("o1").unwrap()[0].id;
    crate::common::settle_call(&*store, create, CallDisposition::Done);
    let fetch =
        json!({"method": "GET", "path": "visit/externalFetch/m-1", "endpoint": "visit_fetch"});
    store
        .enqueue("beluga_fetch", Some("o1"), "beluga_fetch:m-1", &fetch, 0)
        .unwrap();
    let mut last = i64::MAX;
    service::worker::tick(&state, &mut last).await.unwrap();
    let order = store.get_order("o1").unwrap().unwrap();
    assert_eq!(
        order.rxgate["order"]["beluga"]["submit_status"],
        "SUBMITTED"
    );
    assert!(order.rxgate["order"]["beluga"]["submit_error"].is_null());
}
