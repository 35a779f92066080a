//! # rxgate — the command line and the service
//!
//! The `rxgate` binary. Today it is the command line over the core's rules (see [`cli`]);
//! the service that runs the core as a wasmtime guest grows beside it.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
