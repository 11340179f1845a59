//! `ERR001` known-error-code: the rule and its documentation.

use std::collections::BTreeMap;

use wudiag_catalog::Catalog;
use wudiag_evidence::{Event, EventKind, HResult, Severity};

use crate::remedies::{self, Fill};
use crate::text::{join_and, plural};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, codes, declare_rule, event_kbs};

declare_rule! {
    /// ## What it detects
    /// A result code that the catalogue knows, written in a record that reports a problem: a warning or error
    /// line, or a record whose meaning is a failed scan, download, install or connection.
    ///
    /// ## Why updates fail
    /// Every Windows Update, servicing and WSUS failure ends in a result code. Even when no specific rule
    /// recognises the situation, the code's meaning, its usual causes and the fixes that address them are a
    /// good first answer. Codes written in informational lines are left out: CBS and the update agent log many
    /// codes that are expected (for example 0x800f0805 while CBS checks which packages apply), and `S_OK` or
    /// other success codes are never problems. Codes the catalogue marks `routine` (applicability probing, a
    /// scan with nothing to do, a Delivery Optimization job paused for lack of network) are left out even in
    /// warning and error lines: healthy machines log them.
    ///
    /// ## Evidence used
    /// - Every event of every source: its level, its kind and its codes.
    /// - The catalogue entry of each code (meaning, causes, remedies, whether it is routine).
    ///
    /// One finding is made per code, citing its first occurrences and the latest one, with the count. A
    /// specific rule that explains the same code replaces this finding.
    ///
    /// ## How to fix
    /// Follow the catalogue remedies listed with the finding, most likely first. `wudiag explain CODE` shows
    /// the full catalogue entry.
    ///
    /// ## Fix safety
    /// The fixes are the catalogue remedies, each with its own grade.
    ///
    /// ## References
    /// - Windows Update common errors and mitigation (Microsoft Learn)
    /// - `wudiag explain`, `wudiag catalog list`
    pub KnownErrorCode,
    id = "ERR001", name = "known-error-code", area = Catalog, severity = Warning,
    role = Generic,
}

fn counts(e: &Event) -> bool {
    e.severity >= Severity::Warning || e.kind.is_failure()
}

impl Rule for KnownErrorCode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let catalog = Catalog::embedded();
        let mut by_code: BTreeMap<HResult, Vec<&Event>> = BTreeMap::new();
        for e in cx.events().iter().filter(|e| counts(e)) {
            for code in &e.codes {
                if !code.is_failure() {
                    continue;
                }
                if catalog.lookup(*code).is_some_and(|entry| !entry.routine) {
                    by_code.entry(*code).or_default().push(e);
                }
            }
        }
        for (code, events) in by_code {
            let Some(entry) = catalog.lookup(code) else {
                continue;
            };
            if entry.causes.first() == Some(&"benign-noise") {
                continue;
            }
            let errors = events
                .iter()
                .filter(|e| e.severity == Severity::Error || e.kind.is_failure())
                .count();
            let mut kbs = Vec::new();
            for e in &events {
                for kb in event_kbs(e) {
                    if !kbs.contains(&kb) {
                        kbs.push(kb);
                    }
                }
            }
            let causes: Vec<&str> = entry
                .causes
                .iter()
                .filter_map(|id| catalog.cause(id))
                .map(|c| c.title)
                .collect();
            let mut message = format!(
                "{} seen {} ({}). {}.",
                codes::label(code),
                plural(events.len(), "time", "times"),
                where_seen(&events),
                entry.meaning.trim_end_matches('.'),
            );
            if !causes.is_empty() {
                message.push_str(&format!(
                    " Usual causes, most likely first: {}.",
                    join_and(&causes)
                ));
            }
            if let Some(note) = entry.note {
                message.push_str(&format!(" {note}"));
            }
            let helpful = !entry.causes.is_empty() || !entry.remedies.is_empty();
            let severity = if !helpful {
                Severity::Info
            } else if errors > 0 {
                Severity::Error
            } else {
                Severity::Warning
            };
            let fill = Fill {
                kb: kbs.first().copied(),
                wsus_url: cx
                    .evidence
                    .facts()
                    .policy_value("WUServer")
                    .and_then(|p| p.value.data.as_str().map(str::to_owned)),
            };
            let f = Finding::new(
                &Self::META,
                if helpful {
                    Confidence::Likely
                } else {
                    Confidence::Possible
                },
                format!("{}: {}", codes::label(code), short(entry.meaning)),
                message,
            )
            .severity(severity)
            .code(code)
            .updates(kbs)
            .events(events.iter().copied(), 3)
            .fixes(remedies::fixes(
                &entry.remedies.iter().take(4).copied().collect::<Vec<_>>(),
                &cx.os,
                &fill,
            ));
            out.push(cx.settle(f, events.iter().copied()));
        }
    }
}

fn short(meaning: &str) -> String {
    let first = meaning
        .split(". ")
        .next()
        .unwrap_or(meaning)
        .trim_end_matches('.');
    if first.chars().count() > 90 {
        let cut: String = first.chars().take(88).collect();
        format!("{cut}…")
    } else {
        first.to_owned()
    }
}

fn where_seen(events: &[&Event]) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for e in events {
        let k = match e.kind {
            EventKind::ScanFailed => "failed scans",
            EventKind::DownloadFailed => "failed downloads",
            EventKind::InstallFailed => "failed installs",
            EventKind::UninstallFailed => "failed uninstalls",
            EventKind::ConnectionFailed => "failed connections",
            EventKind::SetupFailure { .. } => "a setup failure",
            _ if e.severity == Severity::Error => "error records",
            _ => "warning records",
        };
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    format!("in {}", join_and(&kinds))
}
