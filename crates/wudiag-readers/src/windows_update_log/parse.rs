//! A streaming line parser for every WindowsUpdate.log layout. It knows where the time, process, thread,
//! component and message are written, and nothing about what the messages mean (that is `extract.rs`).
//!
//! One line is one record. Blank lines are skipped. A line is never "unparseable" just because it has no
//! timestamp: excerpts pasted into tickets and documentation lose their columns, and such lines are still
//! records ([`Layout::Bare`]). Only two things fail a record:
//! * NUL bytes: the zero-filled region an unclean shutdown leaves in a live classic log. When a proper
//!   record follows the zeros on the same line (the writer went on after the crash), it is read too.
//! * a line shaped like a timestamped record whose date or time is impossible (`2016-13-45 …`).

use std::fmt;

use jiff::civil::DateTime;

use crate::text::trim_cr;
use crate::timestamps;

/// Which layout a line was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Windows XP – 8 / Server 2003 – 2012: `2016-12-04 05:15:47:444 844 76c AU …`, tab separated,
    /// milliseconds after a colon, pid and tid in hex.
    Classic,
    /// Get-WindowsUpdateLog output: `2024/03/12 10:15:12.1234567 1234 5678 Agent …`, pid and tid in decimal.
    GetWindowsUpdateLog,
    /// The same with a dashed date: `2024-04-11 12:48:04.6269606 1980 8444 DownloadManager …`.
    DashedDate,
    /// Raw `tracefmt` output: `[0]12F4.1FE8::09/29/2017-13:45:08.530 [agent]message`, pid and tid in hex.
    Trace,
    /// No time, the component in brackets: `[DownloadManager] BITS job …`.
    Bracketed,
    /// No time: a message alone, perhaps after a component name (`DownloadManager    Error 0x…`), or a
    /// header / banner line of a decoded log.
    Bare,
}

impl Layout {
    /// A short name for messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::GetWindowsUpdateLog => "get-windowsupdatelog",
            Self::DashedDate => "dashed-date",
            Self::Trace => "trace",
            Self::Bracketed => "bracketed",
            Self::Bare => "bare",
        }
    }
}

/// One record of a WindowsUpdate.log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WuRecord<'a> {
    /// 1-based line number within the parsed text.
    pub line: u64,
    /// Layout of the line.
    pub layout: Layout,
    /// Local time as written (no zone is recorded in any layout).
    pub time: Option<DateTime>,
    /// Process id.
    pub pid: Option<u32>,
    /// Thread id.
    pub tid: Option<u32>,
    /// Component tag (`Agent`, `AU`, `DownloadManager`, …).
    pub component: Option<&'a [u8]>,
    /// The message: the rest of the line, trailing whitespace removed.
    pub message: &'a [u8],
}

/// What was wrong with a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The line holds NUL bytes (a zero-filled region); `nuls` of them.
    BinaryData {
        /// NUL bytes on the line.
        nuls: usize,
    },
    /// The line starts like a timestamped record but the date or time is impossible.
    BadTimestamp,
}

/// A line that could not be read as a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number within the parsed text.
    pub line: u64,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::BinaryData { nuls } => write!(
                f,
                "line {}: {nuls} NUL bytes (zero-filled region, typically left by an unclean shutdown)",
                self.line
            ),
            ParseErrorKind::BadTimestamp => {
                write!(
                    f,
                    "line {}: impossible date or time at the start of a record",
                    self.line
                )
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// The fields of one line, before the line number is attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields<'a> {
    /// Layout.
    pub layout: Layout,
    /// Time as written.
    pub time: Option<DateTime>,
    /// Process id.
    pub pid: Option<u32>,
    /// Thread id.
    pub tid: Option<u32>,
    /// Component.
    pub component: Option<&'a [u8]>,
    /// Message.
    pub message: &'a [u8],
}

impl<'a> Fields<'a> {
    const fn at(self, line: u64) -> WuRecord<'a> {
        WuRecord {
            line,
            layout: self.layout,
            time: self.time,
            pid: self.pid,
            tid: self.tid,
            component: self.component,
            message: self.message,
        }
    }

    const fn bare(message: &'a [u8]) -> Self {
        Self {
            layout: Layout::Bare,
            time: None,
            pid: None,
            tid: None,
            component: None,
            message,
        }
    }
}

/// Component names written by the agent, old and new spellings. Used only to recognise a component at the
/// start of a line that lost its time columns; timestamped lines take whatever the column holds.
const KNOWN_COMPONENTS: &[&[u8]] = &[
    b"Agent",
    b"Api",
    b"AU",
    b"AUClnt",
    b"CDM",
    b"CltUI",
    b"CMPRESS",
    b"Comapi",
    b"ComApi",
    b"DataStore",
    b"Deployment",
    b"DnldMgr",
    b"DownloadManager",
    b"Driver",
    b"DriverUtil",
    b"DtaStor",
    b"EEHandler",
    b"EEHndlr",
    b"Handler",
    b"IdleTimer",
    b"IdleTmr",
    b"Metadata",
    b"Misc",
    b"OfflSnc",
    b"Parser",
    b"ProtocolTalker",
    b"PT",
    b"Report",
    b"Reporter",
    b"Service",
    b"Setup",
    b"SetupHlp",
    b"Shared",
    b"Shutdwn",
    b"SLS",
    b"UDP",
    b"WebServices",
    b"WIL",
    b"WS",
    b"WuRedir",
    b"WuTask",
    b"WuWeb",
];

/// True when `token` is a component name the agent writes (case-insensitive).
pub fn is_known_component(token: &[u8]) -> bool {
    KNOWN_COMPONENTS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(token))
}

const fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `b` without its leading spaces and tabs.
pub(crate) fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| is_ws(c)).count();
    b.get(n..).unwrap_or_default()
}

fn trim_end_ws(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rposition(|&c| !is_ws(c) && c != b'\r')
        .map_or(0, |p| p + 1);
    b.get(..n).unwrap_or_default()
}

/// Splits off the first whitespace-delimited token: (token, rest after the token).
fn token(b: &[u8]) -> (&[u8], &[u8]) {
    let n = b.iter().take_while(|&&c| !is_ws(c)).count();
    (
        b.get(..n).unwrap_or_default(),
        b.get(n..).unwrap_or_default(),
    )
}

fn number(tok: &[u8], radix: u32) -> Option<u32> {
    if tok.is_empty() || tok.len() > 8 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in tok {
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'f' if radix == 16 => u32::from(c - b'a' + 10),
            b'A'..=b'F' if radix == 16 => u32::from(c - b'A' + 10),
            _ => return None,
        };
        v = v * radix + d;
    }
    Some(v)
}

fn digit_run(b: &[u8], at: usize) -> usize {
    b.get(at..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

/// If `b` starts with the shape `YYYY?M?D?hh:mm:ss` (any values), returns the offset just past the seconds
/// and the date separator.
#[allow(clippy::many_single_char_names)] // y-m-d h:m:s offsets
fn ymd_shape(b: &[u8]) -> Option<(usize, u8)> {
    if digit_run(b, 0) != 4 {
        return None;
    }
    let sep = *b.get(4)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let m = digit_run(b, 5);
    if !(1..=2).contains(&m) || *b.get(5 + m)? != sep {
        return None;
    }
    let d = digit_run(b, 6 + m);
    if !(1..=2).contains(&d) {
        return None;
    }
    let t = 6 + m + d;
    if !matches!(*b.get(t)?, b' ' | b'\t' | b'T') {
        return None;
    }
    let h = t + 1;
    let ok = digit_run(b, h) == 2
        && b.get(h + 2) == Some(&b':')
        && digit_run(b, h + 3) == 2
        && b.get(h + 5) == Some(&b':')
        && digit_run(b, h + 6) == 2;
    ok.then_some((h + 8, sep))
}

/// True when `b` starts like a timestamped record (classic or decoded layouts, or a trace header).
pub fn starts_with_timestamp(b: &[u8]) -> bool {
    ymd_shape(b).is_some() || trace_header(b).is_some()
}

/// Reads `n` ASCII digits at `at` (already checked by [`ymd_shape`]).
fn num_at(b: &[u8], at: usize, n: usize) -> Option<i32> {
    let mut v = 0i32;
    for &c in b.get(at..at + n)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i32::from(c - b'0');
    }
    Some(v)
}

/// The date and time of a line whose shape [`ymd_shape`] accepted; returns the time and the bytes used
/// (fraction included).
fn ymd_time(line: &[u8], end_of_seconds: usize) -> Option<(DateTime, usize)> {
    let year = num_at(line, 0, 4)?;
    let m = digit_run(line, 5);
    let month = num_at(line, 5, m)?;
    let d = digit_run(line, 6 + m);
    let day = num_at(line, 6 + m, d)?;
    let h = end_of_seconds - 8;
    let (hour, minute, second) = (
        num_at(line, h, 2)?,
        num_at(line, h + 3, 2)?,
        num_at(line, h + 6, 2)?,
    );
    let (nanos, used) = timestamps::fraction(line, end_of_seconds);
    let time = wudiag_evidence::EventTime::civil(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        nanos,
    )?;
    Some((time, end_of_seconds + used))
}

/// Parses a line that starts with `YYYY-MM-DD hh:mm:ss…`.
fn parse_timestamped(line: &[u8], end_of_seconds: usize, date_sep: u8) -> Option<Fields<'_>> {
    let (time, used) = ymd_time(line, end_of_seconds)?;
    let frac_sep = line.get(end_of_seconds).copied();
    let layout = match (date_sep, frac_sep) {
        (b'/', _) => Layout::GetWindowsUpdateLog,
        (_, Some(b'.')) => Layout::DashedDate,
        _ => Layout::Classic,
    };
    let radix = if layout == Layout::Classic { 16 } else { 10 };
    let rest = skip_ws(line.get(used..).unwrap_or_default());
    let (pid_tok, after_pid) = token(rest);
    let after_pid = skip_ws(after_pid);
    let (tid_tok, after_tid) = token(after_pid);
    let mut fields = Fields {
        layout,
        time: Some(time),
        pid: None,
        tid: None,
        component: None,
        message: rest,
    };
    let (Some(pid), Some(tid)) = (
        number(pid_tok, radix).or_else(|| number(pid_tok, 16)),
        number(tid_tok, radix).or_else(|| number(tid_tok, 16)),
    ) else {
        return Some(fields);
    };
    fields.pid = Some(pid);
    fields.tid = Some(tid);
    let after_tid = skip_ws(after_tid);
    let (comp, after_comp) = token(after_tid);
    if is_component_token(comp) {
        fields.component = Some(comp);
        fields.message = skip_ws(after_comp);
    } else {
        // An empty component column (`Unknown( 10): GUID=… (No Format Information found).`) or a banner.
        fields.message = after_tid;
    }
    Some(fields)
}

/// A component column value: a short word (`DownloadManager`, `IdleTmr`, `SetupHlp`).
fn is_component_token(tok: &[u8]) -> bool {
    !tok.is_empty()
        && tok.len() <= 32
        && tok.first().is_some_and(u8::is_ascii_alphabetic)
        && tok
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.')
}

/// A trace header `[cpu]PID.TID::MM/DD/YYYY-hh:mm:ss.fff` at the start of `b`: returns (time, pid, tid,
/// bytes used).
fn trace_header(b: &[u8]) -> Option<(DateTime, u32, u32, usize)> {
    if b.first() != Some(&b'[') {
        return None;
    }
    let cpu = digit_run(b, 1);
    if cpu == 0 || cpu > 3 || b.get(1 + cpu) != Some(&b']') {
        return None;
    }
    let ids_at = 2 + cpu;
    let ids = b.get(ids_at..)?;
    let colons = memchr::memmem::find(ids.get(..ids.len().min(24))?, b"::")?;
    let (pid_hex, tid_hex) = {
        let id_part = ids.get(..colons)?;
        let dot = memchr::memchr(b'.', id_part)?;
        (id_part.get(..dot)?, id_part.get(dot + 1..)?)
    };
    let pid = number(pid_hex, 16)?;
    let tid = number(tid_hex, 16)?;
    let date_at = ids_at + colons + 2;
    let date_region = b.get(date_at..)?;
    let dash = memchr::memchr(b'-', date_region.get(..date_region.len().min(11))?)?;
    let (year, month, day) = timestamps::mdy(date_region.get(..dash)?)?;
    let (hour, minute, second, nanos, used) = timestamps::hms(date_region.get(dash + 1..)?)?;
    let time = wudiag_evidence::EventTime::civil(year, month, day, hour, minute, second, nanos)?;
    Some((time, pid, tid, date_at + dash + 1 + used))
}

fn parse_trace<'a>(
    line: &'a [u8],
    prefix_component: Option<&'a [u8]>,
    start: usize,
) -> Option<Fields<'a>> {
    let body = line.get(start..)?;
    let (time, pid, tid, used) = trace_header(body)?;
    let mut rest = skip_ws(body.get(used..).unwrap_or_default());
    let mut component = prefix_component;
    if let Some((name, after)) = bracketed(rest) {
        if component.is_none() {
            component = Some(name);
        }
        rest = after;
    }
    Some(Fields {
        layout: Layout::Trace,
        time: Some(time),
        pid: Some(pid),
        tid: Some(tid),
        component,
        message: skip_ws(rest),
    })
}

/// `[Name]rest` with a component-like name: (name, rest).
fn bracketed(b: &[u8]) -> Option<(&[u8], &[u8])> {
    if b.first() != Some(&b'[') {
        return None;
    }
    let close = memchr::memchr(b']', b.get(..b.len().min(34))?)?;
    let name = b.get(1..close)?;
    is_component_token(name).then(|| (name, b.get(close + 1..).unwrap_or_default()))
}

/// Parses one line (no line ending, NUL-free). `None` for a blank line.
pub fn parse_line(line: &[u8]) -> Result<Option<Fields<'_>>, ParseErrorKind> {
    let line = trim_end_ws(line);
    let body = skip_ws(line);
    if body.is_empty() {
        return Ok(None);
    }
    if let Some((end, sep)) = ymd_shape(body) {
        return parse_timestamped(body, end, sep)
            .map(Some)
            .ok_or(ParseErrorKind::BadTimestamp);
    }
    if body.first() == Some(&b'[') {
        if let Some(f) = parse_trace(body, None, 0) {
            return Ok(Some(f));
        }
        if let Some((name, rest)) = bracketed(body) {
            return Ok(Some(Fields {
                layout: Layout::Bracketed,
                component: Some(name),
                ..Fields::bare(skip_ws(rest))
            }));
        }
        return Ok(Some(Fields::bare(body)));
    }
    if let Some(f) = pasted(body) {
        return Ok(Some(f));
    }
    let (first, rest) = token(body);
    if is_known_component(first) && !rest.is_empty() {
        let rest = skip_ws(rest);
        // `DownloadManager [0]12F4.1FE8::09/29/2017-13:45:08.530 [agent]…`: a component before a trace header.
        if let Some(f) = parse_trace(rest, Some(first), 0) {
            return Ok(Some(f));
        }
        return Ok(Some(Fields {
            component: Some(first),
            ..Fields::bare(rest)
        }));
    }
    Ok(Some(Fields::bare(body)))
}

/// A date or time as pasted: digits with any separator (`2014-02-21`, `2018.10.21`, `06:32:05:525`,
/// `12:08:50.0121931`) or a placeholder (`YYYY/MM/DD`, `HH:mm:ss:SSS`).
fn stamp_like(tok: &[u8]) -> bool {
    tok.len() >= 5
        && tok.iter().any(|b| matches!(b, b'-' | b'.' | b'/' | b':'))
        && tok
            .iter()
            .all(|b| b.is_ascii_digit() || b"-./:,YMDHhmsSd".contains(b))
}

/// A process or thread id as pasted: 1 to 8 hex digits, or the `PID` / `TID` placeholder.
fn id_like(tok: &[u8]) -> bool {
    (1..=8).contains(&tok.len()) && tok.iter().all(u8::is_ascii_hexdigit)
        || tok.eq_ignore_ascii_case(b"PID")
        || tok.eq_ignore_ascii_case(b"TID")
}

/// A line pasted from a WindowsUpdate.log whose tabs became spaces, whose date was masked or dotted, or
/// whose time was cut off (`2014-02-21    06:32:05:525  860  5bc  Misc  …`, `03E4 1668 Misc …`,
/// `YYYY/MM/DD HH:mm:ss:SSS PID TID Misc …`): the component and message are recovered, the time is left
/// unknown.
fn pasted(body: &[u8]) -> Option<Fields<'_>> {
    let mut rest = body;
    let mut stamps = 0;
    loop {
        let (tok, after) = token(rest);
        if stamps < 2 && stamp_like(tok) {
            stamps += 1;
            rest = skip_ws(after);
        } else {
            break;
        }
    }
    let (pid, after_pid) = token(rest);
    let (tid, after_tid) = token(skip_ws(after_pid));
    if !(id_like(pid) && id_like(tid)) {
        return None;
    }
    let (component, message) = token(skip_ws(after_tid));
    if !is_known_component(component) {
        return None;
    }
    Some(Fields {
        component: Some(component),
        ..Fields::bare(skip_ws(message))
    })
}

/// Iterates over the records of a block of text (lines numbered from 1).
pub struct Records<'a> {
    rest: &'a [u8],
    line_no: u64,
    /// The remainder of the current physical line still to be read (after a bare CR or a NUL run).
    pending: Option<&'a [u8]>,
    /// The text holds NUL bytes somewhere (checked once for the whole text, then per line).
    has_nul: bool,
    /// The text holds a CR that does not end a line (checked once, then per line).
    has_bare_cr: bool,
}

impl<'a> Records<'a> {
    /// Records of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        // A CRLF text has as many CRs as LFs; any other count means some CR ends no line. (A text with
        // one bare CR and one LF-only line escapes this test: its bare CR is then kept in the message.)
        let crs = memchr::memchr_iter(b'\r', text).count();
        let lfs = memchr::memchr_iter(b'\n', text).count();
        Self {
            rest: text,
            line_no: 0,
            pending: None,
            has_nul: memchr::memchr(0, text).is_some(),
            has_bare_cr: crs > 0 && crs != lfs,
        }
    }

    /// The next physical line, without its line ending.
    fn next_line(&mut self) -> Option<&'a [u8]> {
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
        Some(trim_cr(line))
    }

    /// Reads one segment of a physical line: up to a bare CR that starts another timestamped record.
    fn segment(&mut self, seg: &'a [u8]) -> Option<Result<WuRecord<'a>, ParseError>> {
        let line_no = self.line_no;
        // NUL bytes: fail this record; read on after the last NUL if a proper record follows.
        if let Some(first_nul) = self.has_nul.then(|| memchr::memchr(0, seg)).flatten() {
            let last_nul = memchr::memrchr(0, seg).unwrap_or(first_nul);
            let nuls = bytecount_nul(seg);
            let after = seg.get(last_nul + 1..).unwrap_or_default();
            if starts_with_timestamp(skip_ws(after)) {
                self.pending = Some(after);
            }
            return Some(Err(ParseError {
                line: line_no,
                kind: ParseErrorKind::BinaryData { nuls },
            }));
        }
        let (this, next) = if self.has_bare_cr {
            split_at_bare_cr(seg)
        } else {
            (seg, None)
        };
        if let Some(next) = next {
            self.pending = Some(next);
        }
        match parse_line(this) {
            Ok(Some(f)) => Some(Ok(f.at(line_no))),
            Ok(None) => None,
            Err(kind) => Some(Err(ParseError {
                line: line_no,
                kind,
            })),
        }
    }
}

fn bytecount_nul(b: &[u8]) -> usize {
    memchr::memchr_iter(0, b).count()
}

/// Splits `seg` at the first bare CR that is followed by a timestamped record (old writers and pasted
/// text sometimes end lines with CR alone).
fn split_at_bare_cr(seg: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'\r', seg.get(from..).unwrap_or_default()) {
        let at = from + rel;
        let after = seg.get(at + 1..).unwrap_or_default();
        if starts_with_timestamp(after) {
            return (seg.get(..at).unwrap_or_default(), Some(after));
        }
        from = at + 1;
    }
    (seg, None)
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<WuRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let seg = match self.pending.take() {
                Some(p) => p,
                None => self.next_line()?,
            };
            if let Some(item) = self.segment(seg) {
                return Some(item);
            }
        }
    }
}

/// Parses every record of `text`.
pub fn records(text: &[u8]) -> Records<'_> {
    Records::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> WuRecord<'_> {
        let mut r = records(line.as_bytes());
        let rec = r.next().unwrap().unwrap();
        assert!(r.next().is_none());
        rec
    }

    fn s(b: Option<&[u8]>) -> Option<&str> {
        b.map(|b| std::str::from_utf8(b).unwrap())
    }

    #[test]
    fn pasted_lines_keep_component_and_message() {
        for line in [
            &b"2014-02-21    06:32:05:525     860    5bc    Misc    WARNING: Send failed with hr = 80072efd."[..],
            b"03E4 1668 Misc WARNING: Send failed with hr = 80072efd.",
            b"2018.10.21 12:08:50.0121931 1276 3628 Misc WARNING: Send failed with hr = 80072efd.",
            b"YYYY/MM/DD HH:mm:ss:SSS PID TID Misc WARNING: Send failed with hr = 80072efd.",
        ] {
            let f = parse_line(line).unwrap().unwrap();
            assert_eq!(f.component, Some(&b"Misc"[..]), "{}", String::from_utf8_lossy(line));
            assert_eq!(f.message, b"WARNING: Send failed with hr = 80072efd.");
        }
        // A message that merely starts with two hex-looking words is not a prefix.
        let f = parse_line(b"Added update 12345 to search result")
            .unwrap()
            .unwrap();
        assert_eq!(f.component, None);
    }

    #[test]
    fn classic_tab_separated() {
        let r = one(
            "2021-08-28\t03:07:48:216\t 648\t13bc\tService\t**  END  **  Service: Service exit [Exit code = 0x240001]\r\n",
        );
        assert_eq!(r.layout, Layout::Classic);
        assert_eq!(r.time.unwrap().to_string(), "2021-08-28T03:07:48.216");
        assert_eq!((r.pid, r.tid), (Some(0x648), Some(0x13bc)));
        assert_eq!(s(r.component), Some("Service"));
        assert_eq!(
            r.message,
            b"**  END  **  Service: Service exit [Exit code = 0x240001]"
        );
    }

    #[test]
    fn classic_spaces_collapsed_and_reinserted_tabs() {
        let r = one(
            "2015-10-30 17:12:54:073 880 1160 WS FATAL: OnCallFailure failed with hr=0X80244007",
        );
        assert_eq!(r.layout, Layout::Classic);
        assert_eq!((r.pid, r.tid), (Some(0x880), Some(0x1160)));
        assert_eq!(s(r.component), Some("WS"));
        assert_eq!(r.message, b"FATAL: OnCallFailure failed with hr=0X80244007");
        let r = one("2008-07-01\t10:30:59:239\t1116\t308\tPT\tWARNING: PTError: 0x80244022");
        assert_eq!(
            (r.pid, r.tid, s(r.component)),
            (Some(0x1116), Some(0x308), Some("PT"))
        );
        let r = one("2016-12-04 05:15:47:444 844 76c AU # Exit code = 0x8024000C");
        assert_eq!((r.pid, r.tid), (Some(0x844), Some(0x76c)));
        assert_eq!(r.message, b"# Exit code = 0x8024000C");
    }

    #[test]
    fn decoded_layouts() {
        let r = one("2024/03/12 10:15:12.1234567 1234 5678 Agent WSUS server: http://wsus:8530");
        assert_eq!(r.layout, Layout::GetWindowsUpdateLog);
        assert_eq!(r.time.unwrap().to_string(), "2024-03-12T10:15:12.1234567");
        assert_eq!((r.pid, r.tid), (Some(1234), Some(5678)));
        assert_eq!(s(r.component), Some("Agent"));
        let r = one(
            "2024-04-11 12:48:04.6544439 13988 14228 Handler         wuaucltcore.exe launched ",
        );
        assert_eq!(r.layout, Layout::DashedDate);
        assert_eq!((r.pid, r.tid), (Some(13988), Some(14228)));
        assert_eq!(r.message, b"wuaucltcore.exe launched");
        // The template form of the docs: slashes and a colon before milliseconds.
        let r = one("2018/08/06 09:33:31:085 480 1118 ProtocolTalker *FAILED* [80070426] x");
        assert_eq!(r.layout, Layout::GetWindowsUpdateLog);
        assert_eq!(r.pid, Some(480));
    }

    #[test]
    fn unknown_format_lines_have_no_component() {
        let r = one(
            "1601/01/01 03:00:00.0000000 1000  1116                  Unknown( 10): GUID=5e0ee4cc-3618-f43a-06ca-9d3b0dabc11a (No Format Information found).",
        );
        assert_eq!(r.component, None);
        assert!(r.message.starts_with(b"Unknown( 10): GUID="));
        let r = one(
            "Unknown( 11): GUID=37753236-c81f-505e-d40a-128d3bb2b5ff (No Format Information found).",
        );
        assert_eq!((r.layout, r.component), (Layout::Bare, None));
    }

    #[test]
    fn trace_and_bracket_and_bare_styles() {
        let r = one(
            "[0]12F4.1FE8::09/29/2017-13:45:08.530 [agent]DO job {C6E2F6DC-5B78-4608-B6F1-0678C23614BD} hit a transient error",
        );
        assert_eq!(r.layout, Layout::Trace);
        assert_eq!((r.pid, r.tid), (Some(0x12F4), Some(0x1FE8)));
        assert_eq!(r.time.unwrap().to_string(), "2017-09-29T13:45:08.53");
        assert_eq!(s(r.component), Some("agent"));
        assert!(r.message.starts_with(b"DO job"));
        let r = one(
            "DownloadManager [0]12F4.1FE8::09/29/2017-13:45:08.530 [agent]DO job x, error = 0x80D0000A ",
        );
        assert_eq!(
            (r.layout, s(r.component)),
            (Layout::Trace, Some("DownloadManager"))
        );
        let r = one(
            "[DownloadManager] BITS job {A4AC06DD-D6E6-4420-8720-7407734FDAF2} hit a transient error",
        );
        assert_eq!(
            (r.layout, s(r.component)),
            (Layout::Bracketed, Some("DownloadManager"))
        );
        assert!(r.message.starts_with(b"BITS job"));
        let r = one(
            "DownloadManager    Error 0x800706d9 occurred while downloading update; notifying dependent calls. ",
        );
        assert_eq!(
            (r.layout, s(r.component)),
            (Layout::Bare, Some("DownloadManager"))
        );
        assert_eq!(
            r.message,
            b"Error 0x800706d9 occurred while downloading update; notifying dependent calls."
        );
        let r = one("Windows Update log produced on a machine");
        assert_eq!((r.layout, r.component, r.time), (Layout::Bare, None, None));
        let r = one("===========");
        assert_eq!(r.message, b"===========");
    }

    #[test]
    fn blank_lines_are_skipped_and_numbering_kept() {
        let text = b"\r\n   \n2016-12-04 05:15:47:444 844 76c AU x\n\n";
        let all: Vec<_> = records(text).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].as_ref().unwrap().line, 3);
    }

    #[test]
    fn bad_input_fails_records_without_panicking() {
        let all: Vec<_> = records(b"2016-13-45 05:15:47:444 844 76c AU x\n").collect();
        assert!(matches!(&all[0], Err(e) if e.kind == ParseErrorKind::BadTimestamp));
        // A zero-filled region, then the writer went on on the same line.
        let all: Vec<_> =
            records(b"\0\0\0\0\0\x32016-12-04 05:15:47:444 844 76c AU after crash\n").collect();
        assert_eq!(all.len(), 2);
        assert!(matches!(&all[0], Err(e) if e.kind == ParseErrorKind::BinaryData { nuls: 5 }));
        assert_eq!(all[1].as_ref().unwrap().message, b"after crash");
        // Bare CR between two records.
        let all: Vec<_> = records(
            b"2016-12-04 05:15:47:444 844 76c AU one\r2016-12-04 05:15:48:444 844 76c AU two\r\nthree\rfour\n",
        )
        .collect();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].as_ref().unwrap().message, b"two");
        assert_eq!(all[2].as_ref().unwrap().message, b"three\rfour");
        // Truncated mid-record, invalid UTF-8, garbage.
        for junk in [
            &b"2016-12-04 05:15:4"[..],
            b"2016-12-04 05:15:47:444",
            b"2016-12-04 05:15:47:444 844",
            b"\xff\xfe\x80garbage\xc3",
            b"[0]12F4.1FE8::13/45/2017-13:45:08.530 x",
            b"[0]ZZZZ.1FE8::09/29/2017-1",
            b"[",
            b"[]",
            b"2016/",
        ] {
            for r in records(junk) {
                let _ = r;
            }
        }
        let r = one("2016-12-04 05:15:47:444 844");
        assert_eq!((r.pid, r.component), (None, None));
    }

    #[test]
    fn huge_line() {
        let mut line = b"2024/03/12 10:15:12.1234567 1234 5678 Agent ".to_vec();
        line.extend(std::iter::repeat_n(b'x', 10 << 20));
        let r = records(&line).next().unwrap().unwrap();
        assert_eq!(r.message.len(), 10 << 20);
    }
}
