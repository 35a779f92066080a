//! Order rules: the order snapshot, readiness, auto-submit, visit building, the order state
//! machine, the cancel guard and message visibility.

pub mod codes;
