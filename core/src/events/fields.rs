//! Lenient field reading over partner JSON, with precise violations.
//!
//! Partner bodies are parsed leniently: unknown members are ignored, a scalar sent as a
//! number where the partners document strings is taken as its decimal text, `null` counts as
//! absent. What the rules depend on is checked strictly, and every problem is collected with
//! its JSON Pointer and what was expected — never the value found.

use super::codes;
use super::Source;
use crate::issue::{JsonPath, Violation};
use serde_json::{Map, Value};

/// Collects violations for one body of one source.
pub(crate) struct Reader {
    source: Source,
    /// Every problem found, in document order.
    pub(crate) violations: Vec<Violation>,
}

impl Reader {
    /// A reader for a body of `source`.
    pub(crate) fn new(source: Source) -> Self {
        Self {
            source,
            violations: Vec::new(),
        }
    }

    /// Records a violation of `code` at `path` with the source's label filled in.
    pub(crate) fn push(
        &mut self,
        code: crate::issue::Code,
        path: &JsonPath,
        params: &[(&str, &str)],
    ) {
        let mut all: Vec<(&str, &str)> = vec![("source", self.source.label())];
        all.extend_from_slice(params);
        self.violations.push(Violation::new(code, path, &all));
    }

    /// The field name a violation names: the pointer without its leading slash.
    fn field_name(path: &JsonPath) -> String {
        path.to_pointer().trim_start_matches('/').to_owned()
    }

    /// Reports a member of the wrong JSON type.
    fn wrong_type(&mut self, at: &JsonPath, expected: &str) {
        let field = Self::field_name(at);
        self.push(
            codes::EVENT_FIELD_TYPE,
            at,
            &[("field", &field), ("expected", expected)],
        );
    }

    /// The member `key` unless absent or null (then a violation when `required`).
    fn member<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        at: &JsonPath,
        key: &str,
        required: bool,
    ) -> Option<&'a Value> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    let field = Self::field_name(at);
                    self.push(codes::EVENT_FIELD_MISSING, at, &[("field", &field)]);
                }
                None
            }
            Some(value) => Some(value),
        }
    }

    /// A string member. Numbers are taken as their decimal text; blank strings count as
    /// absent. `required` absent → `event_field_missing`, blank → `event_field_empty`.
    pub(crate) fn text(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &JsonPath,
        required: bool,
    ) -> Option<String> {
        let at = path.key(key);
        match self.member(obj, &at, key, required)? {
            Value::String(s) if s.trim().is_empty() => {
                if required {
                    let field = Self::field_name(&at);
                    self.push(codes::EVENT_FIELD_EMPTY, &at, &[("field", &field)]);
                }
                None
            }
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.wrong_type(&at, "a string");
                None
            }
        }
    }

    /// An object member; absent or null is `None` (and a violation when `required`).
    pub(crate) fn object<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &JsonPath,
        required: bool,
    ) -> Option<&'a Map<String, Value>> {
        let at = path.key(key);
        match self.member(obj, &at, key, required)? {
            Value::Object(map) => Some(map),
            _ => {
                self.wrong_type(&at, "an object");
                None
            }
        }
    }

    /// A required non-empty array member.
    pub(crate) fn array<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &JsonPath,
    ) -> Option<&'a Vec<Value>> {
        let at = path.key(key);
        match self.member(obj, &at, key, true)? {
            Value::Array(items) if items.is_empty() => {
                let field = Self::field_name(&at);
                self.push(codes::EVENT_FIELD_EMPTY, &at, &[("field", &field)]);
                None
            }
            Value::Array(items) => Some(items),
            _ => {
                self.wrong_type(&at, "an array");
                None
            }
        }
    }

    /// An element of an array that must be an object.
    pub(crate) fn element<'a>(
        &mut self,
        value: &'a Value,
        path: &JsonPath,
    ) -> Option<&'a Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            _ => {
                self.wrong_type(path, "an object");
                None
            }
        }
    }

    /// `value` when no violation was recorded, else every violation.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, Vec<Violation>> {
        if self.violations.is_empty() {
            Ok(value)
        } else {
            Err(self.violations)
        }
    }

    /// A required RFC 3339 instant.
    pub(crate) fn instant(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &JsonPath,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.text(obj, key, path, true)?;
        match chrono::DateTime::parse_from_rfc3339(text.trim()) {
            Ok(at) => Some(at.with_timezone(&chrono::Utc)),
            Err(_) => {
                let at = path.key(key);
                let field = Self::field_name(&at);
                self.push(codes::EVENT_TIMESTAMP_INVALID, &at, &[("field", &field)]);
                None
            }
        }
    }
}
