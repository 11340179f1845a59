//! A streaming parser for the WSUS server's own logs (`SoftwareDistribution.log`, `Change.log`): timestamped
//! records with optional level, process.thread and class.method columns, and undated continuation lines
//! (.NET stack traces) that belong to the record before. It knows the layout, nothing about WSUS.

use jiff::civil::DateTime;

use crate::text::trim_cr;
use crate::timestamps;

/// One record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WsusRecord<'a> {
    /// First line (1-based within the block).
    pub first_line: u64,
    /// Last line.
    pub last_line: u64,
    /// When, as written; `None` for message-only text.
    pub time: Option<DateTime>,
    /// True when the time is followed by `UTC`.
    pub utc: bool,
    /// `Info`, `Warning`, `Error`…
    pub level: Option<&'a [u8]>,
    /// `WsusService.13`, `w3wp.27`.
    pub process: Option<&'a [u8]>,
    /// `CatalogSyncAgentCore.ExecuteSyncProtocol`.
    pub source: Option<&'a [u8]>,
    /// Message, continuation lines included (line breaks kept).
    pub message: &'a [u8],
}

/// A record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// First line.
    pub first_line: u64,
    /// Last line.
    pub last_line: u64,
    /// What is wrong.
    pub what: &'static str,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "lines {}-{}: {}",
            self.first_line, self.last_line, self.what
        )
    }
}

impl std::error::Error for ParseError {}

const LEVELS: &[&[u8]] = &[
    b"Info",
    b"Warning",
    b"Error",
    b"Verbose",
    b"Debug",
    b"Fatal",
    b"Critical",
    b"Information",
    b"Warn",
];

fn is_level(tok: &[u8]) -> bool {
    LEVELS.iter().any(|l| l.eq_ignore_ascii_case(tok))
}

/// `Name.123`: a process name and a thread number.
fn is_process_thread(tok: &[u8]) -> bool {
    match memchr::memrchr(b'.', tok) {
        Some(dot) if dot > 0 => {
            let digits = tok.get(dot + 1..).unwrap_or_default();
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// The shape of a record-starting line: a `YYYY-MM-DD HH:MM:SS` (or `/`) time at the very start. A cheap
/// check used to cut blocks; the full parse may still reject the date.
pub fn looks_like_start(line: &[u8]) -> bool {
    line.len() >= 19
        && line
            .get(..4)
            .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && matches!(line.get(4), Some(b'-' | b'/'))
        && line.get(13) == Some(&b':')
        && line.get(16) == Some(&b':')
}

/// Where `inner` starts inside `outer`, when it is a sub-slice of it.
fn offset_in(outer: &[u8], inner: &[u8]) -> Option<usize> {
    let at = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    (at + inner.len() <= outer.len()).then_some(at)
}

/// Splits `rest` (the line after the time) into level, process, source and message.
/// Level, process, source and message of a line.
type Columns<'a> = (
    Option<&'a [u8]>,
    Option<&'a [u8]>,
    Option<&'a [u8]>,
    &'a [u8],
);

/// Time, UTC flag, level, process, source and the offset of the message in the line.
type Head<'a> = (
    DateTime,
    bool,
    Option<&'a [u8]>,
    Option<&'a [u8]>,
    Option<&'a [u8]>,
    usize,
);

fn columns(rest: &[u8]) -> Columns<'_> {
    if memchr::memchr(b'\t', rest).is_some() {
        let mut parts = rest.splitn(5, |b| *b == b'\t');
        let _before = parts.next(); // what sits between the time and the first tab (` UTC`)
        let level = parts.next().map(<[u8]>::trim_ascii);
        let (level, mut carry) = match level {
            Some(l) if is_level(l) => (Some(l), None),
            other => (None, other),
        };
        let mut next = || {
            carry
                .take()
                .or_else(|| parts.next().map(<[u8]>::trim_ascii))
        };
        let a = next();
        let (process, a) = match a {
            Some(p) if is_process_thread(p) => (Some(p), next()),
            other => (None, other),
        };
        let (source, a) = match a {
            Some(s)
                if process.is_some() && memchr::memchr(b'.', s).is_some() && !s.contains(&b' ') =>
            {
                (Some(s), next())
            }
            other => (None, other),
        };
        let mut message = a.unwrap_or_default();
        // A message with tabs inside: take the rest of the line.
        if let Some(more) = next()
            && let (Some(start), Some(end)) = (offset_in(rest, message), offset_in(rest, more))
        {
            message = rest.get(start..end + more.len()).unwrap_or(message);
        }
        return (level, process, source, message);
    }
    // Spaces only (a copy whose tabs were collapsed).
    let mut rest = rest.trim_ascii_start();
    let mut take = |pred: &dyn Fn(&[u8]) -> bool| -> Option<&[u8]> {
        let end = rest
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(rest.len());
        let tok = rest.get(..end)?;
        if tok.is_empty() || !pred(tok) {
            return None;
        }
        rest = rest.get(end..).unwrap_or_default().trim_ascii_start();
        Some(tok)
    };
    let level = take(&is_level);
    let process = take(&is_process_thread);
    let source = if process.is_some() {
        take(&|t: &[u8]| memchr::memchr(b'.', t).is_some())
    } else {
        None
    };
    (level, process, source, rest)
}

/// Parses one record-starting line; the message runs to the end of the record.
fn head(line: &[u8]) -> Option<Head<'_>> {
    let (time, used) = timestamps::ymd_hms(line)?;
    let mut at = used;
    let after = line.get(at..).unwrap_or_default();
    let utc = after
        .get(..4)
        .is_some_and(|u| u.eq_ignore_ascii_case(b" UTC"));
    if utc {
        at += 4;
    }
    let rest = line.get(at..).unwrap_or_default();
    let (level, process, source, message) = columns(rest);
    let msg_at = offset_in(line, message).unwrap_or(line.len());
    Some((time, utc, level, process, source, msg_at))
}

/// Iterator over the records of a block.
pub struct Records<'a> {
    block: &'a [u8],
    inner: Box<dyn Iterator<Item = crate::text::RawRecord<'a>> + 'a>,
    message_only: bool,
    pending_lines: Option<std::vec::IntoIter<(u64, &'a [u8])>>,
}

/// Parses every record of `block`. When no line of the block starts with a time (a support-article
/// excerpt), every non-blank line is a message-only record.
pub fn records(block: &[u8]) -> Records<'_> {
    let message_only = !crate::text::lines(block).any(|(_, l)| looks_like_start(l));
    Records {
        block,
        inner: Box::new(crate::text::records(block, looks_like_start)),
        message_only,
        pending_lines: None,
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<WsusRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.message_only {
            let lines = self.pending_lines.get_or_insert_with(|| {
                crate::text::lines(self.block)
                    .filter(|(_, l)| !l.trim_ascii().is_empty())
                    .collect::<Vec<_>>()
                    .into_iter()
            });
            let (no, line) = lines.next()?;
            return Some(Ok(WsusRecord {
                first_line: no,
                last_line: no,
                time: None,
                utc: false,
                level: None,
                process: None,
                source: None,
                message: line,
            }));
        }
        loop {
            let raw = self.inner.next()?;
            let text: &'a [u8] = raw.text;
            let first = trim_cr(
                memchr::memchr(b'\n', text).map_or(text, |e| text.get(..e).unwrap_or_default()),
            );
            if !looks_like_start(first) {
                if raw.text.trim_ascii().is_empty() {
                    continue;
                }
                // Lines before the first record start: the tail of a record cut off by a truncation.
                return Some(Ok(WsusRecord {
                    first_line: raw.first_line,
                    last_line: raw.last_line,
                    time: None,
                    utc: false,
                    level: None,
                    process: None,
                    source: None,
                    message: raw.text,
                }));
            }
            let Some((time, utc, level, process, source, msg_at)) = head(first) else {
                return Some(Err(ParseError {
                    first_line: raw.first_line,
                    last_line: raw.last_line,
                    what: "line starts like a WSUS log record but its time is not a valid time",
                }));
            };
            let message = trim_cr(raw.text.get(msg_at..).unwrap_or_default());
            // Trailing blank lines are not part of the message.
            let mut message = message;
            while let Some(m) = message
                .strip_suffix(b"\n")
                .or_else(|| message.strip_suffix(b"\r"))
            {
                message = m;
            }
            return Some(Ok(WsusRecord {
                first_line: raw.first_line,
                last_line: raw.last_line,
                time: Some(time),
                utc,
                level,
                process,
                source,
                message,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(block: &[u8]) -> Vec<Result<WsusRecord<'_>, ParseError>> {
        records(block).collect()
    }

    #[test]
    fn tab_separated_with_stack_trace() {
        let block = b"2024-03-12 10:15:12.345 UTC\tError\tWsusService.13\tCatalogSyncAgentCore.ExecuteSyncProtocol\tSync failed: System.Net.WebException: The underlying connection was closed\r\n   at System.Net.HttpWebRequest.GetResponse()\r\n   ---> System.IO.IOException: x\r\n2024-03-12 10:15:13.000 UTC\tInfo\tw3wp.27\tClientImplementation.SyncUpdates\tdone\tmore\r\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        let a = recs[0].as_ref().unwrap();
        assert_eq!((a.first_line, a.last_line), (1, 3));
        assert!(a.utc);
        assert_eq!(a.level, Some(&b"Error"[..]));
        assert_eq!(a.process, Some(&b"WsusService.13"[..]));
        assert_eq!(
            a.source,
            Some(&b"CatalogSyncAgentCore.ExecuteSyncProtocol"[..])
        );
        assert!(
            a.message
                .starts_with(b"Sync failed: System.Net.WebException")
        );
        assert!(a.message.ends_with(b"---> System.IO.IOException: x"));
        let b = recs[1].as_ref().unwrap();
        assert_eq!(b.message, b"done\tmore");
    }

    #[test]
    fn spaces_and_missing_columns() {
        let recs = all(b"2024-03-12 10:15:12.345 UTC Warning WsusService.9 Class.Method message here\n2024-03-12 10:15:12 UTC Info Install approval for X\n");
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.level, Some(&b"Warning"[..]));
        assert_eq!(a.source, Some(&b"Class.Method"[..]));
        assert_eq!(a.message, b"message here");
        let b = recs[1].as_ref().unwrap();
        assert_eq!(b.process, None);
        assert_eq!(b.message, b"Install approval for X");
    }

    #[test]
    fn message_only_excerpt_and_orphans() {
        let recs = all(b"first line (800B0109)\n\nsecond line\n");
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].as_ref().unwrap().first_line, 3);
        let recs =
            all(b"   at tail.of.a.cut.record()\n2024-03-12 10:15:12.345 UTC\tInfo\ta.1\tb.c\tm\n");
        assert_eq!(recs.len(), 2);
        assert!(recs[0].as_ref().unwrap().time.is_none());
    }

    #[test]
    fn line_ending_mixes() {
        let block = b"2024-03-12 10:15:12.345 UTC\tInfo\ta.1\tb.c\tone\r\n   at x\n2024-03-12 10:15:13.345 UTC\tError\ta.1\tb.c\ttwo\rwith cr\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].as_ref().unwrap().message, b"one\r\n   at x");
        assert_eq!(recs[1].as_ref().unwrap().message, b"two\rwith cr");
        let mut long = b"2024-03-12 10:15:12.345 UTC\tInfo\ta.1\tb.c\t".to_vec();
        long.extend(std::iter::repeat_n(b'z', 10 << 20));
        assert_eq!(all(&long)[0].as_ref().unwrap().message.len(), 10 << 20);
    }

    #[test]
    fn bad_input() {
        let recs = all(b"2024-13-45 99:99:99.000 UTC\tInfo\tx\n");
        assert!(recs[0].is_err());
        for input in [
            &b""[..],
            b"\n",
            b"\r\r\r",
            b"2024-01-01 00:00:00",
            b"\xff\xfe\x00",
            b"2024-01-01 00:00:00 UTC\t\t\t\t\t\t",
        ] {
            let _ = all(input);
        }
        let big = vec![b'a'; 10 << 20];
        assert_eq!(all(&big).len(), 1);
    }
}
