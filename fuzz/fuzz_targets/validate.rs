//! `validate`: every contract kind, from bytes, from text and from a parsed value.
//! Input: selector byte (kind = byte % 9; bit 4 set: no `today`), then the body bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rxgate_core::contract::{validate_slice, validate_str, validate_value, Kind, ValidateOptions};
use rxgate_fuzz::{assert_report, has_sentinel, sentinel_only_in_values, split_selector};
use serde_json::Value;

fn options(selector: u8) -> ValidateOptions {
    match chrono::NaiveDate::from_ymd_opt(2026, 11, 23) {
        Some(day) if selector & 0x10 == 0 => ValidateOptions::new(day),
        _ => ValidateOptions::default(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split_selector(data) else {
        return;
    };
    let Some(kind) = Kind::ALL
        .get(usize::from(selector) % Kind::ALL.len())
        .copied()
    else {
        return;
    };
    let options = options(selector);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let sentinel = sentinel_only_in_values(body, parsed.as_ref());

    // Bytes path (the fast path every binding uses).
    match validate_slice(kind, body, &options) {
        Ok(report) => assert_report("validate_slice", &report, sentinel),
        Err(e) => assert!(
            !has_sentinel(&e.to_string()),
            "validate_slice: the JSON error echoes input"
        ),
    }
    // Text path: the same bytes as UTF-8 give the same answer.
    if let Ok(text) = std::str::from_utf8(body) {
        let by_text = validate_str(kind, text, &options).map_err(|e| e.to_string());
        let by_slice = validate_slice(kind, body, &options).map_err(|e| e.to_string());
        assert_eq!(
            by_text, by_slice,
            "validate_str and validate_slice disagree"
        );
    }
    // Value path: a parsed value and its own serialization (no duplicate members left)
    // give the same report through the value walker and the typed fast path.
    if let Some(value) = parsed {
        let by_value = validate_value(kind, &value, &options);
        assert_report("validate_value", &by_value, sentinel);
        if let Ok(text) = serde_json::to_string(&value) {
            match validate_str(kind, &text, &options) {
                Ok(by_text) => assert_eq!(
                    by_value, by_text,
                    "validate_value and validate_str disagree on the same document"
                ),
                Err(_) => panic!("validate_str refused the serialization of a parsed value"),
            }
        }
    }
});
