//! Every code of the order, routing, boundary and diagnosis areas is produced by at least
//! one vector of `tests/vectors/order/` (pydantic's `test_all_errors_covered`), and no
//! output of those vectors carries the PHI sentinel planted in an input.

use rxgate_core::{api, issue};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

fn collect_codes(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "code" {
                    if let Some(code) = v.as_str() {
                        out.insert(code.to_owned());
                    }
                }
                collect_codes(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_codes(v, out)),
        _ => {}
    }
}

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
fn every_order_area_code_is_produced_by_a_vector() {
    let mut produced = BTreeSet::new();
    for answer in outputs() {
        collect_codes(&answer, &mut produced);
    }
    let missing: Vec<&str> = issue::all_codes()
        .filter(|c| {
            matches!(
                c.info().area,
                "order" | "routing" | "boundary" | "diagnosis"
            )
        })
        .map(|c| c.as_str())
        .filter(|c| !produced.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes no vector produces: {missing:?}");
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
