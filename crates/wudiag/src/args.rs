//! Command-line arguments. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// wudiag: Windows Update and WSUS troubleshooter.
///
/// Reads the evidence of a machine (CBS.log, DISM.log, WindowsUpdate.log, ReportingEvents.log, event logs,
/// ConfigMgr and WSUS logs, registry exports), live or copied, and says what failed, why, and what to do,
/// citing the log line behind every claim.
#[derive(Debug, Parser)]
#[command(name = "wudiag", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Output formats for lookups and listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum ListFormat {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Explain an error code, symbol or message: meaning, likely causes, fixes.
    ///
    /// Accepts 0x80244007, 80244007, -2145107961, 2149842967, WU_E_NOT_APPLICABLE, a Win32 code (5, 12002),
    /// a winsock code (10060) or free text ("not applicable").
    Explain(crate::commands::explain::ExplainArgs),
    /// Inspect the built-in knowledge catalogue.
    Catalog(crate::commands::catalog::CatalogArgs),
    /// List what was found in the given paths: kind, size, records read and failed, codes seen.
    Sources(crate::commands::sources::SourcesArgs),
    /// Print one merged, time-ordered timeline of every record in the given paths.
    Events(crate::commands::events::EventsArgs),
    /// Diagnose: read everything, find what failed and why, and say how to fix it.
    Analyze(crate::commands::analyze::AnalyzeArgs),
    /// List the diagnosis rules.
    Rules(crate::commands::rules::RulesArgs),
    /// Print the documentation of one rule and the file that defines it.
    Rule(crate::commands::rules::RuleArgs),
    /// Gather this machine's Windows Update evidence into a zip (Windows only; read-only).
    Collect(crate::commands::collect::CollectArgs),
}

/// Paths of evidence: files, folders (walked recursively) or zip archives.
#[derive(Debug, clap::Args)]
pub(crate) struct InputPaths {
    /// Files, folders or zip archives to read.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
}
