//! A streaming EVTX record reader: the `evtx` crate renders each record to JSON, and a light serde pass
//! borrows the few fields a reader needs from that JSON.
//!
//! This half knows the EVTX layout (file header, 64 KiB chunks, records rendered as `Event/System`,
//! `Event/EventData`, `Event/UserData`) and nothing about Windows Update.
//!
//! * [`EvtxFile`] opens a file (streamed from disk) or a buffer, reads the file header, and yields
//!   [`RawRecord`]s in record order: `Result<RawRecord, ParseError>`, one error per record or chunk that
//!   cannot be read, so a dirty file gives everything that is there.
//! * [`Record::parse`] reads one record's JSON into a [`Record`] that borrows from it: provider, event id,
//!   level, time, channel and — only when asked — the event data flattened to `name → value` pairs.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use evtx::err::EvtxError;
use evtx::{EvtxParser, HeaderFlags, ParserSettings};
use serde::Deserializer;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use wudiag_evidence::Span;

/// Size of the EVTX file header block.
pub const FILE_HEADER_SIZE: u64 = 4096;
/// Size of one EVTX chunk.
pub const CHUNK_SIZE: u64 = 65536;
/// Event-data fields kept per record; the rest are ignored (a real record has a few dozen at most).
pub const MAX_FIELDS: usize = 256;

/// What went wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The input is not an EVTX file, or its header cannot be read.
    Header {
        /// Why.
        message: String,
    },
    /// A whole chunk could not be read (its records are lost).
    Chunk {
        /// Chunk number in the file.
        number: u64,
        /// Why.
        message: String,
    },
    /// One record could not be read or rendered.
    Record {
        /// Its record id, when its header could be read.
        id: Option<u64>,
        /// Its byte offset in the file, when known.
        offset: Option<u64>,
        /// Why.
        message: String,
    },
    /// A rendered record does not have the `Event/System` shape.
    Shape {
        /// Its record id.
        id: u64,
        /// Why.
        message: String,
    },
}

impl ParseError {
    /// Where the error is: the record id when known, else the byte offset, else the whole file.
    pub fn span(&self) -> Span {
        match self {
            Self::Chunk { number, .. } => Span::Offset {
                offset: chunk_offset(*number),
            },
            Self::Record { id: Some(id), .. } | Self::Shape { id, .. } => Span::Record { id: *id },
            Self::Record {
                id: None,
                offset: Some(offset),
                ..
            } => Span::Offset { offset: *offset },
            Self::Header { .. } | Self::Record { .. } => Span::File,
        }
    }

    /// True when the error loses a whole chunk rather than one record.
    pub const fn is_chunk(&self) -> bool {
        matches!(self, Self::Chunk { .. })
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header { message } => write!(f, "not a readable EVTX file: {message}"),
            Self::Chunk { number, message } => write!(
                f,
                "chunk {number} (file offset {:#x}) could not be read, its records are lost: {message}",
                chunk_offset(*number)
            ),
            Self::Record {
                id: Some(id),
                message,
                ..
            } => write!(f, "record {id} could not be read: {message}"),
            Self::Record {
                offset: Some(offset),
                message,
                ..
            } => write!(
                f,
                "the record at file offset {offset:#x} could not be read: {message}"
            ),
            Self::Record { message, .. } => write!(f, "a record could not be read: {message}"),
            Self::Shape { id, message } => {
                write!(f, "record {id} has an unexpected shape: {message}")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// The byte offset of chunk `number`.
pub const fn chunk_offset(number: u64) -> u64 {
    FILE_HEADER_SIZE.saturating_add(number.saturating_mul(CHUNK_SIZE))
}

/// An error of the `evtx` crate with its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    let mut depth = 0;
    while let Some(c) = cur {
        let next = c.to_string();
        if !s.ends_with(&next) {
            s.push_str(": ");
            s.push_str(&next);
        }
        cur = c.source();
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    s
}

/// Maps an `evtx` error to a [`ParseError`] with its place.
fn classify(e: &EvtxError) -> ParseError {
    let message = chain(e);
    match e {
        EvtxError::FailedToParseChunk { chunk_id, .. } => ParseError::Chunk {
            number: *chunk_id,
            message,
        },
        EvtxError::FailedToParseRecord { record_id, .. } => ParseError::Record {
            id: Some(*record_id),
            offset: None,
            message,
        },
        EvtxError::FailedToReadRecordAt { chunk, offset, .. } => ParseError::Record {
            id: None,
            offset: chunk.map(|c| chunk_offset(c).saturating_add(*offset)),
            message,
        },
        _ => ParseError::Record {
            id: None,
            offset: None,
            message,
        },
    }
}

/// What the file header says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// Size of the input in bytes.
    pub size: u64,
    /// Chunk count written in the header (a dirty file may have more).
    pub header_chunks: u16,
    /// Whole chunks present in the file.
    pub chunks: u64,
    /// The next record id the header expects.
    pub next_record_id: u64,
    /// The log was not closed cleanly (the header lags behind the chunks).
    pub dirty: bool,
    /// The log was full.
    pub full: bool,
    /// The header checksum matches.
    pub header_checksum_ok: bool,
    /// Bytes after the last whole chunk (a truncated copy), not read.
    pub trailing_bytes: u64,
}

/// One record as the `evtx` crate rendered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    /// The record id (`EventRecordID`).
    pub id: u64,
    /// The time written in the record header (UTC).
    pub written: jiff::Timestamp,
    /// The record rendered as one-line JSON.
    pub json: String,
}

/// An EVTX file opened for reading.
pub struct EvtxFile<R: Read + Seek> {
    parser: EvtxParser<R>,
    info: FileInfo,
}

impl EvtxFile<File> {
    /// Opens a file on disk; chunks are read as they are needed.
    pub fn open(path: &Path) -> Result<Self, ParseError> {
        let size = std::fs::metadata(path)
            .map_err(|e| ParseError::Header {
                message: e.to_string(),
            })?
            .len();
        let parser =
            EvtxParser::from_path(path).map_err(|e| ParseError::Header { message: chain(&e) })?;
        Ok(Self::new(parser, size))
    }
}

impl EvtxFile<Cursor<Vec<u8>>> {
    /// Reads an EVTX image held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, ParseError> {
        let size = bytes.len() as u64;
        if bytes.get(..8) != Some(&b"ElfFile\0"[..]) {
            return Err(ParseError::Header {
                message: "the file does not start with the EVTX magic `ElfFile`".into(),
            });
        }
        let parser = EvtxParser::from_buffer(bytes)
            .map_err(|e| ParseError::Header { message: chain(&e) })?;
        Ok(Self::new(parser, size))
    }
}

impl<R: Read + Seek> EvtxFile<R> {
    fn new(parser: EvtxParser<R>, size: u64) -> Self {
        // One thread per file: files are already read in parallel, and the crate's own pipeline would
        // block a rayon worker on work queued behind it.
        let settings = ParserSettings::new()
            .num_threads(1)
            .indent(false)
            .separate_json_attributes(false)
            .validate_checksums(false);
        let parser = parser.with_configuration(settings);
        let h = parser.header();
        let body = size.saturating_sub(FILE_HEADER_SIZE);
        let info = FileInfo {
            size,
            header_chunks: h.chunk_count,
            chunks: body / CHUNK_SIZE,
            next_record_id: h.next_record_id,
            dirty: h.flags.contains(HeaderFlags::DIRTY),
            full: h.flags.contains(HeaderFlags::FULL),
            header_checksum_ok: h.validate_checksum(),
            trailing_bytes: body % CHUNK_SIZE,
        };
        Self { parser, info }
    }

    /// What the header says.
    pub const fn info(&self) -> &FileInfo {
        &self.info
    }

    /// Every record in record order (oldest chunk first, as Windows reads a wrapped log), one error per
    /// record or chunk that cannot be read.
    pub fn records(&mut self) -> impl Iterator<Item = Result<RawRecord, ParseError>> + '_ {
        self.parser.records_json().map(|r| match r {
            Ok(r) => Ok(RawRecord {
                id: r.event_record_id,
                written: r.timestamp,
                json: r.data,
            }),
            Err(e) => Err(classify(&e)),
        })
    }
}

/// A value as the JSON rendering writes it: a string, a number, a boolean, or nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// A string (borrowed when it has no escapes).
    Str(Cow<'a, str>),
    /// An unsigned integer.
    U64(u64),
    /// A negative integer.
    I64(i64),
    /// A float.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// `null`, an empty element, or a shape that is not a value.
    Null,
}

impl Value<'_> {
    /// The value as an unsigned integer, when it is one (numbers written as strings included).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::U64(n) => Some(*n),
            Self::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The value as text (`None` for null).
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Self::Str(s) => Some(Cow::Borrowed(s.as_ref())),
            Self::U64(n) => Some(Cow::Owned(n.to_string())),
            Self::I64(n) => Some(Cow::Owned(n.to_string())),
            Self::F64(n) => Some(Cow::Owned(n.to_string())),
            Self::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Self::Null => None,
        }
    }

    /// True for `null`.
    pub const fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::U64(n) => write!(f, "{n}"),
            Self::I64(n) => write!(f, "{n}"),
            Self::F64(n) => write!(f, "{n}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Null => Ok(()),
        }
    }
}

/// A record read from its JSON rendering; strings borrow from the JSON.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record<'a> {
    /// `System/Provider/@Name`.
    pub provider: Cow<'a, str>,
    /// `System/Provider/@EventSourceName` (classic event sources).
    pub event_source: Option<Cow<'a, str>>,
    /// `System/EventID`.
    pub event_id: Option<u32>,
    /// `System/Level` (1 critical, 2 error, 3 warning, 4 information, 5 verbose; 0 log-always).
    pub level: Option<u8>,
    /// `System/TimeCreated/@SystemTime` (UTC, ISO 8601).
    pub time_created: Option<Cow<'a, str>>,
    /// `System/EventRecordID`.
    pub record_id: Option<u64>,
    /// `System/Channel`.
    pub channel: Option<Cow<'a, str>>,
    /// `System/Computer`.
    pub computer: Option<Cow<'a, str>>,
    /// The name of the `UserData` element (`CbsPackageChangeState`), when the record has one.
    pub user_data_element: Option<Cow<'a, str>>,
    /// `EventData` / `UserData` flattened to `(name, value)` pairs in document order (unnamed `Data`
    /// elements are named `Data`); only filled when the caller asked for it.
    pub data: Vec<(Cow<'a, str>, Value<'a>)>,
}

impl<'a> Record<'a> {
    /// Reads one record's JSON. `want_data` is asked, with the provider name, whether the event data
    /// should be read too (it is skipped otherwise, which is faster).
    pub fn parse(json: &'a str, want_data: &dyn Fn(&str) -> bool) -> Result<Self, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        let mut rec = Record::default();
        let mut seen_system = false;
        TopSeed {
            rec: &mut rec,
            want_data,
            seen_system: &mut seen_system,
        }
        .deserialize(&mut de)
        .map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        if !seen_system {
            return Err("no Event/System element".into());
        }
        Ok(rec)
    }

    /// The first value of the field `name` (ASCII case-insensitive).
    pub fn field(&self, name: &str) -> Option<&Value<'a>> {
        self.data
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_null())
            .map(|(_, v)| v)
    }

    /// The first non-empty text value of the field `name`.
    pub fn field_text(&self, name: &str) -> Option<Cow<'_, str>> {
        self.field(name)
            .and_then(Value::text)
            .filter(|s| !s.trim().is_empty())
    }
}

/// A shortcut for records that will only be counted: the provider name and level read straight from the
/// JSON text as the `evtx` crate writes it (`"Provider":{"#attributes":{"Name":"…"`, `"Level":4`), without
/// parsing. `None` when the text does not have that exact shape (escapes, another layout): parse it then.
pub fn quick_provider_level(json: &str) -> Option<(&str, Option<u8>)> {
    const PROVIDER: &str = r##""Provider":{"#attributes":{"Name":""##;
    const LEVEL: &str = r#""Level":"#;
    let start = memchr::memmem::find(json.as_bytes(), PROVIDER.as_bytes())? + PROVIDER.len();
    let rest = json.get(start..)?;
    let end = rest.find('"')?;
    let name = rest.get(..end)?;
    if name.contains('\\') {
        return None;
    }
    // `Level` follows the provider's GUID, EventID and Version closely; looking further could find a
    // field of the event data.
    let after = rest.get(end..)?;
    let window = after.as_bytes().get(..after.len().min(320))?;
    let level = match memchr::memmem::find(window, LEVEL.as_bytes()) {
        Some(at) => {
            let digits = after.get(at + LEVEL.len()..)?;
            let n = digits.bytes().take_while(u8::is_ascii_digit).count();
            match digits.get(..n)?.parse::<u8>() {
                Ok(level) => Some(level),
                Err(_) if digits.starts_with("null") => None,
                Err(_) => return None,
            }
        }
        None => return None,
    };
    Some((name, level))
}

// ----- serde plumbing: seeds that fill a `Record` in place ------------------------------------------

/// `{"Event": {...}}`
struct TopSeed<'r, 'a> {
    rec: &'r mut Record<'a>,
    want_data: &'r dyn Fn(&str) -> bool,
    seen_system: &'r mut bool,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with an Event member")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if key == "Event" {
                map.next_value_seed(EventSeed {
                    rec: &mut *self.rec,
                    want_data: self.want_data,
                    seen_system: &mut *self.seen_system,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `{"#attributes": …, "System": {...}, "EventData": {...} | "UserData": {...}}`
struct EventSeed<'r, 'a> {
    rec: &'r mut Record<'a>,
    want_data: &'r dyn Fn(&str) -> bool,
    seen_system: &'r mut bool,
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Event object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut wants: Option<bool> = None;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "System" => {
                    map.next_value_seed(SystemSeed {
                        rec: &mut *self.rec,
                    })?;
                    *self.seen_system = true;
                }
                "EventData" | "UserData" => {
                    let want = *wants.get_or_insert_with(|| (self.want_data)(&self.rec.provider));
                    if want {
                        let user = key == "UserData";
                        map.next_value_seed(FlattenSeed {
                            rec: &mut *self.rec,
                            key: Cow::Borrowed("Data"),
                            depth: 0,
                            user_data: user,
                        })?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `System`: the fields every record has.
struct SystemSeed<'r, 'a> {
    rec: &'r mut Record<'a>,
}

impl<'de> DeserializeSeed<'de> for SystemSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SystemSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a System object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "Provider" => {
                    let mut attrs = Attrs::new(&["Name", "EventSourceName"]);
                    map.next_value_seed(AttrSeed(&mut attrs))?;
                    let [name, source] = attrs.take2();
                    self.rec.provider = name.unwrap_or_default();
                    self.rec.event_source = source;
                }
                "TimeCreated" => {
                    let mut attrs = Attrs::new(&["SystemTime"]);
                    map.next_value_seed(AttrSeed(&mut attrs))?;
                    let [t, _] = attrs.take2();
                    self.rec.time_created = t;
                }
                "EventID" => {
                    let v = map.next_value::<TextValue<'de>>()?.0;
                    self.rec.event_id = v.as_u64().and_then(|n| u32::try_from(n).ok());
                }
                "Level" => {
                    let v = map.next_value::<TextValue<'de>>()?.0;
                    self.rec.level = v.as_u64().and_then(|n| u8::try_from(n).ok());
                }
                "EventRecordID" => {
                    self.rec.record_id = map.next_value::<TextValue<'de>>()?.0.as_u64();
                }
                "Channel" => {
                    self.rec.channel = into_str(map.next_value::<TextValue<'de>>()?.0);
                }
                "Computer" => {
                    self.rec.computer = into_str(map.next_value::<TextValue<'de>>()?.0);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

fn into_str(v: Value<'_>) -> Option<Cow<'_, str>> {
    match v {
        Value::Str(s) if !s.is_empty() => Some(s),
        Value::Null | Value::Str(_) => None,
        other => other.text().map(|t| Cow::Owned(t.into_owned())),
    }
}

/// The attributes wanted from an element rendered as `{"#attributes": {...}}`.
struct Attrs<'a> {
    names: &'static [&'static str],
    values: [Option<Cow<'a, str>>; 2],
}

impl<'a> Attrs<'a> {
    const fn new(names: &'static [&'static str]) -> Self {
        Self {
            names,
            values: [None, None],
        }
    }
    fn take2(self) -> [Option<Cow<'a, str>>; 2] {
        self.values
    }
}

/// The `visit_*` methods of a visitor that only cares about maps: a scalar where an element was
/// expected (an empty element, a bare value) is read and ignored.
macro_rules! ignore_scalars {
    () => {
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    };
}

/// Reads `{"#attributes": {"Name": …}}` (other members and shapes are skipped).
struct AttrSeed<'r, 'a>(&'r mut Attrs<'a>);

impl<'de> DeserializeSeed<'de> for AttrSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AttrSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an element with attributes")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if key == "#attributes" {
                map.next_value_seed(AttrValues(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    ignore_scalars!();
}

struct AttrValues<'r, 'a>(&'r mut Attrs<'a>);

impl<'de> DeserializeSeed<'de> for AttrValues<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AttrValues<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let slot = self
                .0
                .names
                .iter()
                .position(|n| *n == key)
                .and_then(|i| self.0.values.get_mut(i));
            match slot {
                Some(slot) => *slot = into_str(map.next_value::<TextValue<'de>>()?.0),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    ignore_scalars!();
}

/// An object key, borrowed from the JSON unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

/// Any JSON value read as a scalar: an object yields its `#text` member, an array its first element.
struct TextValue<'a>(Value<'a>);

impl<'de> serde::Deserialize<'de> for TextValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(TextValue)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Value<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Value<'de>, E> {
        Ok(Value::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value<'de>, E> {
        Ok(Value::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value<'de>, E> {
        Ok(Value::Str(Cow::Owned(v)))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value<'de>, E> {
        Ok(Value::U64(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value<'de>, E> {
        Ok(u64::try_from(v).map_or(Value::I64(v), Value::U64))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value<'de>, E> {
        Ok(Value::F64(v))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value<'de>, E> {
        Ok(Value::Bool(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
        let mut out = Value::Null;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if key == "#text" && out.is_null() {
                out = map.next_value::<TextValue<'de>>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
        let mut out = Value::Null;
        while let Some(v) = seq.next_element::<TextValue<'de>>()? {
            if out.is_null() {
                out = v.0;
            }
        }
        Ok(out)
    }
}

/// Flattens `EventData` / `UserData` into `(name, value)` pairs: each scalar is named by the closest
/// element name above it (`#text` takes its element's name, array items their array's name), and
/// `#attributes` are skipped.
struct FlattenSeed<'r, 'a> {
    rec: &'r mut Record<'a>,
    key: Cow<'a, str>,
    depth: u32,
    user_data: bool,
}

impl<'a> FlattenSeed<'_, 'a> {
    fn push(self, v: Value<'a>) {
        if !v.is_null() && self.rec.data.len() < MAX_FIELDS {
            self.rec.data.push((self.key, v));
        }
    }
}

impl<'de> DeserializeSeed<'de> for FlattenSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FlattenSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("event data")
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<(), E> {
        self.push(Value::Str(Cow::Borrowed(v)));
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.push(Value::Str(Cow::Owned(v.to_owned())));
        Ok(())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<(), E> {
        self.push(Value::Str(Cow::Owned(v)));
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        self.push(Value::U64(v));
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        self.push(u64::try_from(v).map_or(Value::I64(v), Value::U64));
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        self.push(Value::F64(v));
        Ok(())
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<(), E> {
        self.push(Value::Bool(v));
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            match key.as_ref() {
                "#attributes" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "#text" => map.next_value_seed(FlattenSeed {
                    rec: &mut *self.rec,
                    key: self.key.clone(),
                    depth: self.depth + 1,
                    user_data: false,
                })?,
                _ => {
                    if self.user_data && self.depth == 0 && self.rec.user_data_element.is_none() {
                        self.rec.user_data_element = Some(key.clone());
                    }
                    map.next_value_seed(FlattenSeed {
                        rec: &mut *self.rec,
                        key,
                        depth: self.depth + 1,
                        user_data: false,
                    })?;
                }
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(FlattenSeed {
                rec: &mut *self.rec,
                key: self.key.clone(),
                depth: self.depth + 1,
                user_data: false,
            })?
            .is_some()
        {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WUC_20: &str = r##"{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-WindowsUpdateClient","Guid":"{945a8954-c147-4acd-923f-40c45405a658}"}},"EventID":20,"Version":1,"Level":2,"Task":1,"Opcode":13,"Keywords":"0x8000000000000028","TimeCreated":{"#attributes":{"SystemTime":"2024-11-11T17:44:35.8934326Z"}},"EventRecordID":283,"Correlation":{"#attributes":{"ActivityID":"{75e6d468-345e-0007-6ee3-e6755e34db01}"}},"Execution":{"#attributes":{"ProcessID":6892,"ThreadID":2240}},"Channel":"System","Computer":"DESKTOP-HB59U74","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"errorCode":"0x80073cf9","updateTitle":"9NZKPSTSNW4P-Microsoft.XboxGamingOverlay","updateGuid":"{0f7629df-f552-4f8c-8f3a-e200a316779d}","updateRevisionNumber":1,"serviceGuid":"{855e8a7c-ecb4-4ca3-b045-1dfa50104289}"}}}"##;

    const SCM_7031: &str = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Service Control Manager","Guid":"{555908d1-a6d7-4695-8e1e-26931d2012f4}","EventSourceName":"Service Control Manager"}},"EventID":{"#attributes":{"Qualifiers":49152},"#text":7031},"Level":2,"TimeCreated":{"#attributes":{"SystemTime":"2024-11-11T17:00:00.0000000Z"}},"EventRecordID":7,"Channel":"System","Computer":"PC"},"EventData":{"param1":"Windows Update","param2":"1","Binary":"770075006100750073006500720076000000"}}}"##;

    const SERVICING: &str = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Servicing"}},"EventID":2,"Level":0,"TimeCreated":{"#attributes":{"SystemTime":"2016-09-12T11:35:41.9732239Z"}},"EventRecordID":2,"Channel":"Setup","Computer":"W"},"UserData":{"CbsPackageChangeState":{"#attributes":{"xmlns":"http://manifests.microsoft.com/win/2004/08/windows/setup_provider"},"PackageIdentifier":"KB3192137","IntendedPackageState":"Installed","ErrorCode":"0x0","Client":"DISM Package Manager Provider"}}}}"##;

    #[test]
    fn system_and_event_data() {
        let r = Record::parse(WUC_20, &|_| true).unwrap();
        assert_eq!(r.provider, "Microsoft-Windows-WindowsUpdateClient");
        assert_eq!(r.event_id, Some(20));
        assert_eq!(r.level, Some(2));
        assert_eq!(r.record_id, Some(283));
        assert_eq!(r.channel.as_deref(), Some("System"));
        assert_eq!(r.computer.as_deref(), Some("DESKTOP-HB59U74"));
        assert_eq!(
            r.time_created.as_deref(),
            Some("2024-11-11T17:44:35.8934326Z")
        );
        assert_eq!(r.field_text("errorcode").as_deref(), Some("0x80073cf9"));
        assert_eq!(r.field("updateRevisionNumber"), Some(&Value::U64(1)));
        assert_eq!(r.data.len(), 5);
        assert!(matches!(r.provider, Cow::Borrowed(_)));
    }

    #[test]
    fn event_data_skipped_when_not_wanted() {
        let r = Record::parse(WUC_20, &|_| false).unwrap();
        assert_eq!(r.event_id, Some(20));
        assert!(r.data.is_empty());
    }

    #[test]
    fn qualified_event_id_and_event_source() {
        let r = Record::parse(SCM_7031, &|_| true).unwrap();
        assert_eq!(r.event_id, Some(7031));
        assert_eq!(r.event_source.as_deref(), Some("Service Control Manager"));
        assert_eq!(r.field_text("param1").as_deref(), Some("Windows Update"));
    }

    #[test]
    fn user_data_is_flattened() {
        let r = Record::parse(SERVICING, &|_| true).unwrap();
        assert_eq!(
            r.user_data_element.as_deref(),
            Some("CbsPackageChangeState")
        );
        assert_eq!(
            r.field_text("PackageIdentifier").as_deref(),
            Some("KB3192137")
        );
        assert_eq!(r.field_text("ErrorCode").as_deref(), Some("0x0"));
        assert!(r.field("xmlns").is_none());
        assert_eq!(r.level, Some(0));
    }

    #[test]
    fn unnamed_data_arrays_and_text_members() {
        let json = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"WUSA"}},"EventID":{"#text":"3"},"Level":"2","EventRecordID":9},"EventData":{"Data":{"#text":["a","error 2149842967",null,7]},"Binary":null}}}"##;
        let r = Record::parse(json, &|_| true).unwrap();
        assert_eq!(r.event_id, Some(3));
        assert_eq!(r.level, Some(2));
        let vals: Vec<String> = r.data.iter().map(|(_, v)| v.to_string()).collect();
        assert_eq!(vals, ["a", "error 2149842967", "7"]);
        assert!(r.data.iter().all(|(k, _)| k == "Data"));
    }

    #[test]
    fn escaped_strings_and_negative_numbers() {
        let json = r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"P\u0131"}},"EventID":1,"Level":4,"EventRecordID":1},"EventData":{"HResult":-2147020471,"msg":"line1\r\nline2 \"q\""}}}"##;
        let r = Record::parse(json, &|_| true).unwrap();
        assert_eq!(r.provider, "Pı");
        assert_eq!(r.field("HResult"), Some(&Value::I64(-2_147_020_471)));
        assert_eq!(r.field_text("msg").as_deref(), Some("line1\r\nline2 \"q\""));
    }

    #[test]
    fn odd_shapes_do_not_fail() {
        for json in [
            r#"{"Event":{"System":{"Provider":"x","EventID":[1,2],"Level":null,"TimeCreated":7,"Channel":{"a":1}},"EventData":null}}"#,
            r##"{"Event":{"System":{"Provider":{"#attributes":[1]},"EventID":"abc","Level":99999}},"x":1}"##,
            r#"{"Event":{"System":{},"UserData":"text"}}"#,
        ] {
            let r = Record::parse(json, &|_| true).unwrap();
            assert_eq!(r.level, None);
        }
    }

    #[test]
    fn broken_json_is_an_error() {
        assert!(Record::parse("", &|_| true).is_err());
        assert!(Record::parse("{\"Event\":{\"System\":{", &|_| true).is_err());
        assert!(Record::parse("[1,2]", &|_| true).is_err());
        assert!(Record::parse("{\"Event\":{}}", &|_| true).is_err());
        assert!(Record::parse("{\"Event\":{\"System\":{}}} trailing", &|_| true).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let mut json = String::from(r#"{"Event":{"System":{},"EventData":"#);
        json.push_str(&"[".repeat(10_000));
        json.push_str(&"]".repeat(10_000));
        json.push_str("}}");
        assert!(Record::parse(&json, &|_| true).is_err());
    }

    #[test]
    fn field_count_is_capped() {
        let mut json = String::from(r#"{"Event":{"System":{},"EventData":{"Data":["#);
        json.push_str(&vec!["\"x\""; MAX_FIELDS * 2].join(","));
        json.push_str("]}}}");
        let r = Record::parse(&json, &|_| true).unwrap();
        assert_eq!(r.data.len(), MAX_FIELDS);
    }

    #[test]
    fn quick_provider_and_level() {
        assert_eq!(
            quick_provider_level(WUC_20),
            Some(("Microsoft-Windows-WindowsUpdateClient", Some(2)))
        );
        assert_eq!(
            quick_provider_level(SCM_7031),
            Some(("Service Control Manager", Some(2)))
        );
        let no_level =
            r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"X"}},"EventID":1}}}"##;
        assert_eq!(quick_provider_level(no_level), None);
        let null_level =
            r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"X"}},"Level":null}}}"##;
        assert_eq!(quick_provider_level(null_level), Some(("X", None)));
        let escaped =
            r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"A\"B"}},"Level":4}}}"##;
        assert_eq!(quick_provider_level(escaped), None);
        let odd_level =
            r##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"X"}},"Level":"4"}}}"##;
        assert_eq!(quick_provider_level(odd_level), None);
        assert_eq!(quick_provider_level("{}"), None);
        assert_eq!(
            quick_provider_level(r##""Provider":{"#attributes":{"Name":"unterminated"##),
            None
        );
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(matches!(
            EvtxFile::from_bytes(Vec::new()),
            Err(ParseError::Header { .. })
        ));
        assert!(matches!(
            EvtxFile::from_bytes(b"not an evtx file at all".to_vec()),
            Err(ParseError::Header { .. })
        ));
        let mut short = b"ElfFile\0".to_vec();
        short.resize(100, 0);
        assert!(EvtxFile::from_bytes(short).is_err());
    }

    #[test]
    fn spans() {
        assert_eq!(
            ParseError::Chunk {
                number: 2,
                message: String::new()
            }
            .span(),
            Span::Offset {
                offset: 4096 + 2 * 65536
            }
        );
        assert_eq!(
            ParseError::Record {
                id: Some(5),
                offset: Some(1),
                message: String::new()
            }
            .span(),
            Span::Record { id: 5 }
        );
    }
}
