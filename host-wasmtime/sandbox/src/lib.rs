//! # rxgate-sandbox — local partners on loopback (placeholder)
//!
//! Will simulate Beluga, DispensePro, LifeFile and OWN pharmacies for tests and `rxgate demo`.

/// The partners the sandbox will simulate.
pub const PARTNERS: &[&str] = &["beluga", "dispensepro", "lifefile", "own-pharmacy"];
