//! Commands of the Beluga contract: `validate`, `normalize`, `parse-response`, `codes`.

use super::{misuse, print_json};
use clap::Subcommand;
use std::process::ExitCode;

/// Contract commands.
#[derive(Subcommand)]
pub(crate) enum ContractCommand {
    /// Print the registry of violation and decision codes.
    Codes,
}

impl ContractCommand {
    pub(crate) fn run(self) -> ExitCode {
        match self {
            ContractCommand::Codes => {
                match rxgate_core::api::call("codes", &serde_json::Value::Null) {
                    Ok(value) => {
                        print_json(&value);
                        ExitCode::SUCCESS
                    }
                    Err(err) => misuse(&err.message),
                }
            }
        }
    }
}
