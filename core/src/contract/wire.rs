//! Tolerant typed fields: how a payload is read so that every violation can be reported.
//!
//! A strict `#[derive(Deserialize)]` model stops at the first wrong type and says so in one
//! serde message that may quote the value. The request models of this module use [`Slot`]
//! instead of bare types: a slot records whether its member was absent, `null`, of the wrong
//! JSON type (which type), or a value of the expected type. Reading a body is then a single
//! pass that never fails on content — only on JSON syntax or duplicate member names — and the
//! validators walk the typed result. The same `Deserialize` implementations read bytes
//! (`serde_json::from_slice`, the fast path) and an already parsed `serde_json::Value`, so one
//! set of rules serves both.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// The JSON type of a value, named in messages ("expected a string, found a number").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// `null`
    Null,
    /// `true` / `false`
    Boolean,
    /// any number
    Number,
    /// a string
    String,
    /// an array
    Array,
    /// an object
    Object,
}

impl JsonType {
    /// The type with its article, for messages: `a string`, `an array`.
    pub fn described(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        }
    }
}

/// A member of a request body as it was found.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Slot<T> {
    /// The member is not there.
    #[default]
    Absent,
    /// The member is `null`.
    Null,
    /// The member has another JSON type than the one expected.
    Wrong(JsonType),
    /// The member has the expected type.
    Value(T),
}

impl<T> Slot<T> {
    /// True when the member is not there (serialization skips it).
    pub fn is_absent(&self) -> bool {
        matches!(self, Slot::Absent)
    }

    /// The value, when it has the expected type.
    pub fn value(&self) -> Option<&T> {
        match self {
            Slot::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// A string member: borrowed from the input where the JSON text holds it unescaped (bytes,
/// a parsed `Value`), owned where it had to be unescaped or was built by a caller.
pub type Text<'a> = Cow<'a, str>;

impl<'a> From<&'a str> for Slot<Text<'a>> {
    fn from(value: &'a str) -> Self {
        Slot::Value(Cow::Borrowed(value))
    }
}

impl From<String> for Slot<Text<'_>> {
    fn from(value: String) -> Self {
        Slot::Value(Cow::Owned(value))
    }
}

impl From<bool> for Slot<bool> {
    fn from(value: bool) -> Self {
        Slot::Value(value)
    }
}

impl<T> From<Vec<T>> for Slot<Vec<Slot<T>>> {
    fn from(value: Vec<T>) -> Self {
        Slot::Value(value.into_iter().map(Slot::Value).collect())
    }
}

/// Serializes the value; `Null` and `Wrong` (only ever produced by reading a bad body) as
/// `null`. Members should carry `skip_serializing_if = "Slot::is_absent"`.
impl<T: Serialize> Serialize for Slot<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Slot::Value(v) => v.serialize(serializer),
            _ => serializer.serialize_unit(),
        }
    }
}

/// What a type accepts from each JSON type; everything else becomes [`Slot::Wrong`].
pub trait Accept<'de>: Sized {
    /// The type JSON should have, for messages.
    const EXPECTED: JsonType;

    /// From a string.
    fn accept_str(_value: &str) -> Option<Self> {
        None
    }

    /// From a string that lives as long as the input (the default reads it as any string).
    fn accept_borrowed_str(value: &'de str) -> Option<Self> {
        Self::accept_str(value)
    }

    /// From a boolean.
    fn accept_bool(_value: bool) -> Option<Self> {
        None
    }

    /// From an array (the default drains it and refuses).
    fn accept_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    /// From an object (the default drains it and refuses).
    fn accept_map<A: MapAccess<'de>>(mut map: A) -> Result<Option<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de> Accept<'de> for String {
    const EXPECTED: JsonType = JsonType::String;
    fn accept_str(value: &str) -> Option<Self> {
        Some(value.to_owned())
    }
}

/// Strings borrow from the input when they can: no allocation per member on the fast path.
impl<'de: 'a, 'a> Accept<'de> for Text<'a> {
    const EXPECTED: JsonType = JsonType::String;
    fn accept_str(value: &str) -> Option<Self> {
        Some(Cow::Owned(value.to_owned()))
    }
    fn accept_borrowed_str(value: &'de str) -> Option<Self> {
        Some(Cow::Borrowed(value))
    }
}

impl<'de> Accept<'de> for bool {
    const EXPECTED: JsonType = JsonType::Boolean;
    fn accept_bool(value: bool) -> Option<Self> {
        Some(value)
    }
}

impl<'de, T> Accept<'de> for Vec<Slot<T>>
where
    Slot<T>: Deserialize<'de>,
{
    const EXPECTED: JsonType = JsonType::Array;
    fn accept_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Option<Self>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Slot<T>>()? {
            out.push(item);
        }
        Ok(Some(out))
    }
}

/// Implements [`Accept`] for a `Deserialize` struct read from a JSON object (each type with
/// one lifetime: the input its strings borrow from).
#[macro_export]
#[doc(hidden)]
macro_rules! accept_object {
    ($($ty:ident),* $(,)?) => {$(
        impl<'de: 'a, 'a> $crate::contract::wire::Accept<'de> for $ty<'a> {
            const EXPECTED: $crate::contract::wire::JsonType =
                $crate::contract::wire::JsonType::Object;
            fn accept_map<A: serde::de::MapAccess<'de>>(map: A) -> Result<Option<Self>, A::Error> {
                <$ty<'a> as serde::Deserialize>::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )
                .map(Some)
            }
        }
    )*};
}

struct SlotVisitor<T>(PhantomData<T>);

impl<'de, T: Accept<'de>> Visitor<'de> for SlotVisitor<T> {
    type Value = Slot<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(T::accept_str(v).map_or(Slot::Wrong(JsonType::String), Slot::Value))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(T::accept_borrowed_str(v).map_or(Slot::Wrong(JsonType::String), Slot::Value))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(T::accept_bool(v).map_or(Slot::Wrong(JsonType::Boolean), Slot::Value))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Slot::Wrong(JsonType::Number))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Slot::Wrong(JsonType::Number))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Slot::Wrong(JsonType::Number))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Slot::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Slot::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(T::accept_seq(seq)?.map_or(Slot::Wrong(JsonType::Array), Slot::Value))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(T::accept_map(map)?.map_or(Slot::Wrong(JsonType::Object), Slot::Value))
    }
}

impl<'de, T: Accept<'de>> Deserialize<'de> for Slot<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SlotVisitor(PhantomData))
    }
}

/// A member name read without allocating when it is one of the known names.
pub(crate) struct KeyName<K>(pub K);

/// Maps a member name to a key enum.
pub(crate) trait FromKey: Sized {
    fn from_key(name: &str) -> Self;
}

impl<'de, K: FromKey> Deserialize<'de> for KeyName<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<K>(PhantomData<K>);
        impl<K: FromKey> Visitor<'_> for KeyVisitor<K> {
            type Value = KeyName<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(KeyName(K::from_key(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_record_what_was_found() -> Result<(), serde_json::Error> {
        let v: Vec<Slot<String>> = serde_json::from_str(r#"["a", null, 1, true, [1], {"x": 1}]"#)?;
        assert_eq!(
            v,
            vec![
                Slot::Value("a".to_owned()),
                Slot::Null,
                Slot::Wrong(JsonType::Number),
                Slot::Wrong(JsonType::Boolean),
                Slot::Wrong(JsonType::Array),
                Slot::Wrong(JsonType::Object),
            ]
        );
        let b: Slot<bool> = serde_json::from_str(r#""true""#)?;
        assert_eq!(b, Slot::Wrong(JsonType::String));
        let value = serde_json::json!(["x", 2]);
        let from_value: Slot<Vec<Slot<String>>> = Slot::deserialize(&value)?;
        assert_eq!(
            from_value,
            Slot::Value(vec![
                Slot::Value("x".to_owned()),
                Slot::Wrong(JsonType::Number)
            ])
        );
        Ok(())
    }
}
