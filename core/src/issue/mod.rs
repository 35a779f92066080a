//! Violations, warnings and the code type every area's `codes.rs` declares
//! (the registry of them all is [`crate::registry`]).
//!
//! Every rule of rxgate that can say "no" says it with a [`Violation`]: a stable snake_case
//! [`Code`], a JSON Pointer [`JsonPath`], a message rendered from the code's template with
//! facts taken from the rules (field names, limits, allowed values — never the input value,
//! which is patient data) and, for outbound Beluga payloads, the exact error string Beluga
//! would answer. [`Report`] collects every violation and warning of one validation.

mod code;
mod path;
mod redact;
mod report;

pub use code::{Code, CodeInfo, CodeStatus};
pub use path::{escape_token, JsonPath, Segment};
pub use redact::{redact_serde, safe_name};
pub use report::{
    placeholders, render, try_render, Report, ReportRecord, Unfilled, Violation, ViolationRecord,
};
