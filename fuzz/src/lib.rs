//! Shared helpers of the fuzz targets: input splitting, the planted sentinel and the
//! invariants every target checks beyond "no panic".
//!
//! Every target reads its first byte as a selector (body kind, endpoint, webhook source,
//! operation) and the rest as the outside bytes. `fuzz/seed.py` writes seeds in the same
//! layouts from `tests/vectors`, and also a copy of each with [`SENTINEL`] planted in every
//! string value, so the "no input value in a message" invariant has something to catch.

use rxgate_core::issue::{Report, Violation};
use serde_json::Value;

/// Planted in string values by the seeder. It holds `@`, so no identifier rule (event names,
/// idempotency-key parts) may keep it: wherever it surfaces in a message, a path or a key,
/// an input value leaked.
pub const SENTINEL: &str = "Zq7@Phi";

/// Splits the selector byte from the rest.
pub fn split_selector(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(b, rest)| (*b, rest))
}

/// Whether the sentinel appears in any object member name of `value` (member names are
/// legitimately echoed in paths and `unknown_field` messages, values never are).
pub fn sentinel_in_keys(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(SENTINEL) || sentinel_in_keys(v)),
        Value::Array(items) => items.iter().any(sentinel_in_keys),
        _ => false,
    }
}

/// Whether the sentinel may be checked for: it is in the input text, and only in values.
pub fn sentinel_only_in_values(text: &[u8], parsed: Option<&Value>) -> bool {
    let planted = text
        .windows(SENTINEL.len())
        .any(|w| w == SENTINEL.as_bytes());
    planted && parsed.is_some_and(|v| !sentinel_in_keys(v))
}

/// Panics (a finding) when a violation's message, path or Beluga error carries the sentinel.
pub fn assert_clean_violations(what: &str, violations: &[Violation]) {
    for v in violations {
        for (field, text) in [
            ("message", Some(v.message.as_str())),
            ("path", Some(v.path.as_str())),
            ("beluga_error", v.beluga_error.as_deref()),
        ] {
            if text.is_some_and(|t| t.contains(SENTINEL)) {
                panic!("{what}: an input value reached the {field} of `{}`", v.code);
            }
        }
    }
}

/// A report's invariants: `valid` agrees with the violations, codes are registered, and,
/// when `check_sentinel`, no input value reached a message.
pub fn assert_report(what: &str, report: &Report, check_sentinel: bool) {
    assert_eq!(
        report.valid,
        report.violations.is_empty(),
        "{what}: `valid` disagrees with the violations"
    );
    for v in report.violations.iter().chain(&report.warnings) {
        assert!(
            v.path.is_empty() || v.path.starts_with('/'),
            "{what}: a path is not a JSON Pointer"
        );
    }
    if check_sentinel {
        assert_clean_violations(what, &report.violations);
        assert_clean_violations(what, &report.warnings);
    }
}

/// Serializes `value` and panics when that fails or is not JSON that parses back.
pub fn assert_json<T: serde::Serialize>(what: &str, value: &T) -> Value {
    let text = match serde_json::to_string(value) {
        Ok(text) => text,
        Err(e) => panic!("{what}: the answer does not serialize: {e}"),
    };
    match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("{what}: the answer is not JSON that parses back: {e}"),
    }
}

/// Whether `text` contains the sentinel.
pub fn has_sentinel(text: &str) -> bool {
    text.contains(SENTINEL)
}

/// Fixed instants the order and event targets evaluate at (inputs, never the clock).
pub const NOW: &str = "2026-11-23T16:05:00Z";
/// The evaluation date matching [`NOW`].
pub const TODAY: &str = "2026-11-23";
