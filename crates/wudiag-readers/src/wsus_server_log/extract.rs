//! Turns WSUS server log records into events: synchronisation and connection failures from
//! `SoftwareDistribution.log`, approval and configuration changes from `Change.log`.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use wudiag_evidence::{Event, EventKind, EventTime, EvidenceBatch, Severity, Span};

use super::parse::WsusRecord;
use crate::configmgr_log::extract::{all_codes, inferred_severity};
use crate::scan;

/// Which of the two WSUS logs a record comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// `SoftwareDistribution.log`: the WSUS service, web services and sync agent.
    SoftwareDistribution,
    /// `Change.log`: approvals and configuration changes.
    Change,
}

/// Wording of a failed connection to an upstream server, proxy or Microsoft Update, as .NET writes it.
/// Matched case-sensitively (so the matcher can use its SIMD prefilter), first letters dropped so that
/// sentence-initial and inner spellings both match.
const CONNECTION_CUES: &[&str] = &[
    "WebException",
    "nderlying connection was closed",
    "nable to connect to the remote server",
    "SSL/TLS secure channel",
    "emote name could not be resolved",
    "he operation has timed out",
    "roxy Authentication Required",
    "roxy authentication required",
    "ould not establish trust relationship",
    "CommunicationError",
];

static CONNECTION: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasickBuilder::new().build(CONNECTION_CUES).ok());

/// Severity from the level column.
pub fn severity_from_level(level: &[u8]) -> Severity {
    let l = level.trim_ascii();
    if l.eq_ignore_ascii_case(b"error")
        || l.eq_ignore_ascii_case(b"fatal")
        || l.eq_ignore_ascii_case(b"critical")
    {
        Severity::Error
    } else if l.eq_ignore_ascii_case(b"warning") || l.eq_ignore_ascii_case(b"warn") {
        Severity::Warning
    } else {
        Severity::Info
    }
}

/// Maps one record into `batch`.
pub fn extract(rec: &WsusRecord<'_>, log: Log, batch: &mut EvidenceBatch) {
    let message = rec.message;
    let codes = all_codes(message);
    let severity = match rec.level {
        Some(l) => severity_from_level(l),
        None => inferred_severity(message, !codes.is_empty()),
    };
    let kind = match log {
        Log::Change => EventKind::PolicyChanged,
        Log::SoftwareDistribution => {
            if CONNECTION.as_ref().is_some_and(|m| m.is_match(message)) {
                EventKind::ConnectionFailed
            } else {
                EventKind::LogLine
            }
        }
    };
    if !batch.wants_record(severity, &kind, !codes.is_empty(), message) {
        batch.count_plain(severity);
        return;
    }
    let time = rec.time.map(|t| {
        if rec.utc {
            EventTime::utc(t)
        } else {
            EventTime::local(t)
        }
    });
    let mut event = Event {
        time,
        location: batch.at(Span::Lines {
            first: rec.first_line,
            last: rec.last_line,
        }),
        severity,
        component: rec
            .source
            .or(rec.process)
            .map(|c| String::from_utf8_lossy(c).into_owned()),
        kind,
        codes,
        ..Event::default()
    };
    event.set_message(&String::from_utf8_lossy(message));
    for kb in scan::kbs(message) {
        event.add_kb(kb);
    }
    event.update_id = scan::first_update_id(message);
    batch.record(event);
}

#[cfg(test)]
mod tests {
    use super::super::parse::records;
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn read(block: &[u8], log: Log) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        for r in records(block) {
            match r {
                Ok(r) => extract(&r, log, &mut b),
                Err(e) => b.failed(
                    Span::Lines {
                        first: e.first_line,
                        last: e.last_line,
                    },
                    e.what,
                ),
            }
        }
        b
    }

    #[test]
    fn sync_failure_is_one_connection_event() {
        let block = b"2024-03-12 10:15:12.345 UTC\tError\tWsusService.13\tCatalogSyncAgentCore.ExecuteSyncProtocol\tSync failed: https://fe2.update.microsoft.com/v6/ServerSyncWebService/serversyncwebservice.asmx System.Net.WebException: The underlying connection was closed\n   at System.Net.HttpWebRequest.GetResponse()\n2024-03-12 10:15:13.000 UTC\tInfo\tWsusService.13\tA.B\tfine\n";
        let b = read(block, Log::SoftwareDistribution);
        assert_eq!(b.stats.records_ok, 2);
        assert_eq!(b.events.len(), 1);
        let e = &b.events[0];
        assert_eq!(e.kind, EventKind::ConnectionFailed);
        assert_eq!(e.severity, Severity::Error);
        assert!(e.message.contains("fe2.update.microsoft.com"));
        assert!(e.message.contains("GetResponse"));
        assert_eq!(e.time.unwrap().to_string(), "2024-03-12T10:15:12.345Z");
        assert_eq!(
            e.component.as_deref(),
            Some("CatalogSyncAgentCore.ExecuteSyncProtocol")
        );
    }

    #[test]
    fn excerpt_lines() {
        let b = read(
            b"The given certificate chain has not Microsoft Root CA signed root (800B0109)\nThe underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel\n",
            Log::SoftwareDistribution,
        );
        assert_eq!(b.events.len(), 2);
        assert_eq!(b.events[0].codes[0].to_string(), "0x800b0109");
        assert_eq!(b.events[1].kind, EventKind::ConnectionFailed);
    }

    #[test]
    fn change_log_records_are_changes() {
        let b = read(
            b"2024-03-12 10:15:12.345 UTC\tInfo\tInstall approval for 2024-03 Cumulative Update (KB5035849) for All Computers\n",
            Log::Change,
        );
        assert_eq!(b.events[0].kind, EventKind::PolicyChanged);
        assert_eq!(b.events[0].kbs[0].to_string(), "KB5035849");
    }
}
