//! CheckSUR.log lines to events and facts.
//!
//! Each non-empty line is a record. `(f)` findings become [`EventKind::StoreCorruption`] (severity
//! error), `(w)` rows warnings, `(fix)` rows information; the summary's `Found N errors` becomes a
//! [`EventKind::CorruptionSummary`] with the run's fixed count. CheckSUR writes one time per run (the
//! `YYYY-MM-DD HH:MM` under the header): every record of the run carries it.

use wudiag_evidence::{Event, EventKind, EventTime, EvidenceBatch, HResult, Severity, Span};

use super::parse::{CheckSurRecord, Line, Marker, records};
use crate::cbs_log::extract::os_fact;
use crate::scan;

/// What is known of one run, gathered before the events are built.
#[derive(Default, Clone, Copy)]
struct Run {
    time: Option<EventTime>,
    fixed: Option<u32>,
    fixed_by_category: Option<u32>,
}

/// Reads a whole CheckSUR.log.
pub fn read(text: &str, batch: &mut EvidenceBatch) {
    let mut parsed: Vec<(usize, Result<CheckSurRecord<'_>, super::parse::ParseError>)> = Vec::new();
    let mut runs: Vec<Run> = vec![Run::default()];
    let mut prev_separator = false;
    for r in records(text) {
        if let Ok(rec) = &r {
            let new_run = match rec.line {
                Line::RunSeparator => true,
                Line::Title => !prev_separator,
                _ => false,
            };
            if new_run && parsed.iter().any(|(i, _)| *i == runs.len() - 1) {
                runs.push(Run::default());
            }
            prev_separator = rec.line == Line::RunSeparator;
            if let Some(run) = runs.last_mut() {
                match rec.line {
                    Line::Stamp(t) => run.time = Some(EventTime::local(t)),
                    Line::FixedErrors(n) => run.fixed = Some(n),
                    Line::CategoryFixed { count, .. } => {
                        run.fixed_by_category = Some(run.fixed_by_category.unwrap_or(0) + count);
                    }
                    _ => {}
                }
            }
        }
        parsed.push((runs.len() - 1, r));
    }
    // Files listed under `Unavailable repair files:` are corrupt or missing and CheckSUR could not fix
    // them: store corruption left behind, each naming its package.
    let mut unavailable = false;
    for (run_index, r) in parsed {
        let rec = match r {
            Ok(rec) => rec,
            Err(e) => {
                batch.failed(Span::line(e.line_no), e.what);
                continue;
            }
        };
        let run = runs.get(run_index).copied().unwrap_or_default();
        let span = Span::line(rec.line_no);
        let mut severity = Severity::Info;
        let mut codes = Vec::new();
        let kind = match &rec.line {
            Line::Finding {
                marker,
                category,
                code,
                item,
            } => {
                // The row's code is a file-level result: a Win32 error (`0x00000002`) or an HRESULT.
                if let Some(c) = code.filter(|c| *c != 0) {
                    let h = HResult::from_win32(c);
                    if h.is_failure() {
                        codes.push(h);
                    }
                }
                match marker {
                    Marker::Found => {
                        severity = Severity::Error;
                        EventKind::StoreCorruption {
                            category: category.clone(),
                            item: item.clone(),
                        }
                    }
                    Marker::Warning => {
                        severity = Severity::Warning;
                        EventKind::LogLine
                    }
                    Marker::Fixed => EventKind::LogLine,
                }
            }
            Line::FoundErrors(n) => EventKind::CorruptionSummary {
                detected: Some(*n),
                repaired: run.fixed.or(run.fixed_by_category).or(Some(0)),
            },
            Line::NoErrors => EventKind::CorruptionSummary {
                detected: Some(0),
                repaired: Some(0),
            },
            Line::UnavailableHeader => {
                unavailable = true;
                EventKind::LogLine
            }
            Line::RunSeparator | Line::Title => {
                unavailable = false;
                EventKind::LogLine
            }
            Line::Text(item) if unavailable && !item.trim().is_empty() => {
                severity = Severity::Error;
                EventKind::StoreCorruption {
                    category: "Unavailable repair file".to_owned(),
                    item: item.trim().to_owned(),
                }
            }
            Line::BinaryVersion(v) => {
                // The tool is built per OS release (6.1.7601.x for Windows 7 SP1): its build names the OS.
                batch.fact(os_fact(*v, false), span.clone(), rec.raw);
                EventKind::LogLine
            }
            _ => EventKind::LogLine,
        };
        for c in scan::codes(rec.raw.as_bytes()) {
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
        if !batch.wants_record(severity, &kind, !codes.is_empty(), rec.raw.as_bytes()) {
            batch.count_plain(severity);
            continue;
        }
        let mut e = Event {
            time: run.time,
            severity,
            component: Some("CheckSUR".to_owned()),
            kind,
            codes,
            ..Event::default()
        };
        e.location.span = span;
        e.set_message(rec.raw);
        for kb in scan::kbs(rec.raw.as_bytes()) {
            e.add_kb(kb);
        }
        e.package = scan::first_package(rec.raw.as_bytes());
        batch.record(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    #[test]
    fn runs_findings_summary() {
        let text = "=================================\nChecking System Update Readiness.\nBinary Version 6.1.7601.22471\nPackage Version 26.0\n2014-01-15 10:07\n\nChecking Package Manifests and Catalogs\n(f)\tCBS MUM Missing\t0x00000002\tservicing\\Packages\\Package_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1.mum\t\n(fix)\tCBS MUM Missing\tCBS File Replaced\tPackage_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1.mum from Cabinet: C:\\x.cab.\n\nSummary:\nSeconds executed: 264\n Found 1 errors\n Fixed 1 errors\n  Fixed: CBS MUM Missing.  Total count: 1\n=================================\nChecking System Update Readiness.\n2014-01-16 08:00\nSummary:\n No errors detected\n(f)\n";
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        read(text, &mut b);
        assert_eq!(b.stats.records_ok, 18);
        assert_eq!(b.stats.records_failed, 1);
        let f = &b.events[0];
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.codes[0].to_string(), "0x80070002");
        assert_eq!(f.kbs[0].number(), 2_952_664);
        assert_eq!(f.time.unwrap().to_string(), "2014-01-15T10:07:00");
        assert!(
            matches!(&f.kind, EventKind::StoreCorruption { category, .. } if category == "CBS MUM Missing")
        );
        assert_eq!(
            b.events[1].kind,
            EventKind::CorruptionSummary {
                detected: Some(1),
                repaired: Some(1)
            }
        );
        assert_eq!(b.events[2].time.unwrap().to_string(), "2014-01-16T08:00:00");
        assert_eq!(
            b.facts.os[0].value.version.unwrap().to_string(),
            "6.1.7601.0"
        );
    }
}
