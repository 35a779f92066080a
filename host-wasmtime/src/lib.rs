//! # rxgate-host — the rxgate service
//!
//! The service that runs the Beluga integration for real: the clinic app calls its API,
//! partners send it webhooks, and it calls Beluga, DispensePro and LifeFile. Every decision
//! comes from the core running as a WebAssembly component inside wasmtime ([`rules`]); the
//! host itself authenticates, stores durably, schedules and moves bytes.
//!
//! Invariants:
//! - `rxgate serve` never calls the native core for a decision: the only path to the rules
//!   is [`rules::RulesHandle::call`], i.e. the guest. (The native core is linked only for the
//!   command line's own commands and the parity test.)
//! - A guest trap, timeout or out-of-memory fails one request with "internal error"; it never
//!   takes the service down.
//! - An inbound event is committed (raw body, dedupe key) before its 2xx; processing reads
//!   the stored copy. A partner call lives in the outbox under a unique key, so it is sent
//!   once unless the rules classify its failure `retry_later`.
//! - No PHI in logs, metrics or error bodies: routes are logged as templates, bodies never.
//!
//! Modules: [`rules`] (engine, guest lifecycle, vectors, hot reload), [`store`] (storage
//! trait, SQLite), [`service`] (HTTP routes, webhooks, app API, worker), [`clients`]
//! (partner HTTP), [`config`], [`keys`] (API keys), [`demo`] (`rxgate demo`: the service
//! against the partner sandbox of `rxgate-sandbox`, which simulates the partners — it is the
//! only place the native core runs beside the service, as Beluga's own field checks).

pub mod clients;
pub mod config;
pub mod demo;
pub mod keys;
pub mod rules;
// rust-version 1.95 turns on clippy's `manual_is_multiple_of` (an MSRV-gated lint), which
// flags one line of `service/webhooks.rs`; that module is being rewritten on another branch,
// which takes the fix (`!text.len().is_multiple_of(2)`) and drops this allow.
#[allow(clippy::manual_is_multiple_of)]
pub mod service;
pub mod store;
