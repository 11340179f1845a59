//! # Event Viewer exports as text
//!
//! Admins rarely hand over `.evtx` files; they copy events out of Event Viewer or PowerShell. Every form
//! they produce is read here into the same events the `.evtx` reader yields (provider, event id, level,
//! kind, codes, KBs), with the rendered message as the event's message:
//!
//! * "Copy details as text" and `wevtutil qe /f:text`: `Log Name:` / `Source:` / `Date:` / `Event ID:` /
//!   `Level:` / `Description:` blocks (the wevtutil form opens each with `Event[N]:`);
//! * "Save All Events As… Text" (tab-separated) and CSV: a `Level, Date and Time, Source, Event ID, Task
//!   Category` header, one row per event, the description last (quoted, possibly over several lines);
//! * the XML export and `wevtutil qe /f:xml` / `/f:RenderedXml`: `<Event>` elements, whose event data are
//!   read exactly as the `.evtx` reader reads them;
//! * `Get-WinEvent | Format-List` and `Get-EventLog | Format-List`: `Name : value` blocks;
//! * `Get-WinEvent | Format-Table` and `Get-EventLog | Format-Table`: columns placed by the dashes under
//!   the header (PowerShell cuts long messages with `...`; what is left is read).
//!
//! A record that cannot be understood is skipped with a read issue at its line; the rest of the export is
//! still read.

use quick_xml::events::Event as XmlEvent;
use wudiag_evidence::{EventTime, EvidenceBatch, Span};

use crate::Sniff;
use crate::evtx_log::extract::{self, Rendered};
use crate::evtx_log::parse::Record;
use crate::text::TextFormat;
use crate::xml_text::TextBuf;

/// The reader of Event Viewer text exports.
pub struct EventText;

/// The reader, for the `FORMATS` row.
pub static READER: EventText = EventText;

impl TextFormat for EventText {
    fn starts_record(&self, line: &[u8]) -> bool {
        let t = trim_ascii_start(line);
        t.starts_with(b"Log Name:")
            || t.starts_with(b"Event[")
            || t.starts_with(b"<Event ")
            || t.starts_with(b"<Event>")
            || starts_row(t)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        let text = String::from_utf8_lossy(block);
        batch.lines = text.lines().count() as u64;
        match Form::of(&text) {
            Form::Details => details(&text, batch),
            Form::Delimited(sep) => delimited(&text, sep, batch),
            Form::Xml => xml(&text, batch),
            Form::List => list(&text, batch),
            Form::Table => table(&text, batch),
        }
    }
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    b.get(n..).unwrap_or_default()
}

/// The level words a row of a delimited export starts with.
const LEVELS: &[(&str, u8)] = &[
    ("Critical", 1),
    ("Error", 2),
    ("Warning", 3),
    ("Information", 4),
    ("Verbose", 5),
    ("Audit Success", 4),
    ("Audit Failure", 2),
];

fn level_of(word: &str) -> Option<u8> {
    let w = word.trim().trim_matches('"');
    LEVELS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(w))
        .map(|(_, l)| *l)
        .or_else(|| w.parse::<u8>().ok().filter(|l| *l <= 5))
}

/// A row of a tab-separated or CSV export starts with a level word and a separator.
fn starts_row(line: &[u8]) -> bool {
    LEVELS.iter().any(|(name, _)| {
        line.get(..name.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
            && matches!(line.get(name.len()), Some(b'\t' | b','))
    })
}

/// The export forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Details,
    Delimited(char),
    Xml,
    List,
    Table,
}

impl Form {
    fn of(text: &str) -> Self {
        let head = text.get(..text.len().min(64 * 1024)).unwrap_or(text);
        let lines = || head.lines().map(str::trim_start);
        if head.contains("<Event ") || head.contains("<Event>") || head.contains("<Events>") {
            return Self::Xml;
        }
        if lines().any(|l| l.starts_with("Log Name:"))
            && lines().any(|l| l.starts_with("Event ID:"))
        {
            return Self::Details;
        }
        for l in lines().take(50) {
            if l.starts_with("Level\t") || l.starts_with("Keywords\t") || starts_row_str(l, '\t') {
                return Self::Delimited('\t');
            }
            if l.starts_with("Level,") || l.starts_with("Keywords,") || starts_row_str(l, ',') {
                return Self::Delimited(',');
            }
        }
        if lines().any(|l| list_field(l).is_some_and(|(k, _)| is_list_key(k))) {
            return Self::List;
        }
        Self::Table
    }
}

fn starts_row_str(l: &str, sep: char) -> bool {
    starts_row(l.as_bytes()) && l.contains(sep)
}

/// A time as Event Viewer and PowerShell print it: ISO (`2024-03-12T10:15:12.123Z`, `2024-03-12
/// 10:15:12`) or the US form (`3/12/2024 10:15:12 AM`). Other locales' forms are left without a time.
fn time_of(text: &str) -> Option<EventTime> {
    let written = text.trim().trim_matches('"');
    if let Some((dt, _)) = crate::timestamps::ymd_hms(written.as_bytes()) {
        return Some(if written.ends_with('Z') {
            EventTime::utc(dt)
        } else {
            EventTime::local(dt)
        });
    }
    let (year, month, day) = crate::timestamps::mdy(written.as_bytes())?;
    let clock = written.split_once(' ')?.1.trim_start();
    let (mut hour, minute, second, nanos, _) = crate::timestamps::hms(clock.as_bytes())?;
    let upper = clock.to_ascii_uppercase();
    if upper.ends_with("PM") && hour < 12 {
        hour += 12;
    } else if upper.ends_with("AM") && hour == 12 {
        hour = 0;
    }
    EventTime::civil(year, month, day, hour, minute, second, nanos).map(EventTime::local)
}

fn emit(r: &Rendered, first: u64, last: u64, batch: &mut EvidenceBatch) {
    let location = batch.at(Span::Lines { first, last });
    extract::extract_rendered(r, location, batch);
}

/// "Copy details as text" and `wevtutil qe /f:text` blocks.
fn details(text: &str, batch: &mut EvidenceBatch) {
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("Log Name:"))
        .map(|(i, _)| i)
        .collect();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let mut r = Rendered::default();
        let mut description = String::new();
        let mut in_description = false;
        let mut in_xml = false;
        let mut last = start;
        for (i, l) in lines.iter().enumerate().take(end).skip(start) {
            let t = l.trim();
            if t.starts_with("Event[") && t.ends_with("]:") {
                continue;
            }
            last = i;
            if in_xml {
                // `<ErrorCode>0x80073712</ErrorCode>`, `<Data Name="errorCode">0x…</Data>`.
                if let Some(c) = XML_FIELD.as_ref().and_then(|re| re.captures(t)) {
                    let name = c.get(2).or_else(|| c.get(1)).map_or("", |m| m.as_str());
                    let value = c.get(3).map_or("", |m| m.as_str());
                    r.data.push((name.to_owned(), value.to_owned()));
                }
                continue;
            }
            if t.starts_with("Event Xml:") {
                in_xml = true;
                continue;
            }
            if in_description {
                if !t.is_empty() {
                    description.push(' ');
                    description.push_str(t);
                }
                continue;
            }
            let field = |name: &str| t.strip_prefix(name).map(str::trim);
            if let Some(v) = field("Source:") {
                v.clone_into(&mut r.provider);
            } else if let Some(v) = field("Event ID:") {
                r.event_id = v.parse().ok();
            } else if let Some(v) = field("Level:") {
                r.level = level_of(v);
            } else if let Some(v) = field("Date:") {
                r.time = time_of(v);
            } else if let Some(v) = field("Description:") {
                in_description = true;
                description.push_str(v);
            } else if !t.is_empty() && !is_field_line(t) {
                // A paste that lost its `Description:` line: the text after the fields is the message.
                in_description = true;
                description.push_str(t);
            }
        }
        description.trim().clone_into(&mut r.message);
        emit(&r, start as u64 + 1, last as u64 + 1, batch);
    }
}

/// One leaf element of the "Event Xml" part: its name (or its `Name` attribute) and its text.
static XML_FIELD: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"<(\w+)(?:\s+Name=['"](\w+)['"])?[^>]*>([^<]+)</"#).ok()
});

/// The header fields of a details block (`Task Category: None`, `User:`), in every form Event Viewer and
/// wevtutil print.
const DETAIL_FIELDS: &[&str] = &[
    "Log Name",
    "Source",
    "Date",
    "Event ID",
    "Task Category",
    "Task",
    "Level",
    "Opcode",
    "Keywords",
    "Keyword",
    "User",
    "User Name",
    "Computer",
    "Description",
    "Event Xml",
];

fn is_field_line(t: &str) -> bool {
    t.split_once(':').is_some_and(|(name, _)| {
        DETAIL_FIELDS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name.trim()))
    })
}

/// Splits one delimited record into fields; quoted fields may hold separators, doubled quotes and line
/// breaks. Returns the fields and how many lines the record used.
fn split_record(lines: &[&str], sep: char) -> (Vec<String>, usize) {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut used = 0;
    for line in lines {
        used += 1;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' if quoted => quoted = false,
                '"' if field.is_empty() => quoted = true,
                c if c == sep && !quoted => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        if !quoted {
            break;
        }
        field.push(' ');
    }
    fields.push(field);
    (fields, used)
}

/// "Save All Events As… Text" (tab-separated) and CSV exports.
fn delimited(text: &str, sep: char, batch: &mut EvidenceBatch) {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while let Some(rest) = lines.get(i..).filter(|r| !r.is_empty()) {
        let line = rest.first().map_or("", |l| l.trim_start());
        if !starts_row_str(line, sep) {
            i += 1;
            continue;
        }
        let (fields, used) = split_record(rest, sep);
        let first = i as u64 + 1;
        i += used;
        // Level, Date and Time, Source, Event ID, Task Category, Description.
        let field = |n: usize| fields.get(n).map_or("", |f| f.trim());
        let Some(level) = level_of(field(0)) else {
            continue;
        };
        let Ok(event_id) = field(3).parse::<u32>() else {
            batch.issue(
                Some(Span::Lines { first, last: first }),
                "Event Viewer export row without a numeric event id: skipped".to_owned(),
            );
            continue;
        };
        let r = Rendered {
            provider: field(2).to_owned(),
            event_id: Some(event_id),
            level: Some(level),
            time: time_of(field(1)),
            message: fields
                .get(5..)
                .map(|f| f.join(&sep.to_string()))
                .unwrap_or_default()
                .trim()
                .to_owned(),
            data: Vec::new(),
        };
        emit(&r, first, first + used as u64 - 1, batch);
    }
}

/// The `Name : value` fields of a Format-List block.
fn list_field(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line
        .split_once(" : ")
        .or_else(|| line.trim_end().strip_suffix(" :").map(|k| (k, "")))?;
    let k = k.trim();
    (!k.is_empty() && !k.contains(' ')).then_some((k, v.trim()))
}

fn is_list_key(k: &str) -> bool {
    matches!(
        k,
        "ProviderName"
            | "TimeCreated"
            | "LevelDisplayName"
            | "EntryType"
            | "InstanceId"
            | "EventID"
    )
}

/// `Get-WinEvent | Format-List` / `Get-EventLog | Format-List`: blocks separated by blank lines; a line
/// that is not a `Name : value` field continues the value before it (long messages wrap).
fn list(text: &str, batch: &mut EvidenceBatch) {
    let mut r = Rendered::default();
    let mut first = 0u64;
    let mut last = 0u64;
    let mut current: Option<&str> = None;
    let mut any = false;
    let flush =
        |r: &mut Rendered, any: &mut bool, first: u64, last: u64, batch: &mut EvidenceBatch| {
            if *any && (r.event_id.is_some() || !r.message.is_empty()) {
                r.message = r.message.trim().to_owned();
                emit(r, first, last, batch);
            }
            *r = Rendered::default();
            *any = false;
        };
    for (i, line) in text.lines().enumerate() {
        let n = i as u64 + 1;
        if line.trim().is_empty() {
            flush(&mut r, &mut any, first, last, batch);
            current = None;
            continue;
        }
        if let Some((k, v)) =
            list_field(line).filter(|(k, _)| k.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            if !any {
                first = n;
                any = true;
            }
            last = n;
            current = Some(match k {
                "ProviderName" | "Source" => {
                    v.clone_into(&mut r.provider);
                    "provider"
                }
                "Id" | "EventID" | "EventId" => {
                    r.event_id = v.parse().ok();
                    "id"
                }
                "InstanceId" if r.event_id.is_none() => {
                    // Get-EventLog's InstanceId carries the qualifiers in its high bits.
                    r.event_id = v.parse::<u64>().ok().map(|x| (x & 0xffff) as u32);
                    "id"
                }
                "LevelDisplayName" | "EntryType" | "Level" => {
                    r.level = level_of(v).or(r.level);
                    "level"
                }
                "TimeCreated" | "TimeGenerated" => {
                    r.time = time_of(v);
                    "time"
                }
                "Message" => {
                    v.clone_into(&mut r.message);
                    "message"
                }
                _ => "other",
            });
        } else if any {
            last = n;
            if current == Some("message") {
                r.message.push(' ');
                r.message.push_str(line.trim());
            }
        }
    }
    flush(&mut r, &mut any, first, last, batch);
}

/// `Get-WinEvent | Format-Table` / `Get-EventLog | Format-Table`: the dashes under the header give each
/// column's start; `ProviderName: X` group headers give the provider of the rows below them.
fn table(text: &str, batch: &mut EvidenceBatch) {
    let lines: Vec<&str> = text.lines().collect();
    let mut columns: Vec<(String, usize)> = Vec::new();
    let mut group_provider = String::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if let Some(p) = t.strip_prefix("ProviderName:") {
            p.trim().clone_into(&mut group_provider);
            columns.clear();
            continue;
        }
        if let Some(header) = i.checked_sub(1).and_then(|h| lines.get(h))
            && !t.is_empty()
            && t.chars().all(|c| c == '-' || c == ' ')
        {
            columns = line
                .char_indices()
                .filter(|&(at, c)| {
                    c == '-' && (at == 0 || line.as_bytes().get(at - 1) == Some(&b' '))
                })
                .map(|(at, _)| {
                    let name = header.get(at..).unwrap_or_default();
                    let name = name
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    (name, at)
                })
                .collect();
            continue;
        }
        if columns.is_empty() || t.is_empty() {
            continue;
        }
        let cell = |name: &str| -> String {
            let Some(k) = columns
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name))
            else {
                return String::new();
            };
            let start = columns.get(k).map_or(0, |c| c.1);
            let end = columns.get(k + 1).map_or(line.len(), |c| c.1);
            line.get(start.min(line.len())..end.min(line.len()))
                .or_else(|| line.get(start.min(line.len())..))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let id = [cell("Id"), cell("EventID"), cell("InstanceID")]
            .into_iter()
            .find_map(|c| c.parse::<u64>().ok())
            .map(|x| (x & 0xffff) as u32);
        let Some(event_id) = id else { continue };
        let provider = [cell("ProviderName"), cell("Source")]
            .into_iter()
            .find(|c| !c.is_empty())
            .unwrap_or_else(|| group_provider.clone());
        let level = level_of(&cell("LevelDisplayName")).or_else(|| level_of(&cell("EntryType")));
        let time = [cell("TimeCreated"), cell("Time"), cell("TimeGenerated")];
        let r = Rendered {
            provider,
            event_id: Some(event_id),
            level,
            time: time.iter().find_map(|t| time_of(t)),
            message: cell("Message").trim_end_matches("...").trim().to_owned(),
            data: Vec::new(),
        };
        let n = i as u64 + 1;
        emit(&r, n, n, batch);
    }
}

/// The Event Viewer / wevtutil XML export: each `<Event>` element is turned into the JSON shape the
/// `.evtx` reader renders, so its event data are read by the very same code.
fn xml(text: &str, batch: &mut EvidenceBatch) {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth_in_event = 0usize;
    let mut start = 0usize;
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(0);
        match reader.read_event() {
            Ok(XmlEvent::Start(e)) if e.local_name().as_ref() == "Event" => {
                if depth_in_event == 0 {
                    start = at;
                }
                depth_in_event += 1;
            }
            Ok(XmlEvent::Start(_)) if depth_in_event > 0 => depth_in_event += 1,
            Ok(XmlEvent::End(_)) if depth_in_event > 0 => {
                depth_in_event -= 1;
                if depth_in_event == 0 {
                    let end = usize::try_from(reader.buffer_position()).unwrap_or(text.len());
                    let element = text.get(start..end).unwrap_or_default();
                    let first = line_of(text, start);
                    let last = line_of(text, end);
                    let read = event_json(element).and_then(|json| {
                        let rec = Record::parse(&json, &extract::wants_data)?;
                        let time = rec
                            .time_created
                            .as_deref()
                            .and_then(|t| t.trim().parse::<jiff::Timestamp>().ok())
                            .map(|ts| EventTime::utc(jiff::tz::Offset::UTC.to_datetime(ts)));
                        let location = batch.at(Span::Lines { first, last });
                        extract::extract_at(&rec, time, location, batch);
                        Ok(())
                    });
                    if let Err(why) = read {
                        batch.issue(
                            Some(Span::Lines { first, last }),
                            format!("event in the XML export could not be read: {why}"),
                        );
                    }
                }
            }
            Ok(XmlEvent::Eof) => break,
            Err(e) => {
                let n = line_of(text, at);
                batch.issue(
                    Some(Span::Lines { first: n, last: n }),
                    format!("XML export damaged here ({e}): the rest was not read"),
                );
                break;
            }
            Ok(_) => {}
        }
    }
}

/// One `<Event>` element in the JSON shape the `evtx` crate renders records in (`Event/System/Provider/
/// #attributes/Name`, `EventID`, `Level`, `TimeCreated/#attributes/SystemTime`, `EventData/<Name>`,
/// `UserData/<element>/<field>`), so that [`Record::parse`] reads it like any `.evtx` record.
fn event_json(element: &str) -> Result<String, String> {
    use serde_json::{Map, Value};
    let mut reader = quick_xml::Reader::from_str(element);
    let mut path: Vec<String> = Vec::new();
    let mut system = Map::new();
    let mut data = Map::new();
    let mut user: Option<(String, Map<String, Value>)> = None;
    let mut unnamed: Vec<Value> = Vec::new();
    let mut data_name: Option<String> = None;
    let mut text = TextBuf::default();
    let attrs = |e: &quick_xml::events::BytesStart<'_>| -> Map<String, Value> {
        e.attributes()
            .filter_map(Result::ok)
            .map(|a| {
                let v = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_or_else(
                        |_| a.value.clone().into_owned(),
                        std::borrow::Cow::into_owned,
                    );
                (a.key.local_name().as_ref().to_owned(), Value::String(v))
            })
            .collect()
    };
    let number_or_text = |v: &str| {
        v.trim()
            .parse::<u64>()
            .map_or_else(|_| Value::String(v.trim().to_owned()), Value::from)
    };
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let (start, empty) = match &event {
            XmlEvent::Start(e) => (Some(e.clone()), false),
            XmlEvent::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.local_name().as_ref().to_owned();
            let parent = path.last().map(String::as_str);
            match (parent, name.as_str()) {
                (Some("System"), "Provider" | "TimeCreated") => {
                    let mut m = Map::new();
                    m.insert("#attributes".to_owned(), Value::Object(attrs(&e)));
                    system.insert(name.clone(), Value::Object(m));
                }
                (Some("EventData"), "Data") => {
                    data_name = attrs(&e)
                        .get("Name")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                }
                (Some("UserData"), _) => user = Some((name.clone(), Map::new())),
                _ => {}
            }
            text.0.clear();
            if !empty {
                path.push(name);
            } else if parent == Some("EventData") {
                match data_name.take() {
                    Some(n) => {
                        data.insert(n, Value::String(String::new()));
                    }
                    None => unnamed.push(Value::String(String::new())),
                }
            }
            continue;
        }
        match event {
            XmlEvent::Text(t) => text.0.push_str(&t.xml10_content()),
            XmlEvent::CData(t) => text.0.push_str(&t.into_inner()),
            XmlEvent::GeneralRef(r) => text.push_ref(&r),
            XmlEvent::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text.0);
                match (path.last().map(String::as_str), name.as_str()) {
                    (Some("System"), "EventID" | "Level" | "EventRecordID") => {
                        system.insert(name, number_or_text(&value));
                    }
                    (Some("System"), "Channel" | "Computer") => {
                        system.insert(name, Value::String(value.trim().to_owned()));
                    }
                    (Some("EventData"), "Data") => match data_name.take() {
                        Some(n) => {
                            data.insert(n, Value::String(value));
                        }
                        None => unnamed.push(Value::String(value)),
                    },
                    (Some(p), field) if user.as_ref().is_some_and(|(u, _)| u == p) => {
                        if let Some((_, m)) = user.as_mut() {
                            m.insert(field.to_owned(), Value::String(value));
                        }
                    }
                    _ => {}
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    if !unnamed.is_empty() {
        data.insert("Data".to_owned(), Value::Array(unnamed));
    }
    let mut event = Map::new();
    event.insert("System".to_owned(), Value::Object(system));
    if let Some((name, fields)) = user {
        let mut m = Map::new();
        m.insert(name, Value::Object(fields));
        event.insert("UserData".to_owned(), Value::Object(m));
    } else if !data.is_empty() {
        event.insert("EventData".to_owned(), Value::Object(data));
    }
    let mut top = Map::new();
    top.insert("Event".to_owned(), Value::Object(event));
    serde_json::to_string(&Value::Object(top)).map_err(|e| e.to_string())
}

fn line_of(text: &str, byte: usize) -> u64 {
    let upto = text.get(..byte.min(text.len())).unwrap_or(text);
    memchr::memchr_iter(b'\n', upto.as_bytes()).count() as u64 + 1
}

/// Event Viewer and PowerShell exports of events as text (every form in the module documentation).
pub fn sniff(s: &Sniff<'_>) -> u8 {
    if s.text.trim().is_empty() {
        return 0;
    }
    let head = s.text.get(..s.text.len().min(16 * 1024)).unwrap_or(s.text);
    let lines = || head.lines().take(60).map(str::trim_start);
    if head.contains("http://schemas.microsoft.com/win/2004/08/events/event") {
        return 70;
    }
    if lines().any(|l| l.starts_with("Log Name:")) && lines().any(|l| l.starts_with("Event ID:")) {
        return 70;
    }
    let header = |l: &str| {
        (l.starts_with("Level") || l.starts_with("Keywords"))
            && l.contains("Date and Time")
            && l.contains("Event ID")
    };
    if lines().any(header) {
        return 70;
    }
    let list_keys = lines()
        .filter_map(list_field)
        .filter(|(k, _)| is_list_key(k) || *k == "Message")
        .count();
    if list_keys >= 2 && lines().any(|l| list_field(l).is_some_and(|(k, _)| k == "Message")) {
        return 65;
    }
    let mut prev = "";
    for l in lines() {
        let t = l.trim();
        let dashes = !t.is_empty() && t.starts_with('-') && t.chars().all(|c| c == '-' || c == ' ');
        if dashes
            && prev.split_whitespace().any(|w| w == "Message")
            && prev
                .split_whitespace()
                .any(|w| matches!(w, "Id" | "EventID" | "InstanceID"))
        {
            return 65;
        }
        prev = t;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{EventKind, Retention, Severity, SourceId};

    fn read(text: &str) -> EvidenceBatch {
        let mut batch = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        READER.read_block(text.as_bytes(), &mut batch);
        batch
    }

    /// One WindowsUpdateClient 20 in every form: the same event comes out.
    fn assert_install_failure(batch: &EvidenceBatch, form: &str) {
        let e = batch
            .events
            .iter()
            .find(|e| e.event_id == Some(20))
            .unwrap_or_else(|| panic!("{form}: no event 20 in {:?}", batch.events));
        assert_eq!(e.kind, EventKind::InstallFailed, "{form}");
        assert_eq!(e.severity, Severity::Error, "{form}");
        assert_eq!(
            e.codes.first().map(ToString::to_string).as_deref(),
            Some("0x80070643"),
            "{form}"
        );
        assert!(
            e.kbs.iter().any(|k| k.to_string() == "KB5034441"),
            "{form}: {:?}",
            e.kbs
        );
        assert_eq!(
            e.component.as_deref(),
            Some("Microsoft-Windows-WindowsUpdateClient"),
            "{form}"
        );
    }

    const MESSAGE: &str = "Installation Failure: Windows failed to install the following update with error 0x80070643: 2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441).";

    #[test]
    fn copy_details_as_text_and_wevtutil_text() {
        let copy = format!(
            "Log Name:      System\nSource:        Microsoft-Windows-WindowsUpdateClient\nDate:          1/10/2024 3:04:05 PM\nEvent ID:      20\nTask Category: Windows Update Agent\nLevel:         Error\nKeywords:      Failure,Installation\nUser:          SYSTEM\nComputer:      PC01\nDescription:\n{MESSAGE}\nEvent Xml:\n<Event/>\n"
        );
        let b = read(&copy);
        assert_install_failure(&b, "copy details");
        assert_eq!(
            b.events[0].time.unwrap().written.to_string(),
            "2024-01-10T15:04:05"
        );
        let wevtutil = format!(
            "Event[0]:\n  Log Name: System\n  Source: Microsoft-Windows-WindowsUpdateClient\n  Date: 2024-01-10T15:04:05.123\n  Event ID: 20\n  Task: N/A\n  Level: Error\n  Description: \n{MESSAGE}\n\nEvent[1]:\n  Log Name: System\n  Source: Microsoft-Windows-WindowsUpdateClient\n  Event ID: 19\n  Level: Information\n  Description: \nInstallation Successful: Windows successfully installed the following update: KB5034122\n"
        );
        let b = read(&wevtutil);
        assert_install_failure(&b, "wevtutil text");
        assert!(
            b.events
                .iter()
                .any(|e| e.kind == EventKind::InstallSucceeded)
        );
    }

    #[test]
    fn details_without_their_description_line() {
        let b = read(&format!(
            "Log Name:      System\nSource:        Microsoft-Windows-WindowsUpdateClient\nEvent ID:      20\nLevel:         Error\n{MESSAGE}\n"
        ));
        assert_install_failure(&b, "no Description: line");
        assert!(b.events[0].message.starts_with("Installation Failure"));
    }

    #[test]
    fn tab_separated_and_csv_exports() {
        let tsv = format!(
            "Level\tDate and Time\tSource\tEvent ID\tTask Category\nError\t1/10/2024 3:04:05 PM\tMicrosoft-Windows-WindowsUpdateClient\t20\tWindows Update Agent\t{MESSAGE}\nInformation\t1/10/2024 3:00:00 PM\tMicrosoft-Windows-WindowsUpdateClient\t43\tWindows Update Agent\tInstallation Started: Windows has started installing the following update: KB5034441\n"
        );
        assert_install_failure(&read(&tsv), "tab-separated");
        let csv = format!(
            "Level,Date and Time,Source,Event ID,Task Category\nError,1/10/2024 3:04:05 PM,Microsoft-Windows-WindowsUpdateClient,20,Windows Update Agent,\"{MESSAGE}\nsecond line, with a comma\"\nWarning,1/10/2024 3:00:00 PM,Service Control Manager,7031,None,\"The Windows Update service terminated unexpectedly.\"\n"
        );
        let b = read(&csv);
        assert_install_failure(&b, "csv");
        assert!(b.events[0].message.contains("with a comma"));
    }

    #[test]
    fn xml_export_reads_event_data_like_evtx() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Events>\n<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-WindowsUpdateClient' Guid='{945a8954-c147-4acd-923f-40c45405a658}'/><EventID>20</EventID><Version>1</Version><Level>2</Level><TimeCreated SystemTime='2024-01-10T15:04:05.1234567Z'/><EventRecordID>42</EventRecordID><Channel>System</Channel><Computer>PC01</Computer></System><EventData><Data Name='errorCode'>0x80070643</Data><Data Name='updateTitle'>2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)</Data><Data Name='updateGuid'>{a7a8a7b4-3c2d-4d6e-8f9a-0b1c2d3e4f50}</Data><Data Name='updateRevisionNumber'>1</Data></EventData></Event>\n</Events>\n";
        let b = read(xml);
        assert_install_failure(&b, "xml");
        assert!(b.events[0].update_id.is_some());
        assert!(b.events[0].title.as_deref().unwrap().contains("KB5034441"));
    }

    #[test]
    fn powershell_format_list_and_table() {
        let fl = format!(
            "\nTimeCreated  : 1/10/2024 3:04:05 PM\nProviderName : Microsoft-Windows-WindowsUpdateClient\nId           : 20\nMessage      : {}\n               {}\n\nTimeCreated  : 1/10/2024 3:00:00 PM\nProviderName : Microsoft-Windows-WindowsUpdateClient\nId           : 43\nMessage      : Installation Started: Windows has started installing the following update: KB5034441\n",
            &MESSAGE[..60],
            &MESSAGE[60..]
        );
        let b = read(&fl);
        assert_install_failure(&b, "format-list");
        assert_eq!(b.events.len(), 2);
        let ft = "\n   ProviderName: Microsoft-Windows-WindowsUpdateClient\n\nTimeCreated                      Id LevelDisplayName Message\n-----------                      -- ---------------- -------\n1/10/2024 3:04:05 PM             20 Error            Installation Failure: Windows failed to install the following update with error 0x80070643: 2024-01 Security Update (KB5034441)...\n";
        assert_install_failure(&read(ft), "format-table");
    }

    #[test]
    fn scm_text_names_the_update_service() {
        let b = read(
            "Log Name:      System\nSource:        Service Control Manager\nEvent ID:      7000\nLevel:         Error\nDescription:\nThe Windows Update service failed to start due to the following error: \nThe service cannot be started, either because it is disabled or because it has no enabled devices associated with it.\n",
        );
        assert_eq!(b.events.len(), 1, "{:?}", b.events);
        let b = read(
            "Log Name:      System\nSource:        Service Control Manager\nEvent ID:      7036\nLevel:         Information\nDescription:\nThe Print Spooler service entered the running state.\n",
        );
        assert!(b.events.is_empty(), "other services are counted only");
    }

    #[test]
    fn sniffs_every_form_and_nothing_else() {
        let sniff_text = |t: &str| {
            sniff(&Sniff {
                name: "export.txt",
                head: t.as_bytes(),
                text: t,
            })
        };
        assert!(sniff_text("Level\tDate and Time\tSource\tEvent ID\tTask Category\n") > 0);
        assert!(
            sniff_text("TimeCreated  : 1/10/2024\nProviderName : X\nId : 20\nMessage      : y\n")
                > 0
        );
        assert!(
            sniff_text(
                "TimeCreated Id LevelDisplayName Message\n----------- -- ---------------- -------\n"
            ) > 0
        );
        assert_eq!(
            sniff_text("2024-01-10 10:00:00, Error CBS Failed [HRESULT = 0x800f0922]\n"),
            0
        );
    }
}
