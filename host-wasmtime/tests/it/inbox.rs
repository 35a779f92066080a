//! No event is lost quietly (issue 16, item 2) and a worker no item can stop (issue 18, items
//! 2 and 3): one outcome per stored event, rejected and unmatched events flagged (prescription
//! ones escalated), re-drive, unmatched events applied when their order appears without scans,
//! supervision, `/readyz`'s worker health, and the partner-call lane.

use crate::common::{ready_order, seed_snapshot};
use crate::service::{
    beluga_event, json_body, send, shared_rules, state, state_with, test_config, ADMIN,
    BELUGA_SECRET, EMR,
};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rxgate_host::service::{self, worker, Clock};
use rxgate_host::store::{AuditEntry, Claim, EventOutcome, RecordTable, Storage};
use serde_json::{json, Value};

fn admin_get(path: &str) -> Request<Body> {
    Request::get(path)
        .header("x-api-key", ADMIN)
        .body(Body::empty())
        .unwrap()
}

fn redrive(id: i64) -> Request<Body> {
    Request::post(format!("/admin/events/{id}/redrive"))
        .header("x-api-key", ADMIN)
        .body(Body::empty())
        .unwrap()
}

/// The fixture order with a Beluga master id.
fn order_with_master(master: &str) -> Value {
    let mut order = ready_order();
    order["order"]["beluga"]["master_id"] = json!(master);
    order
}

fn rx_written(master: &str) -> String {
    json!({"event": "RX_WRITTEN", "masterId": master,
           "medsPrescribed": [{"medId": "SEMA-025", "rxId": "rx-1"}]})
    .to_string()
}

async fn webhook(state: &service::AppState, body: &str) {
    let (status, answer, _) = send(state, beluga_event(Some(BELUGA_SECRET), body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn tick(state: &service::AppState) {
    let mut last = 0;
    worker::tick(state, &mut last).await.unwrap();
}

/// The stored event whose body names `master`.
fn event_of(store: &dyn Storage, master: &str) -> rxgate_host::store::EventRecord {
    store
        .list_events(100)
        .unwrap()
        .into_iter()
        .find(|e| e.dedupe_key.contains(master))
        .unwrap()
}

#[tokio::test]
async fn a_rejected_rx_written_is_rejected_flagged_and_escalated() {
    let (state, store) = state();
    seed_snapshot(&*store, "o1", &order_with_master("m-1"));
    webhook(
        &state,
        r#"{"event":"RX_WRITTEN","masterId":"m-1","medsPrescribed":[]}"#,
    )
    .await;
    tick(&state).await;
    let event = event_of(&*store, "m-1");
    // Never `applied`: the rule's codes are the reason.
    assert_eq!(event.outcome, Some(EventOutcome::Rejected));
    let reason = event.reason.clone().unwrap_or_default();
    assert!(!reason.is_empty() && !reason.contains("m-1"), "{reason}");
    let (status, body, _) = send(&state, admin_get("/admin/events/attention")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let flagged = json_body(&body);
    assert_eq!(flagged[0]["id"], json!(event.id), "{flagged}");
    assert_eq!(flagged[0]["outcome"], "rejected");
    assert_eq!(
        flagged[0]["escalation"], true,
        "RX_WRITTEN is prescription-related"
    );
    assert_eq!(flagged[0]["reason"], json!(reason));
    assert_eq!(flagged[0]["order_id"], "o1");
    // The admin list shows the same outcome and reason; staff keys cannot read either list.
    let (_, body, _) = send(&state, admin_get("/admin/events")).await;
    assert_eq!(json_body(&body)[0]["outcome"], "rejected");
    assert_eq!(json_body(&body)[0]["reason"], json!(reason));
    let emr = Request::get("/admin/events/attention")
        .header("x-api-key", EMR)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&state, emr).await.0, StatusCode::FORBIDDEN);
    let (_, metrics, _) = send(&state, admin_get("/metrics")).await;
    assert!(
        metrics.contains(r#"rxgate_events_processed_total{source="beluga",outcome="rejected"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("rxgate_inbox_rejected 1"), "{metrics}");
}

/// The attack of issue 18 item 2: an order the rules cannot read breaks its own event only;
/// later webhooks are applied, the broken one is `failed` and flagged, and after the fix a
/// re-drive sent twice applies it once.
#[tokio::test]
async fn a_poisoned_order_fails_its_event_only_and_a_double_redrive_applies_once() {
    let (state, store) = state();
    // The EMR replaced the order with something that is not an order (accepted by the store
    // as ce45140 accepted it over HTTP) while rxgate's state names a visit.
    let audit = AuditEntry::default();
    store
        .put_clinic_input(
            "o1",
            &json!({"order": "replaced"}),
            &json!({"order": {"beluga": {"master_id": "m-1"}}}),
            None,
            &audit,
            &[],
        )
        .unwrap();
    seed_snapshot(&*store, "o2", &order_with_master("m-2"));
    // Over HTTP the same PUT is refused at the door.
    let put = Request::put("/api/emr/orders/o3")
        .header("x-api-key", EMR)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"order":"replaced"}"#))
        .unwrap();
    assert!(send(&state, put).await.0.is_client_error());
    webhook(&state, &rx_written("m-1")).await;
    webhook(&state, &rx_written("m-2")).await;
    tick(&state).await;
    let broken = event_of(&*store, "m-1");
    assert_eq!(broken.outcome, Some(EventOutcome::Failed), "{broken:?}");
    assert_eq!(broken.reason.as_deref(), Some("rules_refused_request"));
    assert_eq!(
        event_of(&*store, "m-2").outcome,
        Some(EventOutcome::Applied),
        "the worker went on"
    );
    let (_, body, _) = send(&state, admin_get("/admin/events/attention")).await;
    assert_eq!(json_body(&body)[0]["outcome"], "failed", "{body}");
    // Staff fix the order, then re-drive twice: queued once, then already pending.
    let (clinic, _) = rxgate_core::order::ownership::split(&ready_order());
    store
        .put_clinic_input("o1", &clinic, &json!({}), None, &audit, &[])
        .unwrap();
    let (status, body, _) = send(&state, redrive(broken.id)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(json_body(&body)["status"], "queued");
    let (status, body, _) = send(&state, redrive(broken.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["status"], "pending");
    tick(&state).await;
    assert_eq!(
        event_of(&*store, "m-1").outcome,
        Some(EventOutcome::Applied)
    );
    let (status, body, _) = send(&state, redrive(broken.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body(&body)["status"], "applied");
    tick(&state).await;
    assert_eq!(
        store
            .records(RecordTable::Prescriptions, "o1")
            .unwrap()
            .len(),
        1
    );
    let applied = store
        .audit_log(&rxgate_host::store::AuditFilter {
            order_id: Some("o1".into()),
            event: Some("RX_WRITTEN".into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.outcome == "applied")
        .count();
    assert_eq!(applied, 1, "applied once");
    assert_eq!(
        send(&state, redrive(999_999)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_panic_or_an_error_in_one_item_is_caught_with_its_reason() {
    assert_eq!(
        worker::supervised(async { panic!("poisoned item") }).await,
        Some("worker_panic")
    );
    assert_eq!(
        worker::supervised(async { Err(anyhow::anyhow!("broken")) }).await,
        Some("worker_error")
    );
    assert_eq!(worker::supervised(async { Ok(()) }).await, None);
}

#[tokio::test]
async fn an_unmatched_event_waits_indexed_and_is_applied_when_its_order_appears() {
    let (state, store) = state();
    webhook(&state, &rx_written("m-9")).await;
    tick(&state).await;
    let event = event_of(&*store, "m-9");
    assert_eq!(event.outcome, Some(EventOutcome::Unmatched));
    assert_eq!(event.reason.as_deref(), Some("no_order"));
    let (_, body, _) = send(&state, admin_get("/admin/events/attention")).await;
    assert_eq!(json_body(&body)[0]["outcome"], "unmatched", "{body}");
    assert_eq!(json_body(&body)[0]["escalation"], true);
    // Idle passes read nothing: the unmatched event is in no claim's result set, and the
    // worker writes nothing about it.
    let audit_before = store.audit_log(&Default::default()).unwrap().len();
    tick(&state).await;
    tick(&state).await;
    let idle = Claim {
        owner: "probe".into(),
        now: state.now_ms(),
        lease_ms: 1,
    };
    assert!(store.claim_pending_events(&idle, 1_000).unwrap().is_empty());
    assert_eq!(
        store.audit_log(&Default::default()).unwrap().len(),
        audit_before
    );
    // Its order appears: the event is re-opened in the same write and applied at the next
    // pass.
    seed_snapshot(&*store, "o9", &order_with_master("m-9"));
    assert_eq!(event_of(&*store, "m-9").outcome, None);
    tick(&state).await;
    let applied = event_of(&*store, "m-9");
    assert_eq!(applied.outcome, Some(EventOutcome::Applied));
    assert_eq!(applied.order_id.as_deref(), Some("o9"));
    let (_, body, _) = send(&state, admin_get("/admin/events/attention")).await;
    assert_eq!(json_body(&body), json!([]));
}

#[tokio::test]
async fn readyz_reports_a_stuck_worker_by_the_oldest_pending_item() {
    let (mut state, _store) = state();
    webhook(&state, &rx_written("m-5")).await;
    let (status, body, _) =
        send(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json_body(&body)["worker"]["stuck"], false);
    // The same store read 301 s later (threshold 300 s) with the event still waiting.
    let later = service::now_ms() + 301_000;
    state.clock = Clock::from_fn(move || later);
    let (status, body, _) =
        send(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let ready = json_body(&body);
    assert_eq!(ready["status"], "not_ready");
    assert_eq!(ready["worker"]["stuck"], true);
    assert!(ready["worker"]["oldest_pending_s"].as_i64().unwrap() >= 300);
    let (_, metrics, _) = send(&state, admin_get("/metrics")).await;
    let age = metrics
        .lines()
        .find_map(|l| l.strip_prefix("rxgate_worker_oldest_pending_seconds "))
        .and_then(|v| v.trim().parse::<i64>().ok());
    assert!(age.is_some_and(|a| a >= 300), "{metrics}");
    // Once the worker has processed it, the service is ready again.
    tick(&state).await;
    let (status, body, _) =
        send(&state, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(json_body(&body)["worker"]["oldest_pending_s"], 0);
}

/// Issue 18 item 3: a partner that never answers holds only its own lane. Asserted by state:
/// the webhook is applied while the partner call is still in flight (generous bound only as a
/// safety net against a hang).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_applied_while_a_partner_hangs() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (accepted_tx, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
            let _ = accepted_tx.send(());
        }
    });
    let mut config = test_config();
    config.beluga.api_key = Some("beluga-api-key".into());
    config.beluga.base_url = format!("http://{addr}/");
    config.outbox.request_timeout_ms = 600_000;
    config.outbox.poll_ms = 20;
    let (state, store) = state_with(config, shared_rules());
    seed_snapshot(&*store, "o1", &order_with_master("m-1"));
    let now = state.now_ms();
    store
        .enqueue(
            "beluga_message",
            Some("o1"),
            "hanging-call",
            &json!({"path": "external/receiveChat", "body": {}}),
            now,
        )
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker::run(state.clone(), stopped));
    let bound = std::time::Duration::from_secs(60);
    tokio::time::timeout(bound, accepted.recv())
        .await
        .expect("the partner call is sent");
    webhook(&state, &rx_written("m-1")).await;
    let applied = tokio::time::timeout(bound, async {
        loop {
            if event_of(&*store, "m-1").outcome == Some(EventOutcome::Applied) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        applied.is_ok(),
        "the webhook waited for the hanging partner"
    );
    let calls = store.calls_of("o1").unwrap();
    let hanging = calls
        .iter()
        .find(|c| c.dedupe_key == "hanging-call")
        .unwrap();
    assert_eq!(hanging.status, "pending");
    assert_eq!(
        hanging.attempts, 0,
        "still in flight when the webhook was applied"
    );
    let _ = stop.send(true);
    worker.abort();
}
