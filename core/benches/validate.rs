//! Validation speed of a 2 KB visit body, against the floor: `serde_json::from_slice` into
//! the typed request model alone. The goal (README, "Speed") is validation from bytes within
//! 1.5× of that parse.
//!
//! Run: `cargo bench -p rxgate-core --bench validate`.
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rxgate_core::contract::model::IntakeRequest;
use rxgate_core::contract::wire::Slot;
use rxgate_core::contract::{validate_slice, validate_value, Kind, ValidateOptions};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

/// The valid visit of the shared vectors, grown to about 2 KB with more custom questions.
fn visit_body() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/contract/visit.json");
    let doc: Value = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let mut body = doc
        .pointer("/cases/0/input")
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(form) = body.pointer_mut("/formObj").and_then(Value::as_object_mut) {
        for n in 3..12 {
            form.insert(
                format!("Q{n}"),
                Value::from(format!(
                    "Question number {n} about your health history and habits?"
                )),
            );
            form.insert(format!("A{n}"), Value::from("An answer of a few words"));
        }
    }
    serde_json::to_vec(&body).unwrap_or_default()
}

/// A plain strict model (what a hand-written client would derive), for reference.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct StrictVisit {
    form_obj: BTreeMap<String, Value>,
    pharmacy_id: String,
    master_id: String,
    company: String,
    visit_type: String,
}

fn bench(c: &mut Criterion) {
    let bytes = visit_body();
    let options =
        ValidateOptions::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default());
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let mut group = c.benchmark_group("visit_2kb");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("from_slice_typed_model_only", |b| {
        b.iter(|| serde_json::from_slice::<Slot<IntakeRequest<'_>>>(black_box(&bytes)).is_ok())
    });
    group.bench_function("validate_slice", |b| {
        b.iter(|| validate_slice(Kind::Visit, black_box(&bytes), &options).map(|r| r.valid))
    });
    group.bench_function("from_slice_value_only", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&bytes)).is_ok())
    });
    group.bench_function("from_slice_strict_struct_with_map_form", |b| {
        b.iter(|| serde_json::from_slice::<StrictVisit>(black_box(&bytes)).is_ok())
    });
    group.bench_function("validate_value_preparsed", |b| {
        b.iter(|| validate_value(Kind::Visit, black_box(&value), &options).valid)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
