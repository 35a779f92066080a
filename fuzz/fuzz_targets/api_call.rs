//! `api::call` through its string ABIs (what the wasmtime guest and the bindings use): any
//! operation name, any request text; where the request is an object with an `input`, also
//! split into that document and the other members (`call_document_json_str`).
//! Input: selector byte (an operation of `api::ops()` by index; past the list, the first
//! line of the rest is the operation name), then the request text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rxgate_core::api;
use rxgate_fuzz::{has_sentinel, sentinel_in_keys, split_selector};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = split_selector(data) else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let names: Vec<&str> = api::ops().map(|o| o.name).collect();
    let (op, request) = match names.get(usize::from(selector)) {
        Some(name) => (*name, text.as_ref()),
        None => text.split_once('\n').unwrap_or((text.as_ref(), "")),
    };
    let answer = api::call_json_str(op, request);
    let envelope: Value = match serde_json::from_str(&answer) {
        Ok(v) => v,
        Err(e) => panic!("call_json_str answered text that is not JSON: {e}"),
    };
    let Some(map) = envelope.as_object() else {
        panic!("the envelope is not an object");
    };
    assert_eq!(map.len(), 1, "the envelope has not exactly one member");
    // Same answer through the typed entry point.
    let direct = api::parse_request(request).and_then(|req| api::call(op, &req));
    assert_eq!(
        api::envelope(direct),
        answer,
        "call and call_json_str disagree"
    );
    // The same request with its `input` beside the other members (the guest's
    // `call-document`): the envelope of the request with `input` as its last member, byte
    // for byte (where a request breaks several rules, member order picks the one reported).
    if let Ok(Value::Object(mut params)) = serde_json::from_str::<Value>(request) {
        if let Some(input) = params.remove("input") {
            let split = api::call_document_json_str(
                op,
                &Value::Object(params.clone()).to_string(),
                &input.to_string(),
            );
            params.insert("input".to_owned(), input);
            let last = api::call_json_str(op, &Value::Object(params).to_string());
            assert_eq!(
                split, last,
                "call_document_json_str and call_json_str disagree"
            );
        }
    }
    if let Some(err) = map.get("err") {
        let code = err.get("code").and_then(Value::as_str).unwrap_or_default();
        assert!(!code.is_empty(), "an error without a code");
        assert_ne!(code, "internal", "internal error");
        let message = err
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let keys_clean =
            serde_json::from_str::<Value>(request).is_ok_and(|v| !sentinel_in_keys(&v));
        if keys_clean && !has_sentinel(op) {
            assert!(
                !has_sentinel(message),
                "an API error echoes input (fuzz data): {code}: {message}"
            );
        }
    } else {
        assert!(map.contains_key("ok"), "the envelope is neither ok nor err");
    }
});
