//! Durable webhook ingest, measured from outside: `clients` concurrent connections post
//! distinct, authenticated Beluga webhooks to a running `rxgate serve` and time each answer (a
//! 2xx means the event is committed). Prints the rate and the latency percentiles.
//!
//! ```sh
//! RXGATE_BELUGA_WEBHOOK_SECRET=bench-secret RXGATE_ENVIRONMENT=development RXGATE_RATE_PER_ADDRESS=0 \
//!   rxgate serve --listen 127.0.0.1:8099 --data-dir /tmp/b &
//! cargo run --release -p rxgate-host --example ingest_bench -- http://127.0.0.1:8099 bench-secret 16 20000
//! ```
//!
//! Loopback only, bounded by the request count; it stops by itself. `scripts/bench_ingest.sh`
//! runs it against a fresh service (and, given a second binary, against that one in the same run).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(n: usize, default: &str) -> String {
    std::env::args()
        .nth(n)
        .unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = arg(1, "http://127.0.0.1:8099");
    let secret = arg(2, "bench-secret");
    let clients: usize = arg(3, "16").parse()?;
    let total: usize = arg(4, "20000").parse()?;
    let url = format!("{}/api/webhooks/beluga", base.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(30))
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let run = std::process::id();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, secret, next) =
            (client.clone(), url.clone(), secret.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                // A distinct event each time (a chat for a master id no order has: stored,
                // acknowledged, later kept unmatched), about the size of a real one.
                let body = format!(
                    r#"{{"event":"DOCTOR_CHAT","masterId":"bench-{run}-{i}","content":"The doctor asks how the first week went and whether there were side effects.","timestamp":"2026-12-04T10:00:00Z"}}"#
                );
                let t = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(&secret)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status().is_success() => latencies.push(t.elapsed()),
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        let index = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        latencies
            .get(index.min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "ingest: {} acknowledged, {failures} failed, {clients} clients, {elapsed:.1} s: {:.0} webhooks/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}
