//! `rxgate completions SHELL`: the shell completion script, generated from the same clap
//! definition that parses the arguments (subcommands, options and the closed value lists of
//! [`super::choices`]).

use clap::Subcommand;
use clap_complete::Shell;
use std::io::Write;
use std::process::ExitCode;

/// The completions command.
#[derive(Subcommand)]
pub(crate) enum CompletionsCommand {
    /// Print the completion script for a shell, e.g. `source <(rxgate completions bash)`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

impl CompletionsCommand {
    pub(crate) fn run(self) -> ExitCode {
        let CompletionsCommand::Completions { shell } = self;
        let mut command = super::command();
        // Generated into memory first: clap_complete panics on a write error, and a closed
        // pipe is not one.
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command, "rxgate", &mut script);
        let _ = std::io::stdout().lock().write_all(&script);
        ExitCode::SUCCESS
    }
}
