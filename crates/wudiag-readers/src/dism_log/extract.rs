//! DISM.log records to events and facts. DISM's own lines get their provider as component, their
//! text without the provider and process ids as message, and the OS version of the serviced image as a
//! fact; the CBS and CSI lines DISM.log also carries go through the CBS extractor.

use wudiag_evidence::{EventKind, HResult};

use super::parse::split_message;
use crate::cbs_log::extract::{Class, classify_cbs, leading_version, os_fact};
use crate::cbs_log::parse::CbsRecord;

/// The component name of a DISM provider (`DISM Package Manager`, `DISM.EXE`; `API` → `DISM API`).
fn component_of(provider: Option<&[u8]>) -> String {
    match provider {
        Some(p) if p.len() >= 4 && p.get(..4).is_some_and(|d| d.eq_ignore_ascii_case(b"DISM")) => {
            String::from_utf8_lossy(p).into_owned()
        }
        Some(p) => format!("DISM {}", String::from_utf8_lossy(p)),
        None => "DISM".to_owned(),
    }
}

/// Classifies a `DISM` component record: (meaning, component, message).
pub(crate) fn classify(
    rec: &CbsRecord<'_>,
    message: &[u8],
    codes: &[HResult],
) -> (Class, Option<String>, Option<String>) {
    let m = split_message(message);
    let offset = (m.text.as_ptr() as usize).saturating_sub(message.as_ptr() as usize);
    let body = message.get(offset..).unwrap_or_default();
    let mut class = classify_cbs(body, body, b"DISM", codes);
    if class.kind == EventKind::LogLine
        && memchr::memmem::find(m.text, b"Executing command line:").is_some()
    {
        class.kind = EventKind::ToolStarted;
    }
    if let Some(p) = memchr::memmem::find(m.text, b"Target image information: OS Version=") {
        let rest = m.text.get(p + 37..).unwrap_or_default();
        if let Some(v) = leading_version(rest) {
            class.facts.push(os_fact(v, true));
        }
    }
    let full = rec.full_message();
    // The provider and ids are ASCII (checked by the splitter), so the byte offset is a char boundary.
    let message = full
        .get(offset..)
        .map_or_else(|| full.clone(), str::to_owned);
    (class, Some(component_of(m.provider)), Some(message))
}

#[cfg(test)]
mod tests {
    use wudiag_evidence::{EventKind, EvidenceBatch, Retention, Severity, SourceId};

    use crate::cbs_log::extract::read_block;
    use crate::cbs_log::parse::Dialect;

    fn read(buf: &[u8]) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        read_block(buf, &mut b, Dialect::Dism);
        b
    }

    #[test]
    fn restore_health_failure_and_facts() {
        let b = read(b"2023-05-17 12:06:04, Info                  DISM   DISM.EXE: Executing command line: dism  /online /cleanup-image /restorehealth\r\n\
2023-05-17 12:06:04, Info                  DISM   DISM.EXE: Target image information: OS Version=10.0.22621.1702, Image architecture=amd64\r\n\
2023-05-17 12:06:04, Info                  DISM   DISM.EXE: Host machine information: OS Version=10.0.22621, Running architecture=amd64, Number of processors=12\r\n\
2023-05-17 12:06:13, Error                 DISM   DISM Package Manager: PID=5372 TID=12244 Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)\r\n\
2023-05-17 12:06:13, Error                 DISM   DISM.EXE: DISM Package Manager processed the command line but failed. HRESULT=800F081F\r\n\
2023-05-17 12:06:14, Info                  DISM   DISM.EXE: Image session has been closed. Reboot required=yes.\r\n\
2023-05-22 07:23:32, Error                 DISM   DISM Appx Provider: PID=9448 TID=9728 onecore\\x.cpp(1352)\\AppxProvider.dll!00007FFDF14B73D1: (caller: 00007FFDF14ACE63) ReturnHr(1) tid(2600) 80070003 The system cannot find the path speci\r\n\
    Msg:[Failed to open 'C:\\x.appx'.] \r\n\
 - CAppxManager::ResultLoggingCallback\r\n\
[7560.9068] [0x8007007b] FIOReadFileIntoBuffer:(1454): The filename, directory name, or volume label syntax is incorrect.\r\n\
2023-05-17 12:06:15, Info                  CBS    Loaded Servicing Stack v10.0.22621.1550 with Core: C:\\cbscore.dll\r\n");
        assert_eq!(b.stats.records_ok, 9);
        assert_eq!(b.events[0].kind, EventKind::ToolStarted);
        assert_eq!(
            b.events[0].message,
            "Executing command line: dism  /online /cleanup-image /restorehealth"
        );
        let ev = &b.events[1..];
        let e = &ev[0];
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(e.component.as_deref(), Some("DISM Package Manager"));
        assert_eq!(e.codes[0].to_string(), "0x800f081f");
        assert_eq!(
            e.message,
            "Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)"
        );
        assert_eq!(ev[1].codes[0].to_string(), "0x800f081f");
        assert_eq!(ev[1].component.as_deref(), Some("DISM.EXE"));
        assert_eq!(ev[2].kind, EventKind::RebootRequired);
        assert_eq!(
            ev[3].location.span,
            wudiag_evidence::Span::Lines { first: 7, last: 9 }
        );
        assert!(ev[3].message.contains("Msg:[Failed to open"));
        assert_eq!(ev[4].codes[0].to_string(), "0x8007007b");
        assert_eq!(ev[5].kind, EventKind::ServicingStackLoaded);
        let os: Vec<String> = b
            .facts
            .os
            .iter()
            .map(|f| f.value.version.unwrap().to_string())
            .collect();
        assert_eq!(os, ["10.0.22621.1702", "10.0.22621.0"]);
        assert_eq!(b.facts.pending_reboot.len(), 1);
    }
}
