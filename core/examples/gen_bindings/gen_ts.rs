//! TypeScript declarations from the table's JSON Schemas.

use super::{camel, ref_name, OpEntry, Table};
use serde_json::{Map, Value};
use std::fmt::Write as _;

const HEADER: &str = "// Generated from the core's op table by `cargo run -p rxgate-core --example gen_bindings`.
// Do not edit: change the core's types and regenerate (CI fails when this file is stale).

/** Any JSON value (a partner's body, a document of someone else's shape). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
";

fn doc(out: &mut String, indent: &str, schema: &Value) {
    if let Some(text) = schema.get("description").and_then(Value::as_str) {
        let text = text.replace("*/", "*\\/");
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() == 1 {
            let _ = writeln!(out, "{indent}/** {} */", lines.join(""));
        } else {
            let _ = writeln!(out, "{indent}/**");
            for line in lines {
                let _ = writeln!(out, "{indent} * {line}");
            }
            let _ = writeln!(out, "{indent} */");
        }
    }
}

fn literal(value: &Value) -> String {
    value.to_string()
}

fn union(parts: Vec<String>) -> String {
    let mut unique: Vec<String> = Vec::new();
    for p in parts {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    match unique.len() {
        0 => "never".to_owned(),
        1 => unique.concat(),
        _ => unique
            .iter()
            .map(|p| {
                if p.contains(" & ") {
                    format!("({p})")
                } else {
                    p.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

fn wrap(t: String) -> String {
    if t.contains(' ') && !(t.starts_with('{') && t.ends_with('}')) {
        format!("({t})")
    } else {
        t
    }
}

fn key(name: &str) -> String {
    let plain = name.chars().enumerate().all(|(i, c)| {
        c == '_' || c == '$' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
    });
    if plain && !name.is_empty() {
        name.to_owned()
    } else {
        Value::String(name.to_owned()).to_string()
    }
}

fn object(schema: &Value, indent: &str) -> String {
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
    let extra = match schema.get("additionalProperties") {
        Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) => Some("JsonValue".to_owned()),
        Some(s) => Some(ts(s, indent)),
        None if props.is_empty() => Some("JsonValue".to_owned()),
        None => None,
    };
    let inner = format!("{indent}  ");
    let mut body = String::new();
    for (name, prop) in props {
        doc(&mut body, &inner, prop);
        let optional = if required.contains(&name.as_str()) {
            ""
        } else {
            "?"
        };
        let _ = writeln!(
            body,
            "{inner}{}{optional}: {};",
            key(name),
            ts(prop, &inner)
        );
    }
    let index = extra.map(|t| format!("{{ [key: string]: {t} }}"));
    match (props.is_empty(), index) {
        (true, Some(index)) => index,
        (true, None) => "{}".to_owned(),
        (false, None) => format!("{{\n{body}{indent}}}"),
        (false, Some(index)) => format!("{{\n{body}{indent}}} & {index}"),
    }
}

fn of_type(schema: &Value, t: &str, indent: &str) -> String {
    match t {
        "string" => "string".to_owned(),
        "integer" | "number" => "number".to_owned(),
        "boolean" => "boolean".to_owned(),
        "null" => "null".to_owned(),
        "array" => match (schema.get("prefixItems"), schema.get("items")) {
            (Some(Value::Array(items)), _) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| ts(i, indent))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (_, Some(items)) => format!("{}[]", wrap(ts(items, indent))),
            _ => "JsonValue[]".to_owned(),
        },
        "object" => object(schema, indent),
        _ => "JsonValue".to_owned(),
    }
}

/// The TypeScript type of a schema.
pub(crate) fn ts(schema: &Value, indent: &str) -> String {
    let Value::Object(map) = schema else {
        return if schema == &Value::Bool(false) {
            "never"
        } else {
            "JsonValue"
        }
        .to_owned();
    };
    if let Some(target) = map.get("$ref").and_then(Value::as_str) {
        return ref_name(target).to_owned();
    }
    if let Some(c) = map.get("const") {
        return literal(c);
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        return union(values.iter().map(literal).collect());
    }
    for k in ["anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get(k) {
            let base = base_without(map, k);
            let parts = list.iter().map(|s| ts(&merge(&base, s), indent)).collect();
            return union(parts);
        }
    }
    if let Some(Value::Array(list)) = map.get("allOf") {
        return list
            .iter()
            .map(|s| wrap(ts(s, indent)))
            .collect::<Vec<_>>()
            .join(" & ");
    }
    match map.get("type") {
        Some(Value::String(t)) => of_type(schema, t, indent),
        Some(Value::Array(types)) => union(
            types
                .iter()
                .filter_map(Value::as_str)
                .map(|t| of_type(schema, t, indent))
                .collect(),
        ),
        _ if map.contains_key("properties") => object(schema, indent),
        _ => "JsonValue".to_owned(),
    }
}

/// The members of `map` that describe the object beside a union (`properties` of a tagged
/// enum with content next to `oneOf`), without the union itself.
fn base_without(map: &Map<String, Value>, union_key: &str) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| {
            k.as_str() != union_key && matches!(k.as_str(), "type" | "properties" | "required")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A union member with the shared object members merged in.
fn merge(base: &Map<String, Value>, member: &Value) -> Value {
    if base.is_empty() {
        return member.clone();
    }
    let mut out = base.clone();
    if let Value::Object(m) = member {
        for (k, v) in m {
            match (k.as_str(), out.get_mut(k), v) {
                ("properties", Some(Value::Object(p)), Value::Object(add)) => {
                    p.extend(add.clone());
                }
                ("required", Some(Value::Array(r)), Value::Array(add)) => {
                    r.extend(add.iter().cloned());
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

fn op_map(out: &mut String, name: &str, ops: &[OpEntry], part: fn(&OpEntry) -> &Value) {
    let _ = writeln!(out, "export interface {name} {{");
    for op in ops {
        let _ = writeln!(out, "  {}: {};", op.name, ts(part(op), "  "));
    }
    let _ = writeln!(out, "}}\n");
}

/// The whole `rxgate.gen.d.ts`.
pub(crate) fn file(table: &Table, hand_written: &[&str]) -> String {
    let mut out = HEADER.to_owned();
    for (name, schema) in &table.defs {
        if name == "JsonValue" {
            continue;
        }
        out.push('\n');
        doc(&mut out, "", schema);
        let _ = writeln!(out, "export type {name} = {};", ts(schema, ""));
    }
    out.push_str("\n/** The request of every operation, by name. */\n");
    op_map(&mut out, "OpRequests", &table.ops, |op| &op.request);
    out.push_str("/** The answer of every operation, by name. */\n");
    op_map(&mut out, "OpAnswers", &table.ops, |op| &op.answer);
    for op in table
        .ops
        .iter()
        .filter(|op| !hand_written.contains(&op.name.as_str()))
    {
        let positional = table.positional(op);
        let mut args: Vec<String> = positional
            .iter()
            .map(|p| format!("{p}: OpRequests['{}']['{p}']", op.name))
            .collect();
        let omitted = positional
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        let rest = if omitted.is_empty() {
            format!("OpRequests['{}']", op.name)
        } else {
            format!("Omit<OpRequests['{}'], {omitted}>", op.name)
        };
        let all_optional = table
            .members(&op.request)
            .iter()
            .all(|(m, required)| !required || positional.contains(m));
        args.push(format!(
            "params{}: {rest}",
            if all_optional { "?" } else { "" }
        ));
        let _ = writeln!(out, "/** {} */", op.summary.replace("*/", "*\\/"));
        let _ = writeln!(
            out,
            "export function {}({}): OpAnswers['{}'];",
            camel(&op.name),
            args.join(", "),
            op.name
        );
    }
    out
}
