//! Outbox dispatch rate against the sandbox: `count` paid orders wait in the outbox while the
//! sandbox's Beluga is down (every submission planned, stored and claimed at least once); then
//! Beluga comes back and the time until the sandbox has created all `count` visits is the
//! dispatch time. Service and sandbox run in this process on loopback, on SQLite (a temporary
//! folder) or, given a URL, on PostgreSQL (a fresh schema, dropped afterwards).
//!
//! ```sh
//! cargo run --release -p rxgate-host --example dispatch_bench -- 1000
//! cargo run --release -p rxgate-host --example dispatch_bench -- 1000 postgres://…
//! ```
//!
//! The sandbox's doctor and pharmacies wait an hour, so only submissions are timed. Bounded by
//! the count and a 10-minute limit; it stops by itself. `scripts/bench_ingest.sh` runs it
//! beside the ingest figures.

use rxgate_host::demo::{example_orders, fleet::fresh_schema, Harness};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PENDING: &str = "rxgate_outbox_pending{partner=\"beluga\"}";

/// The sample `series` of the service's `/metrics`.
async fn scraped(url: &str, series: &str) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("{url}/metrics")).await?.text().await?;
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{series} is not in /metrics"))
}

/// The first example order, as order `n` of this run.
fn order(base: &Value, n: usize) -> (String, Value) {
    let mut v = base.clone();
    let id = format!("ord_dispatch_{n}");
    v["order"]["id"] = json!(id);
    v["order"]["number"] = json!(format!("HLC-5{n:05}"));
    v["patient"]["id"] = json!(format!("pat_{id}"));
    (id, v)
}

/// Polls `done` every 20 ms until it holds, for at most ten minutes.
async fn until(mut done: impl AsyncFnMut() -> anyhow::Result<bool>) -> anyhow::Result<()> {
    let limit = Instant::now() + Duration::from_secs(600);
    while !done().await? {
        anyhow::ensure!(Instant::now() < limit, "gave up after ten minutes");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args().nth(1).unwrap_or("1000".into()).parse()?;
    let database = std::env::args().nth(2);
    let ready = example_orders()?.remove(0);
    let (sandbox, mut config) = Harness::partners(&[&ready], |c| {
        c.doctor_delay_ms = 3_600_000;
        c.pharmacy_delay_ms = 3_600_000;
    })
    .await?;
    config.outbox.base_backoff_ms = 50;
    config.outbox.max_backoff_ms = 50;
    config.outbox.max_attempts = 1_000_000;
    let schema = match &database {
        Some(url) => {
            let url = url.clone();
            let (with_schema, schema) =
                tokio::task::spawn_blocking(move || fresh_schema(&url)).await??;
            config.database = Some(with_schema.into());
            Some(schema)
        }
        None => None,
    };
    let data_dir = config.data_dir.clone();
    let service = rxgate_host::service::start(config).await?;
    sandbox.set_service_url(&service.url());
    let harness = Harness {
        sandbox,
        service,
        data_dir,
    };
    let url = harness.service.url();
    let client = harness.client(Instant::now());
    harness.sandbox.set_beluga_down(true);
    for n in 0..count {
        let (id, snapshot) = order(&ready, n);
        client.put_order(&id, &snapshot).await?;
        client.trigger(&id, "checkout_paid").await?;
    }
    until(async || Ok(scraped(&url, PENDING).await? >= count as f64)).await?;
    harness.sandbox.set_beluga_down(false);
    let started = Instant::now();
    let created = || {
        harness
            .sandbox
            .log()
            .iter()
            .filter(|r| r.what == "visit_created")
            .count()
    };
    until(async || Ok(created() >= count)).await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "dispatch{}: {count} Beluga submissions waiting; all {} visits created {elapsed:.2} s after Beluga came back: {:.0} calls/s",
        if database.is_some() { " (PostgreSQL)" } else { " (SQLite)" },
        created(),
        count as f64 / elapsed
    );
    harness.stop().await;
    if let (Some(url), Some(schema)) = (database, schema) {
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut db = postgres::Client::connect(&url, postgres::NoTls)?;
            db.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
            Ok(())
        })
        .await??;
    }
    Ok(())
}
