//! Partner outage (issue 14): Beluga (the sandbox) is down for a sustained period while paid
//! orders keep coming. The outbox backs off (attempts grow slowly, not one per poll), nothing
//! is lost, the backlog is visible in the store and on `/metrics` while Beluga is down, and it drains after
//! recovery: every order ends with exactly one Beluga visit and reaches delivery.
//!
//! Parameters (environment): `RXGATE_OUTAGE_SECS` (how long Beluga stays down, 6),
//! `RXGATE_OUTAGE_RATE` (orders per second during the outage, 2). CI runs the default (about
//! 20 s); `bash scripts/outage.sh` runs 60 s.

use rxgate_host::demo::Harness;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn var(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn order(base: &Value, n: usize) -> Value {
    let mut v = base.clone();
    let id = format!("ord_outage_{n}");
    v["order"]["id"] = json!(id);
    v["order"]["number"] = json!(format!("HLC-4{n:04}"));
    v["patient"]["id"] = json!(format!("pat_{id}"));
    v
}

/// The value of one sample of the service's `/metrics`, as an operator's scraper reads it.
async fn scraped(url: &str, series: &str) -> Option<f64> {
    let text = reqwest::get(format!("{url}/metrics"))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

const BELUGA_PENDING: &str = "rxgate_outbox_pending{partner=\"beluga\"}";

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beluga_down_then_back_loses_nothing_and_drains() {
    let outage = Duration::from_secs_f64(var("RXGATE_OUTAGE_SECS", 6.0).max(1.0));
    let rate = var("RXGATE_OUTAGE_RATE", 2.0).max(0.2);
    let ready = rxgate_host::demo::example_orders().unwrap().remove(0);
    let (sandbox, mut config) = Harness::partners(&[&ready], |c| {
        c.doctor_delay_ms = 100;
        c.pharmacy_delay_ms = 100;
    })
    .await
    .unwrap();
    // Backoff to 2 s and enough attempts to outlast the outage (the defaults, 12 attempts
    // backing off to 15 minutes, outlast hours).
    config.outbox.max_backoff_ms = 2_000;
    config.outbox.max_attempts = u32::try_from(outage.as_secs()).unwrap_or(600) + 20;
    let data_dir = config.data_dir.clone();
    let service = rxgate_host::service::start(config).await.unwrap();
    sandbox.set_service_url(&service.url());
    let harness = Harness {
        sandbox,
        service,
        data_dir,
    };
    let started = Instant::now();
    let client = harness.client(started);
    let store = harness.service.state.db.clone();
    harness.sandbox.set_beluga_down(true);
    let mut placed = Vec::new();
    while started.elapsed() < outage {
        let snapshot = order(&ready, placed.len());
        let id = text(&snapshot, "/order/id").to_owned();
        client.put_order(&id, &snapshot).await.unwrap();
        client.trigger(&id, "checkout_paid").await.unwrap();
        placed.push(id);
        tokio::time::sleep(Duration::from_secs_f64(1.0 / rate)).await;
    }
    // Down: every submission waits in the outbox, retried with backoff.
    let ids = placed.clone();
    let (backlog, attempts) = store
        .run(move |s| {
            let mut backlog = 0;
            let mut attempts = 0;
            for id in &ids {
                for call in s.calls_of(id)? {
                    if call.kind == "beluga_submit" && call.status == "pending" {
                        backlog += 1;
                        attempts = attempts.max(call.attempts);
                    }
                }
            }
            Ok((backlog, attempts))
        })
        .await
        .unwrap();
    let polls = outage.as_millis() / 50;
    println!(
        "outage {:.0} s: {} orders placed, backlog {backlog} Beluga submissions, at most {attempts} attempts each (the worker polls every 50 ms: {polls} polls)",
        outage.as_secs_f64(),
        placed.len()
    );
    assert_eq!(
        backlog,
        placed.len(),
        "every submission waits, none lost or parked"
    );
    assert!(attempts >= 1, "the outbox kept trying");
    // The operator sees the same backlog on `/metrics`.
    let url = harness.service.url();
    let gauge = scraped(&url, BELUGA_PENDING).await;
    println!("/metrics while down: {BELUGA_PENDING} {gauge:?}");
    assert_eq!(
        gauge,
        Some(placed.len() as f64),
        "the Beluga backlog shows in /metrics"
    );
    assert!(
        u128::from(attempts) * 4 < polls.max(8),
        "backoff: {attempts} attempts in {polls} polls"
    );
    // Back: the backlog drains.
    harness.sandbox.set_beluga_down(false);
    let recovered = Instant::now();
    let deadline = recovered + Duration::from_secs(60) + outage;
    let mut done = 0;
    for id in &placed {
        loop {
            let panel = client.panel(id).await.unwrap();
            if text(&panel, "/orderStatus") == "COMPLETED" {
                done += 1;
                break;
            }
            if Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let drained = recovered.elapsed().as_secs_f64();
    let visits = harness
        .sandbox
        .log()
        .iter()
        .filter(|r| r.what == "visit_created")
        .count();
    let refused = harness
        .sandbox
        .log()
        .iter()
        .filter(|r| r.what == "refused_down")
        .count();
    println!(
        "recovered: {done} of {} orders COMPLETED {drained:.1} s after Beluga came back; {visits} visits created; {refused} calls refused while down",
        placed.len()
    );
    assert_eq!(done, placed.len(), "every order completes after recovery");
    assert_eq!(visits, placed.len(), "exactly one Beluga visit per order");
    let gauge = scraped(&url, BELUGA_PENDING).await;
    println!("/metrics after the drain: {BELUGA_PENDING} {gauge:?}");
    assert_eq!(gauge, Some(0.0), "the backlog gauge drains to 0");
    harness.stop().await;
}
