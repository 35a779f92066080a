//! Issue 15, "No prescription stalls before the pharmacy", end to end against the sandbox:
//! routes are re-evaluated on every order change, so a DispensePro route blocked when
//! `RX_WRITTEN` arrived (the prescriber had no NPI) is sent once the EMR's PUT fixes it, and
//! never again on later changes. Each test counts what the sandbox received.

use crate::common::ready_order;
use rxgate_host::demo::{Demo, Harness};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How many DispensePro orders the sandbox created.
fn pharmacy_orders(harness: &Harness) -> usize {
    harness
        .sandbox
        .log()
        .iter()
        .filter(|r| r.what == "order_created")
        .count()
}

/// The diagnosis codes of the panel's blockers (anywhere under `diagnosis`).
fn mentions(panel: &Value, code: &str) -> bool {
    panel["diagnosis"].to_string().contains(code)
}

/// Waits until `done` holds for the sandbox (up to `timeout`).
async fn until(harness: &Harness, timeout: Duration, done: impl Fn(&Harness) -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if done(harness) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done(harness)
}

/// Stores the ready DispensePro order with its prescriber's NPI removed, pays it and waits
/// until the prescription is recorded and the route is blocked on the NPI.
async fn blocked_at_rx_written() -> (Harness, Demo, String) {
    let mut order = ready_order();
    if let Some(p) = order["prescribers"][0].as_object_mut() {
        p.remove("npi");
    }
    let harness = Harness::start(&[&order], |_| {})
        .await
        .expect("harness starts");
    let client = harness.client(Instant::now());
    let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    let (_, blocked, panel) = client
        .pay_and_wait(&order, Duration::from_secs(60), |p| {
            p["prescriptions"].as_array().is_some_and(|a| !a.is_empty())
                && mentions(p, "prescriber_npi_missing")
        })
        .await
        .expect("order stored, paid and watched");
    assert!(blocked, "the route is blocked on the NPI: {panel}");
    (harness, client, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_blocked_at_rx_written_is_sent_once_after_the_emr_fixes_it() {
    let (harness, client, id) = blocked_at_rx_written().await;
    // The event that confirmed the prescription left the route blocked: nothing was sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pharmacy_orders(&harness), 0, "{:?}", harness.sandbox.log());

    // The EMR fixes the prescriber's NPI: the PUT re-evaluates the routes and queues the order.
    let mut fixed = client.snapshot(&id).await.expect("snapshot");
    fixed["prescribers"][0]["npi"] = json!("1234567893");
    client.put_order(&id, &fixed).await.expect("order updated");
    let sent = until(&harness, Duration::from_secs(30), |h| {
        pharmacy_orders(h) >= 1
    })
    .await;
    assert!(
        sent,
        "the fixed route was never sent: {:?}",
        harness.sandbox.log()
    );

    // Later changes re-evaluate the routes too, and never send the order again.
    client
        .put_order(&id, &fixed)
        .await
        .expect("order stored again");
    let (done, panel) = client
        .wait_for(&id, Duration::from_secs(60), |p| {
            p["orderStatus"] == "COMPLETED"
        })
        .await
        .expect("panel");
    assert!(
        done,
        "the order completes from the pharmacy's webhooks: {panel}"
    );
    client
        .put_order(&id, &fixed)
        .await
        .expect("order stored after delivery");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pharmacy_orders(&harness), 1, "{:?}", harness.sandbox.log());
    harness.stop().await;
}
