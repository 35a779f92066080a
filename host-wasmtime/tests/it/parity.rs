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

#[test]
fn guest_and_native_agree_on_every_vector() {
    let rules = Runtime::new(RulesConfig::default())
        .unwrap()
        .load(BUILTIN_COMPONENT)
        .unwrap();
    let cases = vectors::bundled_cases().expect("vector files parse");
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
