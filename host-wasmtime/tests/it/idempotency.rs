//! `Idempotency-Key` on staff POSTs: a retried staff chat, CS message or Beluga pass-through
//! is queued once, its answer replayed; keys are scoped to the caller and the route.

use super::service::{state, EMR};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::router;
use rxgate_host::store::Storage;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn post(
    state: &rxgate_host::service::AppState,
    uri: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, bool) {
    let mut req = Request::post(uri)
        .header("x-api-key", EMR)
        .header("content-type", "application/json");
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    let response = router(state.clone())
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let replayed = response.headers().contains_key("idempotent-replayed");
    let status = response.status();
    if status.is_client_error() {
        use http_body_util::BodyExt;
        let body = response.into_body().collect().await.unwrap().to_bytes();
        eprintln!("{uri}: {}", String::from_utf8_lossy(&body));
    }
    (status, replayed)
}

fn seeded() -> (
    rxgate_host::service::AppState,
    std::sync::Arc<rxgate_host::store::sqlite::SqliteStore>,
) {
    let (state, store) = state();
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-idem");
    order["order"]["beluga"]["submit_status"] = json!("SUBMITTED");
    order["order"]["beluga"]["visit_id"] = json!("v-idem");
    crate::common::seed_snapshot(&*store, "o1", &order);
    (state, store)
}

#[tokio::test]
async fn a_retried_message_is_queued_once() {
    let (state, store) = seeded();
    let uri = "/api/emr/orders/o1/messages";
    let message = json!({"content": "Please check the shipping."});
    assert_eq!(
        post(&state, uri, Some("k-1"), &message).await,
        (StatusCode::ACCEPTED, false)
    );
    assert_eq!(
        post(&state, uri, Some("k-1"), &message).await,
        (StatusCode::ACCEPTED, true)
    );
    assert_eq!(store.calls_of("o1").unwrap().len(), 1);
    assert_eq!(store.activities("o1", false).unwrap().len(), 1);
    // Another key is another message; no key is never deduplicated.
    assert_eq!(
        post(&state, uri, Some("k-2"), &message).await,
        (StatusCode::ACCEPTED, false)
    );
    assert_eq!(
        post(&state, uri, None, &message).await,
        (StatusCode::ACCEPTED, false)
    );
    assert_eq!(
        post(&state, uri, None, &message).await,
        (StatusCode::ACCEPTED, false)
    );
    assert_eq!(store.calls_of("o1").unwrap().len(), 4);
}

#[tokio::test]
async fn a_retried_pass_through_is_queued_once_and_keys_are_per_route() {
    let (state, store) = seeded();
    let name = json!({"firstName": "Ana", "lastName": "Lee"});
    let uri = "/api/emr/orders/o1/patient-name";
    let first = post(&state, uri, Some("same"), &name).await;
    assert_eq!(first.0, StatusCode::ACCEPTED, "{first:?}");
    assert_eq!(
        post(&state, uri, Some("same"), &name).await,
        (StatusCode::ACCEPTED, true)
    );
    assert_eq!(store.calls_of("o1").unwrap().len(), 1);
    // The same key on another route is that route's own.
    let message = json!({"content": "Your order shipped."});
    let other = post(
        &state,
        "/api/emr/orders/o1/messages",
        Some("same"),
        &message,
    )
    .await;
    assert_eq!(other, (StatusCode::ACCEPTED, false));
    assert_eq!(store.calls_of("o1").unwrap().len(), 2);
}

#[tokio::test]
async fn an_unusable_key_is_a_400_problem() {
    let (state, _) = seeded();
    let message = json!({"content": "x"});
    let long = "k".repeat(256);
    let (status, _) = post(&state, "/api/emr/orders/o1/messages", Some(&long), &message).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A stored answer is replayed for `idempotency_ttl_hours`; after that the key is free and a
/// request carrying it is a new request.
#[tokio::test]
async fn an_expired_key_is_a_new_request() {
    let (mut state, store) = seeded();
    let uri = "/api/emr/orders/o1/messages";
    let message = json!({"content": "Is my order on its way?"});
    let start = state.now_ms();
    state.clock = rxgate_host::service::Clock::from_fn(move || start);
    assert_eq!(
        post(&state, uri, Some("k-ttl"), &message).await,
        (StatusCode::ACCEPTED, false)
    );
    let ttl_ms = i64::from(state.config.idempotency_ttl_hours) * 3_600_000;
    let almost = start + ttl_ms - 1;
    state.clock = rxgate_host::service::Clock::from_fn(move || almost);
    assert_eq!(
        post(&state, uri, Some("k-ttl"), &message).await,
        (StatusCode::ACCEPTED, true)
    );
    let past = start + ttl_ms + 1;
    state.clock = rxgate_host::service::Clock::from_fn(move || past);
    assert_eq!(
        post(&state, uri, Some("k-ttl"), &message).await,
        (StatusCode::ACCEPTED, false)
    );
    assert_eq!(store.calls_of("o1").unwrap().len(), 2);
}
