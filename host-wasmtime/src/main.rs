//! # rxgate — the command line and the service
//!
//! The `rxgate` binary: the command line over the core's rules (see [`cli`]) and
//! `rxgate serve`, the service of the `rxgate_host` library, which runs the core as a
//! wasmtime guest (see `docs/host.md`).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
