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

/// Where each known field sits in a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    /// How many fields the header lists.
    pub count: usize,
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

impl Columns {
    /// Reads a `#Fields:` list.
    pub fn from_fields(fields: &[u8]) -> Self {
        let mut c = Self::default();
        for (i, name) in fields
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|f| !f.is_empty())
            .enumerate()
        {
            c.count = i + 1;
            let slot = match name.to_ascii_lowercase().as_slice() {
                b"date" => &mut c.date,
                b"time" => &mut c.time,
                b"cs-method" => &mut c.method,
                b"cs-uri-stem" => &mut c.uri_stem,
                b"cs-uri" => &mut c.uri,
                b"cs-uri-query" => &mut c.query,
                b"sc-status" => &mut c.status,
                b"sc-substatus" => &mut c.substatus,
                b"sc-win32-status" => &mut c.win32,
                b"time-taken" => &mut c.time_taken,
                b"cs(user-agent)" => &mut c.user_agent,
                b"c-ip" => &mut c.client_ip,
                b"s-sitename" | b"s-siteid" => &mut c.site,
                b"s-reason" => &mut c.reason,
                b"s-queuename" => &mut c.queue,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(i);
            }
        }
        c
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
            return c;
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
        c
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
    /// The columns in force for this line.
    pub columns: Columns,
    /// The raw values.
    values: [&'a [u8]; MAX_COLUMNS],
    len: usize,
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
    fn value(&self, col: Option<usize>) -> Option<&'a [u8]> {
        let i = col?;
        if i >= self.len {
            return None;
        }
        self.values.get(i).copied().and_then(dash_none)
    }

    /// `sc-status`, when written (HTTP.sys writes `-` for dropped connections).
    pub fn status(&self) -> Option<u16> {
        self.value(self.columns.status).and_then(number)
    }

    /// `sc-substatus`.
    pub fn substatus(&self) -> Option<u16> {
        self.value(self.columns.substatus).and_then(number)
    }

    /// `sc-win32-status`.
    pub fn win32_status(&self) -> Option<u32> {
        self.value(self.columns.win32).and_then(number)
    }

    /// `time-taken` in milliseconds.
    pub fn time_taken(&self) -> Option<u64> {
        self.value(self.columns.time_taken).and_then(number)
    }

    /// `cs-method`.
    pub fn method(&self) -> Option<&'a [u8]> {
        self.value(self.columns.method)
    }

    /// The request path: `cs-uri-stem`, or the path part of HTTP.sys `cs-uri`.
    pub fn path(&self) -> Option<&'a [u8]> {
        if let Some(stem) = self.value(self.columns.uri_stem) {
            return Some(stem);
        }
        let uri = self.value(self.columns.uri)?;
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
        self.value(self.columns.query)
    }

    /// `cs(User-Agent)` (spaces are written as `+`).
    pub fn user_agent(&self) -> Option<&'a [u8]> {
        self.value(self.columns.user_agent)
    }

    /// `c-ip`.
    pub fn client_ip(&self) -> Option<&'a [u8]> {
        self.value(self.columns.client_ip)
    }

    /// `s-sitename` / `s-siteid`.
    pub fn site(&self) -> Option<&'a [u8]> {
        self.value(self.columns.site)
    }

    /// HTTP.sys `s-reason` (`AppOffline`, `QueueFull`, `Connection_Dropped`…).
    pub fn reason(&self) -> Option<&'a [u8]> {
        self.value(self.columns.reason)
    }

    /// HTTP.sys `s-queuename` (the application pool).
    pub fn queue(&self) -> Option<&'a [u8]> {
        self.value(self.columns.queue)
    }

    /// The request time (UTC), from `date` + `time`, or the `#Date:` directive + `time`.
    pub fn time(&self) -> Result<Option<DateTime>, &'static str> {
        let Some(clock) = self.value(self.columns.time) else {
            return Ok(None);
        };
        let (y, mo, d) = match self.value(self.columns.date) {
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
    header_date: Option<(i16, i8, i8)>,
}

/// Parses the request lines of `block` (lines numbered from 1).
pub fn records(block: &[u8]) -> Records<'_> {
    Records {
        block,
        pos: 0,
        line_no: 0,
        columns: None,
        header_date: None,
    }
}

fn split(line: &[u8]) -> ([&[u8]; MAX_COLUMNS], usize) {
    let mut values: [&[u8]; MAX_COLUMNS] = [&[]; MAX_COLUMNS];
    let mut n = 0;
    for v in line.split(|b| *b == b' ').filter(|v| !v.is_empty()) {
        if let Some(slot) = values.get_mut(n) {
            *slot = v;
            n += 1;
        } else {
            n += 1;
        }
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
            let (values, n) = split(line);
            if n > MAX_COLUMNS {
                return Some(Err(ParseError {
                    line: self.line_no,
                    what: format!("{n} values: more than the {MAX_COLUMNS} columns read"),
                }));
            }
            let columns = if let Some(c) = self.columns {
                if c.count != n {
                    return Some(Err(ParseError {
                        line: self.line_no,
                        what: format!("{n} values where the #Fields directive lists {}", c.count),
                    }));
                }
                c
            } else {
                let default = [
                    IIS_DEFAULT_FIELDS,
                    HTTPERR_DEFAULT_FIELDS,
                    HTTPERR_OLD_FIELDS,
                ]
                .iter()
                .map(|f| Columns::from_fields(f.as_bytes()))
                .find(|c| c.count == n);
                if let Some(c) = default {
                    c
                } else {
                    let guessed = Columns::guess(values.get(..n).unwrap_or_default());
                    if guessed.status.is_none() {
                        return Some(Err(ParseError {
                            line: self.line_no,
                            what: "no #Fields directive before this line, and its values do not look like a request".into(),
                        }));
                    }
                    guessed
                }
            };
            return Some(Ok(IisRecord {
                line: self.line_no,
                columns,
                values,
                len: n,
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
        assert!(a.columns.is_httperr());
        let b = recs[1].as_ref().unwrap();
        assert_eq!(
            (b.status(), b.path(), b.reason()),
            (None, None, Some(&b"Timer_ConnectionIdle"[..]))
        );
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
