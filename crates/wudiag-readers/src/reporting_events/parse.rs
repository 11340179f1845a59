//! A streaming parser for ReportingEvents.log rows: tab-separated columns, one row per line. It knows the
//! columns and nothing about what the event ids mean (that is `extract.rs`).
//!
//! Columns, as written by the agent (names are ours; Microsoft does not publish them):
//!
//! | # | content | example |
//! |---|---------|---------|
//! | 1 | event instance GUID | `{F6703CB6-0C82-4E7B-8C75-C25946AA03B0}` |
//! | 2 | local time with UTC offset, colon or dot before the milliseconds | `2018-01-17 20:13:28:509+0900` |
//! | 3 | a small number (always `1` in the field) | `1` |
//! | 4 | event id and name (the name is missing in rows embedded in classic WindowsUpdate.log) | `148 [AGENT_DETECTION_FAILED]` |
//! | 5 | a number (`101`) | `101` |
//! | 6 | update GUID (all zero for scans) | `{BFC8A103-FD5F-4458-9935-231D9F79E2C1}` |
//! | 7 | update revision | `203` |
//! | 8 | result code, hex without `0x` | `8024402c`, `0`, `240005` |
//! | 9 | caller | `UpdateOrchestrator`, `AutomaticUpdates`, `<<PROCESS>>: taskhostw.exe` |
//! | 10 | `Success` / `Failure` | |
//! | 11 | category | `Software Synchronization`, `Content Download`, `Content Install` |
//! | 12 | text, often with the update title and KB | |
//! | 13+ | an opaque correlation token on Windows 10+ | `aS8pKHUwl0i6mrKJ.1.2.3.0` |
//!
//! Rows with fewer than 8 columns (a line cut by a crash or a copy) or without a readable time or event id
//! fail; later columns are optional.

use std::fmt;

use jiff::civil::DateTime;
use wudiag_evidence::HResult;

use crate::text::trim_cr;
use crate::timestamps;

/// The columns of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportingRow<'a> {
    /// Column 1: event instance GUID as written.
    pub instance: &'a [u8],
    /// Column 2: local time as written.
    pub time: DateTime,
    /// Column 2: offset from UTC in minutes east, when written.
    pub offset_minutes: Option<i16>,
    /// Column 4: event id.
    pub event_id: u32,
    /// Column 4: event name without brackets (`AGENT_DETECTION_FAILED`), when written.
    pub event_name: Option<&'a [u8]>,
    /// Column 6: update GUID as written.
    pub update_guid: &'a [u8],
    /// Column 7: update revision.
    pub revision: Option<u32>,
    /// Column 8: result code.
    pub result: Option<HResult>,
    /// Column 9: caller.
    pub caller: &'a [u8],
    /// Column 10: `Success` or `Failure`.
    pub status: &'a [u8],
    /// Column 11: category.
    pub category: &'a [u8],
    /// Column 12: the human-readable text.
    pub text: &'a [u8],
}

/// One row and its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportingRecord<'a> {
    /// 1-based line number within the parsed text.
    pub line: u64,
    /// The line as written (line ending removed).
    pub raw: &'a [u8],
    /// Its columns.
    pub row: ReportingRow<'a>,
}

/// What was wrong with a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Fewer than 8 tab-separated columns.
    TooFewColumns(usize),
    /// Column 2 is not a time.
    BadTime,
    /// Column 4 does not start with an event id.
    BadEventId,
    /// The line holds NUL bytes.
    BinaryData,
}

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number within the parsed text.
    pub line: u64,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line;
        match &self.kind {
            ParseErrorKind::TooFewColumns(n) => write!(
                f,
                "line {line}: {n} tab-separated columns where a ReportingEvents row has at least 8 (truncated row?)"
            ),
            ParseErrorKind::BadTime => write!(f, "line {line}: column 2 is not a time"),
            ParseErrorKind::BadEventId => write!(f, "line {line}: column 4 is not an event id"),
            ParseErrorKind::BinaryData => {
                write!(
                    f,
                    "line {line}: NUL bytes (zero-filled region or binary data)"
                )
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses `+0900`, `-0600`, `+09:00` into minutes east of UTC.
fn offset(b: &[u8]) -> Option<i16> {
    let sign: i16 = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<u8> = b
        .get(1..)?
        .iter()
        .copied()
        .filter(|&c| c != b':')
        .take(4)
        .collect();
    if digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |i: usize| digits.get(i).map(|&c| i16::from(c - b'0'));
    let hours = n(0)? * 10 + n(1)?;
    let minutes = n(2)? * 10 + n(3)?;
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Parses the columns of one row (no line ending).
pub fn parse_row(line: &[u8]) -> Result<ReportingRow<'_>, ParseErrorKind> {
    if memchr::memchr(0, line).is_some() {
        return Err(ParseErrorKind::BinaryData);
    }
    let mut cols: [&[u8]; 12] = [&[]; 12];
    let mut n = 0usize;
    let mut pending_name: Option<&[u8]> = None;
    for col in line.split(|&b| b == b'\t') {
        // Some writers put the event name in a column of its own: `148\t[AGENT_DETECTION_FAILED]`.
        if n == 4 && trim(col).starts_with(b"[") && pending_name.is_none() {
            pending_name = Some(trim(col));
            continue;
        }
        if let Some(slot) = cols.get_mut(n) {
            *slot = col;
        }
        n += 1;
    }
    if n < 8 {
        return Err(ParseErrorKind::TooFewColumns(n));
    }
    let [
        instance,
        time,
        _one,
        id,
        _source,
        update,
        revision,
        result,
        caller,
        status,
        category,
        text,
    ] = cols;
    let time = trim(time);
    let (dt, used) = timestamps::ymd_hms(time).ok_or(ParseErrorKind::BadTime)?;
    let offset_minutes = offset(time.get(used..).unwrap_or_default());
    let id = trim(id);
    let id_len = id.iter().take_while(|c| c.is_ascii_digit()).count();
    let event_id: u32 = std::str::from_utf8(id.get(..id_len).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(ParseErrorKind::BadEventId)?;
    let name_part = trim(id.get(id_len..).unwrap_or_default());
    let event_name = name_part
        .strip_prefix(b"[")
        .map(|s| s.strip_suffix(b"]").unwrap_or(s))
        .or_else(|| {
            pending_name.map(|p| {
                let p = p.strip_prefix(b"[").unwrap_or(p);
                p.strip_suffix(b"]").unwrap_or(p)
            })
        })
        .filter(|s| !s.is_empty());
    let revision = std::str::from_utf8(trim(revision))
        .ok()
        .and_then(|s| s.parse().ok());
    let result = {
        let r = trim(result);
        let r = r
            .strip_prefix(b"0x")
            .or_else(|| r.strip_prefix(b"0X"))
            .unwrap_or(r);
        HResult::from_hex_digits(r)
    };
    Ok(ReportingRow {
        instance: trim(instance),
        time: dt,
        offset_minutes,
        event_id,
        event_name,
        update_guid: trim(update),
        revision,
        result,
        caller: trim(caller),
        status: trim(status),
        category: trim(category),
        text: trim(text),
    })
}

/// Iterates over the rows of a block of text (lines numbered from 1); blank lines are skipped.
pub struct Records<'a> {
    rest: &'a [u8],
    line_no: u64,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<ReportingRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (line, rest) = match memchr::memchr(b'\n', self.rest) {
                Some(e) => (
                    self.rest.get(..e).unwrap_or_default(),
                    self.rest.get(e + 1..).unwrap_or_default(),
                ),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            self.line_no += 1;
            let line = trim_cr(line);
            if line.trim_ascii().is_empty() {
                continue;
            }
            let line_no = self.line_no;
            return Some(match parse_row(line) {
                Ok(row) => Ok(ReportingRecord {
                    line: line_no,
                    raw: line,
                    row,
                }),
                Err(kind) => Err(ParseError {
                    line: line_no,
                    kind,
                }),
            });
        }
    }
}

/// Parses every row of `text`.
pub const fn records(text: &[u8]) -> Records<'_> {
    Records {
        rest: text,
        line_no: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED_SCAN: &str = "{F6703CB6-0C82-4E7B-8C75-C25946AA03B0}\t2018-01-17 20:13:28:509+0900\t1\t148 [AGENT_DETECTION_FAILED]\t101\t{00000000-0000-0000-0000-000000000000}\t0\t8024402c\tUpdateOrchestrator\tFailure\tSoftware Synchronization\tWindows Update Client failed to detect with error 0x8024402c.";

    #[test]
    fn columns() {
        let r = parse_row(FAILED_SCAN.as_bytes()).unwrap();
        assert_eq!(r.time.to_string(), "2018-01-17T20:13:28.509");
        assert_eq!(r.offset_minutes, Some(540));
        assert_eq!(
            (r.event_id, r.event_name),
            (148, Some(&b"AGENT_DETECTION_FAILED"[..]))
        );
        assert_eq!(r.result.unwrap().to_string(), "0x8024402c");
        assert_eq!(r.caller, b"UpdateOrchestrator");
        assert_eq!(r.status, b"Failure");
        assert_eq!(r.category, b"Software Synchronization");
        assert!(r.text.starts_with(b"Windows Update Client failed"));
    }

    #[test]
    fn variants() {
        // Dot before milliseconds, a negative offset, the name in its own column, a trailing token.
        let r = parse_row(b"{11111111-1111-1111-1111-111111111111}\t2024-01-15 08:00:00.123-0500\t1\t183\t[AGENT_INSTALLING_SUCCEEDED]\t101\t{22222222-2222-2222-2222-222222222222}\t1\t0\tWindows Update Agent\tSuccess\tContent Install\tInstallation Successful: x (KB5034123)\tAAAAAAAAAAAAAAAA.1.0.0.3.0").unwrap();
        assert_eq!((r.event_id, r.offset_minutes), (183, Some(-300)));
        assert_eq!(r.event_name, Some(&b"AGENT_INSTALLING_SUCCEEDED"[..]));
        assert_eq!(r.text, b"Installation Successful: x (KB5034123)");
        assert_eq!(r.result, Some(HResult::S_OK));
        // Rows embedded in classic WindowsUpdate.log: no name.
        let r = parse_row(b"{0F12C265-4B12-47A1-848B-C7A999AF291B}\t2016-10-31 11:24:28:411-0600\t1\t181\t101\t{549A598B-FECB-4D4A-A636-64B7643AC2F3}\t501\t0\twusa\tSuccess\tContent Install\tInstallation Started: x").unwrap();
        assert_eq!(
            (r.event_id, r.event_name, r.revision),
            (181, None, Some(501))
        );
        // Success with information.
        let r = parse_row(b"{A}\t2018-01-17 20:13:28:509+0900\t1\t183 [AGENT_INSTALLING_SUCCEEDED]\t101\t{B}\t1\t240005\tx\tSuccess\tContent Install\tt").unwrap();
        assert!(!r.result.unwrap().is_failure());
        // No offset.
        let r = parse_row(b"{A}\t2018-01-17 20:13:28:509\t1\t147\t101\t{B}\t1\t0").unwrap();
        assert_eq!((r.offset_minutes, r.text), (None, &b""[..]));
    }

    #[test]
    fn bad_rows() {
        let errs: Vec<_> = records(
            b"{A}\t2018-01-17 20:13\n\n{A}\tnot a time\t1\t147\t101\t{B}\t1\t0\n{A}\t2018-01-17 20:13:28:509+0900\t1\tX\t101\t{B}\t1\t0\n\0\0\0\n",
        )
        .map(|r| r.unwrap_err())
        .collect();
        assert_eq!(
            errs.iter()
                .map(|e| (e.line, e.kind.clone()))
                .collect::<Vec<_>>(),
            [
                (1, ParseErrorKind::TooFewColumns(2)),
                (3, ParseErrorKind::BadTime),
                (4, ParseErrorKind::BadEventId),
                (5, ParseErrorKind::BinaryData)
            ]
        );
        for junk in [
            &b"\t\t\t\t\t\t\t\t\t\t\t\t\t\t"[..],
            b"\xff\xfe",
            b"{",
            b"\t+\t-",
        ] {
            let _ = records(junk).count();
        }
        assert_eq!(offset(b"+0900"), Some(540));
        assert_eq!(offset(b"+09:30"), Some(570));
        assert_eq!(offset(b"+99"), None);
    }
}
