//! `wudiag analyze`: read everything, diagnose, and write the report.
//!
//! Thin by design: the paths go to the readers, the evidence to the rules, the diagnosis to a renderer of
//! `wudiag-report`. stdout carries the report and nothing else; the progress bar and messages go to stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::ValueEnum;
use wudiag_evidence::{Retention, Severity};
use wudiag_report::{Format, Report, ReportOptions};

use crate::ExitStatus;

/// Report formats of `wudiag analyze`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum ReportFormat {
    /// For a terminal: verdict, findings with evidence and fixes, what could not be read.
    #[default]
    Text,
    /// The `wudiag/report/v1` JSON document (schema: docs/report.schema.json).
    Json,
    /// One self-contained HTML page (no scripts, no network).
    Html,
    /// Markdown for a ticket.
    Markdown,
}

impl From<ReportFormat> for Format {
    fn from(f: ReportFormat) -> Self {
        match f {
            ReportFormat::Text => Self::Text,
            ReportFormat::Json => Self::Json,
            ReportFormat::Html => Self::Html,
            ReportFormat::Markdown => Self::Markdown,
        }
    }
}

/// The severity threshold of `--min-severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum MinSeverity {
    /// Any finding, resolved ones included, makes the run exit 1.
    Info,
    /// Warnings and errors make the run exit 1.
    #[default]
    Warning,
    /// Only errors make the run exit 1.
    Error,
}

impl From<MinSeverity> for Severity {
    fn from(s: MinSeverity) -> Self {
        match s {
            MinSeverity::Info => Self::Info,
            MinSeverity::Warning => Self::Warning,
            MinSeverity::Error => Self::Error,
        }
    }
}

/// Arguments of `wudiag analyze`.
///
/// Exit codes: 0 = no finding at or above --min-severity, 1 = findings, 2 = error (including: none of the
/// inputs could be read).
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// Evidence: log files, folders (read recursively) or zip/cab bundles. Without a path, wudiag analyses
    /// this machine (Windows only).
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub(crate) format: ReportFormat,
    /// Write the report to FILE instead of stdout (written whole, then moved into place).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Lowest severity that makes the run exit 1. Every finding is reported whatever the threshold.
    #[arg(long, value_enum, default_value_t, value_name = "SEVERITY")]
    pub(crate) min_severity: MinSeverity,
}

pub(crate) fn run(args: &AnalyzeArgs) -> anyhow::Result<ExitStatus> {
    let paths = input_paths(&args.paths)?;
    let evidence = crate::progress::read(&paths, Retention::Diagnostic);
    let diagnosis = wudiag_report::rules::diagnose(&evidence);
    let options = ReportOptions::default()
        .tool_version(env!("CARGO_PKG_VERSION"))
        .min_severity(args.min_severity.into());
    let report = Report::new(&evidence, &diagnosis, &options);
    let format = Format::from(args.format);
    crate::output::with_output(args.output.as_deref(), |w, color| {
        wudiag_report::render(format, &report, w, color)
    })?;

    if let Some(file) = &args.output {
        // The report went to a file: say so, with the verdict, to a person watching (not to scripts).
        let mut err = std::io::stderr();
        if err.is_terminal() {
            let _ = writeln!(
                err,
                "{}\nwudiag: report written to {}",
                report.summary.verdict,
                file.display()
            );
        }
    }
    if report.summary.sources_read == 0 {
        bail!(
            "nothing was diagnosed: none of the {} inputs found is in a format wudiag reads (the report lists why)",
            report.summary.sources
        );
    }
    Ok(if report.fails() {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}

/// The paths to read: the ones given, which must exist, or this machine's evidence.
fn input_paths(given: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    if given.is_empty() {
        return this_machine();
    }
    let missing: Vec<String> = given
        .iter()
        .filter(|p| !exists(p))
        .map(|p| p.display().to_string())
        .collect();
    if !missing.is_empty() {
        bail!("no such file or folder: {}", missing.join(", "));
    }
    Ok(given.to_vec())
}

fn exists(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

#[cfg(windows)]
fn this_machine() -> anyhow::Result<Vec<PathBuf>> {
    live_evidence_paths()
}

#[cfg(not(windows))]
fn this_machine() -> anyhow::Result<Vec<PathBuf>> {
    bail!(
        "give a path: wudiag analyze PATH... (log files, a folder or a zip bundle copied from the machine); \
         analysing the machine itself works on Windows only"
    )
}

/// The evidence of this machine, ready to read: on Windows, `wudiag collect` gathers it (read-only) and
/// this returns the bundle it wrote.
#[cfg(windows)]
pub(crate) fn live_evidence_paths() -> anyhow::Result<Vec<PathBuf>> {
    // The zip lives in %TEMP% and deletes itself when wudiag exits (see collect_live).
    Ok(vec![crate::commands::collect::collect_live()?])
}
