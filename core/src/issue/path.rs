//! JSON Pointer paths for violations.
//!
//! A path is a list of segments (object keys and array indexes). Validators build paths only
//! when they report something, so the happy path never allocates for them.

use std::borrow::Cow;
use std::fmt;

/// One step of a [`JsonPath`]: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object member name.
    Key(String),
    /// An array position, counted from zero.
    Index(usize),
}

/// A location inside a JSON document, rendered as an RFC 6901 JSON Pointer (`/formObj/dob`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath {
    segments: Vec<Segment>,
}

impl JsonPath {
    /// The document root (`""`).
    pub fn root() -> Self {
        Self::default()
    }

    /// Builds a path from key segments, e.g. `JsonPath::keys(&["formObj", "dob"])`.
    pub fn keys(keys: &[&str]) -> Self {
        Self {
            segments: keys.iter().map(|k| Segment::Key((*k).to_owned())).collect(),
        }
    }

    /// A new path with `key` appended.
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.segments.push(Segment::Key(key.to_owned()));
        next
    }

    /// A new path with `index` appended.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.segments.push(Segment::Index(index));
        next
    }

    /// The segments of this path, root first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The path as an RFC 6901 JSON Pointer string.
    pub fn to_pointer(&self) -> String {
        self.to_string()
    }

    /// The path of a serde deserialization error: sequence positions are indexes, map keys,
    /// struct fields and enum variants are keys; a step serde could not name is `?`.
    pub fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as Serde;
        let segments = path
            .iter()
            .map(|segment| match segment {
                Serde::Seq { index } => Segment::Index(*index),
                Serde::Map { key } | Serde::Enum { variant: key } => Segment::Key(key.clone()),
                Serde::Unknown => Segment::Key("?".to_owned()),
            })
            .collect();
        Self { segments }
    }
}

/// One RFC 6901 reference token: `~` written `~0` and `/` written `~1`, so a key holding
/// either still names one member. The only pointer escaping of rxgate.
pub fn escape_token(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) {
        Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(key)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            f.write_str("/")?;
            match segment {
                Segment::Key(key) => f.write_str(&escape_token(key))?,
                Segment::Index(index) => write!(f, "{index}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_pointer_with_escapes() {
        let path = JsonPath::keys(&["formObj", "patientPreference"])
            .index(0)
            .key("a/b~c");
        assert_eq!(path.to_pointer(), "/formObj/patientPreference/0/a~1b~0c");
        assert_eq!(JsonPath::root().to_pointer(), "");
        // `~1` must not be read back as `/`: `~` is escaped first.
        assert_eq!(escape_token("~1"), "~01");
        assert_eq!(escape_token("plain"), "plain");
    }

    #[test]
    fn serde_error_paths_are_escaped() {
        let value = serde_json::json!([{"ok": 1, "a~b/c": "not a number"}]);
        let err =
            serde_path_to_error::deserialize::<_, Vec<std::collections::BTreeMap<String, u8>>>(
                &value,
            )
            .err()
            .map(|e| JsonPath::from_serde(e.path()).to_pointer());
        assert_eq!(err.as_deref(), Some("/0/a~0b~1c"));
    }
}
