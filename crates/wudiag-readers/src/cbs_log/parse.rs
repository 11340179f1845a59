//! A streaming parser for the servicing-log layout shared by CBS.log, CbsPersist logs and DISM.log:
//! `YYYY-MM-DD HH:MM:SS, <Level> <Component> <message>`, with records that span several lines.
//!
//! It knows the layout and nothing about Windows Update: where records start and end, the written time,
//! the level and component columns, the CSI sequence number and its embedded UTC stamp, and the path
//! prefix that `findstr` puts in front of each line of an extract. The work per line is a handful of byte
//! comparisons at fixed positions, so it runs at memory speed on gigabyte logs.

use std::fmt;

use jiff::civil::DateTime;

use crate::text::trim_cr;
use crate::timestamps;

/// The level column as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `Info`.
    Info,
    /// `Warning`.
    Warning,
    /// `Error`.
    Error,
    /// `Perf`.
    Perf,
    /// Another word (kept in [`Header::level_text`]).
    Other,
}

impl Level {
    /// Reads a level word.
    pub fn from_word(w: &[u8]) -> Self {
        match w {
            b"Info" => Self::Info,
            b"Error" => Self::Error,
            b"Warning" => Self::Warning,
            b"Perf" => Self::Perf,
            _ => Self::Other,
        }
    }

    /// Reads a level word leniently, as excerpts copied from web pages print it (`sInfo`, `ERROR`).
    fn from_word_lenient(w: &[u8]) -> Option<Self> {
        if w.len() > 8 {
            return None;
        }
        let mut b = [0u8; 8];
        for (d, s) in b.iter_mut().zip(w) {
            *d = s.to_ascii_lowercase();
        }
        let lower = b.get(..w.len())?;
        [
            (&b"info"[..], Self::Info),
            (b"error", Self::Error),
            (b"warning", Self::Warning),
            (b"perf", Self::Perf),
        ]
        .into_iter()
        .find(|(word, _)| lower.ends_with(word) && w.len() <= word.len() + 1)
        .map(|(_, l)| l)
    }
}

/// Which program wrote the log: it changes what starts a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// CBS.log, CbsPersist_*.log, `findstr [SR]` extracts.
    Cbs,
    /// DISM.log: also starts a record at the WIMGAPI trace lines (`[1234] [0x8007007b] Func:(12): …`) that
    /// DISM interleaves without a timestamp.
    Dism,
}

/// The parsed first line of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The 19 bytes `YYYY-MM-DD HH:MM:SS` (already checked to be a valid date and time).
    pub stamp: &'a [u8],
    /// The level.
    pub level: Level,
    /// The level word as written.
    pub level_text: &'a [u8],
    /// The component column (`CBS`, `CSI`, `DISM`, `SXS`…); empty when the column is blank.
    pub component: &'a [u8],
    /// The CSI sequence number (`0000001a`), for CSI lines.
    pub csi_seq: Option<u32>,
    /// The UTC stamp a CSI line may carry after its sequence number (`2016/12/4:01:00:25.082`).
    pub csi_utc: Option<&'a [u8]>,
}

impl Header<'_> {
    /// The written (local) time.
    pub fn time(&self) -> Option<DateTime> {
        timestamps::ymd_hms(self.stamp).map(|(t, _)| t)
    }

    /// The UTC time of a CSI line's embedded stamp.
    pub fn utc(&self) -> Option<DateTime> {
        self.csi_utc.and_then(timestamps::ymd_hms).map(|(t, _)| t)
    }
}

/// How a record's first line is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// With a valid timestamp header.
    Stamped,
    /// An excerpt line without timestamp (`Info CBS …`, or plain words).
    Excerpt,
    /// No header at all: the tail of a record cut before the buffer started, or a DISM trace line.
    Bare,
}

/// One record: a first line and the lines that continue it. The header is parsed on demand, so counting
/// records that nobody looks at costs only the line scan.
#[derive(Clone, Copy, Debug)]
pub struct CbsRecord<'a> {
    /// First line number (1-based within the parsed buffer).
    pub first_line: u64,
    /// Last line number.
    pub last_line: u64,
    /// Byte offset of the record in the parsed buffer.
    pub start: usize,
    /// Byte offset just past the record's last line (line ending excluded).
    pub end: usize,
    /// Text before the header on the first line: the source path a `findstr` extract puts there.
    pub prefix: &'a [u8],
    /// The lines after the first, as written (line endings included, the final one removed); empty for
    /// a one-line record.
    pub continuation: &'a [u8],
    /// The first line after the prefix.
    line: &'a [u8],
    shape: Shape,
    level: Level,
}

impl<'a> CbsRecord<'a> {
    /// The parsed header (`None` for a line without one) and the message part of the first line (after
    /// the header and the CSI sequence/stamp).
    pub fn parts(&self) -> (Option<Header<'a>>, &'a [u8]) {
        let (h, at) = match self.shape {
            Shape::Stamped => {
                let (h, at) = split_header(self.line);
                (Some(h), at)
            }
            Shape::Excerpt => excerpt_header(self.line),
            Shape::Bare => (None, 0),
        };
        (h, self.line.get(at..).unwrap_or_default())
    }

    /// The parsed header; `None` for a line without one (an excerpt line without a level word, the tail
    /// of a record cut before the buffer started, a DISM trace line).
    pub fn header(&self) -> Option<Header<'a>> {
        self.parts().0
    }

    /// The message part of the first line.
    pub fn message(&self) -> &'a [u8] {
        self.parts().1
    }

    /// The first line as written (after a `findstr` prefix).
    pub fn first_line_text(&self) -> &'a [u8] {
        self.line
    }

    /// The level (`Info` when the record has no header).
    pub fn level(&self) -> Level {
        self.level
    }

    /// The component, if any.
    pub fn component(&self) -> &'a [u8] {
        self.header().map_or(&[][..], |h| h.component)
    }

    /// The full message: the first line's message, then each continuation line. Continuation lines that
    /// repeat a header (CSI splits long records into chunks that each get a fresh `… Info CSI` prefix)
    /// are joined without a break and without their header; other lines are joined with `\n`.
    pub fn full_message(&self) -> String {
        let message = self.message();
        let mut s = String::with_capacity(message.len() + self.continuation.len());
        s.push_str(&String::from_utf8_lossy(message));
        if self.continuation.is_empty() {
            return s;
        }
        for line in self.continuation.split(|&b| b == b'\n') {
            let line = trim_cr(line);
            if let Some(h) = header_len(line) {
                let body = line.get(h..).unwrap_or_default();
                s.push_str(&String::from_utf8_lossy(body));
            } else {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                s.push('\n');
                s.push_str(&String::from_utf8_lossy(line));
            }
        }
        s
    }
}

/// A record that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// First line of the record.
    pub first_line: u64,
    /// Last line of the record.
    pub last_line: u64,
    /// What is wrong.
    pub what: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.first_line, self.what)
    }
}

impl std::error::Error for ParseError {}

/// The shape of a stamp at the start of `line`: `Some(true)` for a valid `YYYY-MM-DD HH:MM:SS, `,
/// `Some(false)` for the right shape with impossible values (`2016-13-45`), `None` for no stamp. A
/// masked stamp (`20xx-xx-06 xx:51:15,`) is `Some(true)`: the record stands, its time is unknown.
/// Runs once per line: fixed positions in a fixed-size array, no loops.
pub fn stamp_shape(line: &[u8]) -> Option<bool> {
    let s: &[u8; 20] = line.get(..20)?.try_into().ok()?;
    if s[4] != b'-'
        || s[7] != b'-'
        || s[10] != b' '
        || s[13] != b':'
        || s[16] != b':'
        || s[19] != b','
    {
        return None;
    }
    let d = |i: usize| s.get(i).map_or(99, |c| u32::from(c.wrapping_sub(b'0')));
    let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    // A pasted excerpt often masks the time (`20xx-xx-06 xx:51:15,`, `YYYY-MM-DD hh:mm:ss,`): the record
    // is still a record, its time is unknown.
    let masked = |i: usize| {
        s.get(i)
            .is_some_and(|c| b"xXyYMDdhHmsS?#*".contains(c) || c.is_ascii_digit())
    };
    if digits.iter().any(|&i| d(i) > 9) {
        return digits.iter().all(|&i| masked(i)).then_some(true);
    }
    let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    let month = d(5) * 10 + d(6);
    let day = d(8) * 10 + d(9);
    let (hour, minute, second) = (d(11) * 10 + d(12), d(14) * 10 + d(15), d(17) * 10 + d(18));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    };
    Some((1..=days).contains(&day) && hour < 24 && minute < 60 && second < 60 && year >= 1601)
}

/// The level of a line with a valid stamp: one word at column 21 in the usual layout.
fn stamped_level(line: &[u8]) -> Level {
    if line.get(20) == Some(&b' ') && line.get(21).is_some_and(|&b| b != b' ') {
        let w = line.get(21..).unwrap_or_default();
        let n = w
            .iter()
            .take(9)
            .position(|&b| b == b' ' || b == b'\t')
            .unwrap_or(w.len().min(9));
        Level::from_word(w.get(..n).unwrap_or_default())
    } else {
        split_header(line).0.level
    }
}

/// The length of the header (stamp, level, component, CSI sequence/stamp) of a line that has one: the
/// offset where its message starts.
fn header_len(line: &[u8]) -> Option<usize> {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if stamp_shape(line)? {
        let (_, msg) = split_header(line);
        Some(msg)
    } else {
        None
    }
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Splits a line that starts with a valid stamp into its header and the offset of its message.
fn split_header(line: &[u8]) -> (Header<'_>, usize) {
    let stamp = line.get(..19).unwrap_or_default();
    // Level: the word at column 21.
    let mut at = 20;
    while line.get(at) == Some(&b' ') {
        at += 1;
    }
    let level_start = at;
    while line.get(at).is_some_and(|&b| b != b' ' && b != b'\t') {
        at += 1;
    }
    let level_text = line.get(level_start..at).unwrap_or_default();
    let level = Level::from_word(level_text);
    // Component: in the padded layout the level column is 21 wide and the component starts at column 43
    // (blank when the writer gave none); otherwise it is the next word.
    let padded = at <= 42
        && line
            .get(at..42)
            .is_some_and(|s| s.iter().all(|&b| b == b' '));
    let (component, mut at) = if padded {
        if line.get(43) == Some(&b' ') || line.len() <= 43 {
            (&[][..], 43)
        } else {
            let mut e = 43;
            while line.get(e).is_some_and(|&b| b != b' ' && b != b'\t') {
                e += 1;
            }
            (line.get(43..e).unwrap_or_default(), e)
        }
    } else {
        while line.get(at).is_some_and(|&b| b == b' ' || b == b'\t') {
            at += 1;
        }
        let s = at;
        while line
            .get(at)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            at += 1;
        }
        if at - s <= 8 && line.get(at).is_none_or(|&b| b == b' ' || b == b'\t') {
            (line.get(s..at).unwrap_or_default(), at)
        } else {
            (&[][..], s)
        }
    };
    while line.get(at).is_some_and(|&b| b == b' ' || b == b'\t') {
        at += 1;
    }
    let mut csi_seq = None;
    let mut csi_utc = None;
    if component == b"CSI"
        && let Some((seq, used, utc)) = csi_prefix(line.get(at..).unwrap_or_default())
    {
        csi_seq = Some(seq);
        csi_utc = utc;
        at += used;
    }
    (
        Header {
            stamp,
            level,
            level_text,
            component,
            csi_seq,
            csi_utc,
        },
        at.min(line.len()),
    )
}

/// Reads a CSI sequence number (`0000001a ` or `0000001a@2016/12/4:01:00:25.082 `): (seq, bytes used
/// including the following space, UTC stamp).
fn csi_prefix(msg: &[u8]) -> Option<(u32, usize, Option<&[u8]>)> {
    let digits = msg.get(..8)?;
    if !digits.iter().all(|&b| is_hex(b)) {
        return None;
    }
    let seq = digits
        .iter()
        .fold(0u32, |v, &b| (v << 4) | u32::from(hex_val(b)));
    match msg.get(8) {
        Some(b' ') => Some((seq, 9, None)),
        None => Some((seq, 8, None)),
        Some(b'@') => {
            let rest = msg.get(9..).unwrap_or_default();
            let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
            let stamp = rest.get(..end).unwrap_or_default();
            let used = 9 + end + usize::from(end < rest.len());
            Some((seq, used, Some(stamp)))
        }
        Some(_) => None,
    }
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// How a line relates to records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    /// A header with a valid stamp, at `prefix` bytes into the line.
    Start { prefix: usize },
    /// A header-shaped line whose date or time is impossible.
    BadStamp { prefix: usize },
    /// A DISM WIMGAPI trace line (its own record, no header).
    Trace,
    /// Anything else: it continues the record before.
    Continuation,
}

/// Where a `findstr` extract's path prefix (`C:\Windows\Logs\CBS\CbsPersist_2023….log:`) ends.
fn findstr_prefix(line: &[u8]) -> Option<usize> {
    let head = line.get(..line.len().min(400))?;
    let mut from = 0;
    while let Some(rel) = memchr::memmem::find(head.get(from..)?, b":") {
        let colon = from + rel;
        from = colon + 1;
        let Some(before) = colon.checked_sub(4).and_then(|s| head.get(s..colon)) else {
            continue;
        };
        if before.eq_ignore_ascii_case(b".log") && stamp_shape(line.get(colon + 1..)?).is_some() {
            return Some(colon + 1);
        }
    }
    None
}

/// True for a DISM WIMGAPI trace line: `[1234] [0x8007007b] …` or `[1234.5678] [0xc142011c] …`.
fn is_trace_line(line: &[u8]) -> bool {
    if line.first() != Some(&b'[') {
        return false;
    }
    let Some(close) = line.iter().take(24).position(|&b| b == b']') else {
        return false;
    };
    let id = line.get(1..close).unwrap_or_default();
    !id.is_empty()
        && id.iter().all(|&b| b.is_ascii_digit() || b == b'.')
        && line.get(close + 1..close + 5) == Some(b" [0x")
}

fn classify(line: &[u8], dialect: Dialect) -> LineKind {
    let (line, bom) = match line.strip_prefix(b"\xEF\xBB\xBF") {
        Some(l) => (l, 3),
        None => (line, 0),
    };
    let (prefix, shape) = if let Some(ok) = stamp_shape(line) {
        (bom, ok)
    } else {
        let first = line.first().copied().unwrap_or(b' ');
        if first == b' ' || first == b'\t' || first.is_ascii_digit() {
            return LineKind::Continuation;
        }
        if dialect == Dialect::Dism && is_trace_line(line) {
            return LineKind::Trace;
        }
        match findstr_prefix(line) {
            Some(p) => (
                bom + p,
                stamp_shape(line.get(p..).unwrap_or_default()).unwrap_or(false),
            ),
            None => return LineKind::Continuation,
        }
    };
    if !shape {
        return LineKind::BadStamp { prefix };
    }
    // A CSI record longer than the writer's buffer is split into chunks; each chunk after the first gets a
    // fresh header but no sequence number. Such a chunk continues the record before.
    let body = line.get(prefix - bom..).unwrap_or_default();
    if body.get(42..47) == Some(b" CSI ") || body.get(42..46) == Some(b" CSI") {
        // The usual padding puts the sequence number at column 50.
        let seq_ok = body.get(47..50) == Some(b"   ")
            && body
                .get(50..58)
                .is_some_and(|d| d.iter().all(|&b| is_hex(b)))
            && matches!(body.get(58), None | Some(b' ' | b'@'));
        if seq_ok {
            return LineKind::Start { prefix };
        }
        let (h, _) = split_header(body);
        if h.component == b"CSI" && h.csi_seq.is_none() {
            return LineKind::Continuation;
        }
    }
    LineKind::Start { prefix }
}

/// The header of a timestamped line (also behind a `findstr` path prefix), if it has a valid one.
pub fn header_of(line: &[u8]) -> Option<Header<'_>> {
    if let LineKind::Start { prefix } = classify(line, Dialect::Cbs) {
        let body = line.get(prefix..)?;
        Some(split_header(body).0)
    } else {
        // A CSI chunk line has a header too, though it starts no record.
        let l = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        (stamp_shape(l) == Some(true)).then(|| split_header(l).0)
    }
}

/// The level and component of an excerpt line without a timestamp (`Info CBS …`), if it starts with a
/// level word.
pub fn excerpt_header_of(line: &[u8]) -> Option<Header<'_>> {
    excerpt_header(line).0
}

/// True when `line` (without its line ending) starts a record.
pub fn starts_record(line: &[u8], dialect: Dialect) -> bool {
    !matches!(classify(line, dialect), LineKind::Continuation)
}

/// True when any line of `buf` starts a record with a header (a timestamped log, not an excerpt).
pub fn has_header_line(buf: &[u8], dialect: Dialect) -> bool {
    buf.split(|&b| b == b'\n').any(|l| {
        matches!(
            classify(trim_cr(l), dialect),
            LineKind::Start { .. } | LineKind::BadStamp { .. }
        )
    })
}

/// Parses the header of an excerpt line (no timestamp): `Info CBS message`, `Error CSI …`. Lines that do
/// not start with a level word are all message.
fn excerpt_header(line: &[u8]) -> (Option<Header<'_>>, usize) {
    let trimmed_start = line
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(line.len());
    let rest = line.get(trimmed_start..).unwrap_or_default();
    let w_end = rest
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .unwrap_or(rest.len());
    let word = rest.get(..w_end).unwrap_or_default();
    let Some(level) = Level::from_word_lenient(word) else {
        return (None, trimmed_start);
    };
    let mut at = trimmed_start + w_end;
    while line.get(at).is_some_and(|&b| b == b' ' || b == b'\t') {
        at += 1;
    }
    let c_start = at;
    while line
        .get(at)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    {
        at += 1;
    }
    let component = if (2..=8).contains(&(at - c_start))
        && line.get(at).is_none_or(|&b| b == b' ' || b == b'\t')
    {
        line.get(c_start..at).unwrap_or_default()
    } else {
        at = c_start;
        &[][..]
    };
    while line.get(at).is_some_and(|&b| b == b' ' || b == b'\t') {
        at += 1;
    }
    let mut csi_seq = None;
    if component == b"CSI"
        && let Some((seq, used, _)) = csi_prefix(line.get(at..).unwrap_or_default())
    {
        csi_seq = Some(seq);
        at += used;
    }
    (
        Some(Header {
            stamp: &[],
            level,
            level_text: word,
            component,
            csi_seq,
            csi_utc: None,
        }),
        at.min(line.len()),
    )
}

/// Streams the records of `buf`.
///
/// In a timestamped log a record runs from a header line to the line before the next one; lines before
/// the first header form a record of their own (the tail of a record cut off before `buf` started). When
/// `buf` has no header line at all (an excerpt copied from a web page, timestamps stripped), every
/// non-empty line is a record of its own, with no time.
pub struct Records<'a> {
    buf: &'a [u8],
    pos: usize,
    line_no: u64,
    dialect: Dialect,
    excerpt: bool,
    /// The kind of the line at this offset, found while looking for the end of the previous record.
    lookahead: Option<(usize, LineKind)>,
}

impl<'a> Records<'a> {
    /// A parser over `buf` (lines numbered from 1).
    pub fn new(buf: &'a [u8], dialect: Dialect) -> Self {
        let excerpt = !has_header_line(buf, dialect);
        Self::with_mode(buf, dialect, excerpt)
    }

    /// A parser over `buf` with the excerpt mode decided by the caller.
    pub fn with_mode(buf: &'a [u8], dialect: Dialect, excerpt: bool) -> Self {
        Self {
            buf,
            pos: 0,
            line_no: 0,
            dialect,
            excerpt,
            lookahead: None,
        }
    }

    /// Reads the line at `self.pos`: (line without ending, offset of the line end, offset of the next line).
    fn line_at(&self, pos: usize) -> (&'a [u8], usize, usize) {
        let rest = self.buf.get(pos..).unwrap_or_default();
        if let Some(e) = memchr::memchr(b'\n', rest) {
            let end = pos + e;
            let line = trim_cr(self.buf.get(pos..end).unwrap_or_default());
            (line, pos + line.len(), end + 1)
        } else {
            let line = trim_cr(rest);
            (line, pos + line.len(), self.buf.len())
        }
    }

    fn next_excerpt(&mut self) -> Option<CbsRecord<'a>> {
        loop {
            if self.pos >= self.buf.len() {
                return None;
            }
            let start = self.pos;
            let (line, line_end, next) = self.line_at(start);
            self.pos = next;
            self.line_no += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(CbsRecord {
                first_line: self.line_no,
                last_line: self.line_no,
                start,
                end: line_end,
                prefix: &[],
                continuation: &[],
                line,
                shape: Shape::Excerpt,
                level: excerpt_header(line).0.map_or(Level::Info, |h| h.level),
            });
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<CbsRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.excerpt {
            return self.next_excerpt().map(Ok);
        }
        if self.pos >= self.buf.len() {
            return None;
        }
        let start = self.pos;
        let (line, first_end, mut next) = self.line_at(start);
        self.line_no += 1;
        let first_line = self.line_no;
        let kind = match self.lookahead.take() {
            Some((at, kind)) if at == start => kind,
            _ => classify(line, self.dialect),
        };
        // Continuation lines.
        let mut end = first_end;
        while next < self.buf.len() {
            let (l, l_end, l_next) = self.line_at(next);
            let k = classify(l, self.dialect);
            if !matches!(k, LineKind::Continuation) {
                self.lookahead = Some((next, k));
                break;
            }
            self.line_no += 1;
            end = l_end;
            next = l_next;
        }
        self.pos = next;
        let continuation = self
            .buf
            .get(first_end..end)
            .map(|c| c.strip_prefix(b"\r").unwrap_or(c))
            .map(|c| c.strip_prefix(b"\n").unwrap_or(c))
            .unwrap_or_default();
        let last_line = self.line_no;
        let (shape, prefix, body) = match kind {
            LineKind::Start { prefix } => (
                Shape::Stamped,
                line.get(..prefix).unwrap_or_default(),
                line.get(prefix..).unwrap_or_default(),
            ),
            LineKind::BadStamp { .. } => {
                return Some(Err(ParseError {
                    first_line,
                    last_line,
                    what: "the timestamp names an impossible date or time",
                }));
            }
            LineKind::Trace | LineKind::Continuation => (Shape::Bare, &[][..], line),
        };
        let level = match shape {
            Shape::Stamped => stamped_level(body),
            _ => Level::Info,
        };
        Some(Ok(CbsRecord {
            first_line,
            last_line,
            start,
            end,
            prefix,
            continuation,
            line: body,
            shape,
            level,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(buf: &[u8]) -> Vec<CbsRecord<'_>> {
        Records::new(buf, Dialect::Cbs)
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn padded_header() {
        let l = b"2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core";
        let r = recs(l);
        assert_eq!(r.len(), 1);
        let h = r[0].header().unwrap();
        assert_eq!(h.level, Level::Info);
        assert_eq!(h.component, b"CBS");
        assert!(r[0].message().starts_with(b"Loaded Servicing"));
        assert_eq!(h.time().unwrap().to_string(), "2016-09-28T04:30:30");
    }

    #[test]
    fn csi_sequence_and_utc() {
        let l = b"2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize (wcp.dll version 0.0.0.6)";
        let r = recs(l);
        let h = r[0].header().unwrap();
        assert_eq!(h.csi_seq, Some(1));
        assert_eq!(h.utc().unwrap().to_string(), "2016-09-27T20:30:31.455");
        assert!(r[0].message().starts_with(b"WcpInitialize"));
        let l =
            b"2016-09-28 04:30:31, Info                  CSI    0000001a Creating NT transaction";
        let r = recs(l);
        assert_eq!(r[0].header().unwrap().csi_seq, Some(0x1a));
        assert_eq!(r[0].message(), b"Creating NT transaction");
    }

    #[test]
    fn blank_component_and_nested_indent() {
        let l = b"2025-04-26 05:21:55, Info                           Device type: Desktop";
        let r = recs(l);
        assert_eq!(r[0].header().unwrap().component, b"");
        assert_eq!(r[0].message(), b"Device type: Desktop");
    }

    #[test]
    fn continuations_and_bare_lf() {
        let buf = b"2024-07-25 17:03:36, Info                  CSI    000001c9 Hashes for file member [l:9]'a.svg' do not match.\n Expected: {l:32}.\r\n Actual: {l:32}.\r\n2024-07-25 17:03:36, Info                  CSI    000001ca [SR] Cannot repair\r\n";
        let r = recs(buf);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].first_line, r[0].last_line), (1, 3));
        assert_eq!(r[0].continuation, b" Expected: {l:32}.\r\n Actual: {l:32}.");
        assert!(r[0].full_message().ends_with("\n Actual: {l:32}."));
        assert_eq!((r[1].first_line, r[1].last_line), (4, 4));
    }

    #[test]
    fn csi_chunks_join_their_record() {
        let buf = b"  Install (\n2016-10-31 11:25:10, Info                  CSI    5): flags: 0 tlc\n2016-10-31 11:25:11, Info                  CSI    000000eb Over-removing a TLC\n";
        let r = recs(buf);
        assert_eq!(r.len(), 2);
        assert!(r[0].header().is_none());
        assert_eq!(r[0].full_message(), "  Install (5): flags: 0 tlc");
        assert_eq!(r[1].header().unwrap().csi_seq, Some(0xeb));
    }

    #[test]
    fn findstr_prefix_lines() {
        let buf = b"Checking C:\\Windows\\Logs\\CBS\\CbsPersist*.log for SFC entries \r\nC:\\Windows\\Logs\\CBS\\CbsPersist_20230523160236.log:2023-05-23 01:17:29, Info                  CSI    00000006 [SR] Verifying 1 components\r\n";
        let r = recs(buf);
        assert_eq!(r.len(), 2);
        assert!(r[1].prefix.ends_with(b".log:"));
        assert_eq!(r[1].header().unwrap().csi_seq, Some(6));
        assert_eq!(r[1].message(), b"[SR] Verifying 1 components");
    }

    #[test]
    fn excerpts_without_timestamps() {
        let buf = b"Info CBS Store corruption, manifest missing\n\nError CBS Failed to resolve package\n\nsInfo CBS Failed [HRESULT = 0x800f0831]\nplain words\n";
        let r = recs(buf);
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].header().unwrap().level, Level::Error);
        assert_eq!(r[1].header().unwrap().component, b"CBS");
        assert_eq!(r[1].first_line, 3);
        assert_eq!(r[2].header().unwrap().level, Level::Info);
        assert!(r[3].header().is_none());
        assert_eq!(r[3].message(), b"plain words");
    }

    #[test]
    fn bad_stamps_fail_and_dism_traces_start_records() {
        let buf = b"2016-13-45 04:30:30, Info CBS x\n  more\n2016-02-29 04:30:30, Info CBS y\n";
        let r: Vec<_> = Records::new(buf, Dialect::Cbs).collect();
        assert_eq!(r.len(), 2);
        let e = r[0].as_ref().unwrap_err();
        assert_eq!((e.first_line, e.last_line), (1, 2));
        assert!(r[1].is_ok());
        let buf = b"2025-04-26 05:20:57, Info                  DISM   DISM Imaging Provider: PID=7560 TID=9068 x\n[7560.9068] [0x8007007b] FIOReadFileIntoBuffer:(1454): The filename\n[1048] [0xc142011c] WIMGetMountedImageHandle:(2897)\n";
        let r: Vec<_> = Records::new(buf, Dialect::Dism)
            .map(Result::unwrap)
            .collect();
        assert_eq!(r.len(), 3);
        assert!(r[1].header().is_none());
        assert!(r[1].message().starts_with(b"[7560.9068]"));
        assert_eq!(Records::new(buf, Dialect::Cbs).count(), 1);
    }

    #[test]
    fn dirty_input_never_panics() {
        for buf in [
            &b""[..],
            b"\n\n\r\n",
            b"\xff\xfe\x00garbage\x00\n2016-09-28",
            b"2016-09-28 04:30:30,",
            b"2016-09-28 04:30:30, ",
            b"2016-09-28 04:30:30, Info",
            b"2016-09-28 04:30:30, Info                  CSI    0000",
            b"2016-09-28 04:30:30, Info                  CSI    00000001@",
            b"2016-09-28 04:30:30, Info                  CSI    00000001@2016/9/",
            b"\r\r\r2016-09-28 04:30:30, Info CBS a\rb\r\n",
            b"[",
            b"[1] [0x",
            b"x.log:",
            b"x.log:2016-09-28 04:30:30, Info",
        ] {
            for r in Records::new(buf, Dialect::Dism).flatten() {
                let _ = r.full_message();
                let _ = r.header().map(|h| (h.time(), h.utc()));
                let _ = r.level();
            }
            let _ = Records::new(buf, Dialect::Cbs).count();
        }
    }
}
