//! # rxgate-wasm — the npm package `rxgate` (placeholder)
//!
//! Will hold the wasm-bindgen adapter that exposes `rxgate_core::api` to the patient portal
//! and Node: `validate(kind, payload, options)` and every order decision, as plain JS objects.
//! It holds no rules of its own.

/// The operations the package will expose, straight from the core's API list.
pub fn operations() -> Vec<&'static str> {
    rxgate_core::api::ops().map(|op| op.name).collect()
}
