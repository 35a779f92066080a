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

pub use rxgate_core::api::vectors::Case;

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

/// Parses every case of one vector file (the core's parser); a malformed file yields an
/// error naming it.
pub fn cases_of(file: &str, text: &str) -> Result<Vec<Case>, String> {
    rxgate_core::api::vectors::parse_file(file, text).map(|f| f.cases)
}

/// Every case of the bundled vectors.
pub fn bundled_cases() -> Result<Vec<Case>, String> {
    let mut all = Vec::new();
    for (file, text) in BUNDLED {
        all.extend(cases_of(file, text)?);
    }
    Ok(all)
}

/// Checks one case against an implementation: `Ok` when its answer meets the expectation
/// (the core's [`rxgate_core::api::vectors::check`]).
pub fn check_case(rules: &dyn RulesImpl, case: &Case) -> Result<(), String> {
    let text = rules.call_json_str(&case.op, &case.request.to_string())?;
    let envelope: Value = serde_json::from_str(&text).map_err(|_| "not JSON".to_owned())?;
    let answer = match (envelope.get("ok"), envelope.get("err")) {
        (Some(output), _) => Ok(output),
        (None, Some(err)) => Err(err.get("code").unwrap_or(&Value::Null)),
        (None, None) => return Err("an envelope needs `ok` or `err`".to_owned()),
    };
    rxgate_core::api::vectors::check(case, answer)
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
