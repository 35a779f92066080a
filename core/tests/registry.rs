//! The code registry tests itself (pydantic's `test_all_errors_covered`):
//! every registered code is documented in the README's table and produced by at least one
//! shared test vector.

use rxgate_core::{api, registry};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            vector_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
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

fn produced_codes() -> BTreeSet<String> {
    let mut files = Vec::new();
    vector_files(&repo_root().join("tests/vectors"), &mut files);
    let mut produced = BTreeSet::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let op = doc.get("op").and_then(Value::as_str).unwrap_or_default();
        let params = doc
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let cases = doc
            .get("cases")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for case in cases {
            let Value::Object(case) = case else { continue };
            if let Ok(output) = api::call(op, &api::vectors::request(&params, &case)) {
                collect_codes(&output, &mut produced);
            }
        }
    }
    produced
}

#[test]
fn every_code_is_produced_by_a_vector() {
    let produced = produced_codes();
    let missing: Vec<&str> = registry::all_codes()
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
