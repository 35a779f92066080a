//! The whole flow under partner faults (issue 8): with 30 % of partner calls failing, answers
//! lost after the partner committed, and every webhook delivered twice and out of order, a
//! ready paid order still reaches the same final state as with no faults — with exactly one
//! Beluga visit, one prescription record and one DispensePro order.

use rxgate_host::demo::Harness;
use rxgate_sandbox::Faults;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn ready_order() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/order-dispensepro-ready.json");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Runs the ready order to the end; answers the final panel and the partners' log counts
/// (visits created, pharmacy orders created).
async fn run(faults: Option<Faults>) -> (Value, usize, usize) {
    let order = ready_order();
    let harness = Harness::start(&[&order], |config| {
        if let Some(f) = faults {
            config.beluga_faults = f.clone();
            config.pharmacy_faults = f;
        }
    })
    .await
    .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    client.put_order(&id, &order).await.expect("order stored");
    client
        .trigger(&id, "checkout_paid")
        .await
        .expect("trigger accepted");
    let (done, _) = client
        .wait_for(&id, Duration::from_secs(120), |p| {
            p["orderStatus"] == "COMPLETED" && p["belugaSubmitStatus"] == "SUBMITTED"
        })
        .await
        .expect("panel readable");
    // Let late duplicates land before the counts are taken.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let panel = client.panel(&id).await.expect("panel readable");
    assert!(done, "the order did not complete: {panel}");
    let log = harness.sandbox.log();
    let visits = log.iter().filter(|r| r.what == "visit_created").count();
    let orders = log.iter().filter(|r| r.what == "order_created").count();
    harness.stop().await;
    (panel, visits, orders)
}

/// The parts of the final state that must not depend on faults.
fn final_state(panel: &Value) -> Value {
    serde_json::json!({
        "order": panel["orderStatus"],
        "submit": panel["belugaSubmitStatus"],
        "visit": panel["belugaVisitStatus"],
        "resolved": panel["belugaResolvedStatus"],
        "carrier": panel["shipping"]["carrier"],
        "tracking": panel["shipping"]["tracking"],
        "delivered": panel["shipping"]["delivered_at"].is_string(),
        "prescriptions": panel["prescriptions"].as_array().map(Vec::len),
        "stage": panel["diagnosis"]["stage"],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_change_nothing_in_the_end() {
    let (calm, calm_visits, calm_orders) = run(None).await;
    let faults = Faults {
        error_rate: 0.3,
        latency_ms: 5,
        drop_after_commit_rate: 0.3,
        duplicate_webhooks: true,
        shuffle_webhooks: true,
        late_webhooks_ms: 100,
    };
    let (stormy, stormy_visits, stormy_orders) = run(Some(faults)).await;
    assert_eq!(final_state(&calm), final_state(&stormy));
    assert_eq!((calm_visits, calm_orders), (1, 1));
    assert_eq!(
        (stormy_visits, stormy_orders),
        (1, 1),
        "a duplicate visit or pharmacy order"
    );
    assert_eq!(final_state(&stormy)["prescriptions"], 1);
}
