//! # ReportingEvents.log
//!
//! `%windir%\SoftwareDistribution\ReportingEvents.log`: the history of scan, download and install events
//! the Windows Update Agent reports, written live on every Windows version — on Windows 10+ the quickest
//! readable history there is, since WindowsUpdate.log is only an ETW trace there.
//!
//! One row per line, tab-separated (see [`parse`] for the columns): an event instance GUID, the local
//! time **with its UTC offset** (`2018-01-17 20:13:28:509+0900`), the event id and name
//! (`148 [AGENT_DETECTION_FAILED]`), the update GUID and revision, the result code in hex without `0x`
//! (`240005` is a success that needs a restart, not a failure), the caller, `Success`/`Failure`, a
//! category and a sentence that often holds the update title and KB. Windows 10+ files are usually
//! UTF-16LE with a BOM (the text engine transcodes them) and end rows with a correlation token.
//!
//! The corpus holds no ReportingEvents.log; the tests use synthetic files written from the published
//! layout (`tests/fixtures/reporting_events/`), and the same rows embedded in classic WindowsUpdate.log
//! (`REPORT EVENT: …`) are read with this parser too.
//!
//! Event ids → kinds: 147 scan succeeded, 148 scan failed, 161 download failed, 162 download succeeded,
//! 167 download started, 181 install started, 182 install failed, 183 install succeeded, 201 restart
//! required; other ids are typed from the words of their name, or kept as plain lines with their id.

pub mod extract;
pub mod parse;

use wudiag_evidence::EvidenceBatch;

use crate::Sniff;
use crate::text::TextFormat;

/// The ReportingEvents.log reader.
#[derive(Debug, Default)]
pub struct ReportingEvents;

/// The reader instance used by the format table.
pub static READER: ReportingEvents = ReportingEvents;

impl TextFormat for ReportingEvents {
    fn starts_record(&self, _line: &[u8]) -> bool {
        true
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        extract::read_block(block, batch);
    }
}

/// True when `line` starts with `{GUID}` and a tab.
fn starts_with_braced_guid_tab(line: &[u8]) -> bool {
    line.first() == Some(&b'{')
        && line.get(37) == Some(&b'}')
        && line.get(38) == Some(&b'\t')
        && line
            .get(1..37)
            .is_some_and(|g| g.iter().all(|&c| c.is_ascii_hexdigit() || c == b'-'))
}

/// Scores an input: rows that parse (a braced GUID, a tab, a time, an event id) are strong evidence; the
/// name `ReportingEvents.log` alone is worth 30 when the text is empty or blank. A named file whose lines
/// are not rows (a forum paste with the tabs turned into spaces and the rows wrapped) is left to the excerpt
/// reader, which still finds its codes and failure words.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let mut lines = 0u32;
    let mut rows = 0u32;
    let mut blank = true;
    for line in s.first_lines(10) {
        lines += 1;
        blank &= line.trim().is_empty();
        let b = line.as_bytes();
        if starts_with_braced_guid_tab(b) && parse::parse_row(b).is_ok() {
            rows += 1;
        }
    }
    let named = s.name.starts_with("reportingevents")
        && std::path::Path::new(s.name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("log"));
    if rows > 0 && rows * 2 >= lines {
        95
    } else if rows > 0 {
        75
    } else if named && blank {
        30
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_rows() {
        let text = "{F6703CB6-0C82-4E7B-8C75-C25946AA03B0}\t2018-01-17 20:13:28:509+0900\t1\t148 [AGENT_DETECTION_FAILED]\t101\t{00000000-0000-0000-0000-000000000000}\t0\t8024402c\tUpdateOrchestrator\tFailure\tSoftware Synchronization\tx\n";
        let s = Sniff {
            name: "x.txt",
            head: text.as_bytes(),
            text,
        };
        assert_eq!(sniff(&s), 95);
        let s = Sniff {
            name: "reportingevents.log",
            head: b"",
            text: "",
        };
        assert_eq!(sniff(&s), 30);
        let s = Sniff {
            name: "x.log",
            head: b"2021-08-28\t03:07:48:216\t 648\t13bc\tReport\tx",
            text: "2021-08-28\t03:07:48:216\t 648\t13bc\tReport\tx",
        };
        assert_eq!(sniff(&s), 0);
    }
}
