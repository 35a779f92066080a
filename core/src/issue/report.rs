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

impl Violation {
    /// As [`Violation::at_pointer`] with the Beluga error string given (an endpoint's own
    /// string, or none), so the code's own is not rendered only to be replaced.
    pub fn at_pointer_with_beluga(
        code: Code,
        pointer: String,
        params: &[(&str, &str)],
        beluga_error: Option<&str>,
    ) -> Self {
        Self {
            code,
            path: pointer,
            message: render(code.info().template, params),
            beluga_error: beluga_error.map(str::to_owned),
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

/// A `{name}` placeholder of a template that no parameter fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfilled(pub String);

/// The placeholder names of a template, in order: `{` + a snake_case name + `}`. Other
/// braces (`{mime, data}`, a lone `{`) are text.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let (_, from_brace) = rest.split_at(start + 1);
        match placeholder_at(from_brace) {
            Some(name) => {
                out.push(name);
                rest = from_brace.split_at(name.len() + 1).1;
            }
            None => rest = from_brace,
        }
    }
    out
}

/// The placeholder name at the start of `text` (just after a `{`), when `text` goes on with
/// a snake_case name and `}`.
fn placeholder_at(text: &str) -> Option<&str> {
    // The first byte that cannot be in a name must be the closing brace, after one at least.
    let bytes = text.as_bytes();
    let end = bytes
        .iter()
        .position(|&b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))?;
    (end > 0 && bytes.get(end) == Some(&b'}'))
        .then(|| text.get(..end))
        .flatten()
}

/// Fills the `{name}` placeholders of `template` from `params`; a placeholder no parameter
/// fills is refused with its name. Parameters the template does not name are ignored (a
/// message and its Beluga error share one list).
pub fn try_render(template: &str, params: &[(&str, &str)]) -> Result<String, Unfilled> {
    let (text, unfilled) = fill(template, params);
    match unfilled {
        Some(name) => Err(Unfilled(name.to_owned())),
        None => Ok(text),
    }
}

/// [`try_render`] for the rules, whose parameters are fixed in the code: a placeholder left
/// unfilled is a bug, caught by a debug assertion (every test and vector runs with them);
/// a release build keeps the placeholder as text rather than fail a verdict.
pub fn render(template: &str, params: &[(&str, &str)]) -> String {
    let (text, unfilled) = fill(template, params);
    debug_assert!(
        unfilled.is_none(),
        "template placeholder `{{{}}}` left unfilled",
        unfilled.unwrap_or_default()
    );
    text
}

/// The template with its placeholders filled (an unfilled one kept as written) and the name
/// of the first unfilled one.
fn fill<'t>(template: &'t str, params: &[(&str, &str)]) -> (String, Option<&'t str>) {
    // Room for every parameter: the rules' templates use nearly all they are given.
    let values: usize = params.iter().map(|(_, v)| v.len()).sum();
    let mut out = String::with_capacity(template.len() + values);
    let mut unfilled = None;
    let mut rest = template;
    // A byte loop, not `str::find`: templates are short, and the searcher's set-up cost more.
    while let Some(start) = rest.bytes().position(|b| b == b'{') {
        let (before, from_brace) = rest.split_at(start);
        out.push_str(before);
        let after_brace = from_brace.split_at(1).1;
        let Some(name) = placeholder_at(after_brace) else {
            out.push('{');
            rest = after_brace;
            continue;
        };
        match params.iter().find(|(k, _)| *k == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                unfilled = unfilled.or(Some(name));
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = after_brace.split_at(name.len() + 1).1;
    }
    out.push_str(rest);
    (out, unfilled)
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

/// A [`Report`] as data another program reads back, its violations and warnings as
/// [`ViolationRecord`]s: the same JSON. The service reads the rules guest's `validate`
/// answers into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ReportRecord {
    /// True when there is no violation (warnings do not count).
    pub valid: bool,
    /// Every rule broken, in document order.
    pub violations: Vec<ViolationRecord>,
    /// Things worth a look that Beluga would not refuse.
    pub warnings: Vec<ViolationRecord>,
}

impl From<&Report> for ReportRecord {
    fn from(report: &Report) -> Self {
        Self {
            valid: report.valid,
            violations: report
                .violations
                .iter()
                .map(ViolationRecord::from)
                .collect(),
            warnings: report.warnings.iter().map(ViolationRecord::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{placeholders, render, try_render, Unfilled};

    #[test]
    fn render_fills_known_and_refuses_unknown_placeholders() {
        assert_eq!(
            try_render(
                "{field} at most {max} ({other})",
                &[("field", "city"), ("max", "200")]
            ),
            Err(Unfilled("other".to_owned()))
        );
        assert_eq!(
            try_render(
                "{field} at most {max}",
                &[("field", "city"), ("max", "200")]
            ),
            Ok("city at most 200".to_owned())
        );
        assert_eq!(render("no braces", &[]), "no braces");
        assert_eq!(render("open { only", &[]), "open { only");
        assert_eq!(render("send `{mime, data}`", &[]), "send `{mime, data}`");
        assert_eq!(placeholders("{a} {b_1} {not one} {"), vec!["a", "b_1"]);
        // Only `{snake_case}` is a placeholder; every other brace is text.
        let field = [("field", "x")];
        for (template, rendered) in [
            ("{}", "{}"),
            ("{{field}}", "{x}"),
            (
                "{field-x} {Field} {é} {field",
                "{field-x} {Field} {é} {field",
            ),
            ("é{field}ü", "éxü"),
        ] {
            assert_eq!(
                try_render(template, &field).as_deref(),
                Ok(rendered),
                "{template}"
            );
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "left unfilled")]
    fn render_asserts_on_an_unfilled_placeholder() {
        let _ = render("{field} is wrong", &[]);
    }
}
