//! Counts what wudiag reads from event log files, for comparison with other EVTX parsers.
//!
//! ```text
//! cargo run --release -p wudiag-readers --example evtx_counts -- FILE.evtx...
//! ```
//!
//! Prints one JSON object per file: the records read and failed, and the events listed by
//! `wudiag events` (retention `All`) per provider and event id, e.g.
//! `{"path":"System.evtx","kind":"evtx","channel":"System","records_ok":299,"records_failed":0,
//! "events":{"Microsoft-Windows-WindowsUpdateClient":{"19":1,"20":1}},"issues":[]}`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use wudiag_evidence::Retention;
use wudiag_readers::{ReadOptions, read_paths};

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: evtx_counts FILE.evtx...");
        return ExitCode::from(2);
    }
    for path in paths {
        let ev = read_paths(
            std::slice::from_ref(&path),
            &ReadOptions {
                retention: Retention::All,
                ..ReadOptions::default()
            },
        );
        let Some(src) = ev.sources().first() else {
            eprintln!("{}: nothing found", path.display());
            continue;
        };
        let mut events: BTreeMap<String, BTreeMap<u32, u64>> = BTreeMap::new();
        for e in ev.events() {
            let provider = e.component.clone().unwrap_or_default();
            *events
                .entry(provider)
                .or_default()
                .entry(e.event_id.unwrap_or_default())
                .or_default() += 1;
        }
        let out = serde_json::json!({
            "path": path.display().to_string(),
            "kind": src.kind.as_str(),
            "channel": src.channel,
            "records_ok": src.stats.records_ok,
            "records_failed": src.stats.records_failed,
            "events": events,
            "issues": ev.read_issues().iter().map(|i| i.message.clone()).collect::<Vec<_>>(),
        });
        println!("{out}");
    }
    ExitCode::SUCCESS
}
