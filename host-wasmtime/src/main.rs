//! # rxgate — the command line and (later) the service
//!
//! Today: `rxgate codes`. The CLI is a thin adapter over `rxgate_core::api`: it reads JSON,
//! calls an operation, prints JSON, and maps verdicts to exit codes (0 valid, 1 invalid,
//! 2 misuse or input that is not JSON).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// rxgate: the rules of the Beluga integration, from the command line.
#[derive(Parser)]
#[command(name = "rxgate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the registry of violation and decision codes.
    Codes,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codes => match rxgate_core::api::call("codes", &serde_json::Value::Null) {
            Ok(value) => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("rxgate: {}", err.message);
                ExitCode::from(2)
            }
        },
    }
}
