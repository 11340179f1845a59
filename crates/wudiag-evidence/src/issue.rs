//! Non-fatal problems met while reading evidence.

use crate::{SourceId, Span};

/// Something wudiag could not read, and where. Reading always goes on; reports list these so the admin
/// knows what the diagnosis did not see.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReadIssue {
    /// The source concerned.
    pub source: SourceId,
    /// Where in it, when known.
    pub span: Option<Span>,
    /// What went wrong, in one line.
    pub message: String,
}

impl ReadIssue {
    /// An issue at a place in a source.
    pub fn at(source: SourceId, span: Span, message: impl Into<String>) -> Self {
        Self {
            source,
            span: Some(span),
            message: message.into(),
        }
    }

    /// An issue about a source as a whole.
    pub fn whole(source: SourceId, message: impl Into<String>) -> Self {
        Self {
            source,
            span: None,
            message: message.into(),
        }
    }
}
