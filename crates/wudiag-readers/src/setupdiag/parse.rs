//! Parsers for the three shapes of a SetupDiag result (text, XML, JSON) into one [`Document`]. They know
//! the layouts and nothing about what the profiles mean.
//!
//! A SetupDiag result is a small document, read whole: [`parse`] returns what it could read and a
//! [`ParseError`] for each part it could not.

use std::fmt;

use quick_xml::events::Event as XmlEvent;

use crate::xml_text::TextBuf;
use wudiag_evidence::Span;

/// Which shape the result was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `SetupDiagResults.log`: `Matching Profile found: …`, `System Information:`, `Error: …`.
    Text,
    /// `SetupDiagResults.xml` (`<SetupDiag>` root; SetupDiag writes it as UTF-16).
    Xml,
    /// `SetupDiagResults.json`.
    Json,
}

/// One matched failure profile and what SetupDiag said about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The rule name (`FindSPFatalError`).
    pub name: String,
    /// The rule GUID.
    pub guid: Option<String>,
    /// Failure text: `Error: …` lines, `<FailureData>` elements.
    pub failure_data: Vec<String>,
    /// `<FailureDetails>` (`Err = 0x…, LastOperation = …, LastPhase = …`).
    pub details: Option<String>,
    /// `<LogErrorLine>`: the setup log line that matched.
    pub log_error_line: Option<String>,
    /// Advice: `<Remediation>` or the text lines that are not errors.
    pub remediation: Vec<String>,
    /// Where the profile was read.
    pub span: Span,
}

/// A parsed SetupDiag result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The shape it was written in.
    pub shape: Shape,
    /// SetupDiag version, when written.
    pub version: Option<String>,
    /// The matched profiles (usually one).
    pub profiles: Vec<Profile>,
    /// `System Information` / `<SystemInfo>` values, in order.
    pub system: Vec<(String, String)>,
    /// Where the system information was read.
    pub system_span: Span,
    /// Text that says no profile matched, or other lines that belong to no profile.
    pub unmatched: Vec<(String, Span)>,
}

impl Document {
    fn new(shape: Shape) -> Self {
        Self {
            shape,
            version: None,
            profiles: Vec::new(),
            system: Vec::new(),
            system_span: Span::File,
            unmatched: Vec::new(),
        }
    }

    /// A system-information value by name (case-insensitive).
    pub fn system_value(&self, name: &str) -> Option<&str> {
        self.system
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A part of the document that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Where.
    pub span: Span,
    /// What went wrong.
    pub what: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.span, self.what)
    }
}

impl std::error::Error for ParseError {}

/// Decides the shape from the first non-blank character.
pub fn shape_of(text: &str) -> Shape {
    match text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .chars()
        .next()
    {
        Some('<') => Shape::Xml,
        Some('{' | '[') => Shape::Json,
        _ => Shape::Text,
    }
}

/// Parses a SetupDiag result of any shape.
pub fn parse(text: &str) -> (Document, Vec<ParseError>) {
    match shape_of(text) {
        Shape::Xml => parse_xml(text),
        Shape::Json => parse_json(text),
        Shape::Text => parse_text(text),
    }
}

/// True for `8-4-4-4-12` hex GUIDs, braces optional.
fn is_guid(s: &str) -> bool {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// `NAME - GUID` (the profile line without its `Matching Profile found:` prefix).
fn profile_line(s: &str) -> Option<(String, Option<String>)> {
    let s = s.trim();
    if let Some((name, guid)) = s.rsplit_once(" - ") {
        let name = name.trim();
        if is_guid(guid) && !name.is_empty() && !name.contains(' ') {
            return Some((name.to_owned(), Some(guid.trim().to_owned())));
        }
    }
    None
}

/// Parses the text shape.
pub fn parse_text(text: &str) -> (Document, Vec<ParseError>) {
    let mut doc = Document::new(Shape::Text);
    let mut errors = Vec::new();
    let mut in_system = false;
    let mut system_first = 0u64;
    let mut system_last = 0u64;
    for (i, raw) in text.lines().enumerate() {
        let no = i as u64 + 1;
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if in_system {
            // `\tKey = Value` (the tabs may have been lost in a copy).
            let key_len = trimmed.find(" =").unwrap_or(usize::MAX);
            if key_len <= 40
                && !trimmed.starts_with("Error")
                && (trimmed.contains(" = ") || trimmed.ends_with(" ="))
            {
                let (k, v) = trimmed.split_once(" =").unwrap_or((trimmed, ""));
                doc.system.push((k.trim().to_owned(), v.trim().to_owned()));
                system_last = no;
                continue;
            }
            in_system = false;
            doc.system_span = Span::Lines {
                first: system_first,
                last: system_last,
            };
        }
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.eq_ignore_ascii_case("System Information:") {
            in_system = true;
            system_first = no;
            system_last = no;
            continue;
        }
        if let Some(v) = trimmed.strip_prefix("SetupDiag v") {
            doc.version = Some(v.trim().to_owned());
            continue;
        }
        let profile = trimmed
            .strip_prefix("Matching Profile found:")
            .map(|rest| {
                profile_line(rest).unwrap_or_else(|| {
                    let name = rest.trim();
                    let name = name.split(" - ").next().unwrap_or(name).trim();
                    (name.to_owned(), None)
                })
            })
            .or_else(|| profile_line(trimmed));
        if let Some((name, guid)) = profile {
            if name.is_empty() {
                errors.push(ParseError {
                    span: Span::line(no),
                    what: "profile line without a profile name".into(),
                });
                continue;
            }
            doc.profiles.push(Profile {
                name,
                guid,
                span: Span::line(no),
                ..Profile::default()
            });
            continue;
        }
        match doc.profiles.last_mut() {
            Some(p) => {
                if let Span::Lines { last, .. } = &mut p.span {
                    *last = no;
                }
                if trimmed.starts_with("Error:")
                    || trimmed.starts_with("Refer to")
                    || trimmed.starts_with("LogEntry:")
                {
                    p.failure_data.push(trimmed.to_owned());
                } else {
                    p.remediation.push(trimmed.to_owned());
                }
            }
            None => doc.unmatched.push((trimmed.to_owned(), Span::line(no))),
        }
    }
    if in_system {
        doc.system_span = Span::Lines {
            first: system_first,
            last: system_last,
        };
    }
    (doc, errors)
}

/// Parses the XML shape. The declared encoding is ignored: the text is already decoded (SetupDiag
/// declares `utf-16`, and copies of the file are often re-saved as UTF-8 without changing the
/// declaration).
pub fn parse_xml(text: &str) -> (Document, Vec<ParseError>) {
    let mut doc = Document::new(Shape::Xml);
    let mut errors = Vec::new();
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut buf = TextBuf::default();
    let mut saw_root = false;
    // The profile being filled; FailureData etc. before any ProfileName go to an unnamed one.
    let mut current: Option<Profile> = None;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                errors.push(ParseError {
                    span: Span::XmlPath {
                        path: format!("/{}", path.join("/")),
                    },
                    what: format!("XML error at byte {}: {e}", reader.error_position()),
                });
                break;
            }
        };
        match ev {
            XmlEvent::Start(s) => {
                let name = s.local_name().as_ref().to_owned();
                if path.is_empty() {
                    saw_root = true;
                }
                path.push(name);
                buf.0.clear();
                if path.len() > 64 {
                    errors.push(ParseError {
                        span: Span::XmlPath {
                            path: format!("/{}", path.join("/")),
                        },
                        what: "XML nested deeper than 64 levels".into(),
                    });
                    break;
                }
            }
            XmlEvent::Empty(s) => {
                if path.is_empty() {
                    saw_root = true;
                }
                let name = s.local_name().as_ref().to_owned();
                if path.len() == 2 && path.get(1).is_some_and(|p| p == "SystemInfo") {
                    doc.system.push((name, String::new()));
                }
            }
            XmlEvent::Text(t) => buf.0.push_str(&t.xml10_content()),
            XmlEvent::CData(t) => buf.0.push_str(&t.into_inner()),
            XmlEvent::GeneralRef(r) => buf.push_ref(&r),
            XmlEvent::End(_) => {
                let value = std::mem::take(&mut buf.0);
                let full = format!("/{}", path.join("/"));
                let depth = path.len();
                let name = path.pop().unwrap_or_default();
                let value_t = value.trim().to_owned();
                match (depth, name.as_str()) {
                    (2, "Version") => doc.version = Some(value_t),
                    (2, "ProfileName") => {
                        if let Some(p) = current.take() {
                            doc.profiles.push(p);
                        }
                        current = Some(Profile {
                            name: value_t,
                            span: Span::XmlPath { path: full },
                            ..Profile::default()
                        });
                    }
                    (2, "ProfileGuid") => {
                        current.get_or_insert_with(Profile::default).guid = Some(value_t);
                    }
                    (3, _) if path.get(1).is_some_and(|p| p == "SystemInfo") => {
                        doc.system.push((name, value_t));
                        doc.system_span = Span::XmlPath {
                            path: format!("/{}", path.join("/")),
                        };
                    }
                    (2, "LogErrorLine") => {
                        current.get_or_insert_with(Profile::default).log_error_line = Some(value_t);
                    }
                    (2, "FailureData") if !value_t.is_empty() => {
                        current
                            .get_or_insert_with(Profile::default)
                            .failure_data
                            .push(value_t);
                    }
                    (2, "FailureDetails") => {
                        current.get_or_insert_with(Profile::default).details = Some(value_t);
                    }
                    (d, _)
                        if !value_t.is_empty()
                            && ((d >= 2 && path.get(1).is_some_and(|p| p == "Remediation"))
                                || (d == 2 && name == "Remediation")) =>
                    {
                        current
                            .get_or_insert_with(Profile::default)
                            .remediation
                            .push(value_t);
                    }
                    _ => {}
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() && errors.is_empty() {
        errors.push(ParseError {
            span: Span::XmlPath {
                path: format!("/{}", path.join("/")),
            },
            what: "XML document ends before its elements are closed (truncated?)".into(),
        });
    }
    if !saw_root && errors.is_empty() {
        errors.push(ParseError {
            span: Span::File,
            what: "no XML element found".into(),
        });
    }
    if let Some(p) = current {
        doc.profiles.push(p);
    }
    for p in &mut doc.profiles {
        if matches!(p.span, Span::File) {
            p.span = Span::XmlPath {
                path: "/SetupDiag".into(),
            };
        }
    }
    (doc, errors)
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn json_texts(v: Option<&serde_json::Value>) -> Vec<String> {
    match v {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| match i {
                serde_json::Value::Object(o) => {
                    let parts: Vec<String> = o.values().filter_map(json_text).collect();
                    (!parts.is_empty()).then(|| parts.join(" "))
                }
                other => json_text(other),
            })
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(other) => json_text(other)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .into_iter()
            .collect(),
        None => Vec::new(),
    }
}

fn json_result(doc: &mut Document, o: &serde_json::Map<String, serde_json::Value>) {
    let get = |k: &str| {
        o.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v)
    };
    if let Some(v) = get("Version").and_then(json_text) {
        doc.version = Some(v);
    }
    if let Some(serde_json::Value::Object(sys)) = get("SystemInfo") {
        for (k, v) in sys {
            doc.system
                .push((k.clone(), json_text(v).unwrap_or_default()));
        }
    }
    let name = get("ProfileName").and_then(json_text).unwrap_or_default();
    let failure_data = json_texts(get("FailureData"));
    if name.is_empty() && failure_data.is_empty() {
        return;
    }
    doc.profiles.push(Profile {
        name,
        guid: get("ProfileGuid").and_then(json_text),
        failure_data,
        details: get("FailureDetails").and_then(json_text),
        log_error_line: get("LogErrorLine").and_then(json_text),
        remediation: json_texts(get("Remediation")),
        span: Span::File,
    });
}

/// Parses the JSON shape: one result object, or an array of them.
pub fn parse_json(text: &str) -> (Document, Vec<ParseError>) {
    let mut doc = Document::new(Shape::Json);
    let text = text.trim_start_matches('\u{feff}');
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(o)) => {
            json_result(&mut doc, &o);
            (doc, Vec::new())
        }
        Ok(serde_json::Value::Array(items)) => {
            for item in &items {
                if let serde_json::Value::Object(o) = item {
                    json_result(&mut doc, o);
                }
            }
            (doc, Vec::new())
        }
        Ok(_) => (
            doc,
            vec![ParseError {
                span: Span::File,
                what: "JSON is neither a result object nor an array of them".into(),
            }],
        ),
        Err(e) => (
            doc,
            vec![ParseError {
                span: Span::File,
                what: format!("JSON error at line {} column {}: {e}", e.line(), e.column()),
            }],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_shape() {
        let text = "Matching Profile found: OptionalComponentOpenPackageFailed - 22952520-EC89-4FBD-94E0-B67DF88347F6\nSystem Information:\n\tMachine Name = Offline\n\tHostOSVersion = 10.0.15063\n\tFilterDrivers =\n\nError: SetupDiag reports X, Error: 0x8007001F\nRecommend you check Y.\nError: down-level failure, Operation: Finalize, Error: 0x8007001F - 0x50015\nRefer to https://x for error information.\n";
        let (doc, errs) = parse(text);
        assert!(errs.is_empty());
        assert_eq!(doc.shape, Shape::Text);
        assert_eq!(doc.profiles.len(), 1);
        let p = &doc.profiles[0];
        assert_eq!(p.name, "OptionalComponentOpenPackageFailed");
        assert_eq!(
            p.guid.as_deref(),
            Some("22952520-EC89-4FBD-94E0-B67DF88347F6")
        );
        assert_eq!(p.failure_data.len(), 3);
        assert_eq!(p.remediation, ["Recommend you check Y."]);
        assert_eq!(p.span, Span::Lines { first: 1, last: 10 });
        assert_eq!(doc.system_value("HostOSVersion"), Some("10.0.15063"));
        assert_eq!(doc.system.len(), 3);
        assert_eq!(doc.system_span, Span::Lines { first: 2, last: 5 });
    }

    #[test]
    fn xml_shape_with_entities_and_declared_utf16() {
        let xml = r#"<?xml version="1.0" encoding="utf-16"?>
<SetupDiag xmlns="https://docs.microsoft.com/windows/deployment/upgrade/setupdiag">
  <Version>1.5.0.0</Version>
  <ProfileName>FindSPFatalError</ProfileName>
  <ProfileGuid>A4028172-1B09-48F8-AD3B-86CDD7D55852</ProfileGuid>
  <SystemInfo><HostOSVersion>10.0.18908</HostOSVersion><BiosVersion /></SystemInfo>
  <FailureData>Error: 0x00000057 &amp; more &#65;</FailureData>
  <Remediation>Do this &lt;now&gt;</Remediation>
</SetupDiag>"#;
        let (doc, errs) = parse(xml);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(doc.version.as_deref(), Some("1.5.0.0"));
        let p = &doc.profiles[0];
        assert_eq!(p.name, "FindSPFatalError");
        assert_eq!(p.failure_data, ["Error: 0x00000057 & more A"]);
        assert_eq!(p.remediation, ["Do this <now>"]);
        assert_eq!(doc.system_value("HostOSVersion"), Some("10.0.18908"));
        assert_eq!(doc.system.len(), 2);
    }

    #[test]
    fn xml_truncated_or_garbage() {
        let (doc, errs) = parse("<SetupDiag><ProfileName>X</ProfileName><FailureData>cut");
        assert_eq!(doc.profiles.len(), 1);
        assert_eq!(errs.len(), 1);
        let (_, errs) = parse("<SetupDiag><a></b></SetupDiag>");
        assert_eq!(errs.len(), 1);
        let (_, errs) = parse("<");
        assert_eq!(errs.len(), 1);
        let deep = "<a>".repeat(100);
        let (_, errs) = parse(&deep);
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn json_shape() {
        let json = r#"{"Version":"1.6.0.42","ProfileName":"FindSPFatalError","ProfileGuid":"A4028172-1B09-48F8-AD3B-86CDD7D55852",
            "SystemInfo":{"HostOSVersion":"10.0.19041","HostOSArchitecture":"x64"},
            "FailureData":["Error: 0xC1900101 - 0x4000D"],"FailureDetails":null,"Remediation":["Update drivers."]}"#;
        let (doc, errs) = parse(json);
        assert!(errs.is_empty());
        assert_eq!(
            doc.profiles[0].failure_data,
            ["Error: 0xC1900101 - 0x4000D"]
        );
        assert_eq!(doc.profiles[0].remediation, ["Update drivers."]);
        assert_eq!(doc.profiles[0].details, None);
        assert_eq!(doc.system_value("HostOSArchitecture"), Some("x64"));
        let (_, errs) = parse("{\"ProfileName\": ");
        assert_eq!(errs.len(), 1);
        let (doc, errs) = parse("[{\"ProfileName\":\"A\"},{\"ProfileName\":\"B\"}, 3]");
        assert!(errs.is_empty());
        assert_eq!(doc.profiles.len(), 2);
    }
}
