//! # rxgate-py — the Python module `rxgate` (placeholder)
//!
//! Will hold the pyo3 adapter that exposes `rxgate_core::api` to back-office scripts:
//! `rxgate.validate(kind, payload, today=None)`, every order decision, and bulk checks.
//! It holds no rules of its own.

/// The operations the module will expose, straight from the core's API list.
pub fn operations() -> Vec<&'static str> {
    rxgate_core::api::ops().map(|op| op.name).collect()
}
