//! # wudiag-report: a diagnosis, shown
//!
//! ```text
//! Evidence + Diagnosis ──▶ Report::new (paths, lines, verdict, counts resolved once) ──▶ text | json | html | markdown
//! ```
//!
//! * **One model, four layouts.** [`Report`] is an owned view of a run: the machine, every source, every
//!   read issue, the findings with their evidence resolved to `path:line`, the update attempts, and a
//!   one-line verdict. Each format module only lays it out, so the formats cannot disagree.
//! * **The JSON form is the contract.** `serde` of [`Report`] is the versioned wire format
//!   `wudiag/report/v1`, documented in [`json`] and published as `docs/report.schema.json` (a test
//!   validates real reports against it).
//! * **Evidence is hostile input.** Log lines reach the admin's terminal, browser and ticket system:
//!   [`text`] escapes control characters, [`html`] escapes everything and forbids scripts, [`markdown`]
//!   keeps log text inside code spans and fences.
//! * **Fixes are shown for copying.** A fix step written `cmd> …` or `PS> …` is a command; every format
//!   shows it on a line or block of its own with nothing in front of it, and names its shell and the
//!   fix's safety grade (`safe`, `unsafe`, `display-only`).
//! * **Nothing is dropped silently.** What could not be read (skipped inputs, unparsable records, read
//!   issues) is part of every format.
//!
//! ```
//! use wudiag_evidence::EvidenceBuilder;
//! use wudiag_report::{Format, Report, ReportOptions};
//!
//! let evidence = EvidenceBuilder::default().finish();
//! let diagnosis = wudiag_rules::diagnose(&evidence);
//! let report = Report::new(&evidence, &diagnosis, &ReportOptions::default());
//! let mut out = Vec::new();
//! wudiag_report::render(Format::Json, &report, &mut out, false).unwrap();
//! let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(json["schema"], "wudiag/report/v1");
//! assert!(!report.fails());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod html;
pub mod json;
pub mod markdown;
mod model;
pub mod text;

use std::io::{self, Write};

pub use model::{
    AttemptEntry, BySeverity, EvidenceEntry, FindingEntry, FixEntry, FixStep, IssueEntry, Machine,
    Report, ReportOptions, SCHEMA, SourceEntry, StepEntry, Summary, Tool, doc_paragraph,
    rule_summary, rule_why,
};
pub use text::TextOptions;

/// The diagnosis layer, re-exported so that a front end building reports needs one dependency for both.
pub use wudiag_rules as rules;

/// The report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Text for a terminal (coloured when asked).
    #[default]
    Text,
    /// The `wudiag/report/v1` JSON document.
    Json,
    /// One self-contained HTML page.
    Html,
    /// GitHub-flavoured Markdown.
    Markdown,
}

impl Format {
    /// `text`, `json`, `html`, `markdown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Html => "html",
            Self::Markdown => "markdown",
        }
    }
}

/// Writes `report` in `format`. `color` applies to [`Format::Text`] only.
pub fn render(format: Format, report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    match format {
        Format::Text => text::render(
            report,
            out,
            &TextOptions {
                color,
                ..TextOptions::default()
            },
        ),
        Format::Json => json::render(report, out),
        Format::Html => html::render(report, out),
        Format::Markdown => markdown::render(report, out),
    }
}
