//! Turns ReportingEvents.log rows into typed events.

use wudiag_evidence::{
    Event, EventKind, EventTime, EvidenceBatch, Location, Severity, Span, UpdateId,
};

use super::parse::{self, ReportingRow};
use crate::scan;

/// Reads every row of `block` into `batch`.
pub fn read_block(block: &[u8], batch: &mut EvidenceBatch) {
    for rec in parse::records(block) {
        match rec {
            Ok(rec) => {
                let event = event_from_row(&rec.row, rec.raw, batch.at(Span::line(rec.line)));
                if batch.wants_record(
                    event.severity,
                    &event.kind,
                    !event.codes.is_empty(),
                    event.message.as_bytes(),
                ) {
                    batch.record(event);
                } else {
                    batch.count_plain(event.severity);
                }
            }
            Err(e) => batch.failed(Span::line(e.line), e.to_string()),
        }
    }
}

/// The kind of an event id; unknown ids fall back on words of the name.
pub fn kind_of(event_id: u32, name: Option<&[u8]>, text: &[u8]) -> EventKind {
    match event_id {
        147 => EventKind::ScanSucceeded {
            updates_found: detected_count(text),
        },
        148 => EventKind::ScanFailed,
        161 => EventKind::DownloadFailed,
        162 => EventKind::DownloadSucceeded,
        167 => EventKind::DownloadStarted,
        181 => EventKind::InstallStarted,
        182 => EventKind::InstallFailed,
        183 => EventKind::InstallSucceeded,
        201 => EventKind::RebootRequired,
        _ => {
            let name = String::from_utf8_lossy(name.unwrap_or_default()).to_ascii_uppercase();
            let failed = name.contains("FAIL");
            let succeeded = name.contains("SUCCE") || name.contains("FINISHED");
            if name.contains("UNINSTALL") && failed {
                EventKind::UninstallFailed
            } else if name.contains("UNINSTALL") && succeeded {
                EventKind::UninstallSucceeded
            } else if name.contains("REBOOT") || name.contains("PENDING") {
                EventKind::RebootRequired
            } else if name.contains("DETECTION") && failed {
                EventKind::ScanFailed
            } else if name.contains("DOWNLOAD") && failed {
                EventKind::DownloadFailed
            } else if name.contains("INSTALL") && failed {
                EventKind::InstallFailed
            } else {
                EventKind::LogLine
            }
        }
    }
}

/// `… successfully detected 3 updates.` → 3.
fn detected_count(text: &[u8]) -> Option<u32> {
    let at = memchr::memmem::find(text, b"detected ")? + 9;
    let rest = text.get(at..)?;
    let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return None;
    }
    std::str::from_utf8(rest.get(..n)?).ok()?.parse().ok()
}

/// The update title in the text: what follows `the following update…: ` (`Installation Failure: Windows
/// failed to install the following update with error 0x80242015: 2017-12 Cumulative Update … (KB4054517).`).
pub fn title_of(text: &[u8]) -> Option<String> {
    let at = memchr::memmem::find(text, b"following update")?;
    let rest = text.get(at..)?;
    let colon = memchr::memmem::find(rest, b": ")?;
    let t = String::from_utf8_lossy(rest.get(colon + 2..)?);
    let t = t.trim().trim_end_matches('.').trim();
    (!t.is_empty()).then(|| t.chars().take(512).collect())
}

/// The event one row says, at `location`.
pub fn event_from_row(row: &ReportingRow<'_>, raw: &[u8], location: Location) -> Event {
    let kind = kind_of(row.event_id, row.event_name, row.text);
    let result_failed = row.result.is_some_and(wudiag_evidence::HResult::is_failure);
    let severity = if row.status.eq_ignore_ascii_case(b"Failure") || result_failed {
        Severity::Error
    } else {
        Severity::Info
    };
    let time = match row.offset_minutes {
        Some(m) => EventTime::with_offset(row.time, m),
        None => EventTime::local(row.time),
    };
    let mut event = Event {
        time: Some(time),
        location,
        severity,
        component: (!row.caller.is_empty())
            .then(|| String::from_utf8_lossy(row.caller).into_owned()),
        kind,
        event_id: Some(row.event_id),
        ..Event::default()
    };
    let message = if row.text.is_empty() {
        String::from_utf8_lossy(row.event_name.unwrap_or(raw)).into_owned()
    } else {
        String::from_utf8_lossy(row.text).into_owned()
    };
    event.set_message(&message);
    if let Some(r) = row.result.filter(|r| r.is_failure()) {
        event.add_code(r);
    }
    scan::annotate(&mut event, row.text);
    event.update_id = std::str::from_utf8(row.update_guid)
        .ok()
        .and_then(UpdateId::parse)
        .filter(|id| !id.is_nil())
        .map(|mut id| {
            id.revision = row.revision.or(id.revision);
            id
        });
    event.title = title_of(row.text);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn read(text: &str) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        read_block(text.as_bytes(), &mut b);
        b
    }

    #[test]
    fn rows_to_events() {
        let b = read(concat!(
            "{F6703CB6-0C82-4E7B-8C75-C25946AA03B0}\t2018-01-17 20:13:28:509+0900\t1\t148 [AGENT_DETECTION_FAILED]\t101\t{00000000-0000-0000-0000-000000000000}\t0\t8024402c\tUpdateOrchestrator\tFailure\tSoftware Synchronization\tWindows Update Client failed to detect with error 0x8024402c.\r\n",
            "{2C3C39FA-FC0F-4F44-9049-D2AA53B27FFB}\t2017-12-12 19:46:19:636+0900\t1\t182 [AGENT_INSTALLING_FAILED]\t101\t{BFC8A103-FD5F-4458-9935-231D9F79E2C1}\t203\t80242015\tUpdateOrchestrator\tFailure\tContent Install\tInstallation Failure: Windows failed to install the following update with error 0x80242015: 2017-12 Cumulative Update for Windows 10 Version 1709 for x64-based Systems (KB4054517).\r\n",
            "{3C3C39FA-FC0F-4F44-9049-D2AA53B27FFB}\t2017-12-12 19:50:19:636+0900\t1\t183 [AGENT_INSTALLING_SUCCEEDED]\t101\t{BFC8A103-FD5F-4458-9935-231D9F79E2C1}\t203\t240005\tUpdateOrchestrator\tSuccess\tContent Install\tInstallation Successful: Windows successfully installed the following update: 2017-12 Cumulative Update for Windows 10 Version 1709 for x64-based Systems (KB4054517)\r\n",
            "{4C3C39FA-FC0F-4F44-9049-D2AA53B27FFB}\t2017-12-12 19:40:00:000+0900\t1\t147 [AGENT_DETECTION_FINISHED]\t101\t{00000000-0000-0000-0000-000000000000}\t0\t0\tAutomaticUpdates\tSuccess\tSoftware Synchronization\tWindows Update Client successfully detected 3 updates.\r\n",
            "{5C3C39FA-FC0F-4F44-9049-D2AA53B27FFB}\t2017-12-12 19:40:00:000+0900\t1\t999 [AGENT_SOMETHING_NEW]\t101\t{00000000-0000-0000-0000-000000000000}\t0\t0\tAutomaticUpdates\tSuccess\tSoftware Synchronization\tSomething.\r\n",
        ));
        assert_eq!(b.stats.records_ok, 5);
        assert_eq!(b.events.len(), 4);
        let scan = &b.events[0];
        assert_eq!(
            (scan.kind.clone(), scan.severity, scan.event_id),
            (EventKind::ScanFailed, Severity::Error, Some(148))
        );
        assert_eq!(scan.codes.len(), 1);
        assert_eq!(scan.update_id, None);
        assert_eq!(
            scan.time.unwrap().utc.unwrap().to_string(),
            "2018-01-17T11:13:28.509"
        );
        assert_eq!(scan.component.as_deref(), Some("UpdateOrchestrator"));
        let inst = &b.events[1];
        assert_eq!(inst.kind, EventKind::InstallFailed);
        assert_eq!(
            inst.title.as_deref(),
            Some(
                "2017-12 Cumulative Update for Windows 10 Version 1709 for x64-based Systems (KB4054517)"
            )
        );
        assert_eq!(inst.kbs.len(), 1);
        let id = inst.update_id.clone().unwrap();
        assert_eq!(
            (id.guid.as_str(), id.revision),
            ("bfc8a103-fd5f-4458-9935-231d9f79e2c1", Some(203))
        );
        let ok = &b.events[2];
        assert_eq!(
            (ok.kind.clone(), ok.severity, ok.codes.len()),
            (EventKind::InstallSucceeded, Severity::Info, 0)
        );
        assert_eq!(
            b.events[3].kind,
            EventKind::ScanSucceeded {
                updates_found: Some(3)
            }
        );
    }

    #[test]
    fn names_decide_unknown_ids() {
        assert_eq!(
            kind_of(184, Some(b"AGENT_UNINSTALLING_FAILED"), b""),
            EventKind::UninstallFailed
        );
        assert_eq!(
            kind_of(500, Some(b"AGENT_INSTALLING_REBOOT_PENDING"), b""),
            EventKind::RebootRequired
        );
        assert_eq!(kind_of(500, None, b""), EventKind::LogLine);
    }
}
