//! A streaming parser for W3C extended logs as IIS and HTTP.sys write them (`u_ex*.log`, `httperr*.log`).
//! It knows the layout (directives, the `#Fields:` column list, space-separated values) and nothing
//! about WSUS.
//!
//! The latest `#Fields:` directive decides the columns and may change mid-file. A block that starts
//! without one (a file cut into blocks) is read with the default IIS or HTTP.sys field set when the column
//! count matches, and otherwise by the shape of the values (date, time, an HTTP verb followed by the URI,
//! then three numbers for status, sub-status and Win32 status — the order IIS always writes them in).

use std::fmt;

use jiff::civil::DateTime;

use crate::text::trim_cr;
use crate::timestamps;

/// Most columns a line may have; more are ignored.
pub const MAX_COLUMNS: usize = 48;

/// The default field set of IIS W3C logs.
pub const IIS_DEFAULT_FIELDS: &str = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";
/// The field set of HTTP.sys error logs.
pub const HTTPERR_DEFAULT_FIELDS: &str = "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename";
/// The HTTP.sys field set of older Windows versions (no `streamid`).
pub const HTTPERR_OLD_FIELDS: &str = "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename";

/// The fields this parser reads, as indexes into [`IisRecord`]'s values.
mod field {
    pub(super) const DATE: u8 = 1;
    pub(super) const TIME: u8 = 2;
    pub(super) const METHOD: u8 = 3;
    pub(super) const URI_STEM: u8 = 4;
    pub(super) const URI: u8 = 5;
    pub(super) const QUERY: u8 = 6;
    pub(super) const STATUS: u8 = 7;
    pub(super) const SUBSTATUS: u8 = 8;
    pub(super) const WIN32: u8 = 9;
    pub(super) const TIME_TAKEN: u8 = 10;
    pub(super) const USER_AGENT: u8 = 11;
    pub(super) const CLIENT_IP: u8 = 12;
    pub(super) const SITE: u8 = 13;
    pub(super) const REASON: u8 = 14;
    pub(super) const QUEUE: u8 = 15;
    pub(super) const COUNT: usize = 15;
}

/// Where each known field sits in a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// How many fields the header lists.
    pub count: usize,
    /// For each column (up to [`MAX_COLUMNS`]), the field it holds (0: one this parser ignores).
    slots: Slots,
    date: Option<usize>,
    time: Option<usize>,
    method: Option<usize>,
    uri_stem: Option<usize>,
    uri: Option<usize>,
    query: Option<usize>,
    status: Option<usize>,
    substatus: Option<usize>,
    win32: Option<usize>,
    time_taken: Option<usize>,
    user_agent: Option<usize>,
    client_ip: Option<usize>,
    site: Option<usize>,
    reason: Option<usize>,
    queue: Option<usize>,
}

/// Column → field map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slots([u8; MAX_COLUMNS]);

impl Default for Slots {
    fn default() -> Self {
        Self([0; MAX_COLUMNS])
    }
}

impl Columns {
    /// Fills the column → field map from the named indexes.
    fn with_slots(mut self) -> Self {
        let named = [
            (self.date, field::DATE),
            (self.time, field::TIME),
            (self.method, field::METHOD),
            (self.uri_stem, field::URI_STEM),
            (self.uri, field::URI),
            (self.query, field::QUERY),
            (self.status, field::STATUS),
            (self.substatus, field::SUBSTATUS),
            (self.win32, field::WIN32),
            (self.time_taken, field::TIME_TAKEN),
            (self.user_agent, field::USER_AGENT),
            (self.client_ip, field::CLIENT_IP),
            (self.site, field::SITE),
            (self.reason, field::REASON),
            (self.queue, field::QUEUE),
        ];
        for (col, id) in named {
            if let Some(slot) = col.and_then(|c| self.slots.0.get_mut(c)) {
                *slot = id;
            }
        }
        self
    }

    /// Reads a `#Fields:` list.
    pub fn from_fields(fields: &[u8]) -> Self {
        let mut c = Self::default();
        for (i, name) in fields
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|f| !f.is_empty())
            .enumerate()
        {
            c.count = i + 1;
            let is = |known: &[u8]| name.eq_ignore_ascii_case(known);
            let slot = if is(b"date") {
                &mut c.date
            } else if is(b"time") {
                &mut c.time
            } else if is(b"cs-method") {
                &mut c.method
            } else if is(b"cs-uri-stem") {
                &mut c.uri_stem
            } else if is(b"cs-uri") {
                &mut c.uri
            } else if is(b"cs-uri-query") {
                &mut c.query
            } else if is(b"sc-status") {
                &mut c.status
            } else if is(b"sc-substatus") {
                &mut c.substatus
            } else if is(b"sc-win32-status") {
                &mut c.win32
            } else if is(b"time-taken") {
                &mut c.time_taken
            } else if is(b"cs(user-agent)") {
                &mut c.user_agent
            } else if is(b"c-ip") {
                &mut c.client_ip
            } else if is(b"s-sitename") || is(b"s-siteid") {
                &mut c.site
            } else if is(b"s-reason") {
                &mut c.reason
            } else if is(b"s-queuename") {
                &mut c.queue
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(i);
            }
        }
        c.with_slots()
    }

    /// True for HTTP.sys error-log columns.
    pub const fn is_httperr(&self) -> bool {
        self.reason.is_some()
    }

    /// Columns guessed from the values of a line of a block that has no `#Fields:` header.
    fn guess(values: &[&[u8]]) -> Self {
        let mut c = Self {
            count: values.len(),
            ..Self::default()
        };
        if values.first().is_some_and(|v| is_date(v)) {
            c.date = Some(0);
        }
        if values
            .get(1)
            .is_some_and(|v| v.len() == 8 && v.get(2) == Some(&b':'))
        {
            c.time = Some(1);
        }
        let Some(m) = values.iter().position(|v| is_method(v)) else {
            return c.with_slots();
        };
        c.method = Some(m);
        c.uri_stem = Some(m + 1);
        // The first run of three numbers after the URI: status, sub-status, Win32 status.
        let num = |i: usize| values.get(i).is_some_and(|v| is_number(v));
        if let Some(s) = (m + 2..values.len()).find(|&i| {
            values.get(i).is_some_and(|v| v.len() == 3 && is_number(v)) && num(i + 1) && num(i + 2)
        }) {
            c.status = Some(s);
            c.substatus = Some(s + 1);
            c.win32 = Some(s + 2);
            if num(s + 3) && s + 3 == values.len() - 1 {
                c.time_taken = Some(s + 3);
            }
        }
        c.with_slots()
    }
}

fn is_date(v: &[u8]) -> bool {
    v.len() == 10 && v.get(4) == Some(&b'-') && v.get(7) == Some(&b'-')
}

fn is_number(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(u8::is_ascii_digit)
}

fn is_method(v: &[u8]) -> bool {
    matches!(
        v,
        b"GET"
            | b"POST"
            | b"HEAD"
            | b"PUT"
            | b"DELETE"
            | b"OPTIONS"
            | b"PATCH"
            | b"TRACE"
            | b"CONNECT"
            | b"BITS_POST"
            | b"PROPFIND"
    )
}

/// One request line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IisRecord<'a> {
    /// Line number (1-based within the block).
    pub line: u64,
    /// True when the columns are those of an HTTP.sys error log.
    pub httperr: bool,
    /// The values of the fields read, by field id - 1 (empty: not in the line).
    values: [&'a [u8]; field::COUNT],
    /// The date of the last `#Date:` directive, for lines without a `date` column.
    header_date: Option<(i16, i8, i8)>,
}

fn dash_none(v: &[u8]) -> Option<&[u8]> {
    (!v.is_empty() && v != b"-").then_some(v)
}

fn number<T: TryFrom<u64>>(v: &[u8]) -> Option<T> {
    if !is_number(v) || v.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        n = n * 10 + u64::from(b - b'0');
    }
    T::try_from(n).ok()
}

impl<'a> IisRecord<'a> {
    fn value(&self, id: u8) -> Option<&'a [u8]> {
        self.values
            .get(usize::from(id).checked_sub(1)?)
            .copied()
            .and_then(dash_none)
    }

    /// `sc-status`, when written (HTTP.sys writes `-` for dropped connections).
    pub fn status(&self) -> Option<u16> {
        self.value(field::STATUS).and_then(number)
    }

    /// `sc-substatus`.
    pub fn substatus(&self) -> Option<u16> {
        self.value(field::SUBSTATUS).and_then(number)
    }

    /// `sc-win32-status`.
    pub fn win32_status(&self) -> Option<u32> {
        self.value(field::WIN32).and_then(number)
    }

    /// `time-taken` in milliseconds.
    pub fn time_taken(&self) -> Option<u64> {
        self.value(field::TIME_TAKEN).and_then(number)
    }

    /// `cs-method`.
    pub fn method(&self) -> Option<&'a [u8]> {
        self.value(field::METHOD)
    }

    /// The request path: `cs-uri-stem`, or the path part of HTTP.sys `cs-uri`.
    pub fn path(&self) -> Option<&'a [u8]> {
        if let Some(stem) = self.value(field::URI_STEM) {
            return Some(stem);
        }
        let uri = self.value(field::URI)?;
        // `http://host:8530/ClientWebService/client.asmx` → `/ClientWebService/client.asmx`.
        let path = match memchr::memmem::find(uri, b"://") {
            Some(at) => {
                let after = uri.get(at + 3..)?;
                let slash = memchr::memchr(b'/', after).unwrap_or(after.len());
                after.get(slash..)?
            }
            None => uri,
        };
        let end = memchr::memchr(b'?', path).unwrap_or(path.len());
        path.get(..end)
    }

    /// `cs-uri-query`.
    pub fn query(&self) -> Option<&'a [u8]> {
        self.value(field::QUERY)
    }

    /// `cs(User-Agent)` (spaces are written as `+`).
    pub fn user_agent(&self) -> Option<&'a [u8]> {
        self.value(field::USER_AGENT)
    }

    /// `c-ip`.
    pub fn client_ip(&self) -> Option<&'a [u8]> {
        self.value(field::CLIENT_IP)
    }

    /// `s-sitename` / `s-siteid`.
    pub fn site(&self) -> Option<&'a [u8]> {
        self.value(field::SITE)
    }

    /// HTTP.sys `s-reason` (`AppOffline`, `QueueFull`, `Connection_Dropped`…).
    pub fn reason(&self) -> Option<&'a [u8]> {
        self.value(field::REASON)
    }

    /// HTTP.sys `s-queuename` (the application pool).
    pub fn queue(&self) -> Option<&'a [u8]> {
        self.value(field::QUEUE)
    }

    /// The request time (UTC), from `date` + `time`, or the `#Date:` directive + `time`.
    pub fn time(&self) -> Result<Option<DateTime>, &'static str> {
        let Some(clock) = self.value(field::TIME) else {
            return Ok(None);
        };
        let (y, mo, d) = match self.value(field::DATE) {
            Some(date) => {
                let mut joined = [0u8; 40];
                let n = date.len() + 1 + clock.len();
                let Some(buf) = joined.get_mut(..n) else {
                    return Err("date or time value too long");
                };
                if let Some(p) = buf.get_mut(..date.len()) {
                    p.copy_from_slice(date);
                }
                if let Some(p) = buf.get_mut(date.len()) {
                    *p = b' ';
                }
                if let Some(p) = buf.get_mut(date.len() + 1..) {
                    p.copy_from_slice(clock);
                }
                return timestamps::ymd_hms(buf)
                    .filter(|(_, used)| *used == n)
                    .map(|(dt, _)| Some(dt))
                    .ok_or("date or time is not a valid time");
            }
            None => self
                .header_date
                .ok_or("time without a date column or #Date directive")?,
        };
        let (hour, minute, second, nanos, used) =
            timestamps::hms(clock).ok_or("time is not a valid time")?;
        if used != clock.len() {
            return Err("time is not a valid time");
        }
        wudiag_evidence::EventTime::civil(y, mo, d, hour, minute, second, nanos)
            .map(Some)
            .ok_or("#Date directive is not a valid date")
    }
}

/// A line that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Line number.
    pub line: u64,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

impl std::error::Error for ParseError {}

/// True for the directives that open a header (`#Software:`, `#Fields:`); blocks are cut before them.
pub fn starts_header(line: &[u8]) -> bool {
    line.starts_with(b"#Software") || line.starts_with(b"#Fields")
}

/// Iterator over the request lines of a block.
pub struct Records<'a> {
    block: &'a [u8],
    pos: usize,
    line_no: u64,
    columns: Option<Columns>,
    /// Columns guessed for a block without a header, reused while the column count holds.
    inferred: Option<Columns>,
    header_date: Option<(i16, i8, i8)>,
}

/// The default field sets, parsed once.
static DEFAULTS: std::sync::LazyLock<[Columns; 3]> = std::sync::LazyLock::new(|| {
    [
        Columns::from_fields(IIS_DEFAULT_FIELDS.as_bytes()),
        Columns::from_fields(HTTPERR_DEFAULT_FIELDS.as_bytes()),
        Columns::from_fields(HTTPERR_OLD_FIELDS.as_bytes()),
    ]
});

/// Parses the request lines of `block` (lines numbered from 1).
pub fn records(block: &[u8]) -> Records<'_> {
    Records {
        block,
        pos: 0,
        line_no: 0,
        columns: None,
        inferred: None,
        header_date: None,
    }
}

/// The space-separated values of a line (runs of spaces count as one).
struct Tokens<'a> {
    line: &'a [u8],
    spaces: memchr::Memchr<'a>,
    start: usize,
    done: bool,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            if self.done {
                return None;
            }
            let end = self.spaces.next().unwrap_or_else(|| {
                self.done = true;
                self.line.len()
            });
            let start = std::mem::replace(&mut self.start, end + 1);
            if end > start {
                return self.line.get(start..end);
            }
        }
    }
}

fn tokens(line: &[u8]) -> Tokens<'_> {
    Tokens {
        line,
        spaces: memchr::memchr_iter(b' ', line),
        start: 0,
        done: false,
    }
}

/// Puts the values of `line` into field slots; returns them and the number of values.
fn pick<'a>(line: &'a [u8], columns: &Columns) -> ([&'a [u8]; field::COUNT], usize) {
    let mut values: [&[u8]; field::COUNT] = [&[]; field::COUNT];
    let mut n = 0;
    for tok in tokens(line) {
        let id = columns.slots.0.get(n).copied().unwrap_or(0);
        if let Some(v) = usize::from(id)
            .checked_sub(1)
            .and_then(|i| values.get_mut(i))
        {
            *v = tok;
        }
        n += 1;
    }
    (values, n)
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<IisRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.pos >= self.block.len() {
                return None;
            }
            let rest = self.block.get(self.pos..).unwrap_or_default();
            let (end, next) = match memchr::memchr(b'\n', rest) {
                Some(e) => (self.pos + e, self.pos + e + 1),
                None => (self.block.len(), self.block.len()),
            };
            let line = trim_cr(self.block.get(self.pos..end).unwrap_or_default());
            self.pos = next;
            self.line_no += 1;
            if line.trim_ascii().is_empty() {
                continue;
            }
            if let Some(directive) = line.strip_prefix(b"#") {
                if let Some(fields) = directive.strip_prefix(b"Fields:") {
                    self.columns = Some(Columns::from_fields(fields));
                } else if let Some(date) = directive.strip_prefix(b"Date:") {
                    self.header_date = timestamps::ymd_hms(date.trim_ascii())
                        .map(|(dt, _)| (dt.year(), dt.month(), dt.day()));
                }
                continue;
            }
            let columns = if let Some(c) = self.columns {
                c
            } else if let Some(c) = self.inferred {
                // The columns the previous line of this headerless block had; checked below.
                c
            } else {
                let n = tokens(line).count();
                if n > MAX_COLUMNS {
                    return Some(Err(ParseError {
                        line: self.line_no,
                        what: format!("{n} values: more than the {MAX_COLUMNS} columns read"),
                    }));
                }
                let known = DEFAULTS.iter().find(|c| c.count == n).copied();
                if let Some(c) = known.or(self.inferred.filter(|c| c.count == n)) {
                    c
                } else {
                    let values: Vec<&[u8]> = tokens(line).collect();
                    let guessed = Columns::guess(&values);
                    if guessed.status.is_none() {
                        return Some(Err(ParseError {
                            line: self.line_no,
                            what: "no #Fields directive before this line, and its values do not look like a request".into(),
                        }));
                    }
                    self.inferred = Some(guessed);
                    guessed
                }
            };
            let (mut values, mut n) = pick(line, &columns);
            let mut columns = columns;
            if n != columns.count && self.columns.is_none() {
                // A headerless line whose shape differs from the previous one: decide again.
                self.inferred = None;
                let known = DEFAULTS.iter().find(|c| c.count == n).copied();
                let found = known.or_else(|| {
                    let all: Vec<&[u8]> = tokens(line).collect();
                    Some(Columns::guess(&all)).filter(|g| g.status.is_some() && n <= MAX_COLUMNS)
                });
                if let Some(c) = found {
                    columns = c;
                    (values, n) = pick(line, &columns);
                }
            }
            if self.columns.is_none() && n == columns.count {
                self.inferred = Some(columns);
            }
            if n != columns.count {
                let what = if self.columns.is_some() {
                    format!(
                        "{n} values where the #Fields directive lists {}",
                        columns.count
                    )
                } else {
                    format!(
                        "no #Fields directive before this line, and its {n} values match no known field set"
                    )
                };
                return Some(Err(ParseError {
                    line: self.line_no,
                    what,
                }));
            }
            return Some(Ok(IisRecord {
                line: self.line_no,
                httperr: columns.is_httperr(),
                values,
                header_date: self.header_date,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(block: &[u8]) -> Vec<Result<IisRecord<'_>, ParseError>> {
        records(block).collect()
    }

    #[test]
    fn header_decides_columns_and_may_change() {
        let block = b"#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2024-03-12 00:00:01\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n\
2024-03-12 10:15:12 10.0.0.10 POST /ClientWebService/client.asmx - 8530 - 10.0.0.55 Windows-Update-Agent/10.0.10011.16384+Client-Protocol/2.50 - 500 24 50 15\r\n\
#Fields: time cs-method cs-uri-stem sc-status\r\n\
10:15:13 GET /selfupdate/wuident.cab 200\r\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.line, 5);
        assert_eq!(a.status(), Some(500));
        assert_eq!(a.substatus(), Some(24));
        assert_eq!(a.win32_status(), Some(50));
        assert_eq!(a.time_taken(), Some(15));
        assert_eq!(a.path(), Some(&b"/ClientWebService/client.asmx"[..]));
        assert_eq!(a.query(), None);
        assert_eq!(
            a.time().unwrap().unwrap().to_string(),
            "2024-03-12T10:15:12"
        );
        let b = recs[1].as_ref().unwrap();
        assert_eq!(b.status(), Some(200));
        assert_eq!(
            b.time().unwrap().unwrap().to_string(),
            "2024-03-12T10:15:13"
        );
    }

    #[test]
    fn headerless_blocks_use_defaults_or_shape() {
        let recs = all(
            b"2024-03-12 10:15:12 10.0.0.10 GET /Content/a.cab - 8530 - 10.0.0.55 UA - 404 0 2 1\n",
        );
        assert_eq!(recs[0].as_ref().unwrap().status(), Some(404));
        let recs = all(b"2024-03-12 10:15:12 10.0.0.5 51234 10.0.0.10 8530 HTTP/1.1 POST /ClientWebService/client.asmx - 503 3 AppOffline WsusPool\n");
        let r = recs[0].as_ref().unwrap();
        assert_eq!(r.status(), Some(503));
        assert_eq!(r.reason(), Some(&b"AppOffline"[..]));
        assert_eq!(r.queue(), Some(&b"WsusPool"[..]));
        // A custom set (s-sitename added): found by shape.
        let recs = all(b"2024-03-12 10:15:12 W3SVC2 10.0.0.10 POST /ClientWebService/client.asmx - 8530 - 10.0.0.55 UA - 503 0 0 10 20\n");
        let r = recs[0].as_ref().unwrap();
        assert_eq!((r.status(), r.win32_status()), (Some(503), Some(0)));
        assert!(all(b"this is not an IIS log line at all\n")[0].is_err());
    }

    #[test]
    fn httperr_full_uri_and_dashes() {
        let block = b"#Software: Microsoft HTTP API 2.0\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\n\
2024-03-12 10:15:12 10.0.0.5 51234 10.0.0.10 8530 HTTP/1.1 POST http://wsus01:8530/ClientWebService/client.asmx?x=1 503 3 QueueFull WsusPool\n\
2024-03-12 10:15:13 10.0.0.5 51235 10.0.0.10 8530 - - - - - Timer_ConnectionIdle -\n";
        let recs = all(block);
        let a = recs[0].as_ref().unwrap();
        assert_eq!(a.path(), Some(&b"/ClientWebService/client.asmx"[..]));
        assert!(a.httperr);
        let b = recs[1].as_ref().unwrap();
        assert_eq!(
            (b.status(), b.path(), b.reason()),
            (None, None, Some(&b"Timer_ConnectionIdle"[..]))
        );
    }

    #[test]
    fn line_ending_mixes_and_long_lines() {
        let block = b"#Fields: date time cs-method cs-uri-stem sc-status\r\n2024-03-12 10:15:12 GET /a 200\r\n\n2024-03-12 10:15:13 GET /b 503\n";
        let recs = all(block);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].as_ref().unwrap().status(), Some(503));
        let mut long =
            b"#Fields: date time cs-method cs-uri-stem sc-status\n2024-03-12 10:15:12 GET /"
                .to_vec();
        long.extend(std::iter::repeat_n(b'q', 10 << 20));
        long.extend_from_slice(b" 404\n");
        let recs = all(&long);
        assert_eq!(recs[0].as_ref().unwrap().status(), Some(404));
    }

    #[test]
    fn broken_lines() {
        let block = b"#Fields: date time cs-method cs-uri-stem sc-status\n2024-03-12 10:15:12 GET /a\n2024-13-12 10:15:12 GET /a 200\n";
        let recs = all(block);
        assert!(recs[0].is_err());
        assert!(recs[1].as_ref().unwrap().time().is_err());
        let many = "x ".repeat(100);
        assert!(all(many.as_bytes())[0].is_err());
        for input in [
            &b""[..],
            b"#",
            b"#Fields:",
            b"#Date: garbage\n10:00:00 GET / 200",
            b"\xff\xfe",
            b"- - - - -",
        ] {
            let _ = all(input);
        }
        let big = vec![b'x'; 10 << 20];
        assert_eq!(all(&big).len(), 1);
    }
}
