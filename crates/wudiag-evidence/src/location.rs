//! Where a piece of evidence came from.

use std::fmt;

/// Index of a source in [`crate::Evidence::sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct SourceId(pub u32);

/// A place inside one source.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Span {
    /// 1-based line range (equal for a one-line record).
    Lines {
        /// First line.
        first: u64,
        /// Last line (inclusive).
        last: u64,
    },
    /// An EVTX record number.
    Record {
        /// The record id as `wevtutil`/`evtx_dump` show it.
        id: u64,
    },
    /// A registry key, and the value inside it (none for the key's existence itself).
    RegistryValue {
        /// Full key path, e.g. `HKEY_LOCAL_MACHINE\SOFTWARE\…\Auto Update\RebootRequired`.
        key: String,
        /// Value name; `None` when the key itself is the evidence.
        value: Option<String>,
    },
    /// An element path inside an XML document (`/SetupDiag/FailureData`).
    XmlPath {
        /// Slash-separated path.
        path: String,
    },
    /// A byte offset, for binary sources.
    Offset {
        /// Offset from the start of the (decoded) source.
        offset: u64,
    },
    /// The source as a whole.
    #[default]
    File,
}

impl Span {
    /// A one-line span.
    pub const fn line(n: u64) -> Self {
        Self::Lines { first: n, last: n }
    }

    /// The first line, when the span is a line range.
    pub const fn first_line(&self) -> Option<u64> {
        match self {
            Self::Lines { first, .. } => Some(*first),
            _ => None,
        }
    }

    /// Shifts a line span by `delta` lines (readers number lines per block, then place the block).
    #[must_use]
    pub fn shifted(self, delta: u64) -> Self {
        match self {
            Self::Lines { first, last } => Self::Lines {
                first: first + delta,
                last: last + delta,
            },
            other => other,
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Lines { first, last } if first == last => write!(f, "{first}"),
            Self::Lines { first, last } => write!(f, "{first}-{last}"),
            Self::Record { id } => write!(f, "record {id}"),
            Self::RegistryValue {
                key,
                value: Some(v),
            } => write!(f, "{key}\\{v}"),
            Self::RegistryValue { key, value: None } => write!(f, "{key}"),
            Self::XmlPath { path } => write!(f, "{path}"),
            Self::Offset { offset } => write!(f, "offset {offset}"),
            Self::File => Ok(()),
        }
    }
}

/// A source and a place in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Location {
    /// Which source.
    pub source: SourceId,
    /// Where in it.
    pub span: Span,
}

impl Location {
    /// A location in `source`.
    pub const fn new(source: SourceId, span: Span) -> Self {
        Self { source, span }
    }
}
