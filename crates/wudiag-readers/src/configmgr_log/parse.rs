//! A streaming parser for ConfigMgr logs. It knows the three layouts (CMTrace markup, SMS trailers, plain
//! text) and nothing about Windows Update.
//!
//! The parser works on one block of decoded text and yields one [`CmRecord`] per record, or a
//! [`ParseError`] for a record it cannot make sense of (a CMTrace message that never ends, a trailer
//! whose time is garbage, text outside any record in a CMTrace file). Lines are numbered from 1.

use std::fmt;
use std::sync::LazyLock;

use jiff::civil::DateTime;
use memchr::memmem;

use crate::text::trim_cr;
use crate::timestamps;

/// Opens a CMTrace record.
pub const CMTRACE_OPEN: &[u8] = b"<![LOG[";
/// Closes a CMTrace message; the attribute trailer follows on the same line.
pub const CMTRACE_CLOSE: &[u8] = b"]LOG]!>";
/// Starts the trailer of an SMS-style line.
pub const SMS_TRAILER: &[u8] = b"$$<";

/// Which layout a record was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `<![LOG[message]LOG]!><time="…" date="…" component="…" …>`.
    CmTrace,
    /// `message  $$<COMPONENT><MM-DD-YYYY HH:MM:SS.mmm+BIAS><thread=N (0xHEX)>`.
    Sms,
    /// `MM-DD-YYYY HH:MM:SS.mmm message`, as support articles print WSyncMgr.log.
    Dated,
    /// Message text alone (a doc excerpt): no time, no component.
    MessageOnly,
}

/// A local time as a ConfigMgr log writes it, with its bias when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CmTime {
    /// The wall-clock time as written.
    pub local: DateTime,
    /// The CMTrace bias in minutes: what to add to the local time to get UTC (`+240` is UTC-4).
    pub bias_minutes: Option<i16>,
}

/// One record of a ConfigMgr log.
#[derive(Clone, Copy, Debug)]
pub struct CmRecord<'a> {
    /// First line (1-based within the block).
    pub first_line: u64,
    /// Last line.
    pub last_line: u64,
    /// How it was written.
    pub layout: Layout,
    /// The message text (may span lines; CR/LF inside are kept).
    pub message: &'a [u8],
    /// When, if written.
    pub time: Option<CmTime>,
    /// `component="…"` or the SMS `$$<COMPONENT>`.
    pub component: Option<&'a [u8]>,
    /// CMTrace `type="…"` (1 info, 2 warning, 3 error).
    pub level: Option<&'a [u8]>,
    /// `thread="…"` or the SMS `thread=N`.
    pub thread: Option<&'a [u8]>,
    /// CMTrace `file="source.cpp:line"`.
    pub file: Option<&'a [u8]>,
}

/// A record that could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// First line of the broken record.
    pub first_line: u64,
    /// Last line of it.
    pub last_line: u64,
    /// What is wrong.
    pub what: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lines {}-{}: {}",
            self.first_line, self.last_line, self.what
        )
    }
}

impl std::error::Error for ParseError {}

// Searchers built once: building one per call costs more than the search on short lines.
static OPEN_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(CMTRACE_OPEN));
static CLOSE_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(CMTRACE_CLOSE));
static SMS_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(SMS_TRAILER));
static SMS_FINDER_REV: LazyLock<memmem::FinderRev<'static>> =
    LazyLock::new(|| memmem::FinderRev::new(SMS_TRAILER));

/// Where `]LOG]!>` is in `line`.
fn find_close(line: &[u8]) -> Option<usize> {
    CLOSE_FINDER.find(line)
}

/// Strips a UTF-8 byte-order mark and leading spaces.
fn lead_trim(line: &[u8]) -> &[u8] {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let skip = line
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    line.get(skip..).unwrap_or_default()
}

/// True when `line` opens a CMTrace record.
pub fn is_cmtrace_start(line: &[u8]) -> bool {
    lead_trim(line).starts_with(CMTRACE_OPEN)
}

/// True when `line` carries an SMS-style trailer.
pub fn is_sms_line(line: &[u8]) -> bool {
    // `$$<` is rare: look for `$` first.
    memchr::memchr(b'$', line).is_some() && SMS_FINDER.find(line).is_some()
}

/// Parses the `MM-DD-YYYY HH:MM:SS[.fff]` prefix of a plain dated line; returns the time and the bytes
/// used.
pub fn dated_prefix(line: &[u8]) -> Option<(DateTime, usize)> {
    // Quick shape check before the full parse: `NN-NN-NNNN `.
    if line.len() < 19
        || !line.first()?.is_ascii_digit()
        || line.get(2) != Some(&b'-')
        || line.get(5) != Some(&b'-')
        || line.get(10) != Some(&b' ')
    {
        return None;
    }
    let (y, mo, d) = timestamps::mdy(line)?;
    let (h, mi, s, nanos, used) = timestamps::hms(line.get(11..)?)?;
    let dt = wudiag_evidence::EventTime::civil(y, mo, d, h, mi, s, nanos)?;
    Some((dt, 11 + used))
}

/// True when `line` starts a record of any layout (used to cut blocks).
pub fn starts_record(line: &[u8]) -> bool {
    is_cmtrace_start(line) || is_sms_line(line) || dated_prefix(line).is_some()
}

/// Reads a CMTrace/SMS bias (`+240`, `-060`) at the start of `b`.
fn bias(b: &[u8]) -> Option<i16> {
    let (neg, rest) = match b.first()? {
        b'+' => (false, b.get(1..)?),
        b'-' => (true, b.get(1..)?),
        _ => return None,
    };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let mut v: i16 = 0;
    for &c in rest.get(..digits)? {
        v = v * 10 + i16::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

/// Parses a date (`MM-DD-YYYY`) and a time with optional bias (`HH:MM:SS.mmm+BIAS`).
pub fn cm_time(date: &[u8], time: &[u8]) -> Option<CmTime> {
    let (y, mo, d) = timestamps::mdy(date)?;
    let (h, mi, s, nanos, used) = timestamps::hms(time)?;
    let local = wudiag_evidence::EventTime::civil(y, mo, d, h, mi, s, nanos)?;
    let bias_minutes = time.get(used..).and_then(bias);
    Some(CmTime {
        local,
        bias_minutes,
    })
}

/// The `name="value"` attributes of a CMTrace trailer (`<time="…" date="…" …>`).
#[derive(Default)]
struct Trailer<'a> {
    time: Option<&'a [u8]>,
    date: Option<&'a [u8]>,
    component: Option<&'a [u8]>,
    level: Option<&'a [u8]>,
    thread: Option<&'a [u8]>,
    file: Option<&'a [u8]>,
    closed: bool,
}

fn parse_trailer(b: &[u8]) -> Trailer<'_> {
    let mut t = Trailer::default();
    let mut pos = match b.first() {
        Some(b'<') => 1,
        _ => return t,
    };
    loop {
        while b.get(pos).is_some_and(|c| *c == b' ' || *c == b'\t') {
            pos += 1;
        }
        match b.get(pos) {
            None => return t,
            Some(b'>') => {
                t.closed = true;
                return t;
            }
            Some(_) => {}
        }
        let rest = b.get(pos..).unwrap_or_default();
        let Some(eq) = memchr::memchr(b'=', rest) else {
            return t;
        };
        let name = rest.get(..eq).unwrap_or_default();
        let Some(open) = quote_len(rest.get(eq + 1..).unwrap_or_default()) else {
            return t;
        };
        let vstart = eq + 1 + open;
        let Some((vlen, close)) = rest.get(vstart..).and_then(find_quote) else {
            return t;
        };
        let value = rest.get(vstart..vstart + vlen).unwrap_or_default();
        match name {
            b"time" => t.time = Some(value),
            b"date" => t.date = Some(value),
            b"component" => t.component = Some(value),
            b"type" => t.level = Some(value),
            b"thread" => t.thread = Some(value),
            b"file" => t.file = Some(value),
            _ => {}
        }
        pos += vstart + vlen + close;
    }
}

/// Quote marks a trailer value may be delimited with: `"`, and the typographic quotes (“ ” ″) a blog or
/// a word processor turns them into when a log is pasted.
const QUOTES: &[&[u8]] = &[
    b"\"",
    "\u{201C}".as_bytes(),
    "\u{201D}".as_bytes(),
    "\u{2033}".as_bytes(),
];

/// The length of the quote mark `b` starts with.
fn quote_len(b: &[u8]) -> Option<usize> {
    QUOTES.iter().find(|q| b.starts_with(q)).map(|q| q.len())
}

/// The offset and length of the first quote mark in `b`.
fn find_quote(b: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(rel) = memchr::memchr2(b'"', 0xE2, b.get(from..)?) {
        let at = from + rel;
        if let Some(len) = quote_len(b.get(at..)?) {
            return Some((at, len));
        }
        from = at + 1;
    }
    None
}

/// Parses an SMS trailer (the bytes after `$$<`): `COMPONENT><date time+bias><thread=N (0xHEX)>`.
/// The parts of an SMS trailer: component, time, thread.
type SmsTrailer<'a> = (&'a [u8], CmTime, Option<&'a [u8]>);

fn parse_sms_trailer(b: &[u8]) -> Option<SmsTrailer<'_>> {
    let gt = memchr::memchr(b'>', b)?;
    let component = b.get(..gt)?;
    let rest = b.get(gt + 1..)?;
    let rest = rest.strip_prefix(b"<")?;
    let end = memchr::memchr(b'>', rest)?;
    let stamp = rest.get(..end)?;
    let space = memchr::memchr(b' ', stamp)?;
    let time = cm_time(stamp.get(..space)?, stamp.get(space + 1..)?)?;
    let after = rest.get(end + 1..).unwrap_or_default();
    let thread = after.strip_prefix(b"<thread=").map(|t| {
        let n = t
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b' ' || **c == b'(')
            .count();
        let v = t.get(..n).unwrap_or_default();
        memchr::memchr(b' ', v).map_or(v, |s| v.get(..s).unwrap_or_default())
    });
    Some((component, time, thread))
}

/// What the parser is in the middle of.
#[derive(Clone, Copy)]
enum Open {
    /// A CMTrace record whose `]LOG]!>` has not been seen yet.
    CmTrace { start: usize, first: u64 },
    /// A dated plain line and its undated continuation lines.
    Dated {
        start: usize,
        end: usize,
        first: u64,
        last: u64,
        time: DateTime,
        msg_start: usize,
    },
    /// Undated lines waiting for an SMS trailer line (SMS files write the trailer on the last line).
    Undated {
        start: usize,
        end: usize,
        first: u64,
        last: u64,
    },
}

/// How the block looks as a whole, which decides what undated lines mean.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The block has CMTrace markup: undated text outside a record is an error.
    CmTrace,
    /// The block has SMS trailers: undated lines belong to the next trailer line.
    Sms,
    /// Neither: each undated line is a record of its own (or continues a dated one).
    Plain,
}

#[derive(Clone, Copy)]
struct Line {
    no: u64,
    start: usize,
    end: usize,
}

/// Iterator over the records of a block.
pub struct Records<'a> {
    block: &'a [u8],
    pos: usize,
    line_no: u64,
    mode: Mode,
    open: Option<Open>,
    carry: Option<Line>,
}

/// Parses every record of `block` (decoded text, lines numbered from 1).
pub fn records(block: &[u8]) -> Records<'_> {
    let mode = if OPEN_FINDER.find(block).is_some() {
        Mode::CmTrace
    } else if SMS_FINDER.find(block).is_some() {
        Mode::Sms
    } else {
        Mode::Plain
    };
    Records {
        block,
        pos: 0,
        line_no: 0,
        mode,
        open: None,
        carry: None,
    }
}

impl<'a> Records<'a> {
    fn read_line(&mut self) -> Option<Line> {
        if self.pos >= self.block.len() {
            return None;
        }
        let rest = self.block.get(self.pos..).unwrap_or_default();
        let (end, next) = match memchr::memchr(b'\n', rest) {
            Some(e) => (self.pos + e, self.pos + e + 1),
            None => (self.block.len(), self.block.len()),
        };
        let start = self.pos;
        self.pos = next;
        self.line_no += 1;
        let text = trim_cr(self.block.get(start..end).unwrap_or_default());
        Some(Line {
            no: self.line_no,
            start,
            end: start + text.len(),
        })
    }

    fn text(&self, start: usize, end: usize) -> &'a [u8] {
        self.block.get(start..end).unwrap_or_default()
    }

    fn finish(&self, open: Open) -> Result<CmRecord<'a>, ParseError> {
        match open {
            Open::CmTrace { first, .. } => Err(ParseError {
                first_line: first,
                last_line: self.line_no.max(first),
                what: "CMTrace record without its closing ]LOG]!> (truncated?)",
            }),
            Open::Dated {
                end,
                first,
                last,
                time,
                msg_start,
                ..
            } => Ok(CmRecord {
                first_line: first,
                last_line: last,
                layout: Layout::Dated,
                message: self.text(msg_start, end),
                time: Some(CmTime {
                    local: time,
                    bias_minutes: None,
                }),
                component: None,
                level: None,
                thread: None,
                file: None,
            }),
            Open::Undated {
                start,
                end,
                first,
                last,
            } => Ok(message_only(self.text(start, end), first, last)),
        }
    }

    /// Builds a CMTrace record from `start` (the `<![LOG[` line) to `line` (the one with `]LOG]!>`,
    /// found at `close_in_line`).
    fn cmtrace(
        &self,
        start: usize,
        first: u64,
        line: Line,
        close_in_line: usize,
    ) -> Result<CmRecord<'a>, ParseError> {
        let err = |what| ParseError {
            first_line: first,
            last_line: line.no,
            what,
        };
        // The first line starts with `<![LOG[` once a BOM and blanks are skipped.
        let from_start = self.text(start, line.end);
        let lead = from_start.len() - lead_trim(from_start).len();
        let msg_start = start + lead + CMTRACE_OPEN.len();
        let close = line.start + close_in_line;
        if close < msg_start {
            return Err(err("]LOG]!> before the end of <![LOG["));
        }
        let message = self.text(msg_start, close);
        let trailer = parse_trailer(self.text(close + CMTRACE_CLOSE.len(), line.end));
        if !trailer.closed {
            return Err(err("CMTrace attribute trailer is cut or malformed"));
        }
        let time = match (trailer.date, trailer.time) {
            (Some(d), Some(t)) => {
                Some(cm_time(d, t).ok_or_else(|| err("CMTrace time or date is not a valid time"))?)
            }
            (None, None) => None,
            _ => {
                return Err(err(
                    "CMTrace trailer has a time without a date or the reverse",
                ));
            }
        };
        Ok(CmRecord {
            first_line: first,
            last_line: line.no,
            layout: Layout::CmTrace,
            message,
            time,
            component: trailer.component,
            level: trailer.level,
            thread: trailer.thread,
            file: trailer.file,
        })
    }

    /// Builds an SMS record whose message starts at `start` and whose trailer is on `line`.
    fn sms(&self, start: usize, first: u64, line: Line) -> Result<CmRecord<'a>, ParseError> {
        let whole = self.text(start, line.end);
        let at = SMS_FINDER_REV.rfind(whole).unwrap_or(whole.len());
        let trailer = whole.get(at + SMS_TRAILER.len()..).unwrap_or_default();
        let (component, time, thread) = parse_sms_trailer(trailer).ok_or(ParseError {
            first_line: first,
            last_line: line.no,
            what: "SMS trailer $$<…> without a valid component, time or thread",
        })?;
        Ok(CmRecord {
            first_line: first,
            last_line: line.no,
            layout: Layout::Sms,
            message: whole.get(..at).unwrap_or_default(),
            time: Some(time),
            component: Some(component),
            level: None,
            thread,
            file: None,
        })
    }
}

fn message_only(text: &[u8], first: u64, last: u64) -> CmRecord<'_> {
    CmRecord {
        first_line: first,
        last_line: last,
        layout: Layout::MessageOnly,
        message: text,
        time: None,
        component: None,
        level: None,
        thread: None,
        file: None,
    }
}

fn is_blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<CmRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(line) = self.carry.take().or_else(|| self.read_line()) else {
                let open = self.open.take()?;
                return Some(self.finish(open));
            };
            let text = self.text(line.start, line.end);
            match self.open {
                Some(Open::CmTrace { start, first }) => {
                    if is_cmtrace_start(text) {
                        // A new record begins before the open one was closed.
                        self.carry = Some(line);
                        self.open = None;
                        return Some(Err(ParseError {
                            first_line: first,
                            last_line: line.no.saturating_sub(1).max(first),
                            what: "CMTrace record without its closing ]LOG]!>",
                        }));
                    }
                    if let Some(close) = find_close(text) {
                        self.open = None;
                        return Some(self.cmtrace(start, first, line, close));
                    }
                }
                Some(Open::Dated {
                    start,
                    first,
                    time,
                    msg_start,
                    ..
                }) => {
                    if starts_record(text) {
                        self.carry = Some(line);
                        let open = self.open.take()?;
                        return Some(self.finish(open));
                    }
                    if !is_blank(text) {
                        self.open = Some(Open::Dated {
                            start,
                            end: line.end,
                            first,
                            last: line.no,
                            time,
                            msg_start,
                        });
                    }
                }
                Some(Open::Undated { start, first, .. }) => {
                    if is_sms_line(text) {
                        self.open = None;
                        return Some(self.sms(start, first, line));
                    }
                    if is_blank(text) || starts_record(text) {
                        if !is_blank(text) {
                            self.carry = Some(line);
                        }
                        let open = self.open.take()?;
                        return Some(self.finish(open));
                    }
                    self.open = Some(Open::Undated {
                        start,
                        end: line.end,
                        first,
                        last: line.no,
                    });
                }
                None => {
                    if is_blank(text) {
                        continue;
                    }
                    if is_cmtrace_start(text) {
                        if let Some(close) = find_close(text) {
                            return Some(self.cmtrace(line.start, line.no, line, close));
                        }
                        self.open = Some(Open::CmTrace {
                            start: line.start,
                            first: line.no,
                        });
                        continue;
                    }
                    if is_sms_line(text) {
                        return Some(self.sms(line.start, line.no, line));
                    }
                    if let Some((time, used)) = dated_prefix(text) {
                        self.open = Some(Open::Dated {
                            start: line.start,
                            end: line.end,
                            first: line.no,
                            last: line.no,
                            time,
                            msg_start: line.start + used,
                        });
                        continue;
                    }
                    match self.mode {
                        Mode::CmTrace => {
                            return Some(Err(ParseError {
                                first_line: line.no,
                                last_line: line.no,
                                what: if find_close(text).is_some() {
                                    "end of a CMTrace record whose start is missing"
                                } else {
                                    "text outside any CMTrace record"
                                },
                            }));
                        }
                        Mode::Sms => {
                            self.open = Some(Open::Undated {
                                start: line.start,
                                end: line.end,
                                first: line.no,
                                last: line.no,
                            });
                        }
                        Mode::Plain => {
                            return Some(Ok(message_only(text, line.no, line.no)));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(block: &[u8]) -> Vec<Result<CmRecord<'_>, ParseError>> {
        records(block).collect()
    }

    #[test]
    fn typographic_quotes_of_a_pasted_log_are_quotes() {
        // The same record as a blog renders it: “…” and ″ instead of straight quotes.
        let block = "<![LOG[Successfully completed scan.]LOG]!><time=\u{201D}08:53:44.520+240\u{2033} date=\u{201D}07-14-2021\u{2033} component=\u{201C}WUAHandler\u{201D} context=\u{201D}\u{201D} type=\u{201D}3\u{2033} thread=\u{201D}7308\u{2033} file=\u{201D}cwuahandler.cpp:4317\u{2033}>\r\n";
        let recs = all(block.as_bytes());
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.component, Some(&b"WUAHandler"[..]));
        assert_eq!(a.level, Some(&b"3"[..]));
        assert_eq!(a.time.unwrap().local.to_string(), "2021-07-14T08:53:44.52");
    }

    #[test]
    fn cmtrace_single_and_multi_line() {
        let block = b"\xEF\xBB\xBF<![LOG[Successfully completed scan.]LOG]!><time=\"08:53:44.520+240\" date=\"07-14-2021\" component=\"WUAHandler\" context=\"\" type=\"1\" thread=\"7308\" file=\"cwuahandler.cpp:4317\">\r\n\
<![LOG[Raising event:\r\n\t<CIAssignmentMessage MessageType='Activation'>\r\n</CIAssignmentMessage>']LOG]!><time=\"09:34:11.023+240\" date=\"07-14-2021\" component=\"UpdatesDeploymentAgent\" context=\"\" type=\"3\" thread=\"7696\" file=\"x.cpp:340\">\r\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.layout, Layout::CmTrace);
        assert_eq!(a.message, b"Successfully completed scan.");
        assert_eq!(a.component, Some(&b"WUAHandler"[..]));
        assert_eq!(a.level, Some(&b"1"[..]));
        let t = a.time.unwrap();
        assert_eq!(t.local.to_string(), "2021-07-14T08:53:44.52");
        assert_eq!(t.bias_minutes, Some(240));
        let b = recs[1].as_ref().unwrap();
        assert_eq!((b.first_line, b.last_line), (2, 4));
        assert!(b.message.starts_with(b"Raising event:\r\n\t<CIAssignment"));
        assert!(b.message.ends_with(b"</CIAssignmentMessage>'"));
        assert_eq!(b.file, Some(&b"x.cpp:340"[..]));
    }

    #[test]
    fn sms_lines_and_their_continuations() {
        let block = b"Checking for supported version of WSUS (min WSUS 3.0 SP2 + KB2720211 + KB2734608)~  $$<SMS_WSUS_CONFIGURATION_MANAGER><02-16-2020 01:02:09.094+480><thread=6080 (0x17C0)>\n\
first part of a long message\nsecond part  $$<SMS_WSUS_SYNC_MANAGER><02-16-2020 01:02:10.000-060><thread=12 (0xC)>\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.layout, Layout::Sms);
        assert_eq!(a.component, Some(&b"SMS_WSUS_CONFIGURATION_MANAGER"[..]));
        assert_eq!(a.thread, Some(&b"6080"[..]));
        assert_eq!(a.time.unwrap().bias_minutes, Some(480));
        let b = recs[1].as_ref().unwrap();
        assert_eq!((b.first_line, b.last_line), (2, 3));
        assert_eq!(b.message, b"first part of a long message\nsecond part  ");
        assert_eq!(b.time.unwrap().bias_minutes, Some(-60));
    }

    #[test]
    fn dated_and_message_only_plain_text() {
        let block = b"08-14-2019 08:37:30.102 Synchronizing update 7155376c\n   at continuation\n\n08-14-2019 08:37:30.421 *** second\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.layout, Layout::Dated);
        assert_eq!((a.first_line, a.last_line), (1, 2));
        assert_eq!(
            a.message,
            b" Synchronizing update 7155376c\n   at continuation"
        );
        let only = all(b"line one\n\nline two\r\n");
        assert_eq!(only.len(), 2);
        assert_eq!(only[1].as_ref().unwrap().first_line, 3);
        assert_eq!(only[1].as_ref().unwrap().layout, Layout::MessageOnly);
    }

    #[test]
    fn broken_records_are_errors_not_panics() {
        // Unterminated record followed by a good one.
        let block = b"<![LOG[never closed\nstill open\n<![LOG[ok]LOG]!><time=\"1:02:03.000+000\" date=\"1-2-2020\" component=\"c\" type=\"2\">\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        let e = recs[0].as_ref().unwrap_err();
        assert_eq!((e.first_line, e.last_line), (1, 2));
        assert!(recs[1].is_ok());
        // Truncated mid-record at the end of the file.
        let recs = all(b"<![LOG[cut here");
        assert!(recs[0].is_err());
        // Truncated inside the trailer.
        let recs = all(b"<![LOG[msg]LOG]!><time=\"08:53:44.520+240\" date=\"07-14");
        assert!(recs[0].is_err());
        // Bad date.
        let recs = all(
            b"<![LOG[msg]LOG]!><time=\"08:53:44.520+240\" date=\"13-45-2021\" component=\"x\">",
        );
        assert!(recs[0].is_err());
        // Stray text in a CMTrace block.
        let recs = all(b"garbage\n<![LOG[m]LOG]!><time=\"08:53:44+240\" date=\"07-14-2021\">\n");
        assert!(recs[0].is_err());
        assert!(recs[1].is_ok());
        // A bad SMS trailer.
        let recs = all(b"msg $$<COMP><not a date><thread=1>\n");
        assert!(recs[0].is_err());
    }

    #[test]
    fn line_ending_mixes() {
        // CRLF, LF and a bare CR inside a message: the CR stays in the message, lines split on LF.
        let block = b"<![LOG[a\rb]LOG]!><time=\"08:53:44.520+240\" date=\"07-14-2021\" component=\"c\" type=\"1\">\r\n<![LOG[two]LOG]!><time=\"08:53:45.000+240\" date=\"07-14-2021\" component=\"c\" type=\"1\">\n\r\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].as_ref().unwrap().message, b"a\rb");
        assert_eq!(recs[1].as_ref().unwrap().first_line, 2);
        // Invalid UTF-8 in a message is carried as bytes.
        let recs = all(b"<![LOG[\xff\xfe]LOG]!><time=\"1:02:03+0\" date=\"1-2-2020\">");
        assert_eq!(recs[0].as_ref().unwrap().message, b"\xff\xfe");
    }

    #[test]
    fn dirty_input_never_panics() {
        for input in [
            &b""[..],
            b"\n\n\r\n",
            b"\r",
            b"\xff\xfe\x00\x00<![LOG[",
            b"]LOG]!>",
            b"<![LOG[]LOG]!><",
            b"<![LOG[]LOG]!><time=\"",
            b"<![LOG[]LOG]!><time=\"x\" date=\"y\">",
            b"$$<",
            b"$$<a><",
            b"$$<a><01-01-2020 00:00:00.000+99999><thread=",
            b"01-01-2020 ",
            b"99-99-9999 99:99:99.999 x",
        ] {
            let _ = all(input);
        }
        let big = vec![b'x'; 10 << 20];
        assert_eq!(all(&big).len(), 1);
        let mut big = b"<![LOG[".to_vec();
        big.extend(std::iter::repeat_n(b'y', 10 << 20));
        assert!(all(&big)[0].is_err());
    }

    #[test]
    fn starts_record_shapes() {
        assert!(starts_record(b"<![LOG[x"));
        assert!(starts_record(b"\xEF\xBB\xBF<![LOG[x"));
        assert!(starts_record(
            b"m  $$<C><01-02-2020 01:02:03.000+0><thread=1 (0x1)>"
        ));
        assert!(starts_record(b"08-14-2019 08:37:30.102 x"));
        assert!(!starts_record(b"\t<CIAssignmentMessage>"));
        assert!(!starts_record(b"plain"));
    }
}
