//! `wudiag`: the command-line front door. Thin by design: each subcommand lives in `commands/<name>.rs`,
//! turns its arguments into options and calls the library crates. stdout carries only the report; errors
//! go to stderr. Exit codes: 0 = nothing found, 1 = findings, 2 = error; a closed pipe exits 0.
#![forbid(unsafe_code)]

mod args;
mod commands;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Nothing at or above the threshold was found.
    Success,
    /// Findings (or, for lookups, nothing matched).
    Findings,
    /// The run could not do its job.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => Self::from(0),
            ExitStatus::Findings => Self::from(1),
            ExitStatus::Error => Self::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(0);
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("wudiag: error: {err:#}");
            }
            ExitStatus::Error.into()
        }
    }
}

/// True when the error chain ends in a closed pipe (`wudiag events … | head`): not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
