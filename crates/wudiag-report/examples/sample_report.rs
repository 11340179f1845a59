//! Writes the report of the fixed test run (the one the snapshots use) to stdout.
//!
//! `cargo run -p wudiag-report --example sample_report -- html > sample.html` gives the page that
//! `tests/html_screenshot.sh` photographs; `text`, `json` and `markdown` work too.
#![allow(clippy::print_stderr)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::process::ExitCode;

use wudiag_evidence::Severity;
use wudiag_report::Format;

fn main() -> ExitCode {
    let format = match std::env::args().nth(1).as_deref() {
        None | Some("html") => Format::Html,
        Some("text") => Format::Text,
        Some("json") => Format::Json,
        Some("markdown") => Format::Markdown,
        Some(other) => {
            eprintln!("sample_report: unknown format `{other}` (html, text, json, markdown)");
            return ExitCode::from(2);
        }
    };
    let report = common::report(Severity::Warning);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match wudiag_report::render(format, &report, &mut out, false).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sample_report: {e}");
            ExitCode::from(2)
        }
    }
}
