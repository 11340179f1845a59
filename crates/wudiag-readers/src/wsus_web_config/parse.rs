//! Reads the `<appSettings>` of an ASP.NET `web.config`: every `<add key="…" value="…"/>` with its element
//! path. It knows XML configuration files, nothing about WSUS.

use std::fmt;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event as XmlEvent};

/// One `<add key="…" value="…"/>` of an `<appSettings>` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSetting {
    /// `key`.
    pub key: String,
    /// `value` (empty when missing).
    pub value: String,
    /// Element path of the section (`/configuration/appSettings`).
    pub section: String,
}

impl AppSetting {
    /// The element path of this setting, for citing it.
    pub fn path(&self) -> String {
        format!("{}/add[@key='{}']", self.section, self.key)
    }
}

/// A part of the file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Element path where it happened.
    pub path: String,
    /// What went wrong.
    pub what: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

impl std::error::Error for ParseError {}

/// Deepest element nesting read.
const MAX_DEPTH: usize = 64;

fn add_setting(e: &BytesStart<'_>, section: &str, out: &mut Vec<Result<AppSetting, ParseError>>) {
    let mut key = None;
    let mut value = None;
    for attr in e.attributes() {
        let attr = match attr {
            Ok(a) => a,
            Err(err) => {
                out.push(Err(ParseError {
                    path: format!("{section}/add"),
                    what: format!("bad attribute: {err}"),
                }));
                return;
            }
        };
        let v = attr.normalized_value(XmlVersion::Implicit1_0).map_or_else(
            |_| attr.value.clone().into_owned(),
            std::borrow::Cow::into_owned,
        );
        match attr.key.local_name().as_ref() {
            "key" => key = Some(v),
            "value" => value = Some(v),
            _ => {}
        }
    }
    match key {
        Some(key) => out.push(Ok(AppSetting {
            key,
            value: value.unwrap_or_default(),
            section: section.to_owned(),
        })),
        None => out.push(Err(ParseError {
            path: format!("{section}/add"),
            what: "<add> without a key attribute".into(),
        })),
    }
}

fn here(path: &[String]) -> String {
    format!("/{}", path.join("/"))
}

/// Every app setting of `text` in document order, and an error for each part that could not be read
/// (reading stops at the first XML syntax error; settings before it are kept).
pub fn app_settings(text: &str) -> Vec<Result<AppSetting, ParseError>> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut saw_element = false;
    loop {
        match reader.read_event() {
            Ok(XmlEvent::Start(e)) => {
                saw_element = true;
                let name = e.local_name().as_ref().to_owned();
                if name == "add" && path.last().is_some_and(|p| p == "appSettings") {
                    add_setting(&e, &here(&path), &mut out);
                }
                path.push(name);
                if path.len() > MAX_DEPTH {
                    out.push(Err(ParseError {
                        path: here(&path),
                        what: format!("elements nested deeper than {MAX_DEPTH} levels"),
                    }));
                    return out;
                }
            }
            Ok(XmlEvent::Empty(e)) => {
                saw_element = true;
                if e.local_name().as_ref() == "add"
                    && path.last().is_some_and(|p| p == "appSettings")
                {
                    add_setting(&e, &here(&path), &mut out);
                }
            }
            Ok(XmlEvent::End(_)) => {
                path.pop();
            }
            Ok(XmlEvent::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                out.push(Err(ParseError {
                    path: here(&path),
                    what: format!("XML error at byte {}: {e}", reader.error_position()),
                }));
                return out;
            }
        }
    }
    if !path.is_empty() {
        out.push(Err(ParseError {
            path: format!("/{}", path.join("/")),
            what: "the document ends before its elements are closed (truncated?)".into(),
        }));
    } else if !saw_element {
        out.push(Err(ParseError {
            path: "/".into(),
            what: "no XML element found".into(),
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_app_settings() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="maxInstalledPrerequisites" value="400"/>
    <add key="maxCachedUpdates" value="22000"></add>
    <add key="note" value="a &amp; b"/>
  </appSettings>
  <system.web><add key="notme" value="1"/></system.web>
</configuration>"#;
        let s: Vec<_> = app_settings(xml).into_iter().map(Result::unwrap).collect();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].key, "maxInstalledPrerequisites");
        assert_eq!(s[0].value, "400");
        assert_eq!(
            s[0].path(),
            "/configuration/appSettings/add[@key='maxInstalledPrerequisites']"
        );
        assert_eq!(s[2].value, "a & b");
    }

    #[test]
    fn long_values_and_line_endings() {
        let xml = format!(
            "<configuration>\r\n<appSettings>\r<add key=\"k\" value=\"{}\"/>\n</appSettings></configuration>",
            "v".repeat(10 << 20)
        );
        let s = app_settings(&xml);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].as_ref().unwrap().value.len(), 10 << 20);
    }

    #[test]
    fn broken_documents() {
        let r = app_settings(
            "<configuration><appSettings><add key=\"a\" value=\"1\"/><add value=\"2\"/>",
        );
        assert!(r[0].is_ok());
        assert!(r[1].is_err());
        assert!(r[2].is_err()); // truncated
        assert!(app_settings("").iter().any(Result::is_err));
        assert!(app_settings("<a></b>").iter().any(Result::is_err));
        assert!(app_settings(&"<a>".repeat(200)).iter().any(Result::is_err));
        let _ = app_settings("<appSettings><add key='x' value='&bogus;'/></appSettings>");
    }
}
