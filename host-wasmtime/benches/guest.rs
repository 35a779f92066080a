//! What a rules call costs through the guest (fresh Store + instantiate + call + drop) against
//! the native core, and the cost of loading a component from the disk cache.
//!
//! `guest_validate_document_visit_2kb` is issue 17's guest call as the service makes it
//! (`call-document`): instantiate + call + copy of the 2,057-byte bench visit
//! (`../shared/bench-data/visit-valid.json`, or `RXGATE_BENCH_DATA`) in and the report out,
//! beside `native_validate_document_visit_2kb`. `guest_validate_visit_2kb` (the whole request
//! through `call`) and `guest_validate_text_visit_2kb` (`validate_text`) are the earlier
//! forms. Criterion's median is the p50 (`target/criterion/<name>/new/estimates.json`,
//! `median`).

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
    let data = std::env::var_os("RXGATE_BENCH_DATA").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench-data"),
        std::path::PathBuf::from,
    );
    match std::fs::read_to_string(data.join("visit-valid.json")) {
        Ok(body) => {
            let request = format!(r#"{{"kind":"visit","today":"2026-11-22","input":{body}}}"#);
            let answer = rules.call_json_str("validate", &request).expect("call");
            assert!(answer.contains(r#""valid":true"#), "{answer}");
            assert_eq!(
                answer,
                rxgate_core::api::call_json_str("validate", &request)
            );
            c.bench_function("guest_validate_visit_2kb", |b| {
                b.iter(|| rules.call_json_str("validate", &request).expect("call"))
            });
            c.bench_function("native_validate_visit_2kb", |b| {
                b.iter(|| rxgate_core::api::call_json_str("validate", &request))
            });
            // The same body as text (`validate_text`): the guest reads it into the typed model
            // without first building the request as a `Value`.
            let text = serde_json::json!({"kind": "visit", "today": "2026-11-22", "text": body});
            let text = text.to_string();
            let answer_text = rules.call_json_str("validate_text", &text).expect("call");
            assert_eq!(answer_text, answer);
            c.bench_function("guest_validate_text_visit_2kb", |b| {
                b.iter(|| rules.call_json_str("validate_text", &text).expect("call"))
            });
            c.bench_function("native_validate_text_visit_2kb", |b| {
                b.iter(|| rxgate_core::api::call_json_str("validate_text", &text))
            });
            // The service's path (`call-document`): the body beside the parameters, copied
            // into the guest as it is and read straight into the typed model.
            let params = r#"{"kind":"visit","today":"2026-11-22"}"#;
            let answer_document = rules
                .call_document_json_str("validate", params, &body)
                .expect("call");
            assert_eq!(answer_document, answer);
            c.bench_function("guest_validate_document_visit_2kb", |b| {
                b.iter(|| {
                    rules
                        .call_document_json_str("validate", params, &body)
                        .expect("call")
                })
            });
            c.bench_function("native_validate_document_visit_2kb", |b| {
                b.iter(|| rxgate_core::api::call_document_json_str("validate", params, &body))
            });
        }
        Err(e) => eprintln!("no bench body in {}: {e}", data.display()),
    }
    c.bench_function("load_component_from_cache", |b| {
        b.iter(|| runtime.load(BUILTIN_COMPONENT).expect("load"))
    });
}

criterion_group!(benches, calls);
criterion_main!(benches);
