//! A stop is bounded by `drain_ms`: with partner calls hanging (a 30 s timeout each), the
//! service stops within the bound and leaves every call pending, due again after a restart.

use super::service::{state_with, test_config};
use rxgate_host::config::Environment;
use rxgate_host::service::{start_with_state, Drained};
use rxgate_host::store::{Claim, Storage};
use serde_json::json;
use std::time::{Duration, Instant};

/// A partner that accepts connections and never answers; answers how many it accepted.
async fn silent_partner() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(socket);
        }
    });
    (format!("http://{addr}/"), accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_hanging_partner_calls_ends_within_the_bound_and_leaves_them_due() {
    let (base, accepted) = silent_partner().await;
    let mut config = test_config();
    config.environment = Environment::Sandbox;
    config.beluga.base_url = base;
    config.beluga.api_key = Some("beluga-key".into());
    config.outbox.request_timeout_ms = 30_000;
    config.drain_ms = 700;
    // One Beluga call in flight at a time (the partner's lane), so exactly one is sent.
    config.outbox.partner_concurrency = 1;
    let (state, store) = state_with(config, super::service::shared_rules());
    let mut order = crate::common::ready_order();
    order["order"]["beluga"]["master_id"] = json!("m-drain");
    crate::common::seed_snapshot(&*store, "o1", &order);
    for n in 0..20 {
        let call = json!({"path": "external/receiveChat", "endpoint": "chat", "body": {"masterId": "m-drain"}});
        store
            .enqueue("beluga_chat", Some("o1"), &format!("chat:{n}"), &call, 0)
            .unwrap();
    }
    let running = start_with_state("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepted.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the worker never called the partner"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    let drained = running.shutdown().await;
    let took = started.elapsed();
    assert_eq!(drained, Drained::Abandoned);
    assert!(took < Duration::from_millis(2_000), "{took:?}");
    // Nothing was settled: every call is still pending and due, so a restart sends it.
    let calls = store.calls_of("o1").unwrap();
    assert_eq!(calls.len(), 20);
    assert!(
        calls
            .iter()
            .all(|c| c.status == "pending" && c.attempts == 0),
        "{calls:?}"
    );
    // Once the stopped process's leases have run out, another worker claims every one.
    let after = Claim {
        owner: "after-restart".into(),
        now: i64::MAX / 4,
        lease_ms: 60_000,
    };
    assert_eq!(store.claim_due_calls(&after, 100).unwrap().len(), 20);
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one call at a time in the partner's lane"
    );
}

#[tokio::test]
async fn an_idle_service_drains_cleanly() {
    let (state, _) = state_with(test_config(), super::service::shared_rules());
    let running = start_with_state("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(running.shutdown().await, Drained::Clean);
    assert!(started.elapsed() < Duration::from_secs(2));
}
