//! Commands of the Beluga contract: `validate`, `normalize`, `parse-response`, `codes`.
//!
//! `validate` reads the body as bytes and hands them to the core's fast path (`validate_text`),
//! prints `{valid, violations, warnings}` — the very object the npm and Python packages
//! answer — and exits 0 when valid, 1 when not, 2 on misuse or text that is not JSON (the
//! message gives the position, never the content).

use super::choices::{BodyKind, EndpointArg, FieldArg};
use super::{misuse, print_json};
use clap::Subcommand;
use rxgate_core::api::{self, ApiError};
use rxgate_core::contract::normalize::Field;
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// Contract commands.
#[derive(Subcommand)]
pub(crate) enum ContractCommand {
    /// Validate an outbound Beluga body.
    Validate {
        /// The body's kind.
        #[arg(value_enum)]
        kind: BodyKind,
        /// The JSON body (a file, `-` for stdin).
        #[arg(default_value = "-")]
        file: PathBuf,
        /// Evaluation date for the 18+ rule (YYYY-MM-DD); default: today at UTC−10.
        #[arg(long)]
        today: Option<String>,
        /// Narrow the allowable states (comma separated, e.g. `CA,TX`).
        #[arg(long, value_delimiter = ',')]
        allowed_states: Option<Vec<String>>,
    },
    /// Normalise a value before validating; prints the value (exit 0) or the reason on stderr
    /// (exit 1).
    Normalize {
        /// The normaliser.
        #[arg(value_enum)]
        field: FieldArg,
        /// The value (for multiple_choice_answer: the chosen answers separated by `;`).
        value: String,
        /// The offered choices, separated by `;` (multiple choice only).
        #[arg(long)]
        choices: Option<String>,
        /// Print the JSON answer (`{valid, value}` or `{valid, code, message}`) instead of
        /// the bare value.
        #[arg(long)]
        json: bool,
    },
    /// Type and classify a Beluga answer (a request kind, fetch-patient or fetch-visit).
    ParseResponse {
        /// The endpoint.
        #[arg(value_enum)]
        kind: EndpointArg,
        /// The HTTP status received (an empty body with 400 means the API key was refused).
        #[arg(long, default_value_t = 200)]
        status: u16,
        /// The response body (a file, `-` for stdin; an empty file for no body).
        #[arg(default_value = "-")]
        file: PathBuf,
    },
    /// Print the registry of violation and decision codes.
    Codes {
        /// As the README's markdown table.
        #[arg(long)]
        markdown: bool,
    },
}

/// Reads a file, or stdin for `-`; errors name the file and the I/O error kind only.
pub(crate) fn read_input(path: &PathBuf) -> Result<String, String> {
    let name = path.display().to_string();
    let mut text = String::new();
    let read = if name == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| format!("cannot read {name}: {}", e.kind()))?;
    Ok(text)
}

fn call(op: &str, request: &Value) -> Result<Value, ExitCode> {
    api::call(op, request).map_err(|e: ApiError| {
        let at = e.path.map(|p| format!(" (at {p})")).unwrap_or_default();
        misuse(&format!("{}{at}", e.message))
    })
}

fn split(list: &str) -> Vec<String> {
    list.split(';').map(|s| s.trim().to_owned()).collect()
}

impl ContractCommand {
    pub(crate) fn run(self) -> ExitCode {
        match self.answer() {
            Ok(code) => code,
            Err(code) => code,
        }
    }

    fn answer(self) -> Result<ExitCode, ExitCode> {
        match self {
            ContractCommand::Validate {
                kind,
                file,
                today,
                allowed_states,
            } => {
                let text = read_input(&file).map_err(|m| misuse(&m))?;
                // Without --today the core takes the date of `now` at UTC−10.
                let request = json!({"kind": kind.name(), "text": text, "today": today,
                    "now": super::default_now(), "allowed_states": allowed_states});
                let report = call("validate_text", &request)?;
                print_json(&report);
                Ok(verdict(report.get("valid") == Some(&Value::Bool(true))))
            }
            ContractCommand::Normalize {
                field,
                value,
                choices,
                json,
            } => {
                let input = if field.0 == Field::MultipleChoiceAnswer {
                    json!(split(&value))
                } else {
                    json!(value)
                };
                let mut request = json!({"field": field.name(), "input": input});
                if let (Some(choices), Some(obj)) = (choices, request.as_object_mut()) {
                    obj.insert("choices".to_owned(), json!(split(&choices)));
                }
                let answer = call("normalize", &request)?;
                let valid = answer.get("valid") == Some(&Value::Bool(true));
                let text = |key: &str| answer.get(key).and_then(Value::as_str).unwrap_or_default();
                if json {
                    print_json(&answer);
                } else if valid {
                    println!("{}", text("value"));
                } else {
                    eprintln!("rxgate: {} ({})", text("message"), text("code"));
                }
                Ok(verdict(valid))
            }
            ContractCommand::ParseResponse { kind, status, file } => {
                let text = read_input(&file).map_err(|m| misuse(&m))?;
                let request =
                    json!({"kind": kind.name(), "input": {"status": status, "body": text}});
                let answer = call("parse_response", &request)?;
                print_json(&answer);
                let success = answer.get("classification") == Some(&json!("success"));
                Ok(verdict(success))
            }
            ContractCommand::Codes { markdown } => {
                let codes = call("codes", &Value::Null)?;
                if markdown {
                    print!("{}", markdown_table(&codes));
                } else {
                    print_json(&codes);
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

fn verdict(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The code registry as the README's table: `| code | area | Beluga error | meaning |`.
pub(crate) fn markdown_table(codes: &Value) -> String {
    let mut out =
        String::from("| code | area | Beluga error | meaning |\n| --- | --- | --- | --- |\n");
    for code in codes.as_array().into_iter().flatten() {
        let text = |key: &str| {
            code.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .replace('|', "\\|")
        };
        let beluga = match text("beluga_error").as_str() {
            "" => "—".to_owned(),
            other => format!("`{other}`"),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            text("code"),
            text("area"),
            beluga,
            text("meaning")
        ));
    }
    out
}
