//! One subcommand per operation of the core's op table (`rxgate_core::api::OPS`), built at
//! run time from the table and its JSON Schemas, so a new operation is a new command without
//! a line here: `rxgate order-state ORDER.json`, `rxgate patient-view ORDER.json --now …`,
//! `rxgate apply-order-facts ORDER.json --facts @facts.json`. And `rxgate schema`, the whole
//! table as JSON.
//!
//! Each command reads the request from its arguments: the positional `INPUT` is the file
//! (`-` for stdin) of the request's `input` document; every other top-level member of the
//! request is an option `--kebab-name VALUE` — text for a member that takes a string (a name,
//! an instant, an id), JSON otherwise (`--confirmed true`, `--facts '[…]'`); `@FILE` reads the
//! value from a file (its text, or its JSON). `--request FILE` gives the whole request object;
//! the options override its members. A request with a `now` member and neither `now` nor
//! `today` given is evaluated now (the core never reads the clock).
//!
//! Exit codes: 0 for an answer, 1 when the answer is an object with `"valid": false`, 2 for
//! misuse (an unreadable file, text that is not JSON, a request the core refuses).
//! Operations that already have a hand-written command of the same name (`validate`,
//! `normalize`, `parse-response`, `codes`, `build-visit`, `decide-submit`) keep it.

use super::{misuse, print_json};
use clap::{Arg, ArgAction, ArgMatches, Command};
use rxgate_core::api::{self, Op};
use serde_json::{Map, Value};
use std::process::ExitCode;

/// The name of the command printing the table.
const SCHEMA: &str = "schema";

/// The kebab-case command name of an operation.
pub(crate) fn command_name(op: &str) -> String {
    op.replace('_', "-")
}

/// The table's operations that get a generated command: those without a hand-written one.
fn generated<'a>(existing: &'a [String]) -> impl Iterator<Item = &'static Op> + 'a {
    api::OPS
        .iter()
        .filter(move |op| !existing.contains(&command_name(op.name)))
}

/// The names of the derived (hand-written) commands.
fn hand_written(command: &Command) -> Vec<String> {
    command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect()
}

/// Adds `schema` and one subcommand per generated operation to the derived command.
pub(crate) fn augment(command: Command) -> Command {
    let existing = hand_written(&command);
    let table = api::schema();
    let mut command = command.subcommand(
        Command::new(SCHEMA)
            .about("Print the op table as JSON: every operation's name, summary, request and answer JSON Schemas"),
    );
    for op in generated(&existing) {
        command = command.subcommand(op_command(op, &table));
    }
    command
}

/// The request schema of `op` in the table, its `$ref` resolved.
fn request_schema<'a>(table: &'a Value, op: &str) -> Option<&'a Value> {
    let entry = table
        .get("ops")?
        .as_array()?
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some(op))?;
    resolve(table, entry.get("request")?)
}

fn resolve<'a>(table: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => resolve(table, table.pointer(target.trim_start_matches('#'))?),
        None => Some(schema),
    }
}

/// Whether a member's schema takes a string (then its option's value is text, not JSON).
fn takes_string(table: &Value, schema: &Value) -> bool {
    let Some(schema) = resolve(table, schema) else {
        return false;
    };
    let typed = |t: &Value| t.as_str() == Some("string");
    match schema.get("type") {
        Some(Value::String(_)) => return schema.get("type").is_some_and(typed),
        Some(Value::Array(types)) => return types.iter().any(typed),
        _ => {}
    }
    if let Some(Value::Array(names)) = schema.get("enum") {
        return names.iter().all(Value::is_string);
    }
    ["anyOf", "oneOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(|s| takes_string(table, s)))
    })
}

/// The members of a request schema: (name, description, takes a string, required).
fn members(table: &Value, op: &str) -> Vec<(String, String, bool, bool)> {
    let Some(schema) = request_schema(table, op) else {
        return Vec::new();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .iter()
        .map(|(name, prop)| {
            let help = prop
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim_end_matches('.')
                .to_owned();
            (
                name.clone(),
                help,
                takes_string(table, prop),
                required.contains(&name.as_str()),
            )
        })
        .collect()
}

fn op_command(op: &Op, table: &Value) -> Command {
    let mut command = Command::new(command_name(op.name))
        .about(op.summary.to_owned())
        .arg(Arg::new("request").long("request").value_name("FILE").help(
            "The whole request object (JSON file, `-` for stdin); options override its members",
        ));
    for (name, help, text, required) in members(table, op.name) {
        if name == "input" {
            command = command.arg(
                Arg::new("input")
                    .value_name("INPUT")
                    .help(format!("{help} (a JSON file, `-` for stdin)")),
            );
            continue;
        }
        let kind = if text { "text" } else { "JSON" };
        let need = if required { "required" } else { "optional" };
        command = command.arg(
            Arg::new(name.clone())
                .long(command_name(&name))
                .value_name(if text { "TEXT" } else { "JSON" })
                .action(ArgAction::Set)
                .help(format!("{help} ({need}; {kind}, or @FILE)")),
        );
    }
    command
}

/// Runs `name` when it is `schema` or a generated operation's command (not one of the
/// `derived` command's hand-written ones); `None` otherwise.
pub(crate) fn run(derived: &Command, name: &str, matches: &ArgMatches) -> Option<ExitCode> {
    if name == SCHEMA {
        print_json(&api::schema());
        return Some(ExitCode::SUCCESS);
    }
    let existing = hand_written(derived);
    let op = generated(&existing).find(|op| command_name(op.name) == name)?;
    Some(match request(op, matches).and_then(|r| answer(op, &r)) {
        Ok(code) => code,
        Err(message) => misuse(&message),
    })
}

fn answer(op: &Op, request: &Value) -> Result<ExitCode, String> {
    let answer = api::call(op.name, request).map_err(|e| {
        let at = e.path.map(|p| format!(" (at {p})")).unwrap_or_default();
        format!("{}{at}", e.message)
    })?;
    print_json(&answer);
    Ok(if answer.get("valid") == Some(&Value::Bool(false)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_json(path: &str) -> Result<Value, String> {
    let text = super::contract::read_input(&path.into())?;
    api::parse_request(&text).map_err(|e| format!("{path}: {}", e.message))
}

/// The request object from `--request`, the positional input and the options.
fn request(op: &Op, matches: &ArgMatches) -> Result<Value, String> {
    let table = api::schema();
    let mut request = match matches.get_one::<String>("request") {
        Some(path) => match read_json(path)? {
            Value::Object(map) => map,
            _ => return Err(format!("{path}: the request must be a JSON object")),
        },
        None => Map::new(),
    };
    for (name, _, text, _) in members(&table, op.name) {
        let Some(raw) = matches.get_one::<String>(&name) else {
            continue;
        };
        let value = if name == "input" {
            read_json(raw)?
        } else {
            option_value(&name, raw, text)?
        };
        request.insert(name, value);
    }
    let dated = members(&table, op.name).iter().any(|(n, ..)| n == "now");
    if dated && !request.contains_key("now") && !request.contains_key("today") {
        request.insert("now".to_owned(), Value::String(super::default_now()));
    }
    Ok(Value::Object(request))
}

fn option_value(name: &str, raw: &str, text: bool) -> Result<Value, String> {
    let flag = command_name(name);
    match (raw.strip_prefix('@'), text) {
        (Some(path), true) => super::contract::read_input(&path.into()).map(Value::String),
        (Some(path), false) => read_json(path),
        (None, true) => Ok(Value::String(raw.to_owned())),
        (None, false) => serde_json::from_str(raw)
            .map_err(|_| format!("--{flag} takes JSON (or @FILE); the value is not JSON")),
    }
}
