//! # WindowsUpdate.log, in all its layouts
//!
//! The Windows Update Agent's trace. Where it comes from depends on the Windows version:
//!
//! * **Windows XP – 8, Server 2003 – 2012** write `%windir%\WindowsUpdate.log` live, in the *classic*
//!   layout: `2016-12-04 05:15:47:444 844 76c AU # Exit code = 0x8024000C`, columns separated by tabs,
//!   milliseconds after a colon, pid and tid in hex (the pid right-aligned, so a tab is followed by a
//!   space: `\t 648\t13bc`). Operations are framed by banners (`** START **  Agent: Finding updates`,
//!   `#########`), and problems are marked `WARNING:` or `FATAL:`. Among the lines are the ReportingEvents
//!   rows the agent uploads (`REPORT EVENT: {…}\t2016-10-31 11:24:28:411-0600\t…`).
//! * **Windows 10 / 11, Server 2016+** write ETW traces only (`%windir%\Logs\WindowsUpdate\*.etl`);
//!   `Get-WindowsUpdateLog` decodes them into a text file, by default on the desktop:
//!   `2024/03/12 10:15:12.1234567 1234  5678  Agent           …`, pid and tid in decimal, columns padded
//!   with spaces, failures marked `*FAILED* [80070426]`. Some decoders write the date with dashes
//!   (`2024-04-11 12:48:04.6269606`, seen in the Windows 11 23H2 corpus file). Traces decoded without
//!   symbols (before 1709) hold `Unknown( 10): GUID=… (No Format Information found).` lines with an empty
//!   component column.
//! * **Raw `tracefmt` output** (and documentation quoting it): `[0]12F4.1FE8::09/29/2017-13:45:08.530
//!   [agent]DO job …`, pid and tid in hex; documentation also shows the message alone, a `[Component]`
//!   prefix, or a component name before the trace header.
//!
//! Quirks seen in the corpus and handled here: tabs collapsed to single spaces (Microsoft docs excerpt),
//! tabs re-inserted between HTML table cells (burkharttech excerpt), lines with no time at all (docs),
//! CRLF throughout, and on live classic logs the zero-filled tail an unclean shutdown leaves (a failed
//! record, after which reading resumes on the same line).
//!
//! Every line is one record ([`parse`]); [`extract`] types scans, downloads, installs, restarts and
//! connection failures, and writes WSUS server and OS facts.

pub mod extract;
pub mod parse;

use wudiag_evidence::EvidenceBatch;

use crate::Sniff;
use crate::text::TextFormat;

/// The WindowsUpdate.log reader.
#[derive(Debug, Default)]
pub struct WindowsUpdateLog;

/// The reader instance used by the format table.
pub static READER: WindowsUpdateLog = WindowsUpdateLog;

impl TextFormat for WindowsUpdateLog {
    fn starts_record(&self, _line: &[u8]) -> bool {
        // Every line is a record: a block may end after any line.
        true
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        extract::read_block(block, batch);
    }
}

/// Scores an input: lines in one of the timestamped layouts with pid, tid and component (or a trace
/// header) are strong evidence; component-prefixed lines without time are weak evidence; the file name
/// alone is worth 30.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let mut lines = 0u32;
    let mut strong = 0u32;
    let mut weak = 0u32;
    for line in s.first_lines(40) {
        lines += 1;
        let Ok(Some(f)) = parse::parse_line(line.as_bytes()) else {
            continue;
        };
        match f.layout {
            parse::Layout::Classic
            | parse::Layout::GetWindowsUpdateLog
            | parse::Layout::DashedDate => {
                if f.pid.is_some() && (f.component.is_some() || f.message.starts_with(b"Unknown("))
                {
                    strong += 1;
                }
            }
            parse::Layout::Trace => strong += 1,
            parse::Layout::Bracketed | parse::Layout::Bare => {
                if f.component.is_some_and(parse::is_known_component) {
                    weak += 1;
                }
            }
        }
    }
    // `WindowsUpdateExtension.log` is Azure's patch extension, not the agent's log.
    let named = s.name.starts_with("windowsupdate")
        && !s.name.starts_with("windowsupdateextension")
        && std::path::Path::new(s.name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("log"));
    if strong > 0 && strong * 2 >= lines {
        90
    } else if strong > 0 {
        70
    } else if weak > 0 && named {
        60
    } else if weak * 2 >= lines.max(1) && weak >= 2 {
        55
    } else if named {
        30
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(name: &str, text: &str) -> u8 {
        sniff(&Sniff {
            name,
            head: text.as_bytes(),
            text,
        })
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            score(
                "x.txt",
                "2021-08-28\t03:07:48:216\t 648\t13bc\tReport\tCWERReporter finishing\r\n"
            ),
            90
        );
        assert_eq!(
            score(
                "x.txt",
                "2024/03/12 10:15:12.1234567 1234  5678  Agent  x\n"
            ),
            90
        );
        assert_eq!(
            score(
                "a.log",
                "DownloadManager    Error 0x800706d9 occurred\n[DownloadManager] BITS job\nDownloadManager [0]12F4.1FE8::09/29/2017-13:45:08.530 [agent]DO job\n"
            ),
            70
        );
        assert_eq!(score("windowsupdate.log", "nothing here"), 30);
        // Not ours: CBS, DISM, WSUS SoftwareDistribution.log, IIS.
        assert_eq!(
            score(
                "x.log",
                "2016-09-28 04:30:31, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505\n"
            ),
            0
        );
        assert_eq!(
            score(
                "x.log",
                "2018-01-17 11:13:28.509 UTC\tInfo\tWsusService.8\tThreadEntry\n"
            ),
            0
        );
        assert_eq!(
            score(
                "x.log",
                "2024-01-01 00:00:00 10.0.0.1 GET /ClientWebService/client.asmx - 8530\n"
            ),
            0
        );
        assert_eq!(
            score(
                "x.log",
                "{F6703CB6-0C82-4E7B-8C75-C25946AA03B0}\t2018-01-17 20:13:28:509+0900\t1\t148\n"
            ),
            0
        );
    }
}
