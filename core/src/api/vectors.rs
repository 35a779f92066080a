//! The shared test-vector format (`tests/vectors/README.md`) as code, the one parser of
//! vector files: every Rust runner — the native tests, the registry test, the typed-calls
//! test, the service's reload check against its guest — reads files with [`parse_file`],
//! builds requests and checks answers with [`check`]. Bindings in other languages mirror
//! [`request`], [`summarize_report`] and [`matches()`]. Reading the files is the caller's
//! (the core does no I/O).

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// One vector file: its operation, shared parameters and cases.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorFile {
    /// What the file tests.
    pub description: Option<String>,
    /// The operation every case calls.
    pub op: String,
    /// Parameters shared by every case.
    pub params: Map<String, Value>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One case of a vector file, its request built.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// `<file>::<case name>` (`case <index>` when the case has no name).
    pub id: String,
    /// The operation.
    pub op: String,
    /// The case object as written (for runners that read more of it).
    pub fields: Map<String, Value>,
    /// The request: `params` merged with the case minus `name`/`description`/`expect*`.
    pub request: Value,
    /// `expect` (subset pattern, or validation summary for `validate`).
    pub expect: Option<Value>,
    /// `expect_error` (an API error code).
    pub expect_error: Option<Value>,
}

/// Parses one vector file named `file` (for ids and errors): an object with a non-empty
/// `op`, optional `params` and a non-empty `cases` array of objects, each with exactly one
/// of `expect` and `expect_error`. Errors name the file and the case, never a value.
pub fn parse_file(file: &str, text: &str) -> Result<VectorFile, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    let doc = doc
        .as_object()
        .ok_or_else(|| format!("{file}: a vector file must be an object"))?;
    let op = doc
        .get("op")
        .and_then(Value::as_str)
        .filter(|op| !op.is_empty())
        .ok_or_else(|| format!("{file}: no `op`"))?;
    let params = match doc.get("params") {
        None => Map::new(),
        Some(Value::Object(params)) => params.clone(),
        Some(_) => return Err(format!("{file}: `params` must be an object")),
    };
    let cases = doc
        .get("cases")
        .and_then(Value::as_array)
        .filter(|cases| !cases.is_empty())
        .ok_or_else(|| format!("{file}: no `cases`"))?;
    let cases = cases
        .iter()
        .enumerate()
        .map(|(index, case)| parse_case(file, op, &params, index, case))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(VectorFile {
        description: doc
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        op: op.to_owned(),
        params,
        cases,
    })
}

fn parse_case(
    file: &str,
    op: &str,
    params: &Map<String, Value>,
    index: usize,
    case: &Value,
) -> Result<Case, String> {
    let case = case
        .as_object()
        .ok_or_else(|| format!("{file}: case {index} is not an object"))?;
    let name = case
        .get("name")
        .and_then(Value::as_str)
        .map_or_else(|| format!("case {index}"), str::to_owned);
    let id = format!("{file}::{name}");
    let expect = case.get("expect").cloned();
    let expect_error = case.get("expect_error").cloned();
    if expect.is_some() == expect_error.is_some() {
        return Err(format!(
            "{id}: a case needs exactly one of `expect` or `expect_error`"
        ));
    }
    Ok(Case {
        id,
        op: op.to_owned(),
        request: request(params, case),
        fields: case.clone(),
        expect,
        expect_error,
    })
}

/// Checks an answer against a case's expectation: `answer` is the operation's output, or
/// the API error code (as JSON) of a refused call. `Ok` when it meets the expectation;
/// the error says why, naming pointers, never values.
pub fn check(case: &Case, answer: Result<&Value, &Value>) -> Result<(), String> {
    match (&case.expect, &case.expect_error, answer) {
        (Some(expect), _, Ok(output)) => {
            let actual = if case.op == "validate" {
                summarize_report(output)
            } else {
                output.clone()
            };
            matches(expect, &actual, "")
        }
        (Some(_), _, Err(code)) => Err(format!("unexpected API error {code}")),
        (None, Some(code), Err(actual)) if actual == code => Ok(()),
        (None, Some(code), Err(actual)) => Err(format!("expected error {code}, got {actual}")),
        (None, Some(code), Ok(_)) => Err(format!("expected error {code}, got an answer")),
        (None, None, _) => Err("a case needs exactly one of `expect` or `expect_error`".into()),
    }
}

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
    fn files_parse_into_cases_and_bad_files_are_named() {
        let text = r#"{"op": "validate", "params": {"kind": "visit"}, "cases": [
            {"name": "a", "input": 1, "expect": {"valid": true}},
            {"input": 2, "expect_error": "invalid_request"}]}"#;
        let file = parse_file("contract/x.json", text);
        let Ok(file) = file else {
            fail(&format!("{file:?}"));
            return;
        };
        assert_eq!(file.op, "validate");
        let ids: Vec<&str> = file.cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["contract/x.json::a", "contract/x.json::case 1"]);
        assert_eq!(
            file.cases.first().map(|c| c.request.clone()),
            Some(json!({"kind": "visit", "input": 1}))
        );
        for (bad, why) in [
            ("[]", "must be an object"),
            (r#"{"cases": [{"expect": 1}]}"#, "no `op`"),
            (r#"{"op": "x", "cases": []}"#, "no `cases`"),
            (
                r#"{"op": "x", "cases": [{"name": "n"}]}"#,
                "x.json::n: a case needs exactly one",
            ),
            (
                r#"{"op": "x", "cases": [{"expect": 1, "expect_error": "e"}]}"#,
                "exactly one",
            ),
            (r#"{"op": "x", "cases": [3]}"#, "case 0 is not an object"),
        ] {
            let err = parse_file("x.json", bad).err().unwrap_or_default();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn answers_are_checked_against_the_expectation() {
        let text = r#"{"op": "validate", "cases": [
            {"name": "ok", "expect": {"valid": false, "codes": ["a"]}},
            {"name": "err", "expect_error": "schema_error"}]}"#;
        let cases = parse_file("f", text).map(|f| f.cases).unwrap_or_default();
        let (Some(ok), Some(err)) = (cases.first(), cases.get(1)) else {
            fail("two cases");
            return;
        };
        let report = json!({"valid": false, "violations": [{"code": "a"}], "warnings": []});
        assert_eq!(check(ok, Ok(&report)), Ok(()));
        let other = json!({"valid": false, "violations": [{"code": "b"}], "warnings": []});
        assert!(check(ok, Ok(&other)).is_err());
        assert!(check(ok, Err(&json!("schema_error"))).is_err());
        assert_eq!(check(err, Err(&json!("schema_error"))), Ok(()));
        assert!(check(err, Err(&json!("invalid_request"))).is_err());
        assert!(check(err, Ok(&report)).is_err());
    }

    fn fail(what: &str) {
        assert!(what.is_empty(), "{what}");
    }

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
