//! The host's integration tests, one binary: each module links wasmtime, axum, reqwest and
//! SQLite, so one link instead of eight saves CI minutes and gigabytes of disk.

mod attacks;
mod audit;
mod backends;
mod cli_order;
mod cli_serve;
mod common;
mod crash;
mod drain;
mod e2e;
mod faults;
mod idempotency;
mod inbox;
mod names;
mod observability;
mod openapi;
mod outage;
mod outbox;
mod parity;
mod patients;
mod pharmacy;
mod portal;
mod readme;
mod rules;
mod sandbox_rules;
mod service;
mod staff;
mod stuck;
mod visits;
mod webhook_vectors;
