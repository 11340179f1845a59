//! Failure signatures: known failure patterns with their cause and fix, written as data in
//! `data/signatures/*.toml` (schema: `docs/signatures.md`) and compiled in by `build.rs`. This module only
//! holds the compiled entries; matching them against evidence is the rules crate's job.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use wudiag_evidence::Severity;

mod data {
    include!(concat!(env!("OUT_DIR"), "/signature_data.rs"));
}

/// How sure a signature's finding is (mirrors the rules crate's confidence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureConfidence {
    /// Other explanations remain.
    Possible,
    /// The evidence points this way.
    Likely,
    /// The record states it outright.
    Confirmed,
}

/// What a signature's finding says about the failure, for ranking: the verdict names the deepest cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureRole {
    /// Why it failed, with the thing to fix (the default).
    Cause,
    /// What failed ("the scan failed with 0x8024402C", "the sync failed: see WCM.log"), not why.
    Outcome,
    /// A code or state explained on its own, without its context.
    Generic,
}

/// A second pattern that must occur near the matching record.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Near {
    /// Regex (case-insensitive) another record must match.
    pub pattern: &'static str,
    /// How many records before or after, in the same source.
    pub window: u32,
    /// Literals (lowercase) every record matching `pattern` contains: such records are kept as evidence.
    pub keywords: &'static [&'static str],
}

/// A fix a signature carries itself; `{capture}` placeholders are filled from the record.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct SignatureFix {
    /// What it does.
    pub title: &'static str,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: &'static str,
    /// Steps; `cmd> ` and `PS> ` mark commands.
    pub steps: &'static [&'static str],
}

/// A real, published record the signature must match.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Example {
    /// Where it was published.
    pub source: &'static str,
    /// The text as published.
    pub text: &'static str,
    /// The file name it is read as, when it matters (`CBS.log`).
    pub file: Option<&'static str>,
    /// Capture values the match must give.
    pub captures: &'static [(&'static str, &'static str)],
}

/// Similar text the signature must not match.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct NearMiss {
    /// The text.
    pub text: &'static str,
    /// Why it must not match.
    pub note: Option<&'static str>,
}

/// One failure signature.
#[derive(Debug, serde::Serialize)]
pub struct Signature {
    /// Stable id: area prefix + 4 digits (`CBS1001`).
    pub id: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// The area name (`Servicing`, `Agent`, …), from the id prefix.
    pub area: &'static str,
    /// Finding title template.
    pub title: &'static str,
    /// What it detects.
    pub summary: &'static str,
    /// Why updates fail.
    pub why: &'static str,
    /// Finding message template.
    pub message: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Confidence of its findings.
    pub confidence: SignatureConfidence,
    /// Cause, outcome or generic (ranking).
    pub role: SignatureRole,
    /// A published known issue (release health): the records it matches are not the failure they look
    /// like, and findings that only cite such records are dropped.
    pub known_issue: bool,
    /// Evidence kinds it applies to (empty = any).
    pub sources: &'static [&'static str],
    /// Literals one of which the message must contain (the prefilter).
    pub keywords: &'static [&'static str],
    /// Regex on the message; named groups are captures.
    pub pattern: Option<&'static str>,
    /// Codes one of which the record must carry (empty = no condition).
    pub codes: &'static [u32],
    /// A second pattern near the record.
    pub near: Option<Near>,
    /// Lowest NT version it applies to.
    pub os_min: Option<&'static str>,
    /// Highest NT version it applies to.
    pub os_max: Option<&'static str>,
    /// Catalogue cause id.
    pub cause: Option<&'static str>,
    /// Catalogue remedy ids, most specific first.
    pub remedies: &'static [&'static str],
    /// Codes whose generic finding it replaces (its `codes` included).
    pub explains: &'static [u32],
    /// Public sources.
    pub references: &'static [&'static str],
    /// Its own fixes.
    pub fixes: &'static [SignatureFix],
    /// Records it must match.
    pub examples: &'static [Example],
    /// Records it must not match.
    pub near_misses: &'static [NearMiss],
    /// The data file that defines it, from the workspace root.
    pub file: &'static str,
    /// Its documentation (the sections of a code rule's doc, plus examples).
    pub doc: &'static str,
}

/// Every compiled signature, in file then id order.
pub fn signatures() -> &'static [Signature] {
    data::SIGNATURES
}

// A DFA without prefilter: run over every routine record, it must not slow down as the catalogue grows
// (case-insensitive keywords get no SIMD prefilter, and a table lookup per byte beats the others).
static KEYWORDS: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .prefilter(false)
        .build(signature_keywords())
        .ok()
});

/// Every signature keyword and the keywords of their `near` patterns, as written (readers add them to
/// their own record triggers).
pub fn signature_keywords() -> impl Iterator<Item = &'static str> {
    signatures().iter().flat_map(|s| {
        s.keywords
            .iter()
            .chain(s.near.iter().flat_map(|n| n.keywords.iter()))
            .copied()
    })
}

/// True when `text` contains a signature keyword or a `near` keyword (case-insensitive): such a record is
/// kept as evidence whatever its level, so the signatures can see it.
pub fn mentions_signature_keyword(text: &str) -> bool {
    KEYWORDS.as_ref().is_some_and(|ac| ac.is_match(text))
}
