//! Request parameter types shared by several operations, with their JSON Schemas: the
//! instant `now`, and the closed names (`kind`, `field`, `trigger`, …) spelled from the
//! core's own enums (`ALL`), never from a second list.

use crate::contract::normalize::Field;
use crate::contract::response::Endpoint;
use crate::contract::Kind;
use chrono::{DateTime, Utc};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;

/// An instant: an RFC 3339 string or an integer of Unix milliseconds (what the host sends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub DateTime<Utc>);

impl JsonSchema for Instant {
    fn schema_name() -> Cow<'static, str> {
        "Instant".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "an RFC 3339 instant or an integer of Unix milliseconds",
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "integer"}
            ]
        })
    }
}

/// The schema of a closed set of names.
pub(crate) fn names_schema<'a>(description: &str, names: impl Iterator<Item = &'a str>) -> Schema {
    let names: Vec<&str> = names.collect();
    json_schema!({
        "description": description,
        "type": "string",
        "enum": names,
    })
}

/// Hint text listing a closed set of names, for `invalid_request` messages.
pub(crate) fn one_of<'a>(names: impl Iterator<Item = &'a str>) -> String {
    format!("one of {}", names.collect::<Vec<_>>().join(", "))
}

macro_rules! named_schema {
    ($ty:ty, $name:literal, $description:literal, $names:expr) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                names_schema($description, $names)
            }
        }
    };
}

named_schema!(
    Kind,
    "Kind",
    "an outbound Beluga body kind",
    Kind::ALL.iter().map(|k| k.name())
);
named_schema!(
    Field,
    "Field",
    "a normaliser",
    Field::ALL.iter().map(|f| f.name())
);
named_schema!(
    Endpoint,
    "Endpoint",
    "a request kind, fetch-patient or fetch-visit",
    Endpoint::all().map(Endpoint::name)
);

/// A JSON document of someone else's shape (a partner's webhook body, redacted): any JSON
/// value, typed as the recursive `JsonValue` in the bindings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct JsonDocument(pub serde_json::Value);

impl JsonSchema for JsonDocument {
    fn schema_name() -> Cow<'static, str> {
        "JsonValue".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "any JSON value",
            "anyOf": [
                {"type": "null"},
                {"type": "boolean"},
                {"type": "number"},
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/$defs/JsonValue"}},
                {"type": "object", "additionalProperties": {"$ref": "#/$defs/JsonValue"}}
            ]
        })
    }
}
