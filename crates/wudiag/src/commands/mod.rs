//! One module per subcommand: arguments in, library call, report out.

pub(crate) mod analyze;
pub(crate) mod catalog;
pub(crate) mod collect;
pub(crate) mod events;
pub(crate) mod explain;
pub(crate) mod rules;
pub(crate) mod sources;

use crate::ExitStatus;
use crate::args::{Cli, Command};

/// Runs the chosen subcommand.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Explain(a) => explain::run(&a),
        Command::Catalog(a) => catalog::run(&a),
        Command::Sources(a) => sources::run(&a),
        Command::Events(a) => events::run(&a),
        Command::Analyze(a) => analyze::run(&a),
        Command::Rules(a) => rules::run_list(&a),
        Command::Rule(a) => rules::run_one(&a),
        Command::Collect(a) => collect::run(&a),
    }
}
