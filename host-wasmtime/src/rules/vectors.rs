//! The shared test vectors (`tests/vectors/`, format in its README) run against any
//! implementation of the rules ([`RulesImpl`], after cedar's `CedarTestImplementation`).
//!
//! The build script bundles every vector file into the binary, so a hot reload can check a
//! candidate guest without the source tree. The same runner serves the parity test, which
//! compares the guest's canonical JSON with the native core's byte for byte.

use serde_json::Value;

/// Every vector file, as (path relative to `tests/vectors/`, file text).
pub static BUNDLED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

/// Something that answers the core's envelope for (op, request text).
pub trait RulesImpl {
    /// The envelope text `{"ok"}` / `{"err"}` for `op` on `request`; `Err` when the
    /// implementation itself failed (trap, timeout).
    fn call_json_str(&self, op: &str, request: &str) -> Result<String, String>;
}

/// One case of a vector file, with its request built.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<file>::<case name>`.
    pub id: String,
    /// The operation.
    pub op: String,
    /// The request: `params` merged with the case minus `name`/`description`/`expect*`.
    pub request: Value,
    /// `expect` (subset pattern or validation summary).
    pub expect: Option<Value>,
    /// `expect_error` (an API error code).
    pub expect_error: Option<Value>,
}

/// Result of running a set of vectors.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VectorSummary {
    /// Cases run.
    pub total: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Ids of the failing cases and why (first 20).
    pub failures: Vec<String>,
}

/// Parses every case of one vector file; a malformed file yields an error naming it.
pub fn cases_of(file: &str, text: &str) -> Result<Vec<Case>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    let op = doc
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{file}: no `op`"))?;
    let params = doc
        .get("params")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let cases = doc
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{file}: no `cases`"))?;
    let mut out = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let case = case
            .as_object()
            .ok_or_else(|| format!("{file}: case {index} is not an object"))?;
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("case {index}"));
        out.push(Case {
            id: format!("{file}::{name}"),
            op: op.to_owned(),
            request: rxgate_core::api::vectors::request(&params, case),
            expect: case.get("expect").cloned(),
            expect_error: case.get("expect_error").cloned(),
        });
    }
    Ok(out)
}

/// Every case of the bundled vectors.
pub fn bundled_cases() -> Result<Vec<Case>, String> {
    let mut all = Vec::new();
    for (file, text) in BUNDLED {
        all.extend(cases_of(file, text)?);
    }
    Ok(all)
}

/// Checks one case against an implementation: `Ok` when its answer meets the expectation.
pub fn check_case(rules: &dyn RulesImpl, case: &Case) -> Result<(), String> {
    let text = rules.call_json_str(&case.op, &case.request.to_string())?;
    let envelope: Value = serde_json::from_str(&text).map_err(|_| "not JSON".to_owned())?;
    match (&case.expect, &case.expect_error) {
        (Some(expect), None) => {
            let output = envelope
                .get("ok")
                .ok_or_else(|| format!("unexpected API error: {}", envelope_err(&envelope)))?;
            let actual = if case.op == "validate" {
                summarize_report(output)
            } else {
                output.clone()
            };
            matches(expect, &actual, "")
        }
        (None, Some(code)) => match envelope.get("err").and_then(|e| e.get("code")) {
            Some(actual) if actual == code => Ok(()),
            Some(actual) => Err(format!("expected error {code}, got {actual}")),
            None => Err(format!("expected error {code}, got an answer")),
        },
        _ => Err("a case needs exactly one of `expect` or `expect_error`".into()),
    }
}

fn envelope_err(envelope: &Value) -> String {
    envelope
        .get("err")
        .and_then(|e| e.get("code"))
        .map(Value::to_string)
        .unwrap_or_default()
}

/// Runs every bundled case; a malformed file counts as one failure.
pub fn run_bundled(rules: &dyn RulesImpl) -> VectorSummary {
    let mut summary = VectorSummary::default();
    let cases = match bundled_cases() {
        Ok(cases) => cases,
        Err(why) => {
            summary.total = 1;
            summary.failed = 1;
            summary.failures.push(why);
            return summary;
        }
    };
    for case in &cases {
        summary.total += 1;
        if let Err(why) = check_case(rules, case) {
            summary.failed += 1;
            if summary.failures.len() < 20 {
                summary.failures.push(format!("{}: {why}", case.id));
            }
        }
    }
    summary
}

/// The canonical JSON text of a value: members in the order produced (both sides come from
/// the same code), no insignificant whitespace.
pub fn canonical(text: &str) -> Result<String, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(value.to_string())
}

pub use rxgate_core::api::vectors::{matches, summarize_report};
