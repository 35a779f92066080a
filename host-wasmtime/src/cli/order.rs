//! Order commands: `check readiness|route|boundary|diagnose|cancel`, `build-visit`,
//! `decide-submit`. Each reads an order snapshot (a file, or `-` for stdin), calls one
//! operation of `rxgate_core::api`, and prints its JSON — or, with `--format text`, a
//! summary a person (a CS agent for `diagnose`) can read.
//!
//! Exit codes: 0 ready / allowed / valid / nothing blocks; 1 not ready, refused, blocked or
//! escalating; 2 misuse (bad arguments, unreadable file, text that is not JSON, a snapshot
//! that does not match the schema — reported with its JSON Pointer, never its values).
//!
//! `today` defaults to the current date at UTC−10 (Hawaii, never ahead of any US state's
//! date) and `now` to the current instant; the core itself never reads the clock.

use super::choices::TriggerArg;
use super::{misuse, print_json};
use clap::{Subcommand, ValueEnum};
use rxgate_core::api::{self, ApiError, ApiErrorCode};
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The operation's JSON answer.
    Json,
    /// A readable summary.
    Text,
}

/// What `check` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckKind {
    /// May the order go to Beluga now.
    Readiness,
    /// The per-item fulfillment routing plan.
    Route,
    /// The prescription boundary.
    Boundary,
    /// Stage, blockers, next action, escalations.
    Diagnose,
    /// May the Beluga visit be cancelled.
    Cancel,
}

/// Order commands.
#[derive(Subcommand)]
pub(crate) enum OrderCommand {
    /// Check an order snapshot: readiness, route, boundary, diagnose or cancel.
    Check {
        /// What to check.
        what: CheckKind,
        /// The order snapshot (JSON file, `-` for stdin).
        snapshot: PathBuf,
        /// Evaluation date (YYYY-MM-DD); default: today at UTC−10.
        #[arg(long)]
        today: Option<String>,
        /// Evaluation instant (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
        /// `cancel`: the reason for cancelling.
        #[arg(long)]
        reason: Option<String>,
        /// `cancel`: confirm the consequences.
        #[arg(long)]
        confirmed: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Build the Beluga visit body (createNoPayPhotos or lab) for an order snapshot.
    BuildVisit {
        /// The order snapshot (JSON file, `-` for stdin).
        snapshot: PathBuf,
        /// The visit's masterId (generated once, reused on every retry).
        #[arg(long)]
        master_id: String,
        /// Evaluation date (YYYY-MM-DD); default: today at UTC−10.
        #[arg(long)]
        today: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Decide what auto-submit does for a trigger.
    DecideSubmit {
        /// The order snapshot (JSON file, `-` for stdin).
        snapshot: PathBuf,
        /// The event that happened.
        #[arg(long, value_enum)]
        trigger: TriggerArg,
        /// Evaluation date (YYYY-MM-DD); default: today at UTC−10.
        #[arg(long)]
        today: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
}

/// Reads and strictly parses the snapshot; errors are exit-2 messages without values.
fn read_snapshot(path: &PathBuf) -> Result<Value, String> {
    let mut text = String::new();
    let name = path.display().to_string();
    let read = if name == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| format!("cannot read {name}: {}", e.kind()))?;
    let value = api::parse_request(&text).map_err(|e| format!("{name}: {}", e.message))?;
    // The strict parse also catches duplicate keys, which a JSON value cannot hold.
    rxgate_core::order::snapshot::parse_snapshot_str(&text).map_err(|e| {
        format!(
            "{name} does not match the order snapshot schema at `{}`: {}",
            if e.pointer.is_empty() {
                "/"
            } else {
                &e.pointer
            },
            e.expected
        )
    })?;
    Ok(value)
}

fn api_misuse(err: &ApiError) -> ExitCode {
    let at = err
        .path
        .as_deref()
        .map(|p| format!(" (at {p})"))
        .unwrap_or_default();
    let kind = match err.code {
        ApiErrorCode::SchemaError => "schema error",
        ApiErrorCode::InvalidRequest => "invalid argument",
        _ => "error",
    };
    misuse(&format!("{kind}: {}{at}", err.message))
}

impl OrderCommand {
    pub(crate) fn run(self) -> ExitCode {
        match self {
            OrderCommand::Check {
                what,
                snapshot,
                today,
                now,
                reason,
                confirmed,
                format,
            } => {
                let input = match read_snapshot(&snapshot) {
                    Ok(v) => v,
                    Err(m) => return misuse(&m),
                };
                let now = now.unwrap_or_else(super::default_now);
                let (op, request) = match what {
                    CheckKind::Readiness => (
                        "check_readiness",
                        json!({"input": input, "today": today, "now": now}),
                    ),
                    CheckKind::Route => ("route_fulfillment", json!({"input": input})),
                    CheckKind::Boundary => ("check_boundary", json!({"input": input, "now": now})),
                    CheckKind::Diagnose => ("diagnose", json!({"input": input, "now": now})),
                    CheckKind::Cancel => (
                        "check_cancel",
                        json!({"input": input, "reason": reason, "confirmed": confirmed}),
                    ),
                };
                run_op(op, &request, format, &input)
            }
            OrderCommand::BuildVisit {
                snapshot,
                master_id,
                today,
                format,
            } => {
                let input = match read_snapshot(&snapshot) {
                    Ok(v) => v,
                    Err(m) => return misuse(&m),
                };
                let request = json!({"input": input, "master_id": master_id, "today": today,
                    "now": super::default_now()});
                run_op("build_visit", &request, format, &input)
            }
            OrderCommand::DecideSubmit {
                snapshot,
                trigger,
                today,
                format,
            } => {
                let input = match read_snapshot(&snapshot) {
                    Ok(v) => v,
                    Err(m) => return misuse(&m),
                };
                let request = json!({"input": input, "trigger": trigger.name(), "today": today,
                    "now": super::default_now()});
                run_op("decide_submit", &request, format, &input)
            }
        }
    }
}

/// Whether an answer is a success (exit 0) for its operation.
fn success(op: &str, answer: &Value) -> bool {
    let s = |ptr: &str| {
        answer
            .pointer(ptr)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let b = |ptr: &str| {
        answer
            .pointer(ptr)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    match op {
        "check_readiness" => b("/ready"),
        "route_fulfillment" => b("/ready") && !b("/escalate"),
        "check_boundary" => {
            !b("/escalate")
                && answer
                    .get("items")
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        items
                            .iter()
                            .all(|i| i.get("allowed") == Some(&Value::Bool(true)))
                    })
        }
        "diagnose" => !b("/escalate") && s("/state") != "blocked",
        "check_cancel" => s("/decision") == "allowed",
        "build_visit" => b("/valid"),
        "decide_submit" => s("/decision") == "submit",
        _ => false,
    }
}

fn run_op(op: &str, request: &Value, format: Format, input: &Value) -> ExitCode {
    let answer = match api::call(op, request) {
        Ok(v) => v,
        Err(e) => return api_misuse(&e),
    };
    match format {
        Format::Json => print_json(&answer),
        Format::Text => print!("{}", render_text(op, &answer, input)),
    }
    if success(op, &answer) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

// ---------------------------------------------------------------------------------------
// Text rendering
// ---------------------------------------------------------------------------------------

fn text_of<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn words(s: &str) -> String {
    s.replace('_', " ")
}

/// Who acts, in words.
fn actor(s: &str) -> &str {
    match s {
        "patient" => "patient",
        "cs" => "customer support",
        "admin_development" => "admin/development",
        "medical_operations" => "medical operations",
        "partner" => "partner (wait)",
        other => other,
    }
}

fn reasons_block(out: &mut String, title: &str, list: Option<&Value>) {
    let Some(items) = list.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        return;
    };
    out.push_str(title);
    out.push('\n');
    for r in items {
        out.push_str(&format!(
            "  - [{}] {} ({})\n",
            text_of(r, "/code"),
            text_of(r, "/message"),
            actor(text_of(r, "/actor"))
        ));
        if let Some(p) = r.get("patient_message").and_then(Value::as_str) {
            out.push_str(&format!("      tell the patient: {p}\n"));
        }
    }
}

fn yes(v: &Value, ptr: &str) -> &'static str {
    if v.pointer(ptr).and_then(Value::as_bool).unwrap_or(false) {
        "yes"
    } else {
        "no"
    }
}

fn render_text(op: &str, a: &Value, input: &Value) -> String {
    let number = text_of(input, "/order/number");
    let mut out = String::new();
    match op {
        "check_readiness" => {
            out.push_str(&format!(
                "Order {number}: {} for Beluga{}\n",
                words(text_of(a, "/status")).to_uppercase(),
                a.get("kind")
                    .and_then(Value::as_str)
                    .map(|k| format!(" ({k} endpoint)"))
                    .unwrap_or_default()
            ));
            reasons_block(&mut out, "Unmet requirements:", a.get("reasons"));
        }
        "decide_submit" => {
            out.push_str(&format!(
                "Order {number}, trigger {}: {}\n",
                text_of(a, "/trigger"),
                text_of(a, "/decision").to_uppercase()
            ));
            match a.get("master_id").and_then(Value::as_str) {
                Some("generate") => out.push_str("  masterId: generate a random UUID and store it on the order before the call\n"),
                Some("reuse") => out.push_str("  masterId: reuse the order's masterId (same visit, never a second one)\n"),
                _ => {}
            }
            reasons_block(&mut out, "Reasons:", a.get("reasons"));
        }
        "build_visit" => {
            if a.get("valid") == Some(&Value::Bool(true)) {
                out.push_str(&format!(
                    "Order {number}: valid body for {}\n",
                    text_of(a, "/endpoint")
                ));
                out.push_str(
                    &serde_json::to_string_pretty(a.get("body").unwrap_or(&Value::Null))
                        .unwrap_or_default(),
                );
                out.push('\n');
            } else {
                out.push_str(&format!(
                    "Order {number}: no body for {} — fix these first\n",
                    text_of(a, "/endpoint")
                ));
                reasons_block(&mut out, "Reasons:", a.get("reasons"));
                if let Some(vs) = a
                    .get("violations")
                    .and_then(Value::as_array)
                    .filter(|v| !v.is_empty())
                {
                    out.push_str("Contract violations:\n");
                    for v in vs {
                        out.push_str(&format!(
                            "  - {} {}: {}\n",
                            text_of(v, "/code"),
                            text_of(v, "/path"),
                            text_of(v, "/message")
                        ));
                    }
                }
            }
        }
        "route_fulfillment" => {
            out.push_str(&format!(
                "Order {number}: fulfillment plan{}\n",
                if a.get("split_required") == Some(&Value::Bool(true)) {
                    " (split: one LifeFile order per pharmacy)"
                } else {
                    ""
                }
            ));
            for route in a
                .get("routes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = route
                    .get("pharmacy_type")
                    .and_then(Value::as_str)
                    .unwrap_or("HELD");
                let items: Vec<&str> = route
                    .get("item_ids")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                out.push_str(&format!(
                    "* {kind} {} — items {} — {} ({})\n",
                    route
                        .get("pharmacy_id")
                        .and_then(Value::as_str)
                        .unwrap_or("-"),
                    items.join(", "),
                    words(text_of(route, "/status")),
                    words(text_of(route, "/action"))
                ));
                reasons_block(&mut out, "  blocked by:", route.get("blockers"));
                reasons_block(&mut out, "  prescription boundary:", route.get("boundary"));
                reasons_block(&mut out, "  notes:", route.get("warnings"));
            }
            reasons_block(&mut out, "Notes:", a.get("notes"));
        }
        "check_boundary" => {
            out.push_str(&format!(
                "Order {number}: prescription confirmed: {}\n",
                yes(a, "/confirmed")
            ));
            for item in a
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push_str(&format!(
                    "* item {}: {}\n",
                    text_of(item, "/item_id"),
                    if item.get("allowed") == Some(&Value::Bool(true)) {
                        "may go to fulfillment"
                    } else {
                        "may NOT go to fulfillment yet"
                    }
                ));
                reasons_block(&mut out, "  because:", item.get("reasons"));
            }
            reasons_block(&mut out, "VIOLATIONS (escalate):", a.get("violations"));
            reasons_block(&mut out, "Watch:", a.get("warnings"));
        }
        "check_cancel" => {
            out.push_str(&format!(
                "Cancel the Beluga visit of order {number}: {}\n",
                words(text_of(a, "/decision")).to_uppercase()
            ));
            reasons_block(&mut out, "Reasons:", a.get("reasons"));
            reasons_block(
                &mut out,
                "Not undone by cancelling (escalate before cancelling):",
                a.get("consequences"),
            );
        }
        "diagnose" => render_diagnosis(&mut out, a, number),
        _ => out.push_str(&serde_json::to_string_pretty(a).unwrap_or_default()),
    }
    out
}

fn render_diagnosis(out: &mut String, a: &Value, number: &str) {
    out.push_str(&format!(
        "Order {number} — stage: {} ({})\n",
        words(text_of(a, "/stage")),
        words(text_of(a, "/state"))
    ));
    out.push_str(&format!(
        "Next: {} — {}\n",
        actor(text_of(a, "/next_action/actor")),
        text_of(a, "/next_action/action")
    ));
    reasons_block(out, "What blocks it:", a.get("blockers"));
    out.push_str("Answers for the patient's questions:\n");
    out.push_str(&format!(
        "  sent to the medical team (Beluga SUBMITTED): {}\n",
        yes(a, "/answers/sent_to_medical_team")
    ));
    out.push_str(&format!(
        "  prescription written: {}\n",
        yes(a, "/answers/prescription_written")
    ));
    out.push_str(&format!(
        "  pharmacy started: {}\n",
        yes(a, "/answers/pharmacy_started")
    ));
    out.push_str(&format!(
        "  shipped: {}   delivered: {}   tracking: {}\n",
        yes(a, "/answers/shipped"),
        yes(a, "/answers/delivered"),
        yes(a, "/answers/tracking_available")
    ));
    let pharmacies: Vec<&str> = a
        .pointer("/answers/pharmacies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !pharmacies.is_empty() {
        out.push_str(&format!("  pharmacy: {}\n", pharmacies.join(", ")));
    }
    if a.get("escalate") == Some(&Value::Bool(true)) {
        reasons_block(out, "ESCALATE:", a.get("escalations"));
        if let Some(bundle) = a.get("bundle") {
            out.push_str("Escalation details (contains patient data: staff channel only, never paste into logs):\n");
            for (key, value) in bundle.as_object().into_iter().flatten() {
                let shown = match value {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    Value::Array(list) if list.is_empty() => continue,
                    other => other.to_string(),
                };
                out.push_str(&format!("  {}: {shown}\n", words(key)));
            }
        }
    } else {
        out.push_str("Escalate: no\n");
    }
}
