//! A streaming parser for CheckSUR.log, line by line. It knows the layout of a run (header, phases,
//! findings, summary) and nothing about what the findings mean.

use std::fmt;

use jiff::civil::DateTime;
use wudiag_evidence::{EventTime, Version};

use crate::text::trim_cr;

/// What a finding row starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// `(f)`: a problem found.
    Found,
    /// `(fix)`: a problem repaired.
    Fixed,
    /// `(w)`: a warning.
    Warning,
}

/// One line of CheckSUR.log, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// `=================================`: a new run starts.
    RunSeparator,
    /// `Checking System Update Readiness.`
    Title,
    /// `Binary Version 6.1.7601.22471`: the tool's build.
    BinaryVersion(Version),
    /// `Package Version 26.0`: the tool's payload version.
    PackageVersion(&'a str),
    /// `2014-01-15 10:07`: when the run started.
    Stamp(DateTime),
    /// `Checking Package Manifests and Catalogs` and the other phase lines.
    Phase(&'a str),
    /// `(f) CBS MUM Corrupt 0x800F0900 servicing\Packages\….mum Line 1:`.
    Finding {
        /// `(f)`, `(fix)` or `(w)`.
        marker: Marker,
        /// `CBS MUM Corrupt`.
        category: String,
        /// The hex code, when the row has one (`0x800F0900`, `0x00000002`).
        code: Option<u32>,
        /// The file, package or component.
        item: String,
    },
    /// `Summary:`.
    Summary,
    /// `Seconds executed: 264`.
    Seconds(u32),
    /// ` Found 2 errors`.
    FoundErrors(u32),
    /// ` Fixed 2 errors`.
    FixedErrors(u32),
    /// ` No errors detected`.
    NoErrors,
    /// `  CBS MUM Missing Total count: 1`.
    CategoryTotal {
        /// The category.
        category: &'a str,
        /// The count.
        count: u32,
    },
    /// `  Fixed: CBS MUM Missing.  Total count: 1`.
    CategoryFixed {
        /// The category.
        category: &'a str,
        /// The count.
        count: u32,
    },
    /// `Unavailable repair files:`.
    UnavailableHeader,
    /// Any other line (the files listed under `Unavailable repair files:`, notes).
    Text(&'a str),
}

/// One non-empty line with its number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSurRecord<'a> {
    /// 1-based line number.
    pub line_no: u64,
    /// The line as written (without its ending).
    pub raw: &'a str,
    /// What it is.
    pub line: Line<'a>,
}

/// A line that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line_no: u64,
    /// What is wrong.
    pub what: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line_no, self.what)
    }
}

impl std::error::Error for ParseError {}

fn number(s: &str) -> Option<u32> {
    let s = s.trim();
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > 9 {
        return None;
    }
    s.get(..n)?.parse().ok()
}

/// `YYYY-MM-DD HH:MM` (the run stamp has no seconds).
fn stamp(s: &str) -> Option<DateTime> {
    let b = s.as_bytes();
    if b.len() != 16
        || b.get(4) != Some(&b'-')
        || b.get(10) != Some(&b' ')
        || b.get(13) != Some(&b':')
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i16>().ok();
    EventTime::civil(
        n(0..4)?,
        i8::try_from(n(5..7)?).ok()?,
        i8::try_from(n(8..10)?).ok()?,
        i8::try_from(n(11..13)?).ok()?,
        i8::try_from(n(14..16)?).ok()?,
        0,
        0,
    )
}

/// Splits a finding row after its marker: category, then a hex code, then the item. Fields are separated
/// by tabs in real logs and by single spaces in copies, so the code is the anchor.
fn finding(marker: Marker, rest: &str) -> Result<Line<'_>, &'static str> {
    let (category, code, item) = crate::cbs_log::extract::finding_row_after_marker(rest.as_bytes())
        .ok_or("a finding row without a category")?;
    if category.is_empty() {
        return Err("a finding row without a category");
    }
    Ok(Line::Finding {
        marker,
        category,
        code,
        item,
    })
}

fn parse_line(t: &str) -> Result<Line<'_>, &'static str> {
    let trimmed = t.trim();
    if trimmed.len() >= 10 && trimmed.bytes().all(|b| b == b'=') {
        return Ok(Line::RunSeparator);
    }
    for (prefix, marker) in [
        ("(fix)", Marker::Fixed),
        ("(f)", Marker::Found),
        ("(w)", Marker::Warning),
    ] {
        if let Some(rest) = trimmed.strip_prefix(prefix) {
            return finding(marker, rest);
        }
    }
    if trimmed == "Checking System Update Readiness." {
        return Ok(Line::Title);
    }
    if let Some(v) = trimmed.strip_prefix("Binary Version ") {
        return Version::parse(v)
            .map(Line::BinaryVersion)
            .ok_or("an unreadable binary version");
    }
    if let Some(v) = trimmed.strip_prefix("Package Version ") {
        return Ok(Line::PackageVersion(v.trim()));
    }
    if let Some(t) = stamp(trimmed) {
        return Ok(Line::Stamp(t));
    }
    if trimmed.starts_with("Checking ") {
        return Ok(Line::Phase(trimmed));
    }
    if trimmed == "Summary:" {
        return Ok(Line::Summary);
    }
    if trimmed == "Unavailable repair files:" {
        return Ok(Line::UnavailableHeader);
    }
    if let Some(v) = trimmed.strip_prefix("Seconds executed:") {
        return Ok(number(v).map_or(Line::Text(trimmed), Line::Seconds));
    }
    if trimmed.starts_with("No errors detected") {
        return Ok(Line::NoErrors);
    }
    for (word, fixed) in [("Found ", false), ("Fixed ", true)] {
        if let Some(v) = trimmed.strip_prefix(word)
            && (v.trim_end().ends_with("errors") || v.trim_end().ends_with("error"))
            && let Some(n) = number(v)
        {
            return Ok(if fixed {
                Line::FixedErrors(n)
            } else {
                Line::FoundErrors(n)
            });
        }
    }
    if let Some(p) = trimmed.rfind("Total count:") {
        let count = number(trimmed.get(p + 12..).unwrap_or_default());
        let head = trimmed.get(..p).unwrap_or_default().trim();
        if let Some(count) = count {
            return Ok(match head.strip_prefix("Fixed:") {
                Some(c) => Line::CategoryFixed {
                    category: c.trim().trim_end_matches('.'),
                    count,
                },
                None => Line::CategoryTotal {
                    category: head,
                    count,
                },
            });
        }
    }
    Ok(Line::Text(trimmed))
}

/// Streams the non-empty lines of `text`.
pub fn records(text: &str) -> impl Iterator<Item = Result<CheckSurRecord<'_>, ParseError>> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n').enumerate().filter_map(|(i, l)| {
        let raw = std::str::from_utf8(trim_cr(l.as_bytes())).unwrap_or(l);
        if raw.trim().is_empty() {
            return None;
        }
        let line_no = i as u64 + 1;
        Some(
            parse_line(raw)
                .map(|line| CheckSurRecord { line_no, raw, line })
                .map_err(|what| ParseError { line_no, what }),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_shape() {
        let text = "=================================\r\nChecking System Update Readiness.\r\nBinary Version 6.1.7601.22471\r\nPackage Version 26.0\r\n2014-01-15 10:07\r\n\r\nChecking Windows Servicing Packages\r\n(f)\tCBS MUM Corrupt\t0x800F0900\tservicing\\Packages\\Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum\tLine 1:\r\n(fix)\tCBS MUM Missing\tCBS File Replaced\tPackage_1_for_KB2952664~31bf3856ad364e35~amd64~~6.1.2.1.mum from Cabinet: C:\\Windows\\CheckSur\\v1.0\\windows6.1-7601-x64-clientcab3.cab.\r\nSummary:\r\nSeconds executed: 264\r\n Found 2 errors\r\n Fixed 1 errors\r\n  CBS MUM Corrupt Total count: 1\r\n  Fixed: CBS MUM Missing.  Total count: 1\r\n No errors detected\r\nUnavailable repair files:\r\n\tservicing\\packages\\x.mum\r\n";
        let lines: Vec<_> = records(text).map(|r| r.unwrap().line).collect();
        assert_eq!(lines[0], Line::RunSeparator);
        assert_eq!(lines[1], Line::Title);
        assert_eq!(lines[2], Line::BinaryVersion(Version([6, 1, 7601, 22471])));
        assert_eq!(lines[3], Line::PackageVersion("26.0"));
        assert_eq!(
            lines[4],
            Line::Stamp(EventTime::civil(2014, 1, 15, 10, 7, 0, 0).unwrap())
        );
        assert!(matches!(lines[5], Line::Phase(_)));
        assert_eq!(
            lines[6],
            Line::Finding {
                marker: Marker::Found,
                category: "CBS MUM Corrupt".into(),
                code: Some(0x800F_0900),
                item: "servicing\\Packages\\Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum".into()
            }
        );
        assert!(
            matches!(&lines[7], Line::Finding { marker: Marker::Fixed, category, code: None, .. } if category == "CBS MUM Missing")
        );
        assert_eq!(lines[8], Line::Summary);
        assert_eq!(lines[9], Line::Seconds(264));
        assert_eq!(lines[10], Line::FoundErrors(2));
        assert_eq!(lines[11], Line::FixedErrors(1));
        assert_eq!(
            lines[12],
            Line::CategoryTotal {
                category: "CBS MUM Corrupt",
                count: 1
            }
        );
        assert_eq!(
            lines[13],
            Line::CategoryFixed {
                category: "CBS MUM Missing",
                count: 1
            }
        );
        assert_eq!(lines[14], Line::NoErrors);
        assert_eq!(lines[15], Line::UnavailableHeader);
        assert_eq!(lines[16], Line::Text("servicing\\packages\\x.mum"));
        let errs: Vec<_> = records("(f)\n(f) \t\n").collect();
        assert!(errs.iter().all(Result::is_err));
        for junk in [
            "",
            "\n",
            "(fix",
            "2014-01-15 10:7x",
            "Binary Version x",
            "Seconds executed: -",
            " Found x errors",
            "Total count:",
        ] {
            let _ = records(junk).count();
        }
    }
}
