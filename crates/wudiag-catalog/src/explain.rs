//! [`Explanation`]: everything the catalogue can say about one query, in the shape `wudiag explain`
//! prints (text) and serialises (JSON). Field names are the documented wire format: see the crate docs.

use serde::Serialize;
use wudiag_evidence::HResult;

use crate::catalog::{Catalog, MatchField};
use crate::model::{
    Applicability, CodeEntry, Facility, FacilityRange, OsRange, Remedy, Shell, SourceTable,
};
use crate::query::Query;

/// How many free-text matches an explanation carries at most.
pub const MAX_MATCHES: usize = 50;

/// How many causes a free-text explanation carries at most (those whose title holds every word).
pub const MAX_TEXT_CAUSES: usize = 3;

/// The outcome of one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The code (or symbol) has a catalogue entry.
    Known,
    /// The code has no entry, but its facility is known: the explanation says what the facility tells.
    FacilityOnly,
    /// The code has no entry and its facility is not described either.
    Unknown,
    /// Free text (or an unknown symbol) matched entries, listed in `matches`.
    Matches,
    /// Free text matched nothing.
    NoMatch,
}

impl Status {
    /// True when the query was explained (exit status 0 for `wudiag explain`).
    pub const fn is_found(self) -> bool {
        matches!(self, Self::Known | Self::Matches)
    }
}

/// Everything known about one query.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The query as given.
    pub query: String,
    /// How it was read: `code`, `win32`, `symbol` or `text`.
    pub interpreted_as: &'static str,
    /// The outcome.
    pub status: Status,
    /// The code explained (for `win32` queries: `HRESULT_FROM_WIN32` of the number).
    pub code: Option<HResult>,
    /// The Win32 / Winsock number when the query was one, or the code wraps one.
    pub win32: Option<u32>,
    /// The code taken apart.
    pub decomposition: Option<Decomposition>,
    /// Primary symbol.
    pub symbol: Option<&'static str>,
    /// All symbols, primary first.
    pub symbols: Vec<&'static str>,
    /// Reporting component.
    pub component: Option<&'static str>,
    /// One-line meaning.
    pub meaning: Option<&'static str>,
    /// Listed on Microsoft's common-errors page.
    pub common: bool,
    /// Seen in healthy logs during routine work; not a failure on its own.
    pub routine: bool,
    /// Messages that come with the code.
    pub messages: Vec<&'static str>,
    /// Extra remark.
    pub note: Option<&'static str>,
    /// What the facility (and the sub-range) of the code tells.
    pub facility: Option<FacilityInfo>,
    /// Likely causes, most likely first. For free text: causes whose title holds every word of it.
    pub causes: Vec<CauseInfo>,
    /// Fixes in the order to try them: the entry's own, then those of its causes.
    pub remedies: Vec<RemedyInfo>,
    /// Related entries.
    pub related: Vec<RelatedInfo>,
    /// Free-text matches, best first (at most [`MAX_MATCHES`]).
    pub matches: Vec<MatchInfo>,
    /// How many entries matched in total (may exceed `matches.len()`).
    pub match_count: usize,
    /// The data file that defines the entry.
    pub defined_in: Option<&'static str>,
}

/// A code taken apart.
#[derive(Debug, Clone, Serialize)]
pub struct Decomposition {
    /// `0x` + 8 lowercase hex digits.
    pub hex: HResult,
    /// Unsigned decimal, as wusa and msiexec print it.
    pub unsigned: u32,
    /// Signed decimal, as .NET, PowerShell and event logs print it.
    pub signed: i32,
    /// `success` or `failure` (bit 31).
    pub severity: &'static str,
    /// Bits 31 and 30 both set, as in NTSTATUS values and Windows Setup codes (`0xC…`).
    pub ntstatus_shaped: bool,
    /// The customer bit (29): defined by a product rather than by Windows.
    pub customer: bool,
    /// Facility number (bits 16-26).
    pub facility: u16,
    /// Facility name when known (`WINDOWSUPDATE`).
    pub facility_name: Option<&'static str>,
    /// The low 16 bits.
    pub code: u16,
    /// The Win32 error number inside a `FACILITY_WIN32` code.
    pub win32: Option<u16>,
    /// The HTTP status inside a `FACILITY_HTTP` code.
    pub http_status: Option<u16>,
}

impl Decomposition {
    /// Takes `code` apart.
    pub fn of(code: HResult, catalog: &Catalog) -> Self {
        let facility = code.facility();
        let http_status =
            (facility == 25 && code.is_failure() && (100..=599).contains(&code.code()))
                .then_some(code.code());
        Self {
            hex: code,
            unsigned: code.value(),
            signed: code.as_signed(),
            severity: if code.is_failure() {
                "failure"
            } else {
                "success"
            },
            ntstatus_shaped: code.is_ntstatus_shaped(),
            customer: code.is_customer(),
            facility,
            facility_name: catalog.facility(facility).map(|f| f.name),
            code: code.code(),
            win32: code.win32_code(),
            http_status,
        }
    }
}

/// A facility and the sub-range a code falls in.
#[derive(Debug, Clone, Serialize)]
pub struct FacilityInfo {
    /// Facility number.
    pub number: u16,
    /// `FACILITY_*` suffix.
    pub name: &'static str,
    /// Short human name.
    pub title: &'static str,
    /// What codes of the facility mean.
    pub meaning: &'static str,
    /// The narrowest sub-range holding the code.
    pub range: Option<RangeInfo>,
}

impl FacilityInfo {
    fn new(code: HResult, f: &'static Facility, r: Option<&'static FacilityRange>) -> Self {
        let base = code.value() & 0xFFFF_0000;
        Self {
            number: f.number,
            name: f.name,
            title: f.title,
            meaning: f.meaning,
            range: r.map(|r| RangeInfo {
                first: HResult::new(base | u32::from(r.from)),
                last: HResult::new(base | u32::from(r.to)),
                name: r.name,
                meaning: r.meaning,
            }),
        }
    }
}

/// A facility sub-range.
#[derive(Debug, Clone, Serialize)]
pub struct RangeInfo {
    /// First code of the range (same high bits as the code explained).
    pub first: HResult,
    /// Last code of the range.
    pub last: HResult,
    /// Short name.
    pub name: &'static str,
    /// What codes in it mean.
    pub meaning: &'static str,
}

/// A cause, as shown in an explanation.
#[derive(Debug, Clone, Serialize)]
pub struct CauseInfo {
    /// Stable id.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// Explanation.
    pub detail: &'static str,
    /// Ids of the remedies that address it.
    pub remedies: Vec<&'static str>,
}

/// A remedy, as shown in an explanation.
#[derive(Debug, Clone, Serialize)]
pub struct RemedyInfo {
    /// Stable id.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: Applicability,
    /// Windows versions it applies to; `null` when it applies everywhere.
    pub os: Option<OsInfo>,
    /// KB numbers or documents.
    pub references: Vec<&'static str>,
    /// Steps in order.
    pub steps: Vec<StepInfo>,
}

impl RemedyInfo {
    /// The wire view of `r`.
    pub fn new(r: &'static Remedy) -> Self {
        Self {
            id: r.id,
            title: r.title,
            summary: r.summary,
            applicability: r.applicability,
            os: OsInfo::new(r.os, r.os_note),
            references: r.references.to_vec(),
            steps: r
                .steps
                .iter()
                .map(|s| StepInfo {
                    text: s.text,
                    shell: s.shell,
                    run: s.run.to_vec(),
                    os: OsInfo::new(s.os, None),
                })
                .collect(),
        }
    }
}

/// An OS range on the wire: NT versions as strings (`"6.2"`), both inclusive.
#[derive(Debug, Clone, Serialize)]
pub struct OsInfo {
    /// Lowest NT version, or `null`.
    pub min: Option<String>,
    /// Highest NT version, or `null`.
    pub max: Option<String>,
    /// The range in words, when the data gives it.
    pub note: Option<&'static str>,
}

impl OsInfo {
    fn new(range: OsRange, note: Option<&'static str>) -> Option<Self> {
        (!range.is_any() || note.is_some()).then(|| Self {
            min: range.min.map(|b| b.to_string()),
            max: range.max.map(|b| b.to_string()),
            note,
        })
    }
}

/// A remedy step on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct StepInfo {
    /// What to do.
    pub text: &'static str,
    /// `cmd`, `powershell`, or `null` for a manual step.
    pub shell: Option<Shell>,
    /// Commands, one per element.
    pub run: Vec<&'static str>,
    /// OS restriction of this step, or `null`.
    pub os: Option<OsInfo>,
}

/// A related entry.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedInfo {
    /// Its code.
    pub code: HResult,
    /// Its primary symbol.
    pub symbol: Option<&'static str>,
    /// Its meaning.
    pub meaning: &'static str,
    /// Why it is related: `listed` (by the entry) or `same-symbol`.
    pub relation: &'static str,
}

/// A free-text match.
#[derive(Debug, Clone, Serialize)]
pub struct MatchInfo {
    /// Ranking score; only the order matters.
    pub score: u32,
    /// Its code.
    pub code: HResult,
    /// Its primary symbol.
    pub symbol: Option<&'static str>,
    /// Its meaning.
    pub meaning: &'static str,
    /// Which field matched best.
    pub matched: MatchField,
    /// The message that matched, when `matched` is `message`.
    pub message: Option<&'static str>,
}

/// One catalogue entry as `wudiag catalog list --format json` prints it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ListEntry {
    /// `0x` + 8 lowercase hex digits.
    pub code: HResult,
    /// Primary symbol, or `null`.
    pub symbol: Option<&'static str>,
    /// All symbols.
    pub symbols: &'static [&'static str],
    /// Facility number.
    pub facility: u16,
    /// Facility name, or `null` when the facility is not described.
    pub facility_name: Option<&'static str>,
    /// Reporting component.
    pub component: &'static str,
    /// One-line meaning.
    pub meaning: &'static str,
    /// Listed on Microsoft's common-errors page.
    pub common: bool,
    /// Seen in healthy logs during routine work; not a failure on its own.
    pub routine: bool,
    /// Win32 / Winsock number, when the source table gives it.
    pub win32: Option<u32>,
    /// Cause ids.
    pub causes: &'static [&'static str],
    /// Remedy ids.
    pub remedies: &'static [&'static str],
    /// Messages.
    pub messages: &'static [&'static str],
    /// Related codes.
    pub related: &'static [HResult],
    /// Extra remark, or `null`.
    pub note: Option<&'static str>,
    /// Knowledge tables listing it: `wu`, `servicing`, `winsock`.
    pub tables: &'static [SourceTable],
}

impl ListEntry {
    /// The wire view of `e`.
    pub fn new(e: &'static CodeEntry, catalog: &Catalog) -> Self {
        Self {
            code: e.code,
            symbol: e.symbol(),
            symbols: e.symbols,
            facility: e.code.facility(),
            facility_name: catalog.facility(e.code.facility()).map(|f| f.name),
            component: e.component,
            meaning: e.meaning,
            common: e.common,
            routine: e.routine,
            win32: e.win32,
            causes: e.causes,
            remedies: e.remedies,
            messages: e.messages,
            related: e.related,
            note: e.note,
            tables: e.tables,
        }
    }
}

impl Explanation {
    fn empty(query: &str, parsed: &Query, status: Status) -> Self {
        Self {
            query: query.to_owned(),
            interpreted_as: parsed.kind(),
            status,
            code: None,
            win32: None,
            decomposition: None,
            symbol: None,
            symbols: Vec::new(),
            component: None,
            meaning: None,
            common: false,
            routine: false,
            messages: Vec::new(),
            note: None,
            facility: None,
            causes: Vec::new(),
            remedies: Vec::new(),
            related: Vec::new(),
            matches: Vec::new(),
            match_count: 0,
            defined_in: None,
        }
    }
}

impl Catalog {
    /// Explains one parsed query; `raw` is the text as the user gave it.
    pub fn explain(&self, raw: &str, query: &Query) -> Explanation {
        match query {
            Query::Code(_) | Query::Win32(_) => {
                let code = query.code().unwrap_or_default();
                let mut ex = self.explain_code(raw, query, code);
                if let Query::Win32(n) = query {
                    ex.win32 = Some(u32::from(*n));
                }
                ex
            }
            Query::Symbol(sym) => {
                let entries = self.by_symbol(sym);
                match entries.first() {
                    Some(first) => self.explain_code(raw, query, first.code),
                    None => self.explain_text(raw, query, sym),
                }
            }
            Query::Text(text) => self.explain_text(raw, query, text),
        }
    }

    /// Explains a code directly (what rules use for a code seen in evidence).
    pub fn explain_hresult(&self, code: HResult) -> Explanation {
        self.explain_code(&code.to_string(), &Query::Code(code), code)
    }

    fn explain_code(&self, raw: &str, query: &Query, code: HResult) -> Explanation {
        let facility = self
            .facility_of(code)
            .map(|(f, r)| FacilityInfo::new(code, f, r));
        let entry = self.lookup(code);
        let status = match (entry, &facility) {
            (Some(_), _) => Status::Known,
            (None, Some(_)) => Status::FacilityOnly,
            (None, None) => Status::Unknown,
        };
        let mut ex = Explanation::empty(raw, query, status);
        ex.code = Some(code);
        ex.win32 = code.win32_code().map(u32::from);
        ex.decomposition = Some(Decomposition::of(code, self));
        ex.facility = facility;
        let Some(e) = entry else { return ex };
        ex.symbol = e.symbol();
        ex.symbols = e.symbols.to_vec();
        ex.component = Some(e.component);
        ex.meaning = Some(e.meaning);
        ex.common = e.common;
        ex.routine = e.routine;
        ex.messages = e.messages.to_vec();
        ex.note = e.note;
        ex.defined_in = Some(e.file);
        if let Some(w) = e.win32 {
            ex.win32 = Some(w);
        }
        let causes: Vec<_> = e.causes.iter().filter_map(|id| self.cause(id)).collect();
        ex.causes = causes
            .iter()
            .map(|c| CauseInfo {
                id: c.id,
                title: c.title,
                detail: c.detail,
                remedies: c.remedies.to_vec(),
            })
            .collect();
        let mut ids: Vec<&'static str> = e.remedies.to_vec();
        for c in &causes {
            for r in c.remedies {
                if !ids.contains(r) {
                    ids.push(r);
                }
            }
        }
        ex.remedies = ids
            .iter()
            .filter_map(|id| self.remedy(id))
            .map(RemedyInfo::new)
            .collect();
        let mut related: Vec<RelatedInfo> = Vec::new();
        for r in e.related {
            if let Some(o) = self.lookup(*r) {
                related.push(RelatedInfo {
                    code: o.code,
                    symbol: o.symbol(),
                    meaning: o.meaning,
                    relation: "listed",
                });
            }
        }
        for sym in e.symbols {
            for o in self.by_symbol(sym) {
                if o.code != e.code && !related.iter().any(|x| x.code == o.code) {
                    related.push(RelatedInfo {
                        code: o.code,
                        symbol: o.symbol(),
                        meaning: o.meaning,
                        relation: "same-symbol",
                    });
                }
            }
        }
        ex.related = related;
        ex
    }

    fn explain_text(&self, raw: &str, query: &Query, text: &str) -> Explanation {
        let hits = self.search_hits(text);
        let mut ex = Explanation::empty(
            raw,
            query,
            if hits.is_empty() {
                Status::NoMatch
            } else {
                Status::Matches
            },
        );
        ex.match_count = hits.len();
        if !hits.is_empty() {
            ex.causes = self
                .search_causes(text)
                .into_iter()
                .take(MAX_TEXT_CAUSES)
                .map(|c| CauseInfo {
                    id: c.id,
                    title: c.title,
                    detail: c.detail,
                    remedies: c.remedies.to_vec(),
                })
                .collect();
        }
        ex.matches = hits
            .iter()
            .take(MAX_MATCHES)
            .map(|h| MatchInfo {
                score: h.score,
                code: h.entry.code,
                symbol: h.entry.symbol(),
                meaning: h.entry.meaning,
                matched: h.matched,
                message: (h.matched == MatchField::Message)
                    .then(|| best_message(h.entry, text))
                    .flatten(),
            })
            .collect();
        ex
    }
}

/// The entry's message that shares the most words with `text`.
fn best_message(e: &'static CodeEntry, text: &str) -> Option<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    e.messages.iter().copied().max_by_key(|m| {
        let m = m.to_lowercase();
        words.iter().filter(|w| m.contains(w.as_str())).count()
    })
}
