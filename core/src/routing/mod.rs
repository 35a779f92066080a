//! Pharmacy selection for the Beluga visit and the per-item fulfillment routing plan.

pub mod codes;
