//! The Beluga API contract: typed request bodies, their validators, the normalisers callers
//! use before validating, and typed response parsing with its classification.

pub mod codes;
