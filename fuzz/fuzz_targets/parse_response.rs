//! `parse_response`: every endpoint, any status, the body as text or as parsed JSON.
//! Input: selector byte (endpoint = low nibble % 11; bit 4: no status; bit 5: network
//! error; bit 6: body given parsed), two bytes of status (big-endian), then the body bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rxgate_core::contract::response::{parse_response, Endpoint, HttpAnswer};
use rxgate_fuzz::{assert_json, split_selector};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = split_selector(data) else {
        return;
    };
    let endpoints: Vec<Endpoint> = Endpoint::all().collect();
    let Some(endpoint) = endpoints
        .get(usize::from(selector & 0x0f) % endpoints.len())
        .copied()
    else {
        return;
    };
    let (status, body) = match rest {
        [hi, lo, body @ ..] => (u16::from_be_bytes([*hi, *lo]), body),
        _ => return,
    };
    let text = String::from_utf8_lossy(body).into_owned();
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let status = (selector & 0x10 == 0).then_some(status);
    let network_error = (selector & 0x20 != 0).then(|| "timeout".to_owned());
    let as_text = HttpAnswer {
        status,
        body: Some(Value::String(text)),
        network_error: network_error.clone(),
    };
    let answer = parse_response(endpoint, &as_text);
    let json = assert_json("parse_response", &answer);
    assert_eq!(
        json.get("endpoint").and_then(Value::as_str),
        Some(endpoint.name()),
        "parse_response answered for another endpoint"
    );
    // A JSON object or array given as text or already parsed means the same answer.
    if let Some(value) = parsed.filter(|v| v.is_object() || v.is_array()) {
        if selector & 0x40 != 0 {
            let as_value = HttpAnswer {
                status,
                body: Some(value),
                network_error,
            };
            assert_eq!(
                parse_response(endpoint, &as_value),
                answer,
                "a body as text and as parsed JSON are classified differently"
            );
        }
    }
});
