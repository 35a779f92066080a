//! Idempotency keys and RFC 8785 canonical JSON.
//! Input: selector byte (source = bits 0–1; bit 2: no pharmacy id; bit 3: no webhook id),
//! then the body bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rxgate_core::events::canonical::canonical_json;
use rxgate_core::events::dedupe::{event_keys, KeyContext};
use rxgate_core::events::Source;
use rxgate_fuzz::split_selector;
use serde_json::{Map, Value};

const SOURCES: [Source; 4] = [
    Source::Beluga,
    Source::Lifefile,
    Source::DispensePro,
    Source::Own,
];

/// The same document with every object's members in reverse order.
fn reversed(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let out: Map<String, Value> = map
                .iter()
                .rev()
                .map(|(k, v)| (k.clone(), reversed(v)))
                .collect();
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

fn key_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '_' | ':' | '-')
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split_selector(data) else {
        return;
    };
    let Some(source) = SOURCES.get(usize::from(selector & 3)).copied() else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return;
    };

    // Canonical JSON is JSON, and canonicalising it again changes nothing.
    let canonical = canonical_json(&value);
    let reparsed: Value = match serde_json::from_str(&canonical) {
        Ok(v) => v,
        Err(e) => panic!("canonical_json wrote text that is not JSON: {e}"),
    };
    assert_eq!(
        canonical_json(&reparsed),
        canonical,
        "canonical_json is not idempotent"
    );
    assert_eq!(
        canonical_json(&reversed(&value)),
        canonical,
        "canonical_json depends on member order"
    );

    let ctx = KeyContext {
        pharmacy_id: (selector & 4 == 0).then_some("ph_fuzz_1"),
        webhook_id: (selector & 8 == 0).then_some("msg_fuzz_1"),
    };
    let Ok(keys) = event_keys(source, &value, ctx) else {
        assert!(
            matches!(source, Source::DispensePro | Source::Own),
            "a body-keyed source refused a key"
        );
        return;
    };
    // One key, or one per LifeFile line (an empty LifeFile push has none: parse refuses it).
    let empty_push = source == Source::Lifefile && value.as_array().is_some_and(Vec::is_empty);
    assert!(!keys.is_empty() || empty_push, "no key at all");
    // Keys are logged: body-derived parts are identifiers or digests, never free text.
    for key in &keys {
        assert!(
            key.starts_with(source.as_str()),
            "a key without its source prefix"
        );
        assert!(key.chars().all(key_char_ok), "a key carries free text");
    }
    // Member order never changes a key (redeliveries are re-serialised by partners).
    let again = event_keys(source, &reversed(&value), ctx);
    assert_eq!(again.as_ref(), Ok(&keys), "member order changed a key");
});
