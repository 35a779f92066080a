//! The outbox's retry mechanics, with a stand-in rules component that gives every call the
//! same answer (so the host's handling of each class is tested without the core's
//! classifier): `retry_later` is retried with backoff until `max_attempts`, any other failure
//! class parks the call at once, `duplicate` reconciles by fetching the visit by master id.

use http_body_util::BodyExt;
use rxgate_host::config::{Config, Environment};
use rxgate_host::rules::{RulesConfig, RulesHandle, Runtime};
use rxgate_host::service::{self, AppState};
use rxgate_host::store::{sqlite::SqliteStore, Db, Storage};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// A component implementing `rxgate:rules/api@0.1.0` whose `call` always answers `answer`.
fn constant_rules(answer: &str) -> Vec<u8> {
    let escaped: String = answer.bytes().map(|b| format!("\\{b:02x}")).collect();
    let wat = format!(
        r#"(component
  (core module $m
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 4096))
    (data (i32.const 1024) "{escaped}")
    (data (i32.const 64) "{{}}")
    (data (i32.const 96) "[]")
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (global.get $heap) (local.get 3)))
      (local.get $p))
    (func (export "call") (param i32 i32 i32 i32) (result i32)
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const {len}))
      (i32.const 0))
    (func (export "version") (result i32)
      (i32.store (i32.const 8) (i32.const 64))
      (i32.store (i32.const 12) (i32.const 2))
      (i32.const 8))
    (func (export "ops") (result i32)
      (i32.store (i32.const 16) (i32.const 96))
      (i32.store (i32.const 20) (i32.const 2))
      (i32.const 16)))
  (core instance $i (instantiate $m))
  (func $call (param "op" string) (param "request-json" string) (result string)
    (canon lift (core func $i "call") (memory $i "memory") (realloc (func $i "cabi_realloc"))))
  (func $version (result string)
    (canon lift (core func $i "version") (memory $i "memory") (realloc (func $i "cabi_realloc"))))
  (func $ops (result string)
    (canon lift (core func $i "ops") (memory $i "memory") (realloc (func $i "cabi_realloc"))))
  (instance $api
    (export "call" (func $call))
    (export "version" (func $version))
    (export "ops" (func $ops)))
  (export "rxgate:rules/api@0.1.0" (instance $api)))"#,
        len = answer.len()
    );
    wat::parse_str(&wat).expect("valid WAT")
}

type Seen = Arc<Mutex<Vec<String>>>;

async fn stub() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app =
        axum::Router::new().fallback(axum::routing::any(move |req: axum::extract::Request| {
            let log = log.clone();
            async move {
                let path = req.uri().path().to_owned();
                let _ = req.into_body().collect().await;
                log.lock().unwrap().push(path);
                (axum::http::StatusCode::SERVICE_UNAVAILABLE, "")
            }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), seen)
}

async fn setup(class_answer: &str, max_attempts: u32) -> (AppState, Arc<SqliteStore>, Seen) {
    let (base, seen) = stub().await;
    let runtime = Runtime::new(RulesConfig::default()).unwrap();
    let rules = RulesHandle::new(
        runtime.clone(),
        runtime.load(&constant_rules(class_answer)).unwrap(),
    );
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
    store.upsert_order("o1", &json!({}), 0).unwrap();
    store.ensure_master_id("o1", "m-1").unwrap();
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
            store.call_retry(call.id, 0, "test: due now").unwrap();
        }
    }
    let mut last = i64::MAX;
    service::worker::tick(state, &mut last).await.unwrap();
}

#[tokio::test]
async fn retry_later_is_retried_with_backoff_then_parked() {
    let (state, store, seen) = setup(r#"{"ok":{"classification":"retry_later"}}"#, 3).await;
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
    assert_eq!(order.state["belugaSubmitStatus"], "FAILED");
    assert_eq!(order.state["submitError"]["class"], "retry_later");
}

#[tokio::test]
async fn a_data_error_is_never_retried() {
    let (state, store, seen) = setup(r#"{"ok":{"classification":"fix_patient_data"}}"#, 10).await;
    let mut last = i64::MAX;
    service::worker::tick(&state, &mut last).await.unwrap();
    pass(&state, &store).await;
    assert_eq!(seen.lock().unwrap().len(), 1, "sent once");
    let call = &store.calls_of("o1").unwrap()[0];
    assert_eq!(call.status, "failed");
    let order = store.get_order("o1").unwrap().unwrap();
    assert_eq!(order.state["submitError"]["class"], "fix_patient_data");
}

#[tokio::test]
async fn duplicate_master_id_reconciles_by_fetching_the_visit() {
    let (state, store, seen) = setup(r#"{"ok":{"classification":"duplicate"}}"#, 10).await;
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
    let (state, store, _) = setup(r#"{"ok":{"classification":"success"}}"#, 10).await;
    // Replace the queued create by a reconciliation fetch.
    let create = store.calls_of("o1").unwrap()[0].id;
    store.call_done(create, 0).unwrap();
    let fetch =
        json!({"method": "GET", "path": "visit/externalFetch/m-1", "endpoint": "visit_fetch"});
    store
        .enqueue("beluga_fetch", Some("o1"), "beluga_fetch:m-1", &fetch, 0)
        .unwrap();
    let mut last = i64::MAX;
    service::worker::tick(&state, &mut last).await.unwrap();
    let order = store.get_order("o1").unwrap().unwrap();
    assert_eq!(order.state["belugaSubmitStatus"], "SUBMITTED");
    assert!(order.state["submitError"].is_null());
}
