//! Violations, warnings and the one registry of their codes.
//!
//! Every rule of rxgate that can say "no" says it with a [`Violation`]: a stable snake_case
//! [`Code`], a JSON Pointer [`JsonPath`], a message rendered from the code's template with
//! facts taken from the rules (field names, limits, allowed values — never the input value,
//! which is patient data) and, for outbound Beluga payloads, the exact error string Beluga
//! would answer. [`Report`] collects every violation and warning of one validation.

mod code;
mod path;
mod report;

pub use code::{all_codes, Code, CodeInfo, CodeStatus, ALL_CODES};
pub use path::{JsonPath, Segment};
pub use report::{render, Report, Violation, ViolationRecord};
