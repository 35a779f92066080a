//! The collector every validator writes to: where a member is ([`Loc`]), what it must be
//! ([`Req`]), and which Beluga string each endpoint answers for what goes wrong ([`Checker`]).
//!
//! Locations are stack-allocated links (`Loc::Key(&parent, "dob")`) turned into a JSON
//! Pointer only when something is reported, so a valid body costs no path allocation.

use super::codes;
use super::wire::{JsonType, Slot, Text};
use crate::issue::{escape_token, Code, Report, Violation};
use std::borrow::Cow;

/// Beluga's catch-all error string.
pub(crate) const CATCH_ALL: &str = crate::contract::codes::beluga::SOMETHING_WENT_WRONG;
/// Beluga's string for null, empty or whitespace-only values on visit and lab payloads.
pub(crate) const MISSING_VALUES: &str = crate::contract::codes::beluga::MISSING_VALUES;
/// Beluga's string for absent top-level metadata on visit and lab payloads.
pub(crate) const MISSING_METADATA: &str = crate::contract::codes::beluga::MISSING_METADATA;

/// A location in the body being validated.
#[derive(Clone, Copy)]
pub(crate) enum Loc<'a> {
    /// The body itself.
    Root,
    /// A member of the parent object.
    Key(&'a Loc<'a>, &'a str),
    /// An item of the parent array.
    Index(&'a Loc<'a>, usize),
    /// A custom question member (`Q3`, `A3`), named without allocating.
    Qa(&'a Loc<'a>, char, u32),
}

impl<'a> Loc<'a> {
    /// The member `key` of this object.
    pub(crate) fn key(&'a self, key: &'a str) -> Loc<'a> {
        Loc::Key(self, key)
    }

    /// The item `index` of this array.
    pub(crate) fn index(&'a self, index: usize) -> Loc<'a> {
        Loc::Index(self, index)
    }

    /// The custom question member `{letter}{number}` of this object.
    pub(crate) fn qa(&'a self, letter: char, number: u32) -> Loc<'a> {
        Loc::Qa(self, letter, number)
    }

    /// The JSON Pointer of this location, written in one string (no intermediate path).
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::with_capacity(32);
        self.write_pointer(&mut out);
        out
    }

    fn write_pointer(&self, out: &mut String) {
        match self {
            Loc::Root => {}
            Loc::Key(parent, key) => {
                parent.write_pointer(out);
                out.push('/');
                out.push_str(&escape_token(key));
            }
            Loc::Index(parent, index) => {
                parent.write_pointer(out);
                out.push('/');
                push_decimal(out, *index);
            }
            Loc::Qa(parent, letter, number) => {
                parent.write_pointer(out);
                out.push('/');
                out.push(*letter);
                push_decimal(out, *number as usize);
            }
        }
    }

    /// The member name used in messages: the last key, with the index of an array item
    /// (`patientPreference[0].medId` reads as `medId`, the path says which item).
    pub(crate) fn field(&self) -> Cow<'a, str> {
        match self {
            Loc::Root => Cow::Borrowed("body"),
            Loc::Key(_, key) => Cow::Borrowed(key),
            Loc::Index(parent, index) => {
                let mut out = parent.field().into_owned();
                out.push('[');
                push_decimal(&mut out, *index);
                out.push(']');
                Cow::Owned(out)
            }
            Loc::Qa(_, letter, number) => {
                let mut out = String::with_capacity(11);
                out.push(*letter);
                push_decimal(&mut out, *number as usize);
                Cow::Owned(out)
            }
        }
    }
}

/// Appends `n` in decimal: what `write!(out, "{n}")` writes, without the formatting machinery
/// (a third of building a warning's location).
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    for &d in digits.get(start..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// What a member must be, and its own Beluga error string on visit and lab payloads.
#[derive(Clone, Copy)]
pub(crate) struct Req {
    /// Whether absence is a violation.
    pub required: bool,
    /// The member's own error string (`Email error`), when the reference lists one.
    pub own: Option<&'static str>,
    /// Top-level metadata of visit and lab payloads (absent → `Missing metadata`).
    pub meta: bool,
}

impl Req {
    /// A required member with its own error string.
    pub(crate) const fn required(own: Option<&'static str>) -> Self {
        Self {
            required: true,
            own,
            meta: false,
        }
    }

    /// An optional member.
    pub(crate) const fn optional(own: Option<&'static str>) -> Self {
        Self {
            required: false,
            own,
            meta: false,
        }
    }

    /// Required top-level metadata (`pharmacyId`, `masterId`, `company`, `visitType`).
    pub(crate) const fn metadata() -> Self {
        Self {
            required: true,
            own: None,
            meta: true,
        }
    }
}

/// Which Beluga string a violation carries.
pub(crate) enum Beluga {
    /// The code's own string.
    Code,
    /// This string.
    Text(&'static str),
}

/// Collects violations and warnings for one body.
pub(crate) struct Checker {
    /// The endpoint's single error string, for the seven payloads that answer one string
    /// for everything (`Some(None)` on `updateVisit`, which answers status words).
    fixed: Option<Option<&'static str>>,
    violations: Vec<Violation>,
    warnings: Vec<Violation>,
}

impl Checker {
    /// A checker for visit and lab payloads (per-field strings).
    pub(crate) fn intake() -> Self {
        Self {
            fixed: None,
            violations: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// A checker for an endpoint that answers one string for every data problem.
    pub(crate) fn fixed(beluga_error: Option<&'static str>) -> Self {
        Self {
            fixed: Some(beluga_error),
            violations: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The report.
    pub(crate) fn finish(self) -> Report {
        Report::new(self.violations, self.warnings)
    }

    /// True when nothing has been reported so far.
    pub(crate) fn violation_count(&self) -> usize {
        self.violations.len()
    }

    /// The violation; `beluga` is `Some(string)` to replace the code's own Beluga string
    /// (then the code's is never rendered), `None` to render the code's.
    fn build(
        &self,
        code: Code,
        at: &Loc,
        params: &[(&str, &str)],
        beluga: Option<Option<&str>>,
    ) -> Violation {
        let field = at.field();
        // `{field}` and the rule's own parameters in one list, on the stack for the rules'
        // (at most three parameters).
        let mut stack = [("", ""); 4];
        let heap: Vec<(&str, &str)>;
        let all: &[(&str, &str)] = match stack.get_mut(..=params.len()) {
            Some(all) => {
                for (slot, param) in all
                    .iter_mut()
                    .zip(std::iter::once(("field", &*field)).chain(params.iter().copied()))
                {
                    *slot = param;
                }
                all
            }
            None => {
                heap = std::iter::once(("field", &*field))
                    .chain(params.iter().copied())
                    .collect();
                &heap
            }
        };
        match beluga {
            Some(text) => Violation::at_pointer_with_beluga(code, at.pointer(), all, text),
            None => Violation::at_pointer(code, at.pointer(), all),
        }
    }

    /// The Beluga string override of a violation on this checker's endpoint.
    fn beluga(&self, beluga: Beluga) -> Option<Option<&'static str>> {
        match (self.fixed, beluga) {
            (Some(fixed), _) => Some(fixed),
            (None, Beluga::Code) => None,
            (None, Beluga::Text(text)) => Some(Some(text)),
        }
    }

    /// Reports `code` at `at`; `{field}` is filled from the location.
    pub(crate) fn report(&mut self, code: Code, at: &Loc, params: &[(&str, &str)], beluga: Beluga) {
        let violation = self.build(code, at, params, self.beluga(beluga));
        self.violations.push(violation);
    }

    /// Reports a warning (no Beluga string: Beluga would not refuse it).
    pub(crate) fn warn(&mut self, code: Code, at: &Loc, params: &[(&str, &str)]) {
        let violation = self.build(code, at, params, Some(None));
        self.warnings.push(violation);
    }

    /// Reports a broken value rule (from [`super::fields`]) when there is one.
    pub(crate) fn outcome(
        &mut self,
        result: Result<(), super::fields::Broken>,
        at: &Loc,
        req: Req,
    ) {
        if let Err((code, facts)) = result {
            let params: Vec<(&str, &str)> = facts.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // Generic text rules carry the member's own string; specific rules their code's.
            let generic = code == codes::TEXT_TOO_LONG || code == codes::TEXT_CONTROL_CHARACTERS;
            let beluga = match req.own {
                Some(own) if generic => Beluga::Text(own),
                _ => Beluga::Code,
            };
            self.report(code, at, &params, beluga);
        }
    }

    /// Checks presence and type; answers the value when it has the expected type.
    pub(crate) fn present<'s, T>(
        &mut self,
        slot: &'s Slot<T>,
        at: &Loc,
        req: Req,
        expected: JsonType,
    ) -> Option<&'s T> {
        match slot {
            Slot::Value(value) => Some(value),
            Slot::Absent => {
                if req.required {
                    let beluga = if req.meta {
                        MISSING_METADATA
                    } else {
                        req.own.unwrap_or(MISSING_VALUES)
                    };
                    self.report(codes::FIELD_MISSING, at, &[], Beluga::Text(beluga));
                }
                None
            }
            Slot::Null => {
                self.report(codes::FIELD_NULL, at, &[], Beluga::Text(MISSING_VALUES));
                None
            }
            Slot::Wrong(found) => {
                let beluga = req.own.unwrap_or(CATCH_ALL);
                self.report(
                    codes::FIELD_WRONG_TYPE,
                    at,
                    &[
                        ("expected", expected.described()),
                        ("found", found.described()),
                    ],
                    Beluga::Text(beluga),
                );
                None
            }
        }
    }

    /// A string member: present, a string, not blank.
    pub(crate) fn text<'s>(
        &mut self,
        slot: &'s Slot<Text<'_>>,
        at: &Loc,
        req: Req,
    ) -> Option<&'s str> {
        let value: &str = self.present(slot, at, req, JsonType::String)?;
        if is_blank(value) {
            self.report(codes::FIELD_BLANK, at, &[], Beluga::Text(MISSING_VALUES));
            return None;
        }
        Some(value)
    }

    /// A boolean member.
    pub(crate) fn flag(&mut self, slot: &Slot<bool>, at: &Loc, req: Req) -> Option<bool> {
        self.present(slot, at, req, JsonType::Boolean).copied()
    }

    /// An array member; `empty` is the code and string for an empty array.
    pub(crate) fn list<'s, T>(
        &mut self,
        slot: &'s Slot<Vec<Slot<T>>>,
        at: &Loc,
        req: Req,
        empty: (Code, Beluga),
    ) -> Option<&'s [Slot<T>]> {
        let items = self.present(slot, at, req, JsonType::Array)?;
        if items.is_empty() {
            self.report(empty.0, at, &[], empty.1);
            return None;
        }
        Some(items)
    }

    /// Member names found twice in one object.
    pub(crate) fn duplicates(&mut self, at: &Loc, names: &[String]) {
        for name in names {
            self.report(codes::DUPLICATE_MEMBER, &at.key(name), &[], Beluga::Code);
        }
    }
}

/// Whether `value` is empty or whitespace only. Most values start with a visible ASCII
/// character, which answers at once; anything else takes `str::trim`'s Unicode rules.
fn is_blank(value: &str) -> bool {
    match value.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => value.trim().is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::{push_decimal, Loc};

    #[test]
    fn decimals_and_locations_read_as_formatted() {
        for n in [0, 7, 10, 99, 100, 4_294_967_295, usize::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
        let root = Loc::Root;
        let form = root.key("formObj");
        let list = form.key("patientPreference");
        let item = list.index(12);
        assert_eq!(item.pointer(), "/formObj/patientPreference/12");
        assert_eq!(item.field(), "patientPreference[12]");
        let qa = form.qa('A', 305);
        assert_eq!(qa.pointer(), "/formObj/A305");
        assert_eq!(qa.field(), "A305");
    }

    #[test]
    fn a_report_record_reads_and_writes_the_reports_json() {
        use crate::contract::codes;
        use crate::issue::{Report, ReportRecord, Violation};
        let report = Report::new(
            vec![Violation::at_pointer(
                codes::TEXT_TOO_LONG,
                "/city".into(),
                &[("field", "city"), ("max", "200")],
            )],
            vec![Violation::at_pointer_with_beluga(
                codes::QUESTION_REPEATS_STANDARD_FIELD,
                "/formObj/Q4".into(),
                &[
                    ("field", "Q4"),
                    ("topic", "allergies"),
                    ("standard", "allergies"),
                ],
                None,
            )],
        );
        let json = serde_json::to_value(&report).ok();
        let read: Option<ReportRecord> = json.clone().and_then(|j| serde_json::from_value(j).ok());
        assert_eq!(read.as_ref(), Some(&ReportRecord::from(&report)));
        assert_eq!(read.and_then(|r| serde_json::to_value(r).ok()), json);
    }
}
