//! Hand-written parsers for the timestamp layouts Windows Update logs use. They run once per record on
//! gigabyte logs, so they work on bytes at fixed positions and never allocate.

use jiff::civil::DateTime;
use wudiag_evidence::EventTime;

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Reads 1 or 2 digits (for `2016/12/4`-style dates); returns (value, length).
fn short_number(b: &[u8], at: usize) -> Option<(u32, usize)> {
    let first = *b.get(at)?;
    if !first.is_ascii_digit() {
        return None;
    }
    match b.get(at + 1) {
        Some(c) if c.is_ascii_digit() => {
            Some((u32::from(first - b'0') * 10 + u32::from(c - b'0'), 2))
        }
        _ => Some((u32::from(first - b'0'), 1)),
    }
}

/// Parses `YYYY?MM?DD?HH:MM:SS` at the start of `b` where `?` is any of `-`, `/`, ` `, `T`, followed by an
/// optional fraction introduced by `.`, `:` or `,` (up to 9 digits). Returns the time and the number of
/// bytes used. Covers CBS/DISM (`2016-12-04 05:15:47,`), classic WindowsUpdate.log (`05:15:47:444`),
/// Get-WindowsUpdateLog (`2024/03/12 10:15:12.1234567`), IIS, WSUS and ReportingEvents.
pub fn ymd_hms(b: &[u8]) -> Option<(DateTime, usize)> {
    let year = digits(b, 0, 4)?;
    let sep = *b.get(4)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (month, ml) = short_number(b, 5)?;
    let mut at = 5 + ml;
    if *b.get(at)? != sep {
        return None;
    }
    let (day, dl) = short_number(b, at + 1)?;
    at += 1 + dl;
    let sep2 = *b.get(at)?;
    if sep2 != b' ' && sep2 != b'T' && sep2 != b':' {
        return None;
    }
    at += 1;
    let hour = digits(b, at, 2)?;
    if *b.get(at + 2)? != b':' {
        return None;
    }
    let minute = digits(b, at + 3, 2)?;
    if *b.get(at + 5)? != b':' {
        return None;
    }
    let second = digits(b, at + 6, 2)?;
    at += 8;
    let (nanos, used) = fraction(b, at);
    at += used;
    let dt = EventTime::civil(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        nanos,
    )?;
    Some((dt, at))
}

/// Parses an optional fraction (`.1234567`, `:444`, `,123`) at `at`; returns (nanoseconds, bytes used).
pub fn fraction(b: &[u8], at: usize) -> (i32, usize) {
    match b.get(at) {
        Some(b'.' | b':' | b',') => {}
        _ => return (0, 0),
    }
    let mut n = 0usize;
    let mut v: i64 = 0;
    while let Some(c) = b.get(at + 1 + n) {
        if !c.is_ascii_digit() || n == 9 {
            break;
        }
        v = v * 10 + i64::from(c - b'0');
        n += 1;
    }
    if n == 0 {
        return (0, 0);
    }
    let mut scaled = v;
    for _ in n..9 {
        scaled *= 10;
    }
    (i32::try_from(scaled).unwrap_or(0), 1 + n)
}

/// Parses `MM-DD-YYYY` (CMTrace `date="…"`) or `MM/DD/YYYY` into (year, month, day).
pub fn mdy(b: &[u8]) -> Option<(i16, i8, i8)> {
    let (month, ml) = short_number(b, 0)?;
    let sep = *b.get(ml)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (day, dl) = short_number(b, ml + 1)?;
    if *b.get(ml + 1 + dl)? != sep {
        return None;
    }
    let year = digits(b, ml + 2 + dl, 4)?;
    Some((
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    ))
}

/// Parses `HH:MM:SS` with an optional fraction; returns (hour, minute, second, nanos, bytes used).
pub fn hms(b: &[u8]) -> Option<(i8, i8, i8, i32, usize)> {
    let (hour, hl) = short_number(b, 0)?;
    if *b.get(hl)? != b':' {
        return None;
    }
    let minute = digits(b, hl + 1, 2)?;
    if *b.get(hl + 3)? != b':' {
        return None;
    }
    let second = digits(b, hl + 4, 2)?;
    let (nanos, used) = fraction(b, hl + 6);
    Some((
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        nanos,
        hl + 6 + used,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let (t, n) = ymd_hms(b"2016-12-04 05:15:47:444 844 76c AU").unwrap();
        assert_eq!(
            (t.to_string(), n),
            ("2016-12-04T05:15:47.444".to_owned(), 23)
        );
        let (t, _) = ymd_hms(b"2024/03/12 10:15:12.1234567 1234").unwrap();
        assert_eq!(t.to_string(), "2024-03-12T10:15:12.1234567");
        let (t, n) = ymd_hms(b"2016-09-28 04:30:31, Info").unwrap();
        assert_eq!((t.to_string(), n), ("2016-09-28T04:30:31".to_owned(), 19));
        let (t, _) = ymd_hms(b"2016/9/28:11:30:31.571").unwrap();
        assert_eq!(t.to_string(), "2016-09-28T11:30:31.571");
        assert!(ymd_hms(b"2016-13-04 05:15:47").is_none());
        assert!(ymd_hms(b"2016-12-0").is_none());
        assert_eq!(mdy(b"06-26-2015"), Some((2015, 6, 26)));
        assert_eq!(hms(b"14:24:33.329+420").map(|h| h.4), Some(12));
    }
}
