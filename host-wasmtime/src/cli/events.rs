//! Webhook commands, thin adapters over the `rxgate_core::api` events operations:
//!
//! - `rxgate webhook parse|key|redact SOURCE [FILE]`
//! - `rxgate webhook apply SNAPSHOT.json EVENT.json --source SOURCE [--now T]`
//! - `rxgate webhook verify --source SOURCE --secret-env VAR --header 'name: value' … [FILE]`
//!
//! Sources: `beluga`, `lifefile`, `dispensepro`, `pharmacy` (OWN partner pharmacies). JSON on
//! stdout; exit 0 parsed / applied / authenticated, 1 refused (violations, or the request
//! does not authenticate), 2 misuse or text that is not JSON. Secrets are read from the
//! environment variables named, never from arguments, and never printed.

use super::choices::SourceArg;
use super::contract::read_input;
use super::{misuse, print_json};
use base64::Engine as _;
use clap::{Subcommand, ValueEnum};
use rxgate_core::api;
use rxgate_core::events::Source;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// What to do with a webhook body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Inspect {
    /// The typed event, or every violation.
    Parse,
    /// The idempotency key(s).
    Key,
    /// The body with patient data removed (what the audit log keeps).
    Redact,
}

/// Webhook subcommands.
#[derive(Subcommand)]
pub(crate) enum WebhookCommand {
    /// Parse a body into its typed event, compute its idempotency key, or redact it.
    #[command(name = "parse")]
    Parse {
        /// The sender.
        #[arg(value_enum)]
        source: SourceArg,
        /// The body (a file, `-` for stdin).
        #[arg(default_value = "-")]
        file: PathBuf,
        /// What to answer.
        #[arg(long, value_enum, default_value_t = Inspect::Parse)]
        answer: Inspect,
    },
    /// What an event changes on an order snapshot.
    Apply {
        /// The order snapshot.
        snapshot: PathBuf,
        /// The webhook body.
        event: PathBuf,
        /// The sender.
        #[arg(long, value_enum)]
        source: SourceArg,
        /// The receipt instant (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
    },
    /// Authenticate a webhook request (headers + raw body) against configured secrets.
    Verify {
        /// The sender.
        #[arg(long, value_enum)]
        source: SourceArg,
        /// An environment variable holding a secret (repeat for rotation). LifeFile:
        /// `username:password`.
        #[arg(long = "secret-env")]
        secret_env: Vec<String>,
        /// A request header, `name: value` (repeat).
        #[arg(long = "header")]
        headers: Vec<String>,
        /// The deployment is not production (unsigned partner requests may be allowed).
        #[arg(long)]
        not_production: bool,
        /// Accept unsigned partner requests (outside production only).
        #[arg(long)]
        allow_unsigned: bool,
        /// The instant to check signature timestamps against (RFC 3339); default: now.
        #[arg(long)]
        now: Option<String>,
        /// The raw body (a file, `-` for stdin).
        #[arg(default_value = "-")]
        file: PathBuf,
    },
}

/// The `webhook` command group.
#[derive(Subcommand)]
pub(crate) enum EventsCommand {
    /// Partner webhooks: parse, apply, verify.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

fn parsed(path: &PathBuf) -> Result<Value, ExitCode> {
    let text = read_input(path).map_err(|m| misuse(&m))?;
    api::parse_request(&text).map_err(|e| misuse(&format!("{}: {}", path.display(), e.message)))
}

fn secrets(source: SourceArg, names: &[String]) -> Result<Value, ExitCode> {
    let mut values = Vec::new();
    for name in names {
        let value = std::env::var(name)
            .map_err(|_| misuse(&format!("environment variable {name} is not set")))?;
        values.push(value);
    }
    if source.0 == Source::Lifefile {
        let credentials: Vec<Value> = values
            .iter()
            .map(|v| {
                let (user, pass) = v.split_once(':').unwrap_or((v.as_str(), ""));
                json!({"username": user, "password": pass})
            })
            .collect();
        return Ok(json!({"credentials": credentials}));
    }
    Ok(json!({"secrets": values}))
}

fn headers(list: &[String]) -> Result<Value, ExitCode> {
    let mut map = Map::new();
    for header in list {
        let Some((name, value)) = header.split_once(':') else {
            return Err(misuse(&format!(
                "--header needs `name: value`, got `{}`",
                header.split(':').next().unwrap_or_default()
            )));
        };
        map.insert(name.trim().to_owned(), Value::from(value.trim()));
    }
    Ok(Value::Object(map))
}

impl EventsCommand {
    pub(crate) fn run(self) -> ExitCode {
        match self.request() {
            Ok((op, request)) => answer(op, &request),
            Err(code) => code,
        }
    }

    fn request(self) -> Result<(&'static str, Value), ExitCode> {
        let EventsCommand::Webhook(command) = self;
        Ok(match command {
            WebhookCommand::Parse {
                source,
                file,
                answer,
            } => {
                let op = match answer {
                    Inspect::Parse => "parse_event",
                    Inspect::Key => "event_key",
                    Inspect::Redact => "redact_event",
                };
                (
                    op,
                    json!({"source": source.name(), "input": parsed(&file)?}),
                )
            }
            WebhookCommand::Apply {
                snapshot,
                event,
                source,
                now,
            } => {
                let order = parsed(&snapshot)?;
                let input = parsed(&event)?;
                let now = now.unwrap_or_else(super::default_now);
                (
                    "apply_event",
                    json!({"source": source.name(), "input": input, "order": order, "now": now}),
                )
            }
            WebhookCommand::Verify {
                source,
                secret_env,
                headers: header_list,
                not_production,
                allow_unsigned,
                now,
                file,
            } => {
                let raw = read_input(&file).map_err(|m| misuse(&m))?;
                let mut config = secrets(source, &secret_env)?;
                if let Some(obj) = config.as_object_mut() {
                    obj.insert("production".to_owned(), Value::Bool(!not_production));
                    obj.insert("allow_unsigned".to_owned(), Value::Bool(allow_unsigned));
                }
                let body = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
                let now = now.unwrap_or_else(super::default_now);
                let request = json!({"source": source.name(), "headers": headers(&header_list)?,
                    "body_base64": body, "config": config, "now": now});
                ("verify_webhook", request)
            }
        })
    }
}

fn answer(op: &str, request: &Value) -> ExitCode {
    match api::call(op, request) {
        Ok(answer) => {
            print_json(&answer);
            let refused = answer.get("valid") == Some(&Value::Bool(false))
                || answer.get("authenticated") == Some(&Value::Bool(false))
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
