//! What a rules call costs through the guest (fresh Store + instantiate + call + drop) against
//! the native core, and the cost of loading a component from the disk cache.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented public functions"
)]

use criterion::{criterion_group, criterion_main, Criterion};
use rxgate_host::rules::{RulesConfig, Runtime, BUILTIN_COMPONENT};

fn calls(c: &mut Criterion) {
    let cache = std::env::temp_dir().join("rxgate-bench-cache");
    let runtime = Runtime::new(RulesConfig {
        cache_dir: Some(cache),
        ..RulesConfig::default()
    })
    .expect("engine");
    let rules = runtime.load(BUILTIN_COMPONENT).expect("load");
    let request = r#"{"input":{}}"#;
    c.bench_function("guest_call_ops", |b| {
        b.iter(|| rules.call_json_str("ops", request).expect("call"))
    });
    c.bench_function("native_call_ops", |b| {
        b.iter(|| rxgate_core::api::call_json_str("ops", request))
    });
    c.bench_function("guest_call_codes", |b| {
        b.iter(|| rules.call_json_str("codes", request).expect("call"))
    });
    c.bench_function("native_call_codes", |b| {
        b.iter(|| rxgate_core::api::call_json_str("codes", request))
    });
    c.bench_function("load_component_from_cache", |b| {
        b.iter(|| runtime.load(BUILTIN_COMPONENT).expect("load"))
    });
}

criterion_group!(benches, calls);
criterion_main!(benches);
