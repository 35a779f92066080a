//! The code registry tests itself (pydantic's `test_all_errors_covered`):
//! every registered code is documented in the README's table and produced by at least one
//! shared test vector.

use rxgate_core::{api, issue, registry};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod support;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every string found under a `code` key (or in a `codes` array) anywhere in `value`.
fn collect_codes(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("code", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    ("codes", Value::Array(items)) => {
                        out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                    _ => {}
                }
                collect_codes(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_codes(v, out)),
        _ => {}
    }
}

/// Every `message` and `beluga_error` found beside a `code` in `value`, by code.
fn collect_messages(value: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Value::Object(map) => {
            if let Some(code) = map.get("code").and_then(Value::as_str) {
                for key in ["message", "beluga_error"] {
                    if let Some(text) = map.get(key).and_then(Value::as_str) {
                        out.entry(code.to_owned())
                            .or_default()
                            .push(text.to_owned());
                    }
                }
            }
            map.values().for_each(|v| collect_messages(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_messages(v, out)),
        _ => {}
    }
}

/// The answer of every vector case that is not misuse.
fn vector_outputs() -> Vec<Value> {
    let files: Vec<_> = support::all_files()
        .into_iter()
        .filter_map(|(_, file)| file.ok())
        .collect();
    assert!(!files.is_empty(), "no vector file parsed");
    files
        .iter()
        .flat_map(|file| &file.cases)
        .filter_map(|case| api::call(&case.op, &case.request).ok())
        .collect()
}

fn produced_codes() -> BTreeSet<String> {
    let mut produced = BTreeSet::new();
    for output in vector_outputs() {
        collect_codes(&output, &mut produced);
    }
    produced
}

/// Every placeholder of every registered template is filled by the code's producers: each
/// code with placeholders has a rendered message in the vectors' answers, and no rendered
/// message or Beluga error of it still holds one of its `{placeholders}` (the debug
/// assertion in `issue::render` stops the vectors first; this says which code).
#[test]
fn every_template_placeholder_is_filled_by_its_producers() {
    let mut messages = BTreeMap::new();
    for output in vector_outputs() {
        collect_messages(&output, &mut messages);
    }
    let mut problems = Vec::new();
    for code in registry::all_codes() {
        let info = code.info();
        let mut names = issue::placeholders(info.template);
        names.extend(
            info.beluga_error
                .map(issue::placeholders)
                .unwrap_or_default(),
        );
        if names.is_empty() {
            continue;
        }
        let rendered = messages.get(code.as_str()).cloned().unwrap_or_default();
        if rendered.is_empty() {
            problems.push(format!("{code}: no rendered message in any vector"));
        }
        for text in &rendered {
            for name in &names {
                if text.contains(&format!("{{{name}}}")) {
                    problems.push(format!("{code}: `{{{name}}}` left in a message"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A template may only use snake_case placeholders: anything else in braces is text.
#[test]
fn every_template_placeholder_is_a_snake_case_name() {
    let mut bad = Vec::new();
    for code in registry::all_codes() {
        let info = code.info();
        for template in std::iter::once(info.template).chain(info.beluga_error) {
            let braces = template.matches('{').count();
            if braces != issue::placeholders(template).len() {
                bad.push(format!("{code}: {template}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "templates with braces that are not placeholders: {bad:?}"
    );
}

/// The `host` area holds the codes the service uses itself (configuration gaps, refusals
/// before any rule runs): no core operation produces them, the host's tests do
/// (`host-wasmtime/tests/it/service.rs`, and `config.rs`'s test that every warning it can
/// report is registered).
const PRODUCED_BY_THE_HOST: &str = "host";

#[test]
fn every_code_is_produced_by_a_vector() {
    let produced = produced_codes();
    let missing: Vec<&str> = registry::all_codes()
        .filter(|c| c.info().area != PRODUCED_BY_THE_HOST)
        .map(|c| c.as_str())
        .filter(|c| !produced.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes no vector produces: {missing:?}");
}

#[test]
fn every_code_is_in_the_readme_table() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap_or_default();
    let missing: Vec<&str> = registry::all_codes()
        .map(|c| c.as_str())
        .filter(|c| !readme.contains(&format!("| `{c}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from the README table: {missing:?}"
    );
}

/// One Beluga error vocabulary: every Beluga error a code stands for is one of the documented
/// strings the response classifier knows (`contract::codes::beluga`).
#[test]
fn every_beluga_error_of_the_registry_is_in_the_vocabulary() {
    let outside: Vec<String> = registry::all_codes()
        .filter_map(|c| c.info().beluga_error.map(|e| (c, e)))
        .filter(|(_, e)| !rxgate_core::contract::response::starts_with_documented_error(e))
        .map(|(c, e)| format!("{c}: {e}"))
        .collect();
    assert!(outside.is_empty(), "not in the vocabulary: {outside:?}");
    assert!(!rxgate_core::contract::response::starts_with_documented_error("Unknown failure"));
}
