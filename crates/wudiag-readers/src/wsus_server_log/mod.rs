//! # WSUS server logs: SoftwareDistribution.log and Change.log
//!
//! **What:** the WSUS server's own text logs. `SoftwareDistribution.log` is written by the WSUS service,
//! its web services (inside IIS `w3wp`) and the synchronisation agent: upstream sync failures, database
//! errors and web-service faults show up here as .NET exception text. `Change.log` is the journal of
//! approvals and configuration changes made on the server.
//!
//! **Where:** `%ProgramFiles%\Update Services\LogFiles\` (configurable through the WSUS API's
//! `LogFilePath`). `SoftwareDistribution.log` grows to about 20 MB and is then renamed
//! `SoftwareDistribution.log.old`.
//!
//! **Layout:** `YYYY-MM-DD HH:MM:SS.mmm UTC<TAB>Level<TAB>Process.Thread<TAB>Class.Method<TAB>message`. The
//! time is UTC. Exception stack traces (`   at System.…`, `---> System.Net.WebException: …`) follow on
//! lines without a time: they belong to the record above, which then spans several lines. The level,
//! process and class columns are optional to this parser, and copies whose tabs were turned into spaces
//! are read too. Lines with no time at all (support-article excerpts) are one record each, with no time;
//! lines before the first timestamp of a file are the tail of a record cut off by a truncation.
//!
//! **Change.log:** its layout is not documented publicly; this reader accepts the same timestamped line
//! shape (level and columns optional) and treats every record as a change.
//!
//! **Quirks seen in the corpus:** the only real sample is a support-article excerpt (two message lines,
//! no time); its certificate error is written as a bare code in parentheses, `(800B0109)`, which is read.
//!
//! **Extracted:** `ConnectionFailed` for connection wording (`WebException`, `The underlying connection was
//! closed`, `SSL/TLS secure channel`, `Unable to connect to the remote server`, …), other records as log
//! lines with their level as severity (`SoapException` and `SqlException` records are kept by their
//! Error level); every code; URLs such as `fe2.update.microsoft.com` stay in the message. `Change.log`
//! records become `PolicyChanged` events with their KBs.

pub mod extract;
pub mod parse;

use wudiag_evidence::{EvidenceBatch, Span};

use crate::Sniff;
use crate::text::TextFormat;
use extract::Log;

/// The reader for one of the two WSUS logs.
pub struct WsusServerLog {
    log: Log,
}

/// `SoftwareDistribution.log`.
pub static SOFTWARE_DISTRIBUTION: WsusServerLog = WsusServerLog {
    log: Log::SoftwareDistribution,
};

/// `Change.log`.
pub static CHANGE_LOG: WsusServerLog = WsusServerLog { log: Log::Change };

impl TextFormat for WsusServerLog {
    fn starts_record(&self, line: &[u8]) -> bool {
        parse::looks_like_start(line)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        for rec in parse::records(block) {
            match rec {
                Ok(r) => extract::extract(&r, self.log, batch),
                Err(e) => batch.failed(
                    Span::Lines {
                        first: e.first_line,
                        last: e.last_line,
                    },
                    e.what,
                ),
            }
        }
    }
}

/// True when the first lines have the WSUS column layout: time, `UTC`, a level, `Process.Thread`.
fn wsus_columns(s: &Sniff<'_>) -> bool {
    s.first_lines(10).any(|l| {
        let b = l.as_bytes();
        if !parse::looks_like_start(b) {
            return false;
        }
        let Some(utc) = memchr::memmem::find(b, b" UTC") else {
            return false;
        };
        let rest = b.get(utc + 4..).unwrap_or_default();
        let mut cols = rest
            .split(|c| *c == b'\t' || *c == b' ')
            .filter(|c| !c.is_empty());
        let level = cols.next().unwrap_or_default();
        let process = cols.next().unwrap_or_default();
        ["Info", "Warning", "Error"]
            .iter()
            .any(|l| l.as_bytes() == level)
            && process.contains(&b'.')
    })
}

fn timestamped(s: &Sniff<'_>) -> bool {
    s.first_lines(10)
        .any(|l| parse::looks_like_start(l.as_bytes()))
}

/// True when `name` ends with one of the extensions `exts` (without dot), case-insensitively.
fn has_ext(name: &str, exts: &[&str]) -> bool {
    std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn is_change_log_name(name: &str) -> bool {
    name.starts_with("change") && has_ext(name, &["log", "old"])
}

/// Scores an input as `SoftwareDistribution.log`. The column layout is conclusive (unless the file is
/// named `Change.log`, which shares it); the name alone scores 30, and with .NET exception wording 55.
pub fn sniff_software_distribution(s: &Sniff<'_>) -> u8 {
    let named = s.name.contains("softwaredistribution") && has_ext(s.name, &["log", "old", "txt"]);
    if wsus_columns(s) {
        return if is_change_log_name(s.name) { 50 } else { 95 };
    }
    if named {
        let t = s.text;
        let dotnet = [
            "Exception",
            "The underlying connection was closed",
            "certificate chain",
            "   at System.",
            "Microsoft.UpdateServices",
        ]
        .iter()
        .any(|w| t.contains(w));
        return if dotnet { 55 } else { 30 };
    }
    0
}

/// Scores an input as `Change.log`: the name with timestamped lines, or timestamped lines about
/// approvals.
pub fn sniff_change_log(s: &Sniff<'_>) -> u8 {
    let named = is_change_log_name(s.name);
    let ts = timestamped(s);
    let approvals = s.text.contains("approv");
    match (named, ts) {
        (true, true) => 80,
        (false, true) if approvals && s.text.contains(" UTC") && !wsus_columns(s) => 52,
        (true, false) => 20,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_pair(name: &str, text: &str) -> (u8, u8) {
        let s = Sniff {
            name,
            head: text.as_bytes(),
            text,
        };
        (sniff_software_distribution(&s), sniff_change_log(&s))
    }

    #[test]
    fn sniffs() {
        let line = "2024-03-12 10:15:12.345 UTC\tInfo\tWsusService.13\tA.B\tm\n";
        assert_eq!(sniff_pair("x.txt", line), (95, 0));
        assert_eq!(sniff_pair("change.log", line), (50, 80));
        assert_eq!(
            sniff_pair(
                "msdocs_softwaredistribution_excerpt.log",
                "The underlying connection was closed"
            ),
            (55, 0)
        );
        assert_eq!(
            sniff_pair(
                "notes.txt",
                "2024-03-12 10:15:12.345 UTC Info Install approval for X"
            ),
            (0, 52)
        );
        assert_eq!(
            sniff_pair("wsyncmgr.log", "Sync Failed: WebException"),
            (0, 0)
        );
    }
}
