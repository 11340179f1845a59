//! # SetupDiag results
//!
//! **What:** the verdict of Microsoft's SetupDiag tool on a failed feature update (Windows Setup): which
//! failure profile matched (`FindSPFatalError`, `OptionalComponentOpenPackageFailed`, …), the error and
//! extend codes, the failure text, remediation advice, and a block of system information.
//!
//! **Where:** next to `SetupDiag.exe` (or the `/Output:` path): `SetupDiagResults.log` (text, the
//! default), `.xml` with `/Format:xml`, `.json` with `/Format:json`. Windows 10 2004 and later also run it
//! after a failed upgrade and leave the result under `%SystemDrive%\$Windows.~bt\Sources\Panther\`.
//!
//! **Layouts:**
//! * text: `Matching Profile found: NAME - GUID`, a `System Information:` block of tab-indented
//!   `Key = Value` lines, then `Error: …` lines and advice lines;
//! * XML: `<SetupDiag>` with `<ProfileName>`, `<ProfileGuid>`, `<SystemInfo>`, `<LogErrorLine>`, one or
//!   more `<FailureData>`, `<FailureDetails>`, and in newer versions `<Remediation>`;
//! * JSON: one object (or an array of objects) with the same field names.
//!
//! **Quirks:** SetupDiag writes its XML in UTF-16 and says so in the declaration; copies (like the one
//! in Microsoft's documentation) are often UTF-8 with the declaration unchanged. The file is decoded from
//! its bytes first, and the declared encoding is ignored. The published XML sample says
//! `HostOSArchitecture` is `1033` (a language id): the architecture then comes from the build string
//! (`18908.1000.amd64fre…`). Small codes after `Error:`/`Err =`/`gle=` are Win32 errors
//! (`0x00000057`) and are reported as their HRESULT (`0x80070057`).
//!
//! **Extracted:** one `SetupFailure { rule }` event per matched profile (severity error) with every code
//! (result and extend codes; the extend code's phase and operation are spelled out in the message) and
//! the remediation text; an `Os` fact (host OS version with its revision from the build string,
//! architecture, edition) from the system information.

pub mod extract;
pub mod parse;

use wudiag_evidence::EvidenceBatch;

use crate::Sniff;

/// Reads a whole SetupDiag result into `batch`. A fragment with no profile and no system information but
/// with failure codes (a `<FailureData>` element or a few result lines pasted into a ticket) is read line
/// by line as a pasted excerpt instead, so its codes and messages still count; anything else is a failed
/// record.
pub fn read(text: &str, batch: &mut EvidenceBatch) {
    let (doc, errors) = parse::parse(text);
    let says_setupdiag = doc
        .unmatched
        .iter()
        .any(|(t, _)| t.contains("SetupDiag") || t.contains("profile"));
    if doc.profiles.is_empty() && doc.system.is_empty() && !says_setupdiag {
        if crate::scan::codes(text.as_bytes()).is_empty() {
            batch.failed(
                wudiag_evidence::Span::File,
                "no SetupDiag profile, system information or message found",
            );
        } else {
            batch.issue(
                Some(wudiag_evidence::Span::File),
                "no SetupDiag profile or system information: read as pasted text lines".to_owned(),
            );
            crate::text::TextFormat::read_block(&crate::text_log::READER, text.as_bytes(), batch);
        }
        return;
    }
    for e in errors {
        batch.failed(e.span, e.what);
    }
    extract::extract(&doc, batch);
}

/// Scores an input as a SetupDiag result: the XML root, the JSON fields or the text markers are
/// conclusive; the file name alone scores 30.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let t = s.text;
    if t.contains("<SetupDiag") && (t.contains("<ProfileName>") || t.contains("<SystemInfo>")) {
        return 95;
    }
    if t.contains("\"ProfileName\"")
        && (t.contains("\"FailureData\"") || t.contains("\"SystemInfo\""))
    {
        return 90;
    }
    if t.contains("Matching Profile found:") || t.contains("SetupDiag reports") {
        return 90;
    }
    if s.name.contains("setupdiag") {
        return 30;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    #[test]
    fn huge_and_odd_inputs_do_not_panic() {
        let long = format!(
            "Matching Profile found: X - 22952520-EC89-4FBD-94E0-B67DF88347F6\nError: {}\n",
            "y".repeat(10 << 20)
        );
        let mut b = EvidenceBatch::new(SourceId(0), Retention::All);
        read(&long, &mut b);
        assert_eq!(b.stats.records_ok, 1);
        assert!(b.events[0].message.len() <= wudiag_evidence::Event::MAX_MESSAGE + 3);
        for input in [
            "<SetupDiag><ProfileName></ProfileName></SetupDiag>",
            "<SetupDiag><FailureData>Error: 0xC1900101 - 0x</FailureData></SetupDiag>",
            "{\"ProfileName\": {\"nested\": 1}, \"FailureData\": [null, 3, {\"a\": \"b\"}]}",
            "Matching Profile found:\r\nSystem Information:\r\n\tHostOSVersion = \r\n",
            "\u{feff}{}",
        ] {
            let mut b = EvidenceBatch::new(SourceId(0), Retention::All);
            read(input, &mut b);
        }
    }

    #[test]
    fn garbage_is_a_failed_record() {
        for input in ["", "\u{0}\u{1}garbage", "{", "<x", "[1,2]", "   \n\n"] {
            let mut b = EvidenceBatch::new(SourceId(0), Retention::All);
            read(input, &mut b);
            assert!(b.stats.records_failed >= 1, "{input:?}");
        }
    }

    #[test]
    fn sniffs() {
        let score = |name: &str, text: &str| {
            sniff(&Sniff {
                name,
                head: text.as_bytes(),
                text,
            })
        };
        assert_eq!(
            score("a.xml", "<?xml?><SetupDiag><ProfileName>X</ProfileName>"),
            95
        );
        assert_eq!(
            score("a.json", "{\"ProfileName\":\"X\",\"FailureData\":[]}"),
            90
        );
        assert_eq!(score("a.txt", "Matching Profile found: X - Y"), 90);
        assert_eq!(score("setupdiagresults.log", "whatever"), 30);
        assert_eq!(score("cbs.log", "whatever"), 0);
    }
}
