//! # rxgate-guest — the core as a WebAssembly guest (placeholder)
//!
//! Will export the core's JSON API (`rxgate_core::api::call_json_str`) as a WIT component
//! with no imports, for the wasmtime host.

/// Calls one operation of the core's API with a JSON request, answering the JSON envelope.
pub fn call(op: &str, request_json: &str) -> String {
    rxgate_core::api::call_json_str(op, request_json)
}
