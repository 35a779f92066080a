//! The code registry.
//!
//! A [`Code`] is a handle on a static [`CodeInfo`]: its stable snake_case name, the rule area
//! it belongs to, the Beluga error string it stands for (if any), a one-line meaning and the
//! message template. Each rule area declares its codes in its own `codes.rs` with
//! [`define_codes!`](crate::define_codes); `crate::registry` is the union, and a test proves
//! the names are unique, documented in the README and produced by at least one vector.

use serde::{Serialize, Serializer};
use std::fmt;

/// Lifecycle of a code, in the manner of ruff's `RuleStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    /// Produced today and kept stable.
    Stable,
    /// Still produced, to be removed; see `since`.
    Deprecated,
    /// No longer produced; kept so old reports stay readable.
    Removed,
}

/// Everything the registry knows about one code.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CodeInfo {
    /// Stable snake_case identifier, e.g. `dob_under_18`.
    pub code: &'static str,
    /// The rule area: `contract`, `readiness`, `routing`, `boundary`, `events`, …
    pub area: &'static str,
    /// The exact error string Beluga answers for this condition, when there is one. May hold
    /// `{placeholders}` filled from the violation's context (e.g. `{fields}`).
    pub beluga_error: Option<&'static str>,
    /// One line saying what the code means.
    pub meaning: &'static str,
    /// The message template; `{placeholders}` are filled with facts from the rules (field
    /// names, limits, allowed values), never with input values.
    pub template: &'static str,
    /// The version that introduced the code.
    pub since: &'static str,
    /// Whether the code is stable, deprecated or removed.
    pub status: CodeStatus,
}

/// A stable violation or warning code. Compares and serializes as its name.
#[derive(Clone, Copy)]
pub struct Code(pub &'static CodeInfo);

impl Code {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        self.0.code
    }

    /// The registry entry.
    pub fn info(self) -> &'static CodeInfo {
        self.0
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for Code {}

impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.code.hash(state);
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "a snake_case code of the registry (`rxgate codes`)"
        })
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.code)
    }
}

/// Declares a list of codes for one rule area.
///
/// ```ignore
/// define_codes! {
///     area = "contract";
///     /// Doc comment.
///     DOB_INVALID = "dob_invalid" {
///         beluga_error: Some("Dob error"),
///         meaning: "dob is not a real MM/DD/YYYY date",
///         template: "{field} must be a real calendar date written MM/DD/YYYY",
///     },
/// }
/// ```
/// generates one `pub const NAME: Code` per entry and `pub const CODES: &[Code]`.
#[macro_export]
macro_rules! define_codes {
    (area = $area:literal; $( $(#[$doc:meta])* $name:ident = $code:literal {
        beluga_error: $be:expr,
        meaning: $meaning:literal,
        template: $template:literal $(,)?
    } ),* $(,)?) => {
        $(
            $(#[$doc])*
            pub const $name: $crate::issue::Code = $crate::issue::Code(&$crate::issue::CodeInfo {
                code: $code,
                area: $area,
                beluga_error: $be,
                meaning: $meaning,
                template: $template,
                since: "0.1.0",
                status: $crate::issue::CodeStatus::Stable,
            });
        )*
        /// Every code this area declares, in declaration order.
        pub const CODES: &[$crate::issue::Code] = &[$($name),*];
    };
}
