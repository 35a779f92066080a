//! Webhook commands: `webhook parse|key|redact|apply SOURCE BODY`. Each reads a partner
//! webhook body (a file, `-` for stdin), calls one `rxgate_core::api` events operation and
//! prints its JSON answer. Sources: `beluga`, `lifefile`, `dispensepro`, `own`.
//!
//! Exit codes: 0 parsed / applied, 1 the body was refused (violations), 2 misuse or text that
//! is not JSON.

use super::contract::read_input;
use super::{misuse, print_json};
use clap::{Subcommand, ValueEnum};
use rxgate_core::api;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// What to do with a webhook body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WebhookAction {
    /// The typed event, or every violation.
    Parse,
    /// The idempotency key(s).
    Key,
    /// The body with patient data removed (what the audit log keeps).
    Redact,
    /// What the event changes on an order snapshot (`--order`).
    Apply,
}

/// Webhook commands.
#[derive(Subcommand)]
pub(crate) enum EventsCommand {
    /// Parse, key, redact or apply a partner webhook body.
    Webhook {
        /// What to do.
        action: WebhookAction,
        /// The sender: beluga, lifefile, dispensepro, own.
        source: String,
        /// The body (a file, `-` for stdin).
        #[arg(default_value = "-")]
        body: PathBuf,
        /// `apply`: the order snapshot the event applies to.
        #[arg(long)]
        order: Option<PathBuf>,
        /// `apply`: the receipt instant (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
    },
}

impl EventsCommand {
    pub(crate) fn run(self) -> ExitCode {
        let EventsCommand::Webhook {
            action,
            source,
            body,
            order,
            now,
        } = self;
        let parsed = |path: &PathBuf| -> Result<Value, ExitCode> {
            let text = read_input(path).map_err(|m| misuse(&m))?;
            api::parse_request(&text)
                .map_err(|e| misuse(&format!("{}: {}", path.display(), e.message)))
        };
        let input = match parsed(&body) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let (op, request) = match action {
            WebhookAction::Parse => ("parse_event", json!({"source": source, "input": input})),
            WebhookAction::Key => ("event_key", json!({"source": source, "input": input})),
            WebhookAction::Redact => ("redact_event", json!({"source": source, "input": input})),
            WebhookAction::Apply => {
                let Some(order) = order else {
                    return misuse("`webhook apply` needs --order SNAPSHOT.json");
                };
                let order = match parsed(&order) {
                    Ok(v) => v,
                    Err(code) => return code,
                };
                let now = now.unwrap_or_else(super::default_now);
                (
                    "apply_event",
                    json!({"source": source, "input": input, "order": order, "now": now}),
                )
            }
        };
        match api::call(op, &request) {
            Ok(answer) => {
                print_json(&answer);
                let refused = answer.get("valid") == Some(&Value::Bool(false))
                    || answer.get("outcome") == Some(&json!("rejected"));
                if refused {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                }
            }
            Err(e) => {
                let at = e.path.map(|p| format!(" (at {p})")).unwrap_or_default();
                misuse(&format!("{}{at}", e.message))
            }
        }
    }
}
