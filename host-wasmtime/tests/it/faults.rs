//! The whole flow under partner faults (issue 8): with 30 % of partner calls failing, answers
//! lost after the partner committed, and every webhook delivered twice and out of order, a
//! ready paid order still reaches the same final state as with no faults — with exactly one
//! Beluga visit, one prescription record and one DispensePro order. Calls that hang past the
//! service's timeout, on one endpoint, end the same way.

use crate::common::ready_order;
use rxgate_host::demo::Harness;
use rxgate_sandbox::{Faults, SandboxConfig};
use serde_json::Value;
use std::time::{Duration, Instant};

/// Runs the ready order to the end under the sandbox `tune`; answers the final panel and the
/// partners' log counts (visits created, pharmacy orders created, calls that hung).
async fn run(tune: impl FnOnce(&mut SandboxConfig)) -> (Value, usize, usize, usize) {
    let order = ready_order();
    let harness = Harness::start(&[&order], tune)
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (_, done, _) = client
        .pay_and_wait(&order, Duration::from_secs(120), |p| {
            p["orderStatus"] == "COMPLETED" && p["belugaSubmitStatus"] == "SUBMITTED"
        })
        .await
        .expect("order stored, paid and watched");
    // Let late duplicates land before the counts are taken.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let panel = client.panel(&id).await.expect("panel readable");
    assert!(done, "the order did not complete: {panel}");
    let log = harness.sandbox.log();
    let visits = log.iter().filter(|r| r.what == "visit_created").count();
    let orders = log.iter().filter(|r| r.what == "order_created").count();
    let hung = log.iter().filter(|r| r.what == "call_hung").count();
    harness.stop().await;
    (panel, visits, orders, hung)
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
    let (calm, calm_visits, calm_orders, _) = run(|_| {}).await;
    let faults = Faults {
        error_rate: 0.3,
        latency_ms: 5,
        drop_after_commit_rate: 0.3,
        duplicate_webhooks: true,
        shuffle_webhooks: true,
        late_webhooks_ms: 100,
        ..Faults::default()
    };
    let (stormy, stormy_visits, stormy_orders, _) = run(|config| {
        config.beluga_faults = faults.clone();
        config.pharmacy_faults = faults;
    })
    .await;
    assert_eq!(final_state(&calm), final_state(&stormy));
    assert_eq!((calm_visits, calm_orders), (1, 1));
    assert_eq!(
        (stormy_visits, stormy_orders),
        (1, 1),
        "a duplicate visit or pharmacy order"
    );
    assert_eq!(final_state(&stormy)["prescriptions"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_calls_on_one_endpoint_time_out_and_are_retried_to_the_same_end() {
    let (calm, _, _, _) = run(|_| {}).await;
    // Half the visit creations hang past the service's 2 s timeout before Beluga does
    // anything, and so do half the DispensePro orders; every other endpoint is calm.
    let hang = Faults {
        timeout_rate: 0.5,
        hang_ms: 2_500,
        ..Faults::default()
    };
    let (hung, visits, orders, hangs) = run(|config| {
        for endpoint in ["/visit/createNoPayPhotos", "/dispensepro/orders"] {
            config.endpoint_faults.insert(endpoint.into(), hang.clone());
        }
        config.seed = 7;
    })
    .await;
    assert!(hangs >= 1, "no call hung: the test proved nothing");
    assert_eq!(final_state(&calm), final_state(&hung));
    assert_eq!(
        (visits, orders),
        (1, 1),
        "a duplicate visit or pharmacy order"
    );
}
