//! The op table: one entry per operation, dispatch through it, and schemas that describe
//! the committed order snapshot schema exactly.

use rxgate_core::api::{call, ops, schema, ApiErrorCode, OPS};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

fn table() -> Value {
    schema()
}

#[test]
fn every_operation_is_in_the_table_once_with_both_schemas() {
    let table = table();
    let listed: Vec<&str> = table
        .get("ops")
        .and_then(Value::as_array)
        .map(|ops| {
            ops.iter()
                .filter_map(|op| op.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let names: Vec<&str> = ops().map(|op| op.name).collect();
    assert_eq!(listed, names);
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "an operation is declared twice");
    for op in table
        .get("ops")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for part in ["request", "answer", "summary"] {
            assert!(op.get(part).is_some(), "{op:?} has no {part}");
        }
    }
}

#[test]
fn dispatch_is_the_table() {
    for op in OPS {
        // `{}` lacks every required parameter: either an answer or misuse, never unknown_op.
        if let Err(e) = call(op.name, &json!({})) {
            assert_ne!(e.code, ApiErrorCode::UnknownOp, "{}", op.name);
        }
    }
    let unknown = call("no_such_operation", &json!({}));
    assert_eq!(unknown.err().map(|e| e.code), Some(ApiErrorCode::UnknownOp));
}

fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                match (key.as_str(), member) {
                    ("$ref", Value::String(target)) => {
                        out.insert(target.clone());
                    }
                    _ => refs(member, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let table = table();
    let mut found = BTreeSet::new();
    refs(&table, &mut found);
    assert!(found.len() > 50, "{}", found.len());
    for target in found {
        assert!(
            table.pointer(target.trim_start_matches('#')).is_some(),
            "{target}"
        );
    }
}

/// Structural equality of two schemas, each `$ref` resolved in its own document.
fn same(
    a: &Value,
    doc_a: &Value,
    b: &Value,
    doc_b: &Value,
    seen: &mut BTreeSet<(String, String)>,
) -> Result<(), String> {
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            let keys_a: BTreeSet<&String> = ma.keys().collect();
            let keys_b: BTreeSet<&String> = mb.keys().collect();
            if keys_a != keys_b {
                return Err(format!("members differ: {keys_a:?} against {keys_b:?}"));
            }
            for (key, va) in ma {
                let vb = mb.get(key).unwrap_or(&Value::Null);
                if key == "$ref" {
                    let (ra, rb) = (va.as_str().unwrap_or(""), vb.as_str().unwrap_or(""));
                    if seen.insert((ra.to_owned(), rb.to_owned())) {
                        let ta = doc_a.pointer(ra.trim_start_matches('#'));
                        let tb = doc_b.pointer(rb.trim_start_matches('#'));
                        match (ta, tb) {
                            (Some(ta), Some(tb)) => same(ta, doc_a, tb, doc_b, seen)
                                .map_err(|e| format!("{ra}: {e}"))?,
                            _ => return Err(format!("unresolved {ra} or {rb}")),
                        }
                    }
                } else {
                    same(va, doc_a, vb, doc_b, seen).map_err(|e| format!("{key}: {e}"))?;
                }
            }
            Ok(())
        }
        (Value::Array(xa), Value::Array(xb)) if xa.len() == xb.len() => {
            for (va, vb) in xa.iter().zip(xb) {
                same(va, doc_a, vb, doc_b, seen)?;
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{a} against {b}")),
    }
}

#[test]
fn the_table_describes_the_committed_order_snapshot_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/order-snapshot.schema.json");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let committed: Value = serde_json::from_str(&text).unwrap_or_default();
    let mut root = committed.clone();
    if let Some(map) = root.as_object_mut() {
        for key in ["$schema", "$id", "$defs", "title"] {
            map.remove(key);
        }
    }
    let table = table();
    // The request side of every operation reading a snapshot, e.g. `order_state`'s `input`.
    let input = table
        .pointer("/$defs/OrderSnapshot")
        .cloned()
        .unwrap_or_default();
    let mut seen = BTreeSet::new();
    let result = same(&root, &committed, &input, &table, &mut seen);
    assert_eq!(result, Ok(()));
    let order_state = table
        .pointer("/$defs/OrderRequest/properties/input/$ref")
        .and_then(Value::as_str);
    assert_eq!(order_state, Some("#/$defs/OrderSnapshot"));
    // A changed member is noticed.
    let mut changed = root.clone();
    if let Some(props) = changed.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert("extra".to_owned(), json!({"type": "string"}));
    }
    let mut seen = BTreeSet::new();
    assert!(same(&changed, &committed, &input, &table, &mut seen).is_err());
}

#[test]
fn apply_event_answers_read_back_as_the_core_s_type() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/events/apply.json");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let file: Value = serde_json::from_str(&text).unwrap_or_default();
    let params = file
        .get("params")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut read = (0, 0);
    for case in file
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(case) = case.as_object() else {
            continue;
        };
        if case.contains_key("expect_error") {
            continue;
        }
        let request = rxgate_core::api::vectors::request(&params, case);
        let Ok(answer) = call("apply_event", &request) else {
            continue;
        };
        let typed: Result<rxgate_core::api::EventAnswer, _> =
            serde_json::from_value(answer.clone());
        assert!(typed.is_ok(), "{typed:?}");
        if let Ok(typed) = typed {
            match &typed {
                rxgate_core::api::EventAnswer::Applied(_) => read.0 += 1,
                rxgate_core::api::EventAnswer::Rejected(_) => read.1 += 1,
            }
            assert_eq!(serde_json::to_value(&typed).ok(), Some(answer));
        }
    }
    assert!(read.0 > 5 && read.1 > 0, "{read:?}");
}
