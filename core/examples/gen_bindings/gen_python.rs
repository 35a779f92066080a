//! Python `TypedDict`s and typed wrappers from the table's JSON Schemas.

use super::{pascal, ref_name, Table};
use serde_json::{Map, Value};
use std::fmt::Write as _;

const HEADER: &str =
    "# Generated from the core's op table by `cargo run -p rxgate-core --example gen_bindings`.
# Do not edit: change the core's types and regenerate (CI fails when this file is stale).
";

/// Python's keywords and soft keywords a `TypedDict` class body cannot use as a name.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Collects the `TypedDict`s of inline objects while types are written.
struct Out {
    classes: String,
}

fn union(parts: Vec<String>) -> String {
    let mut unique: Vec<String> = Vec::new();
    for p in parts {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    match unique.len() {
        0 => "NoReturn".to_owned(),
        1 => unique.concat(),
        _ => format!("Union[{}]", unique.join(", ")),
    }
}

fn literal(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "Literal[True]".to_owned(),
        Value::Bool(false) => "Literal[False]".to_owned(),
        Value::String(s) => format!("Literal[{}]", Value::String(s.clone())),
        other => format!("Literal[{other}]"),
    }
}

fn identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&name)
}

impl Out {
    fn object(&mut self, schema: &Value, hint: &str) -> String {
        let empty = Map::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let extra = match schema.get("additionalProperties") {
            Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) => Some("JsonValue".to_owned()),
            Some(s) => Some(self.py(s, &format!("{hint}Value"))),
            None if props.is_empty() => Some("JsonValue".to_owned()),
            None => None,
        };
        match (props.is_empty(), extra) {
            (true, Some(value)) => format!("Dict[str, {value}]"),
            // Members beside arbitrary others (a flattened map): the known members are typed,
            // the others are not listed (a TypedDict cannot say "and any other key").
            _ => {
                self.class(hint, schema);
                format!("\"{hint}\"")
            }
        }
    }

    /// Writes `name` as a `TypedDict` of the object `schema` (required and optional keys).
    fn class(&mut self, name: &str, schema: &Value) {
        let empty = Map::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        for (key, prop) in props {
            let t = self.py(prop, &format!("{name}{}", pascal(key)));
            fields.push((key.clone(), t, required.contains(&key.as_str())));
        }
        let doc = schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| d.replace('\\', "\\\\").replace("\"\"\"", "'''"));
        let (req, opt): (Vec<_>, Vec<_>) = fields.into_iter().partition(|(_, _, r)| *r);
        let mut text = String::new();
        // Required keys in a total base, optional ones in a `total=False` subclass: typing's
        // `Required` needs Python 3.11, the package supports 3.9.
        if !req.is_empty() && !opt.is_empty() {
            let base = format!("_{name}Base");
            typed_dict(&mut text, &base, "TypedDict", true, &req, None);
            typed_dict(&mut text, name, &base, false, &opt, doc.as_deref());
        } else if opt.is_empty() {
            typed_dict(&mut text, name, "TypedDict", true, &req, doc.as_deref());
        } else {
            typed_dict(&mut text, name, "TypedDict", false, &opt, doc.as_deref());
        }
        self.classes.push_str(&text);
    }

    fn of_type(&mut self, schema: &Value, t: &str, hint: &str) -> String {
        match t {
            "string" => "str".to_owned(),
            "integer" => "int".to_owned(),
            "number" => "float".to_owned(),
            "boolean" => "bool".to_owned(),
            "null" => "None".to_owned(),
            "array" => match (schema.get("prefixItems"), schema.get("items")) {
                (Some(Value::Array(items)), _) => {
                    let parts: Vec<String> = items
                        .iter()
                        .enumerate()
                        .map(|(i, s)| self.py(s, &format!("{hint}{i}")))
                        .collect();
                    format!("Tuple[{}]", parts.join(", "))
                }
                (_, Some(items)) => format!("List[{}]", self.py(items, &format!("{hint}Item"))),
                _ => "List[JsonValue]".to_owned(),
            },
            "object" => self.object(schema, hint),
            _ => "JsonValue".to_owned(),
        }
    }

    /// The Python type of a schema; `hint` names an inline object's `TypedDict`.
    fn py(&mut self, schema: &Value, hint: &str) -> String {
        let Value::Object(map) = schema else {
            return "JsonValue".to_owned();
        };
        if let Some(target) = map.get("$ref").and_then(Value::as_str) {
            return format!("\"{}\"", ref_name(target));
        }
        if let Some(c) = map.get("const") {
            return literal(c);
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return union(values.iter().map(literal).collect());
        }
        for k in ["anyOf", "oneOf"] {
            if let Some(Value::Array(list)) = map.get(k) {
                let base: Map<String, Value> = map
                    .iter()
                    .filter(|(key, _)| matches!(key.as_str(), "type" | "properties" | "required"))
                    .map(|(key, v)| (key.clone(), v.clone()))
                    .collect();
                let parts = list
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.py(&merge(&base, s), &format!("{hint}{i}")))
                    .collect();
                return union(parts);
            }
        }
        if let Some(Value::Array(list)) = map.get("allOf") {
            // Used by schemars for a single referenced type with a description.
            if let Some(first) = list.first() {
                return self.py(first, hint);
            }
        }
        match map.get("type") {
            Some(Value::String(t)) => self.of_type(schema, t, hint),
            Some(Value::Array(types)) => {
                let parts = types
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|t| self.of_type(schema, t, hint))
                    .collect();
                union(parts)
            }
            _ if map.contains_key("properties") => self.object(schema, hint),
            _ => "JsonValue".to_owned(),
        }
    }
}

/// Writes one `TypedDict` (class syntax, or the functional one for keys that are not
/// identifiers).
fn typed_dict(
    text: &mut String,
    name: &str,
    base: &str,
    total: bool,
    fields: &[(String, String, bool)],
    doc: Option<&str>,
) {
    let total_arg = if total { "" } else { ", total=False" };
    if fields.iter().all(|(k, ..)| identifier(k)) {
        let _ = writeln!(text, "\n\nclass {name}({base}{total_arg}):");
        if let Some(doc) = doc {
            let _ = writeln!(text, "    \"\"\"{}\"\"\"\n", doc.trim());
        }
        for (key, t, _) in fields {
            let _ = writeln!(text, "    {key}: {t}");
        }
        if fields.is_empty() && doc.is_none() {
            let _ = writeln!(text, "    pass");
        }
    } else {
        let members: Vec<String> = fields
            .iter()
            .map(|(key, t, _)| {
                format!(
                    "{}: {}",
                    Value::String(key.clone()),
                    Value::String(t.replace('"', ""))
                )
            })
            .collect();
        let _ = writeln!(
            text,
            "\n\n{name} = TypedDict(\"{name}\", {{{}}}{total_arg})",
            members.join(", ")
        );
    }
}

fn merge(base: &Map<String, Value>, member: &Value) -> Value {
    if base.is_empty() {
        return member.clone();
    }
    let mut out = base.clone();
    if let Value::Object(m) = member {
        for (k, v) in m {
            match (k.as_str(), out.get_mut(k), v) {
                ("properties", Some(Value::Object(p)), Value::Object(add)) => p.extend(add.clone()),
                ("required", Some(Value::Array(r)), Value::Array(add)) => {
                    r.extend(add.iter().cloned())
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Value::Object(out)
    } else {
        member.clone()
    }
}

/// `_types.py`: a `TypedDict` per object definition, an alias per other definition.
pub(crate) fn types(table: &Table) -> String {
    let mut out = Out {
        classes: String::new(),
    };
    let mut aliases = String::new();
    for (name, schema) in &table.defs {
        if name == "JsonValue" {
            continue;
        }
        let is_object = schema.get("type").and_then(Value::as_str) == Some("object")
            && schema.get("properties").is_some()
            && schema.get("oneOf").is_none()
            && schema.get("anyOf").is_none();
        if is_object {
            out.class(name, schema);
        } else {
            let t = out.py(schema, name);
            let _ = writeln!(aliases, "{name} = {t}");
        }
    }
    let mut text = HEADER.to_owned();
    text.push_str(
        "\"\"\"The types of the core's operations: a `TypedDict` per request and answer object.\"\"\"\n\n\
         from __future__ import annotations\n\n\
         from typing import Dict, List, Literal, NoReturn, Tuple, TypedDict, Union\n\n\
         JsonValue = Union[None, bool, int, float, str, List[\"JsonValue\"], Dict[str, \"JsonValue\"]]\n",
    );
    text.push_str(&out.classes);
    text.push_str("\n\n");
    text.push_str(&aliases);
    text
}

/// `typed.py`: one function per operation, its request and answer typed.
pub(crate) fn ops(table: &Table) -> String {
    let mut out = Out {
        classes: String::new(),
    };
    let mut funcs = String::new();
    let mut names = Vec::new();
    for op in &table.ops {
        let req = out.py(&op.request, &format!("{}Request", pascal(&op.name)));
        let ans = out.py(&op.answer, &format!("{}Answer", pascal(&op.name)));
        let _ = writeln!(
            funcs,
            "\n\ndef {name}(request: {req}) -> {ans}:\n    \"\"\"{summary}\"\"\"\n    return cast({ans_str}, call(\"{name}\", request))",
            name = op.name,
            summary = op.summary.replace('\\', "\\\\").replace("\"\"\"", "'''"),
            ans_str = Value::String(ans.replace('"', "")),
        );
        names.push(op.name.clone());
    }
    let mut text = HEADER.to_owned();
    text.push_str(
        "\"\"\"One typed function per operation of the core's table: a `TypedDict` request in, the\n\
         operation's typed answer out (plain data, as `rxgate.call` answers).\"\"\"\n\n\
         from __future__ import annotations\n\n\
         from typing import TYPE_CHECKING, Dict, List, Tuple, TypedDict, Union, cast\n\n\
         from rxgate import call\n\n\
         if TYPE_CHECKING:\n    from rxgate._types import *  # noqa: F403\n",
    );
    if !out.classes.is_empty() {
        text.push_str("\n# Inline request and answer shapes.\n");
        text.push_str(&out.classes);
    }
    text.push_str(&funcs);
    let _ = write!(
        text,
        "\n\n__all__ = [{}]\n",
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    text
}
