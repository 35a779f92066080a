//! Parity: every case of every file of `tests/vectors/` runs through the guest and through
//! the native `rxgate_core::api`; the two answers must be the same canonical JSON, byte for
//! byte, and the guest's answer must meet the case's expectation.

use rxgate_host::rules::vectors::{self, RulesImpl};
use rxgate_host::rules::{RulesConfig, Runtime, BUILTIN_COMPONENT};
use std::path::Path;

struct Native;

impl RulesImpl for Native {
    fn call_json_str(&self, op: &str, request: &str) -> Result<String, String> {
        Ok(rxgate_core::api::call_json_str(op, request))
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        count_files(&p)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == "json"))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn bundled_vectors_are_every_file_of_the_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    assert_eq!(vectors::BUNDLED.len(), count_files(&dir));
    assert!(!vectors::BUNDLED.is_empty());
}

/// The built-in guest and every bundled case.
fn builtin_and_cases() -> (rxgate_host::rules::Rules, Vec<vectors::Case>) {
    let rules = Runtime::new(RulesConfig::default())
        .unwrap()
        .load(BUILTIN_COMPONENT)
        .unwrap();
    (rules, vectors::bundled_cases().expect("vector files parse"))
}

#[test]
fn guest_and_native_agree_on_every_vector() {
    let (rules, cases) = builtin_and_cases();
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in &cases {
        let request = case.request.to_string();
        let guest = RulesImpl::call_json_str(&rules, &case.op, &request).map_err(|e| e.to_string());
        let native = Native.call_json_str(&case.op, &request);
        match (guest, native) {
            (Ok(g), Ok(n)) => {
                let (g, n) = (
                    vectors::canonical(&g).unwrap(),
                    vectors::canonical(&n).unwrap(),
                );
                if g != n {
                    failures.push(format!("{}: guest and native differ", case.id));
                }
            }
            (g, _) => failures.push(format!("{}: guest failed: {g:?}", case.id)),
        }
        if let Err(why) = vectors::check_case(&rules, case) {
            failures.push(format!("{}: {why}", case.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `call-document` (the request's `input` passed beside its other members, as the service
/// passes outbound bodies) answers byte for byte what the native core's
/// `call_document_json_str` answers, and the same envelope as `call` with the whole request.
#[test]
fn call_document_agrees_with_call_on_every_vector_with_an_input() {
    let (rules, cases) = builtin_and_cases();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let Some(request) = case.request.as_object() else {
            continue;
        };
        let Some(input) = request.get("input") else {
            continue;
        };
        let mut params = request.clone();
        params.remove("input");
        let (params, document) = (
            serde_json::Value::Object(params).to_string(),
            input.to_string(),
        );
        let guest = rules.call_document_json_str(&case.op, &params, &document);
        let native = rxgate_core::api::call_document_json_str(&case.op, &params, &document);
        let whole = rules.call_json_str(&case.op, &case.request.to_string());
        match (guest, whole) {
            (Ok(g), Ok(w)) if g == native && g == w => checked += 1,
            (g, w) => failures.push(format!("{}: {g:?} / native {native} / call {w:?}", case.id)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 500, "only {checked} cases have an input");
}
