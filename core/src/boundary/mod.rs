//! The prescription boundary: when an item may go to fulfillment.

pub mod codes;
