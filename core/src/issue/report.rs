//! [`Violation`] and [`Report`], the answer of every validation.

use super::{Code, JsonPath};
use serde::Serialize;

/// One rule broken (or, in [`Report::warnings`], one thing worth a look).
///
/// Serializes as `{code, path, message, beluga_error}`. The message is the code's template
/// filled with facts from the rules; it never contains the input value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Violation {
    /// The stable code.
    pub code: Code,
    /// Where, as a JSON Pointer string.
    pub path: String,
    /// Human text rendered from the code's template.
    pub message: String,
    /// The exact string Beluga would answer, when the code has one.
    pub beluga_error: Option<String>,
}

impl Violation {
    /// A violation of `code` at `path`, its message and Beluga error rendered with `params`
    /// (`{name}` placeholders). Params must be facts from the rules, never input values.
    pub fn new(code: Code, path: &JsonPath, params: &[(&str, &str)]) -> Self {
        Self::at_pointer(code, path.to_pointer(), params)
    }

    /// As [`Violation::new`] with an already rendered JSON Pointer.
    pub fn at_pointer(code: Code, pointer: String, params: &[(&str, &str)]) -> Self {
        let info = code.info();
        Self {
            code,
            path: pointer,
            message: render(info.template, params),
            beluga_error: info.beluga_error.map(|t| render(t, params)),
        }
    }
}

/// A [`Violation`] as data another program reads back: the same JSON, the code a string, so
/// a host linking an older core reads the answers of newer rules (`apply_event`'s warnings
/// and violations, which the service deserializes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ViolationRecord {
    /// The stable code (`rxgate codes`).
    pub code: String,
    /// Where, as a JSON Pointer string.
    pub path: String,
    /// Human text rendered from the code's template.
    pub message: String,
    /// The exact string Beluga would answer, when the code has one.
    pub beluga_error: Option<String>,
}

impl From<&Violation> for ViolationRecord {
    fn from(v: &Violation) -> Self {
        Self {
            code: v.code.to_string(),
            path: v.path.clone(),
            message: v.message.clone(),
            beluga_error: v.beluga_error.clone(),
        }
    }
}

impl Violation {
    /// Replaces the Beluga error string: the same rule answers a different string on each
    /// endpoint (`Missing values` on a visit, `Data format incorrect` on a name change), or
    /// none at all on `updateVisit`.
    #[must_use]
    pub fn with_beluga_error(mut self, beluga_error: Option<&str>) -> Self {
        self.beluga_error = beluga_error.map(str::to_owned);
        self
    }
}

/// Fills `{name}` placeholders of `template` from `params`; unknown placeholders stay as they are.
pub fn render(template: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let (before, from_brace) = rest.split_at(start);
        out.push_str(before);
        match from_brace.find('}') {
            Some(end) => {
                let (placeholder, after) = from_brace.split_at(end + 1);
                let name = placeholder.trim_start_matches('{').trim_end_matches('}');
                match params.iter().find(|(k, _)| *k == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(placeholder),
                }
                rest = after;
            }
            None => {
                out.push_str(from_brace);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The answer of a validation: `{valid, violations, warnings}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// True when there is no violation (warnings do not count).
    pub valid: bool,
    /// Every rule broken, in document order.
    pub violations: Vec<Violation>,
    /// Things worth a look that Beluga would not refuse.
    pub warnings: Vec<Violation>,
}

impl Report {
    /// A report from collected violations and warnings; `valid` follows from them.
    pub fn new(violations: Vec<Violation>, warnings: Vec<Violation>) -> Self {
        Self {
            valid: violations.is_empty(),
            violations,
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn render_fills_known_and_keeps_unknown_placeholders() {
        assert_eq!(
            render(
                "{field} at most {max} ({other})",
                &[("field", "city"), ("max", "200")]
            ),
            "city at most 200 ({other})"
        );
        assert_eq!(render("no braces", &[]), "no braces");
        assert_eq!(render("open { only", &[]), "open { only");
    }
}
