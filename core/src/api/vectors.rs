//! The shared test-vector format (`tests/vectors/README.md`) as code, so every runner — the
//! native tests, the registry test, the service's reload check against its guest — builds
//! requests and matches answers the same way. Bindings in other languages mirror these three
//! functions.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The request of a case: the file's `params` merged with every member of the case except
/// `name`, `description`, `expect` and `expect_error`.
pub fn request(params: &Map<String, Value>, case: &Map<String, Value>) -> Value {
    let mut request = params.clone();
    for (key, value) in case {
        if !matches!(
            key.as_str(),
            "name" | "description" | "expect" | "expect_error"
        ) {
            request.insert(key.clone(), value.clone());
        }
    }
    Value::Object(request)
}

/// The summary a `validate` answer is compared by: `{valid, beluga_errors, codes, warnings}`,
/// the lists sorted and unique.
pub fn summarize_report(report: &Value) -> Value {
    let collect = |list: &str, field: &str| -> Vec<String> {
        let set: BTreeSet<String> = report
            .get(list)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.get(field).and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        set.into_iter().collect()
    };
    serde_json::json!({
        "valid": report.get("valid").cloned().unwrap_or(Value::Null),
        "beluga_errors": collect("violations", "beluga_error"),
        "codes": collect("violations", "code"),
        "warnings": collect("warnings", "code"),
    })
}

/// Subset pattern match: objects by their expected keys, arrays item by item (same length),
/// scalars by equality. The error names the JSON Pointer of the first mismatch (never a value).
pub fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, ev) in e {
                let here = format!("{at}/{}", crate::issue::escape_token(key));
                match a.get(key) {
                    Some(av) => matches(ev, av, &here)?,
                    None => return Err(format!("{here} is missing")),
                }
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{at}: expected {} items, got {}", e.len(), a.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                matches(ev, av, &format!("{at}/{i}"))?;
            }
            Ok(())
        }
        (e, a) if e == a => Ok(()),
        (_, _) => Err(format!("{at}: value differs from the expectation")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_matching_and_summaries() {
        assert!(matches(
            &json!({"a": [1, {"b": 2}]}),
            &json!({"a": [1, {"b": 2, "c": 3}], "d": 4}),
            ""
        )
        .is_ok());
        assert_eq!(
            matches(&json!({"a": [1]}), &json!({"a": [1, 2]}), ""),
            Err("/a: expected 1 items, got 2".to_owned())
        );
        assert_eq!(
            matches(&json!({"a": 1}), &json!({}), ""),
            Err("/a is missing".to_owned())
        );
        let report = json!({"valid": false, "violations": [{"code": "b", "beluga_error": "X"}, {"code": "a", "beluga_error": null}, {"code": "b", "beluga_error": "X"}], "warnings": []});
        assert_eq!(
            summarize_report(&report),
            json!({"valid": false, "beluga_errors": ["X"], "codes": ["a", "b"], "warnings": []})
        );
        let case = json!({"name": "n", "input": 1, "expect": {}, "today": "t"});
        let params = json!({"kind": "visit"});
        let (Some(case), Some(params)) = (case.as_object(), params.as_object()) else {
            return;
        };
        assert_eq!(
            request(params, case),
            json!({"kind": "visit", "input": 1, "today": "t"})
        );
    }
}
