//! Readiness, visit building, the diagnosis (with its allowed actions) and the ownership
//! split/assembly on the example snapshots of `tests/fixtures/`, from a parsed snapshot and
//! from the request JSON (the API path the bindings take); the partner-call decisions the
//! service asks for on every submission and every outbox answer (`plan_submission`,
//! `record_call_outcome`) through the JSON API.
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use rxgate_core::diagnosis::diagnose;
use rxgate_core::order::ownership::{assemble, split, IntegrationFacts};
use rxgate_core::order::readiness::check_readiness;
use rxgate_core::order::snapshot::parse_snapshot;
use rxgate_core::order::visit::build_visit;
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::Path;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

fn bench(c: &mut Criterion) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    for name in [
        "order-dispensepro-ready.json",
        "order-belmar-split.json",
        "order-intake-correction.json",
    ] {
        let value = fixture(name);
        let Ok(snapshot) = parse_snapshot(&value) else {
            continue;
        };
        let short = name.trim_start_matches("order-").trim_end_matches(".json");
        c.bench_function(&format!("readiness/{short}"), |b| {
            b.iter(|| check_readiness(black_box(&snapshot), today))
        });
        c.bench_function(&format!("build_visit/{short}"), |b| {
            b.iter(|| {
                build_visit(
                    black_box(&snapshot),
                    "9b1e0c55-2f4d-4a8e-8c61-7d3e2a1b0f99",
                    today,
                )
            })
        });
        let now = chrono::DateTime::from_timestamp(1_795_424_400, 0).unwrap_or_default();
        c.bench_function(&format!("diagnose/{short}"), |b| {
            b.iter(|| diagnose(black_box(&snapshot), now))
        });
        let (clinic, owned) = split(&value);
        let facts = IntegrationFacts::claimed_by(&snapshot);
        c.bench_function(&format!("split/{short}"), |b| {
            b.iter(|| split(black_box(&value)))
        });
        c.bench_function(&format!("assemble/{short}"), |b| {
            b.iter(|| assemble(black_box(&clinic), black_box(&owned), &facts))
        });
        let request = json!({"input": value, "today": "2026-11-23"});
        c.bench_function(&format!("api_check_readiness/{short}"), |b| {
            b.iter(|| rxgate_core::api::call("check_readiness", black_box(&request)))
        });
        let plan = json!({"input": value, "trigger": "checkout_paid", "manual": false,
            "master_id": "9b1e0c55-2f4d-4a8e-8c61-7d3e2a1b0f99", "attempt": 0,
            "now": "2026-11-23T09:00:00Z"});
        c.bench_function(&format!("api_plan_submission/{short}"), |b| {
            b.iter(|| rxgate_core::api::call("plan_submission", black_box(&plan)))
        });
        let mut sent = value.clone();
        if let Some(order) = sent.get_mut("order").and_then(Value::as_object_mut) {
            order.insert("beluga".to_owned(), json!({"master_id": "m-1"}));
        }
        let outcome = json!({"input": sent, "now": "2026-11-23T09:00:00Z",
            "call": {"kind": "beluga_submit", "attempt": 1, "max_attempts": 5},
            "answer": {"status": 200, "body": {"status": 200, "info": "Patient visit created successfully",
                "data": {"masterId": "m-1", "visitId": "vis_9"}}}});
        c.bench_function(&format!("api_record_call_outcome/{short}"), |b| {
            b.iter(|| rxgate_core::api::call("record_call_outcome", black_box(&outcome)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
