//! The wasmtime lifecycle tests (Spin's `integration_test.rs` set): memory limit obeyed and
//! violated, deadline obeyed and violated, a trap mapped to an error, hot reload refused for a
//! guest that fails the vectors, and the built-in component importing nothing.
//!
//! Violations the real guest cannot be asked for (spin, trap) use the hand-written component
//! `tests/fixtures/misbehaving.wat`, which implements the same WIT interface.

use rxgate_host::rules::{RulesConfig, RulesError, RulesHandle, Runtime, BUILTIN_COMPONENT};

fn misbehaving() -> Vec<u8> {
    let text = include_str!("../fixtures/misbehaving.wat");
    wat::parse_str(text).expect("the fixture is valid WAT")
}

fn runtime(memory: usize, deadline_ms: u64) -> Runtime {
    Runtime::new(RulesConfig {
        max_instances: 4,
        memory_limit_bytes: memory,
        deadline_ms,
        // Shared across tests so the component is compiled once per engine configuration.
        cache_dir: Some(std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rules-cache")),
    })
    .expect("engine")
}

#[test]
fn builtin_guest_answers_ops_and_version() {
    let rules = runtime(64 << 20, 5_000)
        .load(BUILTIN_COMPONENT)
        .expect("load");
    assert_eq!(rules.digest().len(), 64);
    assert_eq!(rules.version()["wit"], "0.1.0");
    let ops: serde_json::Value = serde_json::from_str(&rules.ops_json().unwrap()).unwrap();
    let names: Vec<&str> = ops
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert!(
        names.contains(&"ops") && names.contains(&"codes"),
        "{names:?}"
    );
    let answer = rules.call("no_such_op", &serde_json::json!({})).unwrap();
    assert_eq!(answer.unwrap_err()["code"], "unknown_op");
}

#[test]
fn memory_limit_obeyed_by_the_real_guest() {
    let rules = runtime(8 << 20, 5_000)
        .load(BUILTIN_COMPONENT)
        .expect("load");
    let small = serde_json::json!({ "input": { "note": "x".repeat(64 << 10) } });
    assert!(rules.call("no_such_op", &small).unwrap().is_err());
}

#[test]
fn memory_limit_violated_by_the_real_guest_is_an_error_not_a_crash() {
    let rules = runtime(8 << 20, 5_000)
        .load(BUILTIN_COMPONENT)
        .expect("load");
    // 12 MiB of request text cannot be copied into an 8 MiB guest memory.
    let big = format!("{{\"input\":\"{}\"}}", "x".repeat(12 << 20));
    let err = rules.call_json_str("codes", &big).unwrap_err();
    assert!(matches!(err, RulesError::OutOfMemory), "{err:?}");
    // The same rules still answer the next call.
    assert!(rules.call_json_str("ops", "{}").is_ok());
}

#[test]
fn memory_growth_within_and_beyond_the_cap() {
    let rules = runtime(2 << 20, 5_000).load(&misbehaving()).expect("load");
    assert_eq!(rules.call_json_str("h", "{}").unwrap(), "{\"ok\":{}}");
    let err = rules.call_json_str("g", "{}").unwrap_err();
    assert!(matches!(err, RulesError::OutOfMemory), "{err:?}");
    assert_eq!(err.kind(), "out_of_memory");
}

#[test]
fn deadline_obeyed_and_violated() {
    let rules = runtime(8 << 20, 200).load(&misbehaving()).expect("load");
    assert!(rules.call_json_str("ok", "{}").is_ok());
    let started = std::time::Instant::now();
    let err = rules.call_json_str("spin", "{}").unwrap_err();
    assert!(matches!(err, RulesError::Timeout), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // The real guest finishes its calls well inside the same deadline.
    let real = runtime(64 << 20, 200)
        .load(BUILTIN_COMPONENT)
        .expect("load");
    assert!(real.call_json_str("codes", "{}").is_ok());
}

#[test]
fn a_guest_without_call_document_gets_the_whole_request_through_call() {
    // The fixture predates `call-document`: the host sends it the request through `call`.
    let old = runtime(8 << 20, 5_000).load(&misbehaving()).expect("load");
    let answer = old.call_document_json_str("x", r#"{"kind":"visit"}"#, r#"{"a":1}"#);
    assert_eq!(answer.unwrap(), "{\"ok\":{}}");
    let err = old.call_document_json_str("trap", "{}", "{}").unwrap_err();
    assert!(matches!(err, RulesError::Trap(_)), "{err:?}");
    // Text that is not JSON is misuse, answered as the core answers it, never sent on.
    let misuse = old.call_document_json_str("t", "{}", "{not json").unwrap();
    assert!(
        misuse.starts_with("{\"err\":{\"code\":\"invalid_json\""),
        "{misuse}"
    );
    // The built-in guest answers `call-document` itself, as `call` answers the whole request.
    let real = runtime(64 << 20, 5_000)
        .load(BUILTIN_COMPONENT)
        .expect("load");
    let body = serde_json::json!({"masterId": "m-1", "firstName": "Ann", "lastName": ""});
    let params = serde_json::json!({"kind": "patient-name", "today": "2026-11-22"});
    let split = real
        .call_document("validate", &params, &body.to_string())
        .unwrap();
    let mut whole = params.clone();
    whole["input"] = body;
    assert_eq!(split, real.call("validate", &whole).unwrap());
    assert_eq!(split.unwrap()["valid"], false);
}

#[test]
fn a_reused_instance_slot_starts_from_the_image() {
    // One slot: every call reuses it. A call that wrote over its data segment must not leave
    // the write to the next call (the slot is reset from the image, pages kept resident).
    let rules = Runtime::new(RulesConfig {
        max_instances: 1,
        memory_limit_bytes: 8 << 20,
        deadline_ms: 1_000,
        cache_dir: None,
    })
    .expect("engine")
    .load(&misbehaving())
    .expect("load");
    for _ in 0..3 {
        assert_eq!(rules.call_json_str("w", "{}").unwrap(), "{\"no\":{}}");
        assert_eq!(rules.call_json_str("ok", "{}").unwrap(), "{\"ok\":{}}");
    }
}

#[test]
fn trap_is_an_internal_error() {
    let rules = runtime(8 << 20, 1_000).load(&misbehaving()).expect("load");
    let err = rules.call_json_str("trap", "{}").unwrap_err();
    assert!(matches!(err, RulesError::Trap(_)), "{err:?}");
    assert!(rules.call_json_str("ok", "{}").is_ok());
}

#[test]
fn reload_refused_for_a_guest_that_fails_the_vectors() {
    let handle = RulesHandle::builtin(RulesConfig::default()).expect("builtin");
    let before = handle.current().digest().to_owned();
    let outcome = handle.reload(&misbehaving()).expect("loads");
    assert!(!outcome.swapped);
    assert!(outcome.vectors.failed > 0);
    assert_eq!(outcome.active_digest, before);
    assert_ne!(outcome.candidate_digest, before);
    assert_eq!(handle.current().digest(), before);
}

#[test]
fn reload_accepts_a_guest_that_passes_the_vectors() {
    let handle = RulesHandle::builtin(RulesConfig::default()).expect("builtin");
    let outcome = handle.reload(BUILTIN_COMPONENT).expect("loads");
    assert!(outcome.swapped, "{:?}", outcome.vectors.failures);
    assert_eq!(outcome.vectors.failed, 0);
    assert!(outcome.vectors.total > 0);
}

#[test]
fn compiled_component_is_cached_by_digest() {
    let dir = std::env::temp_dir().join(format!("rxgate-cache-{}", std::process::id()));
    let config = RulesConfig {
        cache_dir: Some(dir.clone()),
        ..RulesConfig::default()
    };
    let first = Runtime::new(config.clone())
        .unwrap()
        .load(BUILTIN_COMPONENT)
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().to_string_lossy().into_owned();
    assert!(name.starts_with(first.digest()), "{name}");
    let second = Runtime::new(config)
        .unwrap()
        .load(BUILTIN_COMPONENT)
        .unwrap();
    assert_eq!(
        second.call_json_str("ops", "{}").unwrap(),
        first.call_json_str("ops", "{}").unwrap()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_component_with_imports_is_refused() {
    let bytes = wat::parse_str(r#"(component (import "host-fn" (func)))"#).expect("valid WAT");
    let err = runtime(8 << 20, 1_000).load(&bytes).unwrap_err();
    assert!(err.to_string().contains("import nothing"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_semaphore_queues_calls_beyond_the_pool() {
    // A pool of 2 instances and 24 concurrent calls: every call waits for a permit instead of
    // failing on an exhausted pool.
    let handle = RulesHandle::builtin(RulesConfig {
        max_instances: 2,
        ..RulesConfig::default()
    })
    .expect("builtin");
    let calls = (0..24).map(|_| {
        let handle = handle.clone();
        tokio::spawn(async move { handle.call("ops", serde_json::json!({})).await })
    });
    for call in calls {
        let answer = call.await.expect("task").expect("guest");
        assert!(answer.expect("ok envelope").is_array());
    }
}
