//! Parser for regedit export files: key sections and typed values, nothing about Windows Update.

use std::fmt;

use wudiag_evidence::RegData;

use crate::text::{RawRecord, trim_cr};

/// A value that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line in the block.
    pub line: u64,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One `"name"=data` line (continuations joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegValue {
    /// Value name; empty for the default value `@`.
    pub name: String,
    /// Typed data.
    pub data: RegData,
    /// First line of the value.
    pub line: u64,
    /// The value as written (continuations joined, capped).
    pub raw: String,
}

/// One `[key]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegKey {
    /// Full key path as written (`HKEY_LOCAL_MACHINE\SOFTWARE\…`).
    pub path: String,
    /// True for `[-HKEY_…]` (the key is deleted by the file).
    pub deleted: bool,
    /// Line of the header.
    pub line: u64,
    /// Values, in order.
    pub values: Vec<RegValue>,
    /// Values that could not be parsed.
    pub errors: Vec<ParseError>,
}

/// True for a line that starts a key section.
pub fn starts_key(line: &[u8]) -> bool {
    line.first() == Some(&b'[')
}

/// The file headers regedit writes.
pub fn is_header(line: &str) -> bool {
    let l = line.trim_start_matches('\u{feff}').trim();
    l == "Windows Registry Editor Version 5.00" || l == "REGEDIT4"
}

/// Parses one record (a key section, or the preamble before the first key) of a block. Returns `Ok(None)`
/// for the preamble, `Err` when the record is not a key section at all.
pub fn parse_record(rec: &RawRecord<'_>) -> Result<Option<RegKey>, ParseError> {
    let text = String::from_utf8_lossy(rec.text);
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate();
    let Some((_, header)) = lines.next() else {
        return Ok(None);
    };
    let header = header.trim_start_matches('\u{feff}').trim();
    if !header.starts_with('[') {
        // Preamble: the version header, comments, blank lines. Anything else is not a registry export.
        let stray = std::iter::once(header)
            .chain(text.split('\n').skip(1).map(str::trim))
            .find(|l| !l.is_empty() && !is_header(l) && !l.starts_with(';'));
        return match stray {
            None => Ok(None),
            Some(l) => Err(ParseError {
                line: rec.first_line,
                message: format!(
                    "not a key section: `{}`",
                    l.chars().take(80).collect::<String>()
                ),
            }),
        };
    }
    let Some(inner) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
        return Err(ParseError {
            line: rec.first_line,
            message: "key header without a closing `]`".into(),
        });
    };
    let (path, deleted) = match inner.strip_prefix('-') {
        Some(p) => (p.to_owned(), true),
        None => (inner.to_owned(), false),
    };
    let mut key = RegKey {
        path,
        deleted,
        line: rec.first_line,
        values: Vec::new(),
        errors: Vec::new(),
    };
    let mut pending: Option<(u64, String)> = None;
    for (i, raw_line) in lines {
        let line_no = rec.first_line + i as u64;
        let line = raw_line.trim_end();
        if let Some((start, mut acc)) = pending.take() {
            let part = line.trim_start();
            if let Some(more) = part.strip_suffix('\\') {
                acc.push_str(more);
                pending = Some((start, acc));
            } else {
                acc.push_str(part);
                push_value(&mut key, start, &acc);
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(';') {
            continue;
        }
        if let Some(more) = trimmed.strip_suffix('\\') {
            pending = Some((line_no, more.to_owned()));
        } else {
            push_value(&mut key, line_no, trimmed);
        }
    }
    if let Some((start, _)) = pending {
        key.errors.push(ParseError {
            line: start,
            message: "value continues past the end of the file (truncated)".into(),
        });
    }
    Ok(Some(key))
}

fn push_value(key: &mut RegKey, line: u64, text: &str) {
    match parse_value(text) {
        Ok((name, data)) => {
            let raw: String = text.chars().take(512).collect();
            key.values.push(RegValue {
                name,
                data,
                line,
                raw,
            });
        }
        Err(message) => key.errors.push(ParseError { line, message }),
    }
}

/// Parses `"name"=data` or `@=data`.
pub fn parse_value(text: &str) -> Result<(String, RegData), String> {
    let (name, rest) = if let Some(rest) = text.strip_prefix('@') {
        (String::new(), rest)
    } else if let Some(body) = text.strip_prefix('"') {
        let (name, used) = read_quoted(body).ok_or("value name without a closing quote")?;
        (name, body.get(used..).unwrap_or_default())
    } else {
        return Err(format!(
            "not a value line: `{}`",
            text.chars().take(80).collect::<String>()
        ));
    };
    let data = rest
        .trim_start()
        .strip_prefix('=')
        .ok_or("value without `=`")?
        .trim();
    Ok((name, parse_data(data)?))
}

/// Reads a quoted string body (after the opening quote) with `\\` and `\"` escapes; returns the string
/// and the bytes used including the closing quote.
fn read_quoted(body: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            }
            '"' => return Some((out, i + 1)),
            other => out.push(other),
        }
    }
    None
}

fn parse_data(data: &str) -> Result<RegData, String> {
    if data == "-" {
        return Ok(RegData::Deleted);
    }
    if let Some(body) = data.strip_prefix('"') {
        let (s, _) = read_quoted(body).ok_or("string data without a closing quote")?;
        return Ok(RegData::String(s));
    }
    if let Some(hex) = data.strip_prefix("dword:") {
        return u32::from_str_radix(hex.trim(), 16)
            .map(RegData::Dword)
            .map_err(|_| format!("bad dword `{hex}`"));
    }
    let (kind, bytes) = if let Some(rest) = data.strip_prefix("hex:") {
        (3u32, rest)
    } else if let Some(rest) = data.strip_prefix("hex(") {
        let close = rest.find("):").ok_or("hex( without `):`")?;
        let kind = u32::from_str_radix(rest.get(..close).unwrap_or_default(), 16)
            .map_err(|_| "bad hex type")?;
        (kind, rest.get(close + 2..).unwrap_or_default())
    } else {
        return Err(format!(
            "unknown data `{}`",
            data.chars().take(40).collect::<String>()
        ));
    };
    let bytes = parse_hex_bytes(bytes)?;
    Ok(match kind {
        2 => RegData::ExpandString(decode_string(&bytes)),
        7 => RegData::MultiString(
            decode_string(&bytes)
                .split('\0')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        4 => match <[u8; 4]>::try_from(bytes.as_slice()) {
            Ok(a) => RegData::Dword(u32::from_le_bytes(a)),
            Err(_) => RegData::Binary(bytes),
        },
        0xb => match <[u8; 8]>::try_from(bytes.as_slice()) {
            Ok(a) => RegData::Qword(u64::from_le_bytes(a)),
            Err(_) => RegData::Binary(bytes),
        },
        1 => RegData::String(decode_string(&bytes)),
        _ => RegData::Binary(bytes),
    })
}

fn parse_hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    if s.trim_end().ends_with(',') {
        return Err(
            "hex data ends with a comma: the value was cut short (truncated export?)".into(),
        );
    }
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| u8::from_str_radix(p, 16).map_err(|_| format!("bad hex byte `{p}`")))
        .collect()
}

/// Decodes string data: UTF-16LE as regedit 5 writes it, or 8-bit as REGEDIT4 does; trailing NULs removed.
fn decode_string(bytes: &[u8]) -> String {
    let utf16 = bytes.len().is_multiple_of(2)
        && bytes.len() >= 2
        && bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count() * 2 >= bytes.len() / 2;
    let s = if utf16 {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                c.iter()
                    .rev()
                    .fold(0u16, |acc, &b| (acc << 8) | u16::from(b))
            })
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    };
    s.trim_end_matches('\0').to_owned()
}

/// Strips a trailing `\r` (re-exported for the extractor's excerpts).
pub fn clean(line: &[u8]) -> &[u8] {
    trim_cr(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_type() {
        assert_eq!(
            parse_value(r#""WUServer"="http://wsus:8530""#).unwrap().1,
            RegData::String("http://wsus:8530".into())
        );
        assert_eq!(
            parse_value(r#""Start"=dword:00000004"#).unwrap().1,
            RegData::Dword(4)
        );
        assert_eq!(
            parse_value(r#""Q"=hex(b):26,08,43,2a,2c,7f,d8,01"#)
                .unwrap()
                .1,
            RegData::Qword(0x01d8_7f2c_2a43_0826)
        );
        assert_eq!(
            parse_value(r#""P"=hex(2):25,00,53,00,79,00,73,00,25,00,00,00"#)
                .unwrap()
                .1,
            RegData::ExpandString("%Sys%".into())
        );
        assert_eq!(
            parse_value(r#""M"=hex(7):61,00,00,00,62,00,00,00,00,00"#)
                .unwrap()
                .1,
            RegData::MultiString(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            parse_value(r#""B"=hex:01,02"#).unwrap().1,
            RegData::Binary(vec![1, 2])
        );
        assert_eq!(parse_value(r#""D"=-"#).unwrap().1, RegData::Deleted);
        assert_eq!(
            parse_value(r#"@="x\"y\\z""#).unwrap(),
            (String::new(), RegData::String("x\"y\\z".into()))
        );
        assert!(parse_value(r#""X"=dword:zz"#).is_err());
        assert!(parse_value("garbage").is_err());
    }

    #[test]
    fn continuations_and_truncation() {
        let text = b"[HKEY_LOCAL_MACHINE\\X]\r\n\"M\"=hex(7):61,00,00,\\\r\n  00,62,00,00,00,00,00\r\n\"T\"=hex:01,\\";
        let rec = RawRecord {
            first_line: 1,
            last_line: 4,
            text,
        };
        let key = parse_record(&rec).unwrap().unwrap();
        assert_eq!(key.values.len(), 1);
        assert_eq!(
            key.values[0].data,
            RegData::MultiString(vec!["a".into(), "b".into()])
        );
        assert_eq!(key.errors.len(), 1);
    }
}
