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
//! ## Shape: layers, bottom to top
//! Modules follow the domain and form a DAG of layers; a module uses its own layer and the
//! ones below it, never one above (`core/tests/layers.rs` checks every `crate::` path and
//! fails on an upward edge or a cycle, naming the file and line):
//!
//! 0. [`calendar`] (the business-date rule) and [`issue`] (violations, JSON Pointers, message
//!    templates): they import nothing above them, so every rule may use them.
//! 1. The **vocabulary**: every area's `codes.rs` (including Beluga's error strings,
//!    [`contract::codes::beluga`]) and [`registry`], the one list of them all. Codes are
//!    names, not rules, so a rule in one area may report another area's code without
//!    depending on its rules.
//! 2. [`contract`]: Beluga payloads and responses.
//! 3. [`order`]: the snapshot, readiness, submission, state, and the facts several higher
//!    layers ask (prescription facts in [`order::rx`], the Beluga pharmacy in
//!    [`order::pharmacy`]).
//! 4. [`routing`]: pharmacies and the fulfillment plan.
//! 5. [`boundary`]: the prescription boundary (it reads the routes).
//! 6. [`events`]: partner webhooks.
//! 7. [`diagnosis`]: the stage, escalations (one function per rule) and what a patient may
//!    see ([`diagnosis::patient_view`]), built on every decision below.
//! 8. [`api`], the single JSON surface that every binding re-exports so parity holds by
//!    construction, and [`host`], the codes the service reports itself.
//!
//! Why: each layer can be read, tested and changed knowing only what is below it, and a
//! shared piece has one obvious home — the lowest layer that needs it (a fact two layers
//! ask goes down, never sideways). No function is longer than 80 lines (the same test
//! counts them).

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
