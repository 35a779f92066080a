//! The `rxgate` command line: one module per area, each a clap `Subcommand` enum flattened
//! into [`Command`]. Every command is a thin adapter over `rxgate_core::api`: read JSON, call
//! an operation, print JSON, map the verdict to an exit code (0 valid or done, 1 invalid or
//! refused, 2 misuse: bad arguments or input that is not JSON). Usage errors (an unknown
//! option, a value outside a closed list) are clap's, and clap exits 2 for them too.

pub(crate) mod choices;
pub(crate) mod completions;
pub(crate) mod contract;
pub(crate) mod demo;
pub(crate) mod events;
pub(crate) mod order;
pub(crate) mod serve;
pub(crate) mod table;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// rxgate: the rules of the Beluga integration, from the command line.
#[derive(Parser)]
#[command(name = "rxgate", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Contract(contract::ContractCommand),
    #[command(flatten)]
    Demo(demo::DemoCommand),
    #[command(flatten)]
    Events(events::EventsCommand),
    #[command(flatten)]
    Order(order::OrderCommand),
    #[command(flatten)]
    Serve(serve::ServeCommand),
    #[command(flatten)]
    Completions(completions::CompletionsCommand),
}

/// The whole command: the derived one plus `schema` and one subcommand per operation of the
/// core's op table ([`table`]).
pub(crate) fn command() -> clap::Command {
    table::augment(Cli::command())
}

/// Parses the process arguments and runs the command.
pub(crate) fn main() -> ExitCode {
    let matches = command().get_matches();
    if let Some((name, sub)) = matches.subcommand() {
        if let Some(code) = table::run(&Cli::command(), name, sub) {
            return code;
        }
    }
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli.run(),
        Err(e) => e.exit(),
    }
}

impl Cli {
    /// Runs the command and answers the process exit code.
    pub(crate) fn run(self) -> ExitCode {
        match self.command {
            Command::Contract(cmd) => cmd.run(),
            Command::Demo(cmd) => cmd.run(),
            Command::Events(cmd) => cmd.run(),
            Command::Order(cmd) => cmd.run(),
            Command::Serve(cmd) => cmd.run(),
            Command::Completions(cmd) => cmd.run(),
        }
    }
}

/// Exit code 2 with a one-line error on stderr (misuse or input that is not JSON).
pub(crate) fn misuse(message: &str) -> ExitCode {
    eprintln!("rxgate: {message}");
    ExitCode::from(2)
}

/// The current instant as RFC 3339 (UTC, whole seconds), the default receipt time.
pub(crate) fn default_now() -> String {
    rxgate_host::service::rfc3339(rxgate_host::service::now_ms())
}

/// Prints a JSON value on stdout, pretty. A closed pipe (`| head`) is not an error.
pub(crate) fn print_json(value: &serde_json::Value) {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}
