//! # IIS W3C logs and HTTP.sys error logs (the WSUS web site)
//!
//! **What:** one line per HTTP request the WSUS web site served (`u_ex*.log`), and one line per request
//! or connection HTTP.sys refused before IIS saw it (`httperr*.log`: a stopped or overloaded `WsusPool`
//! shows up there as `503 … AppOffline WsusPool` or `QueueFull`).
//!
//! **Where:** `%SystemDrive%\inetpub\logs\LogFiles\W3SVC<siteId>\u_exYYMMDD.log` (the WSUS Administration
//! site, ports 8530/8531, or Default Web Site); `%windir%\System32\LogFiles\HTTPERR\httperr*.log`.
//!
//! **Layout:** W3C extended format. Directive lines start with `#` (`#Software:`, `#Version:`, `#Date:`,
//! `#Fields:`); request lines are space-separated values in the order of the **latest** `#Fields:`
//! directive, which can change in the middle of a file (IIS writes a new header when logging restarts or
//! the field selection changes). Empty values are `-`, spaces inside values are `+`. Times are UTC.
//! Blocks are cut only before `#Software`/`#Fields` lines so that a block normally starts with its
//! header; a block without one (a long file) is read with the default IIS or HTTP.sys field set when the
//! column count matches, otherwise by the shape of the values.
//!
//! **Extracted:** `HttpRequest { method, uri, status, substatus, win32_status }` with severity 5xx error,
//! 4xx warning, else info; the Win32 status of a failed request as its HRESULT (`500.24.50` →
//! `0x80070032`); the HTTP.sys reason and pool, time taken, client and user agent in the message; the
//! component is the WSUS web service of the path (`ClientWebService`, `Content`…) or `IIS`/`HTTP.sys`.
//!
//! **Retention:** these logs are large and mostly successful requests. With diagnostic retention only
//! server errors (5xx), client errors (4xx) on WSUS paths and HTTP.sys refusals are materialised; every
//! other line is counted (records, severities) without building an event.
//!
//! **Corpus:** no real IIS log is in the corpus; the tests use synthetic fixtures written by the wudiag
//! team from the documented layout.

pub mod extract;
pub mod parse;

use wudiag_evidence::{EvidenceBatch, Span};

use crate::Sniff;
use crate::text::TextFormat;

/// The IIS / HTTP.sys log reader.
pub struct IisLog;

/// The instance used in the reader table.
pub static FORMAT: IisLog = IisLog;

impl TextFormat for IisLog {
    /// Every request line (it starts with the date) and every header starts a record, so a big log is
    /// cut into blocks of the usual size. A block that starts without a header reads its columns from
    /// the default field sets or the shape of the values (see [`parse`]).
    fn starts_record(&self, line: &[u8]) -> bool {
        parse::starts_header(line) || line.first().is_some_and(u8::is_ascii_digit)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        for rec in parse::records(block) {
            match rec {
                Ok(r) => extract::extract(&r, batch),
                Err(e) => batch.failed(Span::line(e.line), e.what),
            }
        }
    }
}

/// True when `name` ends with one of the extensions `exts` (without dot), case-insensitively.
fn has_ext(name: &str, exts: &[&str]) -> bool {
    std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Scores an input as an IIS or HTTP.sys log: the `#Software:` directive or a `#Fields:` list with
/// request fields is conclusive; the usual file names score 30.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let t = s.text;
    if t.contains("#Software: Microsoft Internet Information Services")
        || t.contains("#Software: Microsoft HTTP API")
    {
        return 95;
    }
    if t.lines()
        .take(20)
        .any(|l| l.starts_with("#Fields:") && (l.contains("cs-method") || l.contains("sc-status")))
    {
        return 90;
    }
    let name = s.name;
    let digits_after = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    };
    let named = has_ext(name, &["log"])
        && (digits_after("u_ex") || digits_after("ex") || name.starts_with("httperr"));
    if named {
        return 30;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs() {
        let score = |name: &str, text: &str| {
            sniff(&Sniff {
                name,
                head: text.as_bytes(),
                text,
            })
        };
        assert_eq!(
            score(
                "x.txt",
                "#Software: Microsoft Internet Information Services 10.0\n"
            ),
            95
        );
        assert_eq!(score("x.txt", "#Software: Microsoft HTTP API 2.0\n"), 95);
        assert_eq!(
            score(
                "x.txt",
                "#Fields: date time cs-method cs-uri-stem sc-status\n"
            ),
            90
        );
        assert_eq!(score("u_ex240312.log", "2024-03-12 10:15:12 GET / 200"), 30);
        assert_eq!(score("cbs.log", "2024-03-12 10:15:12, Info CBS"), 0);
    }
}
