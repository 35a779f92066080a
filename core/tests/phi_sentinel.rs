//! No output of the `tests/vectors/order/` cases carries the PHI sentinel planted in an
//! input. (That every code is produced by some vector is `registry.rs`.)

use rxgate_core::api;
use serde_json::{Map, Value};
use std::path::Path;

/// Runs every case of `tests/vectors/order/` and answers the outputs.
fn outputs() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/order");
    let mut answers = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let op = doc.get("op").and_then(Value::as_str).unwrap_or_default();
        let params = doc
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for case in doc
            .get("cases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut request: Map<String, Value> = params.clone();
            for (k, v) in case.as_object().into_iter().flatten() {
                if !matches!(k.as_str(), "name" | "expect" | "expect_error") {
                    request.insert(k.clone(), v.clone());
                }
            }
            match api::call(op, &Value::Object(request)) {
                Ok(v) => answers.push(v),
                Err(e) => answers.push(serde_json::to_value(e).unwrap_or(Value::Null)),
            }
        }
    }
    answers
}

#[test]
fn the_phi_sentinel_never_reaches_an_output() {
    for answer in outputs() {
        assert!(
            !answer.to_string().contains("PHI-SENTINEL"),
            "sentinel leaked: {answer}"
        );
    }
}
