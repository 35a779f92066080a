//! # rxgate-core — the rules of an async-telehealth integration, written once
//!
//! A clinic app sends orders for medical review to Beluga Health and routes the resulting
//! prescriptions to pharmacies. This crate holds every rule of that integration: what a
//! Beluga payload must look like (and the exact error Beluga would answer when it does not),
//! when an order may go to the doctor, which pharmacy gets it, when a prescription may go to
//! fulfillment, what every partner webhook means, and what a stuck order needs next.
//!
//! ## Invariants
//! - **Pure.** No I/O, no clock, no randomness: "today", "now" and ids are arguments. The same
//!   crate runs natively, in the browser (wasm-bindgen), in Python (pyo3) and as the
//!   wasmtime guest of the `rxgate` service, and gives byte-identical answers everywhere.
//! - **Verdicts are data.** Validation returns a [`issue::Report`] with every violation, each
//!   with a stable code from one registry ([`registry::all_codes`]); errors are for misuse only.
//! - **No patient data in messages.** Messages name fields and rules, never input values.
//! - **No panics on input.** Clippy denies `unwrap`, `expect`, `panic` and indexing here.
//!
//! ## Shape
//! Modules follow the domain: [`contract`] (Beluga payloads and responses), [`order`]
//! (snapshot, readiness, submission, state), [`routing`] (pharmacies), [`boundary`] (the
//! prescription boundary), [`events`] (webhooks), [`diagnosis`], and [`api`], the single
//! JSON surface that every binding re-exports so parity holds by construction.

pub mod api;
pub mod boundary;
pub mod calendar;
pub mod contract;
pub mod diagnosis;
pub mod events;
pub mod host;
pub mod issue;
pub mod order;
pub mod registry;
pub mod routing;
