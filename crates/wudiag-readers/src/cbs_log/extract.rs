//! From servicing-log records to typed events and facts (CBS.log, and DISM.log through
//! [`crate::dism_log`]).
//!
//! Built for gigabyte logs. One Aho-Corasick pass over the whole block finds every place that could make
//! a record interesting: a failure code in any written form, or a phrase with a meaning (servicing
//! stack, corruption, restart, SFC repair…). A record with no such place and an `Info` level is only
//! counted; everything else is parsed in full, classified and, when the retention policy wants it,
//! materialised as an [`Event`].

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::memmem;
use wudiag_evidence::{
    Event, EventKind, EventTime, EvidenceBatch, Fact, HResult, OsFact, PendingRebootIndicator,
    Retention, Severity, Span, Version,
};

use super::parse::{CbsRecord, Dialect, Level, Records};
use crate::scan;

/// ERROR_FAIL_REBOOT_REQUIRED.
const FAIL_REBOOT_REQUIRED: HResult = HResult::new(0x8007_0bc9);
/// ERROR_SUCCESS_REBOOT_REQUIRED.
const SUCCESS_REBOOT_REQUIRED: HResult = HResult::new(0x8007_0bc2);

/// What a trigger found by the block scan means.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Trigger {
    /// A marker after which a code may be written without `0x` (`HRESULT=800F0905`).
    Bare,
    /// A phrase with a meaning of its own.
    Phrase,
    /// A failure signature's keyword: the record is kept whatever its level, so the signature sees it.
    /// The pattern is the keyword's rarest part ([`rare_start`]); a hit counts when the record holds one
    /// of these whole keywords.
    Keyword(Vec<&'static str>),
}

/// The markers before bare codes that servicing logs use (DISM's `HRESULT=800F0905`). The other bare
/// forms [`scan`] knows (`hr=80070057`, `error 2149842967`, `*FAILED* [80070005]`) belong to other logs:
/// on a CBS or DISM `Info` line they are found only when something else makes the record interesting
/// (an `Error`/`Warning` line is always searched in full).
const BARE_TRIGGERS: &[&str] = &["HRESULT=", "hresult=", "HResult="];

/// Phrases that give a record a meaning even without a code or a high level. (`STATUS_SXS_*` is on
/// `Error` lines, which are always read.)
const PHRASE_TRIGGERS: &[&str] = &[
    "Loaded Servicing Stack",
    "(p)",
    "(f)",
    "orruption",
    "[SR]",
    "Hashes for file member",
    "eboot",
    "oqexec",
    "Over-removing a TLC",
];

/// SFC's closing verdict on its repair transaction (`[SR] Verify and Repair Transaction completed. All
/// files and registry keys listed in this transaction have been successfully repaired`): kept, because it
/// says that the members the same run "cannot repair" are unprotected files, not corruption.
const SFC_ALL_REPAIRED: &[u8] = b"have been successfully repaired";

/// DISM.log adds the serviced image's version and the command lines DISM ran.
const DISM_PHRASE_TRIGGERS: &[&str] = &["OS Version", "Executing command line"];

/// How common each byte is in servicing logs, as a rank (0 = never seen, 255 = the most frequent: the
/// space), measured on the CBS and DISM logs of `testdata/corpus`.
#[rustfmt::skip]
const SERVICING_BYTE_RANK: [u8; 256] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 171, 221, 9, 10, 220, 11, 12,
    13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
    255, 167, 175, 164, 158, 173, 163, 190, 182, 183, 159, 29, 228, 241, 229, 178,
    253, 238, 248, 244, 230, 240, 232, 217, 223, 212, 246, 174, 169, 199, 170, 180,
    172, 210, 209, 227, 224, 213, 208, 193, 188, 234, 179, 184, 206, 214, 198, 191,
    218, 185, 201, 233, 200, 192, 194, 202, 181, 168, 166, 195, 211, 196, 30, 205,
    31, 251, 225, 236, 243, 254, 237, 231, 203, 249, 177, 215, 235, 226, 250, 252,
    239, 176, 245, 242, 247, 222, 216, 207, 197, 204, 189, 186, 165, 187, 219, 32,
    33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64,
    65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80,
    81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 160, 92, 93, 94, 161,
    95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110,
    111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126,
    127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 162,
    142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157,
];

/// The shortest part of a keyword searched for: long enough to stay rare.
const MIN_ANCHOR: usize = 8;

/// Where the searched part of a signature keyword starts: the place whose first three bytes are the
/// rarest in servicing logs, leaving at least [`MIN_ANCHOR`] bytes. The SIMD search tests the first bytes
/// of each pattern, so patterns starting with common text (`Failed to `, ` the `) would make it stop and
/// verify at nearly every line.
fn rare_start(keyword: &str) -> usize {
    let b = keyword.as_bytes();
    let Some(last) = b.len().checked_sub(MIN_ANCHOR) else {
        return 0;
    };
    let cost = |i: usize| -> u32 {
        b.iter()
            .skip(i)
            .take(3)
            .map(|&x| {
                u32::from(
                    SERVICING_BYTE_RANK
                        .get(usize::from(x))
                        .copied()
                        .unwrap_or(0),
                )
            })
            .sum()
    };
    (0..=last)
        .filter(|&i| keyword.is_char_boundary(i))
        .min_by_key(|&i| cost(i))
        .unwrap_or(0)
}

/// Patterns per trigger automaton: aho-corasick's SIMD search (Teddy) takes up to 64, and its faster
/// slim form up to 32.
const PATTERNS_PER_AUTOMATON: usize = 32;

struct Triggers {
    /// Pattern `i` is pattern `i % PATTERNS_PER_AUTOMATON` of automaton `i / PATTERNS_PER_AUTOMATON`.
    automata: Vec<AhoCorasick>,
    kinds: Vec<Trigger>,
}

impl Triggers {
    /// Every trigger hit in `block`, in order of position (pattern ids global).
    fn hits(&self, block: &[u8]) -> Vec<aho_corasick::Match> {
        let mut hits: Vec<aho_corasick::Match> = Vec::new();
        for (n, ac) in self.automata.iter().enumerate() {
            let base = n * PATTERNS_PER_AUTOMATON;
            hits.extend(
                ac.find_iter(block)
                    .map(|m| aho_corasick::Match::must(base + m.pattern().as_usize(), m.span())),
            );
        }
        if self.automata.len() > 1 {
            hits.sort_unstable_by_key(aho_corasick::Match::start);
        }
        hits
    }
}

fn build_triggers(phrases: &[&[&'static str]], source: &str) -> Option<Triggers> {
    let mut patterns = Vec::new();
    let mut kinds = Vec::new();
    for list in phrases {
        for p in *list {
            patterns.push(*p);
            kinds.push(Trigger::Phrase);
        }
    }
    // The keywords of the failure signatures that apply to this log: an `Info` record naming one is read
    // like a phrase hit, so the signature sees it. A keyword is left out when the records it matters for
    // are read anyway: its signature needs a failure code (the `0x` search finds those records) or it
    // contains one of the phrases above. Fewer patterns keep this one pass over the log fast.
    // Only signatures that name this log: a signature for any evidence kind sees this log's records that
    // carry a code or a level, not its routine lines.
    for s in wudiag_catalog::signatures()
        .iter()
        .filter(|s| s.sources.contains(&source))
    {
        let needs_code = !s.codes.is_empty()
            || s.pattern
                .is_some_and(|p| p.contains("0x") || p.contains("HRESULT"));
        let near = s.near.iter().flat_map(|n| n.keywords.iter());
        let own = s.keywords.iter().filter(|_| !needs_code);
        for k in own.chain(near).copied() {
            let covered = phrases.iter().flat_map(|l| l.iter()).any(|p| k.contains(p));
            if covered {
                continue;
            }
            let part = k.get(rare_start(k)..).unwrap_or(k);
            if let Some(at) = patterns.iter().position(|p| *p == part) {
                if let Some(Trigger::Keyword(full)) = kinds.get_mut(at)
                    && !full.contains(&k)
                {
                    full.push(k);
                }
            } else {
                patterns.push(part);
                kinds.push(Trigger::Keyword(vec![k]));
            }
        }
    }
    for p in BARE_TRIGGERS {
        patterns.push(*p);
        kinds.push(Trigger::Bare);
    }
    // aho-corasick's SIMD search (Teddy) runs near memory speed on a few dozen patterns and is not used
    // beyond 64: a large catalogue's patterns are split into automata of at most
    // [`PATTERNS_PER_AUTOMATON`], each one pass over the block.
    let automata = patterns
        .chunks(PATTERNS_PER_AUTOMATON)
        .map(|chunk| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(chunk)
                .ok()
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Triggers { automata, kinds })
}

/// One Aho-Corasick automaton per dialect for the phrases and bare-code markers: few, long, rare
/// patterns, which its SIMD (Teddy) search runs through at memory speed.
static CBS_TRIGGERS: LazyLock<Option<Triggers>> =
    LazyLock::new(|| build_triggers(&[PHRASE_TRIGGERS], "cbs_log"));
static DISM_TRIGGERS: LazyLock<Option<Triggers>> =
    LazyLock::new(|| build_triggers(&[PHRASE_TRIGGERS, DISM_PHRASE_TRIGGERS], "dism_log"));

/// `0x`: codes in their usual form are found by a plain substring search (short, frequent patterns are
/// slow in an Aho-Corasick automaton and fast in memchr's).
static HEX: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"0x"));

/// `@0x`, the start of a CSI stack address.
static STACK_ADDRESS: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"@0x"));

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Exactly 8 hex digits at `at`, the first one 8-F (a failure code), not followed by another hex digit.
fn failure_hex_at(text: &[u8], at: usize) -> bool {
    let Some(d) = text.get(at..at + 8) else {
        return false;
    };
    d.iter().all(|&b| is_hex(b))
        && d.first()
            .is_some_and(|&b| matches!(b, b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'))
        && !text.get(at + 8).is_some_and(|&b| is_hex(b))
}

/// True when the `0x` at `at` starts a failure code (see [`scan::each_code`]): not inside a word, not a
/// CSI stack address (`@0xff83e97c`), exactly 8 hex digits with the high bit set.
fn hex_counts(block: &[u8], at: usize) -> bool {
    if at > 0 && block.get(at - 1).is_some_and(|&b| is_word(b) || b == b'@') {
        return false;
    }
    failure_hex_at(block, at + 2)
}

/// True when a bare-code marker ending at `end` is followed by a code written without `0x`: 8 hex digits
/// with the high bit set, or a 10-digit decimal (see [`scan::each_code`]).
fn bare_counts(block: &[u8], end: usize) -> bool {
    let mut at = end;
    while block.get(at) == Some(&b' ') && at < end + 2 {
        at += 1;
    }
    if block
        .get(at..at + 2)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"0x"))
    {
        return false; // the 0x search decides
    }
    if failure_hex_at(block, at) {
        return true;
    }
    if block.get(at) == Some(&b'-') {
        at += 1;
    }
    block
        .get(at..at + 10)
        .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

/// Calls `found` for each failure code of `text`, leaving out the stack addresses CSI prints as
/// `@0xff83e97c` (8 hex digits that would otherwise read as a code).
pub(crate) fn each_code(text: &[u8], mut found: impl FnMut(HResult)) {
    let mut from = 0;
    while let Some(rest) = text.get(from..) {
        if let Some(rel) = STACK_ADDRESS.find(rest) {
            scan::each_code(rest.get(..rel).unwrap_or_default(), &mut found);
            let mut e = from + rel + 3;
            while text.get(e).is_some_and(|&b| is_hex(b)) {
                e += 1;
            }
            from = e;
        } else {
            scan::each_code(rest, &mut found);
            break;
        }
    }
}

/// The distinct failure codes of `text` (see [`each_code`]).
pub(crate) fn codes(text: &[u8]) -> Vec<HResult> {
    let mut v = Vec::new();
    each_code(text, |h| {
        if !v.contains(&h) {
            v.push(h);
        }
    });
    v
}

/// A severity from the level column.
pub(crate) const fn severity(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Info | Level::Perf | Level::Other => Severity::Info,
    }
}

/// Facts seen in one block, each kept once per distinct value (at its latest place): a log that loads
/// the servicing stack ten thousand times yields one fact per version, not ten thousand.
#[derive(Default)]
pub(crate) struct BlockFacts {
    items: Vec<(Fact, u64, u64, usize, usize)>,
}

impl BlockFacts {
    /// Most distinct facts kept per block.
    const MAX: usize = 256;

    /// Notes `fact`, seen in `rec`.
    pub(crate) fn note(&mut self, fact: Fact, rec: &CbsRecord<'_>) {
        let entry = (fact, rec.first_line, rec.last_line, rec.start, rec.end);
        if let Some(slot) = self.items.iter_mut().find(|i| i.0 == entry.0) {
            *slot = entry;
        } else if self.items.len() < Self::MAX {
            self.items.push(entry);
        }
    }

    /// Hands the facts to `batch`, each with the first line of its record as excerpt.
    pub(crate) fn flush(self, block: &[u8], batch: &mut EvidenceBatch) {
        for (fact, first, last, start, end) in self.items {
            let text = block.get(start..end).unwrap_or_default();
            let line = text
                .get(..memchr::memchr(b'\n', text).unwrap_or(text.len()))
                .unwrap_or_default();
            batch.fact(
                fact,
                Span::Lines { first, last },
                &String::from_utf8_lossy(crate::text::trim_cr(line)),
            );
        }
    }
}

/// What a record means.
pub(crate) struct Class {
    pub(crate) kind: EventKind,
    pub(crate) facts: Vec<Fact>,
}

impl Class {
    pub(crate) const fn plain() -> Self {
        Self {
            kind: EventKind::LogLine,
            facts: Vec::new(),
        }
    }

    fn of(kind: EventKind) -> Self {
        Self {
            kind,
            facts: Vec::new(),
        }
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    memmem::find(h, n)
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    memmem::find(h, n).is_some()
}

/// Substring searchers built once (building one per call costs more than searching a short record).
struct Phrases {
    status_sxs: memmem::Finder<'static>,
    failed_to: memmem::Finder<'static>,
    failed_to_lower: memmem::Finder<'static>,
    package: memmem::Finder<'static>,
    reboot: memmem::Finder<'static>,
    poqexec: memmem::Finder<'static>,
    reboot_upper: memmem::Finder<'static>,
    sr: memmem::Finder<'static>,
    mark_store: memmem::Finder<'static>,
    over_removing: memmem::Finder<'static>,
    manifest_missing: memmem::Finder<'static>,
    wer: memmem::Finder<'static>,
}

static PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases {
    status_sxs: memmem::Finder::new(b"STATUS_SXS_"),
    failed_to: memmem::Finder::new(b"Failed to "),
    failed_to_lower: memmem::Finder::new(b"failed to "),
    package: memmem::Finder::new(b"ackage"),
    reboot: memmem::Finder::new(b"eboot"),
    poqexec: memmem::Finder::new(b"oqexec"),
    reboot_upper: memmem::Finder::new(b"REBOOT"),
    sr: memmem::Finder::new(b"[SR] "),
    mark_store: memmem::Finder::new(b"Mark store corruption flag"),
    over_removing: memmem::Finder::new(b"Over-removing a TLC"),
    manifest_missing: memmem::Finder::new(b"Store corruption, manifest missing"),
    wer: memmem::Finder::new(b"WER: Generating failure report for package"),
});

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(trim(b)).into_owned()
}

/// Reads a decimal number at the start of `b` (after spaces and tabs).
fn leading_number(b: &[u8]) -> Option<u32> {
    let b = b.trim_ascii_start();
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return None;
    }
    std::str::from_utf8(b.get(..n)?).ok()?.parse().ok()
}

/// Reads a dotted version at the start of `b`.
pub(crate) fn leading_version(b: &[u8]) -> Option<Version> {
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.')
        .count();
    let s = std::str::from_utf8(b.get(..n)?).ok()?;
    Version::parse(s.trim_end_matches('.'))
}

/// The OS fact a servicing stack or image version gives: major.minor.build, the revision kept only when
/// `keep_revision` (an image's revision is its UBR; a servicing stack's is not).
pub(crate) fn os_fact(v: Version, keep_revision: bool) -> Fact {
    let mut parts = v.0;
    if !keep_revision {
        parts[3] = 0;
    }
    Fact::Os(OsFact {
        version: Some(Version(parts)),
        ..OsFact::default()
    })
}

/// Splits a `(p)`/`(w)`/`(fix)` summary row: `(p)\tCSI Payload Corrupt\t(n)\t\t\tamd64_…\ntdll.dll`
/// (tabs, or runs of spaces in copies) into (category, item).
fn summary_row(row: &[u8]) -> Option<(String, String)> {
    let fields: Vec<&[u8]> = row
        .split(|&b| b == b'\t')
        .flat_map(split_double_space)
        .map(trim)
        .filter(|f| !f.is_empty())
        .collect();
    let category = fields.get(1)?;
    let item = fields
        .iter()
        .skip(2)
        .rfind(|f| !(f.len() == 3 && f.first() == Some(&b'(') && f.last() == Some(&b')')))
        .copied()
        .unwrap_or_default();
    Some((lossy(category), lossy(item)))
}

fn split_double_space(f: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = f.get(from..).and_then(|r| memmem::find(r, b"  ")) {
        out.push(f.get(from..from + rel).unwrap_or_default());
        from += rel + 2;
    }
    out.push(f.get(from..).unwrap_or_default());
    out
}

/// Splits a CheckSUR-style finding `(f) CBS MUM Corrupt 0x800F0900 servicing\Packages\….mum Line 1:` into
/// (category, code, item).
pub(crate) fn finding_row(row: &[u8]) -> Option<(String, Option<u32>, String)> {
    let close = memchr::memchr(b')', row)?;
    finding_row_after_marker(row.get(close + 1..)?)
}

/// Splits what follows the `(f)`/`(fix)`/`(w)` marker of a finding: the category, then a hex code (the
/// anchor: copies turn the tabs between fields into single spaces), then the item. Rows without a code
/// (`(fix)\tCBS MUM Missing\tCBS File Replaced\t….mum from Cabinet: …`) split on tabs instead.
pub(crate) fn finding_row_after_marker(rest: &[u8]) -> Option<(String, Option<u32>, String)> {
    let rest = trim(rest);
    let mut at = 0;
    let mut found = None;
    while let Some(rel) = rest.get(at..).and_then(|r| find(r, b"0x")) {
        let p = at + rel;
        at = p + 2;
        let before_ok = p == 0 || rest.get(p - 1).is_some_and(|&b| b == b' ' || b == b'\t');
        let digits = rest.get(p + 2..p + 10).unwrap_or_default();
        if before_ok
            && digits.len() == 8
            && digits.iter().all(|&b| is_hex(b))
            && rest.get(p + 10).is_none_or(|&b| b == b' ' || b == b'\t')
        {
            found = Some(p);
            break;
        }
    }
    if let Some(p) = found {
        let category = lossy(rest.get(..p).unwrap_or_default());
        let digits = rest.get(p + 2..p + 10).unwrap_or_default();
        let code = HResult::from_hex_digits(digits).map(HResult::value);
        let mut item = trim(rest.get(p + 10..).unwrap_or_default());
        // `… .mum Line 1:` — the XML error position is detail, not part of the item.
        if item.ends_with(b":")
            && let Some(l) = memmem::rfind(item, b"Line ")
        {
            item = trim(item.get(..l).unwrap_or_default());
        }
        return Some((category, code, lossy(item)));
    }
    let fields: Vec<&[u8]> = rest
        .split(|&b| b == b'\t')
        .flat_map(split_double_space)
        .map(trim)
        .filter(|f| !f.is_empty())
        .collect();
    match fields.as_slice() {
        [] => None,
        [only] => Some((lossy(only), None, String::new())),
        [first, .., last] => Some((lossy(first), None, lossy(last))),
    }
}

/// The quoted name after `[l:N]` (`[l:13]'BCMWL63AL.SYS'` → `BCMWL63AL.SYS`).
fn quoted_after(text: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let rest = text.get(from..)?;
    let q = memchr::memchr(b'\'', rest)?;
    let body = rest.get(q + 1..)?;
    let e = memchr::memchr(b'\'', body)?;
    Some((body.get(..e)?, from + q + 1 + e + 1))
}

/// Classifies a servicing-log record of the CBS family from its message: `msg` is the first line's
/// message, `full` the whole record when it has more lines.
pub(crate) fn classify_cbs(msg: &[u8], full: &[u8], component: &[u8], codes: &[HResult]) -> Class {
    let m = msg.trim_ascii_start();
    let ph = &*PHRASES;
    // Phrases at the start of the message, by first byte.
    match m.first() {
        Some(b'L') => {
            if let Some(rest) = m.strip_prefix(b"Loaded Servicing Stack v") {
                return match leading_version(rest) {
                    Some(v) => Class {
                        kind: EventKind::ServicingStackLoaded,
                        facts: vec![Fact::ServicingStack(v), os_fact(v, false)],
                    },
                    None => Class::plain(),
                };
            }
        }
        Some(b'(') => {
            if m.starts_with(b"(p)")
                && let Some((category, item)) = summary_row(m)
            {
                return Class::of(EventKind::StoreCorruption { category, item });
            }
            if m.starts_with(b"(f)")
                && let Some((category, _, item)) = finding_row(m)
            {
                return Class::of(EventKind::StoreCorruption { category, item });
            }
        }
        Some(b'T') => {
            if let Some(rest) = m.strip_prefix(b"Total Detected Corruption:") {
                return Class::of(EventKind::CorruptionSummary {
                    detected: leading_number(rest),
                    repaired: None,
                });
            }
            if let Some(rest) = m.strip_prefix(b"Total Repaired Corruption:") {
                return Class::of(EventKind::CorruptionSummary {
                    detected: None,
                    repaired: leading_number(rest),
                });
            }
        }
        Some(b'H') if component == b"CSI" => {
            if let Some(rest) = m.strip_prefix(b"Hashes for file member ")
                && contains(rest, b"do not match")
            {
                let item = quoted_after(rest, 0).map_or_else(String::new, |(f, _)| lossy(f));
                return Class::of(EventKind::StoreCorruption {
                    category: "Hashes for file member do not match".into(),
                    item,
                });
            }
        }
        _ => {}
    }
    if let Some(p) = ph.sr.find(m)
        && let Some(class) = sfc_row(m.get(p + 5..).unwrap_or_default())
    {
        return class;
    }
    // CSI `Over-removing a TLC, s/b internal error <hash>, Version = …`: the component whose ownership
    // records are inconsistent (the usual prelude to 0x80070308). The item is the identity as written.
    if let Some(p) = ph.over_removing.find(m) {
        let rest = m.get(p..).unwrap_or_default();
        let item = find(rest, b"internal error ").map_or_else(String::new, |i| {
            lossy(trim(rest.get(i + 15..).unwrap_or_default()))
        });
        return Class::of(EventKind::StoreCorruption {
            category: "Over-removing a TLC".into(),
            item,
        });
    }
    for (finder, category) in [
        (&ph.mark_store, "Mark store corruption"),
        (&ph.manifest_missing, "Manifest missing"),
    ] {
        if finder.find(m).is_some() {
            let item = scan::first_package(m).unwrap_or_default();
            return Class::of(EventKind::StoreCorruption {
                category: category.into(),
                item,
            });
        }
    }
    if let Some(p) = ph.status_sxs.find(full) {
        let name_len = full
            .get(p..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b.is_ascii_uppercase() || b == b'_')
            .count();
        let category = lossy(full.get(p..p + name_len).unwrap_or_default());
        let item = match find(full, b"rid = '") {
            Some(r) => quoted_after(full, r).map(|(s, _)| lossy(s)),
            None => None,
        }
        .or_else(|| scan::first_package(full))
        .unwrap_or_default();
        return Class::of(EventKind::StoreCorruption { category, item });
    }
    if codes.iter().any(|c| c.is_failure()) {
        if ph.wer.find(m).is_some() {
            let target = find(m, b"target state: ").map(|t| {
                let s = m.get(t + 14..).unwrap_or_default();
                s.get(..s.iter().position(|&b| b == b',').unwrap_or(s.len()))
                    .unwrap_or_default()
            });
            return Class::of(match target {
                Some(b"Absent") => EventKind::UninstallFailed,
                _ => EventKind::InstallFailed,
            });
        }
        if (ph.failed_to.find(m).is_some() || ph.failed_to_lower.find(m).is_some())
            && ph.package.find(m).is_some()
            && scan::first_package(full).is_some()
        {
            return Class::of(EventKind::InstallFailed);
        }
    }
    if is_reboot(m, codes) {
        return Class {
            kind: EventKind::RebootRequired,
            facts: vec![Fact::PendingReboot(
                PendingRebootIndicator::LoggedRebootPending,
            )],
        };
    }
    Class::plain()
}

/// SFC's `[SR]` rows that report damage it could not undo.
fn sfc_row(sr: &[u8]) -> Option<Class> {
    if let Some(rest) = sr.strip_prefix(b"Cannot repair member file ") {
        let item = match quoted_after(rest, 0) {
            Some((file, after)) => {
                let tail = rest.get(after..).unwrap_or_default();
                let comp = tail
                    .strip_prefix(b" of ")
                    .map(|t| t.split(|&b| b == b',').next().unwrap_or_default());
                match comp {
                    Some(c) => format!("{} of {}", lossy(file), lossy(c)),
                    None => lossy(file),
                }
            }
            None => lossy(rest),
        };
        return Some(Class::of(EventKind::StoreCorruption {
            category: "Cannot repair member file".into(),
            item,
        }));
    }
    for (phrase, category) in [
        (
            &b"Could not reproject corrupted file "[..],
            "Could not reproject corrupted file",
        ),
        (b"Unable to repair ", "Unable to repair"),
    ] {
        if let Some(rest) = sr.strip_prefix(phrase) {
            let item = rest.split(|&b| b == b';').next().unwrap_or_default();
            return Some(Class::of(EventKind::StoreCorruption {
                category: category.into(),
                item: lossy(item),
            }));
        }
    }
    None
}

/// True when a record says a restart is needed before servicing can go on.
fn is_reboot(m: &[u8], codes: &[HResult]) -> bool {
    if codes.contains(&FAIL_REBOOT_REQUIRED) || codes.contains(&SUCCESS_REBOOT_REQUIRED) {
        return true;
    }
    let ph = &*PHRASES;
    if ph.reboot.find(m).is_none()
        && ph.poqexec.find(m).is_none()
        && ph.reboot_upper.find(m).is_none()
    {
        return false;
    }
    for yes in [
        &b"Reboot required:"[..],
        b"Reboot required=",
        b"Reboot required =",
    ] {
        if let Some(p) = find(m, yes) {
            let tail = m
                .get(p + yes.len()..)
                .unwrap_or_default()
                .trim_ascii_start();
            if tail
                .get(..3)
                .is_some_and(|t| t.eq_ignore_ascii_case(b"yes"))
            {
                return true;
            }
        }
    }
    let phrases: &[&[u8]] = &[
        b"signaled that a reboot is required",
        b"A reboot is required",
        b"requires a reboot",
        b"requries a reboot",
        b"Reboot mark set",
        b"Poqexec successfully registered",
        b"Configured poqexec to pend",
        b"ERROR_FAIL_REBOOT_REQUIRED",
        b"ERROR_SUCCESS_REBOOT_REQUIRED",
    ];
    if phrases.iter().any(|p| contains(m, p)) {
        return true;
    }
    // "…not set as autostart, or else a reboot is still pending" states no restart; only a plain
    // statement counts.
    contains(m, b"reboot is still pending") && !contains(m, b"or else a reboot")
}

/// Builds the event of a record.
pub(crate) fn build_event(
    rec: &CbsRecord<'_>,
    kind: EventKind,
    component: Option<String>,
    message: &str,
    codes: Vec<HResult>,
) -> Event {
    let time = rec.header().and_then(|h| {
        let written = h.time()?;
        let mut t = EventTime::local(written);
        t.utc = h.utc();
        Some(t)
    });
    let mut e = Event {
        time,
        severity: severity(rec.level()),
        component,
        kind,
        ..Event::default()
    };
    e.location.span = Span::Lines {
        first: rec.first_line,
        last: rec.last_line,
    };
    e.set_message(message);
    e.codes = codes;
    let bytes = message.as_bytes();
    for kb in scan::kbs(bytes) {
        e.add_kb(kb);
    }
    e.package = scan::first_package(bytes);
    e
}

/// The shape under which the evidence builder groups events in [`Retention::Diagnostic`]: kind, first
/// code, severity, component.
type ShapeKey<'a> = (&'static str, HResult, Severity, ComponentName<'a>);

/// The component an event will carry, turned into a `String` only when the event is built: most records
/// that reach the shape cap are counted, not built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ComponentName<'a> {
    /// No component.
    Absent,
    /// The log's component column, as written.
    Column(&'a [u8]),
    /// A name the extractor chose (DISM's provider).
    Named(String),
}

impl ComponentName<'_> {
    fn into_string(self) -> Option<String> {
        match self {
            Self::Absent => None,
            Self::Column(c) => Some(String::from_utf8_lossy(c).into_owned()),
            Self::Named(s) => Some(s),
        }
    }
}

/// A record whose event is built only if it turns out to be the last of its shape in the block.
struct Deferred<'a> {
    rec: CbsRecord<'a>,
    kind: EventKind,
    component: ComponentName<'a>,
    message: Option<String>,
    codes: Vec<HResult>,
    severity: Severity,
}

/// Builds at most [`Retention::MAX_PER_KEY`] events of one shape per block, plus the block's last one.
/// The builder keeps the first events of a shape and the latest one per source, so it keeps exactly
/// the same events; the others are counted without being built. On a log that repeats one failure a
/// million times this is most of the work saved.
#[derive(Default)]
struct ShapeCap<'a> {
    shapes: std::collections::HashMap<
        ShapeKey<'a>,
        (u32, Option<Deferred<'a>>),
        foldhash::fast::RandomState,
    >,
}

/// Counts a record that is not built, codes included (as [`EvidenceBatch::record`] would).
fn count_unbuilt(batch: &mut EvidenceBatch, severity: Severity, codes: &[HResult]) {
    batch.count_plain(severity);
    for c in codes {
        *batch.stats.codes.entry(*c).or_default() += 1;
    }
}

/// Per-block state shared by the CBS and DISM extractors.
struct BlockState<'a> {
    facts: BlockFacts,
    /// A `Total Detected Corruption` event waiting (for at most `.1` more records) for the `Total
    /// Repaired Corruption` line a few lines below it, so that one event carries both counts.
    held: Option<(Event, u8)>,
    /// Per-shape caps; `None` when every event is kept.
    cap: Option<ShapeCap<'a>>,
}

impl BlockState<'_> {
    /// Records the held summary event, if any.
    fn release(&mut self, batch: &mut EvidenceBatch) {
        if let Some((e, _)) = self.held.take() {
            batch.record(e);
        }
    }

    /// Counts one more record seen since the held event; releases it when it waited long enough.
    fn tick(&mut self, batch: &mut EvidenceBatch) {
        if let Some((_, left)) = &mut self.held {
            if *left == 0 {
                self.release(batch);
            } else {
                *left -= 1;
            }
        }
    }

    /// Builds the deferred last events of each shape.
    fn finish(&mut self, batch: &mut EvidenceBatch) {
        self.release(batch);
        if let Some(cap) = self.cap.take() {
            for (_, (_, last)) in cap.shapes {
                if let Some(d) = last {
                    let message = d.message.unwrap_or_else(|| d.rec.full_message());
                    batch.record(build_event(
                        &d.rec,
                        d.kind,
                        d.component.into_string(),
                        &message,
                        d.codes,
                    ));
                }
            }
        }
    }
}

/// Records between `Total Detected Corruption` and `Total Repaired Corruption` (6 in real logs).
const SUMMARY_WINDOW: u8 = 12;

/// Reads a block of a servicing log into `batch`.
pub(crate) fn read_block(block: &[u8], batch: &mut EvidenceBatch, dialect: Dialect) {
    let keep_all = batch.wants(Severity::Info, &EventKind::LogLine, false);
    let triggers = match dialect {
        Dialect::Cbs => CBS_TRIGGERS.as_ref(),
        Dialect::Dism => DISM_TRIGGERS.as_ref(),
    };
    // The same triggers decide, whatever the retention, whether an `Info` record is searched for codes:
    // the counters must not depend on which events are kept.
    let hits = triggers.map(|t| t.hits(block));
    let mut hits = hits.as_ref().map(|h| h.iter().peekable());
    let mut hex = HEX.find_iter(block).peekable();
    let mut state = BlockState {
        facts: BlockFacts::default(),
        held: None,
        cap: (batch.retention == Retention::Diagnostic).then(ShapeCap::default),
    };
    // The records count the block's lines as they go, which saves the engine a counting pass.
    let mut lines = 0;
    for item in Records::new(block, dialect) {
        state.tick(batch);
        let rec = match item {
            Ok(r) => {
                lines = r.last_line;
                r
            }
            Err(e) => {
                lines = e.last_line;
                batch.failed(
                    Span::Lines {
                        first: e.first_line,
                        last: e.last_line,
                    },
                    e.what,
                );
                continue;
            }
        };
        let sev = severity(rec.level());
        // A code trigger (a failure `0x…`, a bare-code marker) makes the record searched for codes; a
        // phrase only makes it classified.
        let mut code_trigger = triggers.is_none();
        let mut phrase_trigger = false;
        let mut keyword = false;
        while let Some(&at) = hex.peek() {
            if at >= rec.end {
                break;
            }
            if !code_trigger && at >= rec.start {
                code_trigger = hex_counts(block, at);
            }
            hex.next();
        }
        if let (Some(h), Some(t)) = (hits.as_mut(), triggers) {
            while let Some(m) = h.peek() {
                if m.start() >= rec.end {
                    break;
                }
                if m.start() >= rec.start {
                    match t.kinds.get(m.pattern().as_usize()) {
                        Some(Trigger::Bare) => {
                            code_trigger = code_trigger || bare_counts(block, m.end());
                        }
                        Some(Trigger::Keyword(full)) if !keyword => {
                            let raw = block.get(rec.start..rec.end).unwrap_or_default();
                            if full
                                .iter()
                                .any(|k| memmem::find(raw, k.as_bytes()).is_some())
                            {
                                phrase_trigger = true;
                                keyword = true;
                            }
                        }
                        Some(Trigger::Keyword(_)) => {} // the record already holds a keyword
                        _ => phrase_trigger = true,
                    }
                }
                h.next();
            }
        }
        let search_codes = sev != Severity::Info || code_trigger;
        if !(keep_all || search_codes || phrase_trigger) {
            batch.count_plain(sev);
            continue;
        }
        extract_record(
            rec,
            block,
            batch,
            &mut state,
            dialect,
            search_codes,
            keyword,
        );
    }
    state.finish(batch);
    state.facts.flush(block, batch);
    batch.lines = lines;
}

/// Classifies one record and records it (built, deferred or counted).
fn extract_record<'a>(
    rec: CbsRecord<'a>,
    block: &'a [u8],
    batch: &mut EvidenceBatch,
    state: &mut BlockState<'a>,
    dialect: Dialect,
    search_codes: bool,
    keyword: bool,
) {
    let raw = block.get(rec.start..rec.end).unwrap_or_default();
    let codes = if search_codes { codes(raw) } else { Vec::new() };
    let (header, message) = rec.parts();
    let component = header.map_or(&[][..], |h| h.component);
    let sev = severity(rec.level());
    let (mut class, comp_name, dism_text) = if dialect == Dialect::Dism && component == b"DISM" {
        let (class, name, text) = crate::dism_log::extract::classify(&rec, message, &codes);
        (
            class,
            name.map_or(ComponentName::Absent, ComponentName::Named),
            text,
        )
    } else if header.is_none() && dialect == Dialect::Dism && message.starts_with(b"[") {
        (Class::plain(), ComponentName::Absent, None)
    } else {
        let msg_all = if rec.continuation.is_empty() {
            message
        } else {
            raw
        };
        (
            classify_cbs(message, msg_all, component, &codes),
            if component.is_empty() {
                ComponentName::Absent
            } else {
                ComponentName::Column(component)
            },
            None,
        )
    };
    // `Total Repaired Corruption` completes the held `Total Detected Corruption` event.
    if let EventKind::CorruptionSummary {
        detected: None,
        repaired: Some(n),
    } = class.kind
        && let Some((held, _)) = &mut state.held
    {
        if let EventKind::CorruptionSummary { repaired, .. } = &mut held.kind {
            *repaired = Some(n);
        }
        state.release(batch);
        class.kind = EventKind::LogLine;
    }
    for fact in class.facts.drain(..) {
        state.facts.note(fact, &rec);
    }
    // A signature keyword (found by the block's trigger pass) or SFC's verdict keeps the record.
    let always = keyword || memmem::find(raw, SFC_ALL_REPAIRED).is_some();
    if !always && !batch.wants(sev, &class.kind, !codes.is_empty()) {
        batch.count_plain(sev);
        return;
    }
    if matches!(
        class.kind,
        EventKind::CorruptionSummary {
            detected: Some(_),
            repaired: None
        }
    ) {
        let message = dism_text.unwrap_or_else(|| rec.full_message());
        let event = build_event(&rec, class.kind, comp_name.into_string(), &message, codes);
        state.release(batch);
        state.held = Some((event, SUMMARY_WINDOW));
        return;
    }
    if let Some(cap) = &mut state.cap {
        let key: ShapeKey = (
            class.kind.name(),
            codes.first().copied().unwrap_or_default(),
            sev,
            comp_name.clone(),
        );
        let slot = cap.shapes.entry(key).or_insert((0, None));
        if slot.0 >= Retention::MAX_PER_KEY {
            let d = Deferred {
                rec,
                kind: class.kind,
                component: comp_name,
                message: dism_text,
                codes,
                severity: sev,
            };
            if let Some(old) = slot.1.replace(d) {
                count_unbuilt(batch, old.severity, &old.codes);
            }
            return;
        }
        slot.0 += 1;
    }
    let message = dism_text.unwrap_or_else(|| rec.full_message());
    let event = build_event(&rec, class.kind, comp_name.into_string(), &message, codes);
    if always {
        batch.record_always(event);
    } else {
        batch.record(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::SourceId;

    fn read(buf: &[u8], retention: Retention) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), retention);
        read_block(buf, &mut b, Dialect::Cbs);
        b
    }

    #[test]
    fn counts_the_lines_of_a_block_as_the_engine_would() {
        // Blocks end just after a line end; continuation lines, bare LFs, blank and stray lines count too.
        let block = b"2016-09-28 04:30:30, Info                  CBS    first\r\n\
  continued\r\n\
\r\n\
garbage without a header\n\
2016-09-28 04:30:31, Error                 CBS    second [HRESULT = 0x800f081f]\r\n\
2016-09-28 04:30:31, Info                  CSI    00000002 chunk\nbare lf part\r\n";
        for retention in [Retention::All, Retention::Diagnostic] {
            let b = read(block, retention);
            assert_eq!(b.lines, memchr::memchr_iter(b'\n', block).count() as u64);
        }
    }

    #[test]
    fn pointers_are_not_codes() {
        let c = codes(
            b"WcpInitialize called (stack @0x7fed806eb5d @0xff83e97c @0xff83d799) [gle=0x80004005]",
        );
        assert_eq!(c, vec![HResult::new(0x8000_4005)]);
    }

    #[test]
    fn triggers_decide_cheaply() {
        assert!(hex_counts(b"[HRESULT = 0x800f0831 - X]", 11));
        assert!(!hex_counts(b"handle @0xff83e97c", 8));
        assert!(!hex_counts(b"result 0x00000000", 7));
        assert!(!hex_counts(b"x 0x8000000", 2));
        assert!(!hex_counts(b"x0x80000000", 1));
        assert!(bare_counts(b"HRESULT=800F0905", 8));
        assert!(bare_counts(b"hr=-2145107961", 3));
        assert!(!bare_counts(b"HRESULT=0x800F0905", 8));
        assert!(!bare_counts(b"HRESULT=0", 8));
    }

    #[test]
    fn over_removing_a_tlc_is_kept_with_its_component() {
        let b = read(
            b"2016-10-31 11:25:11, Info                  CSI    000000eb Over-removing a TLC, s/b internal error 0e471cf709070f76ea5797942bb36096, Version = 6.1.7601.23455, pA = PROCESSOR_ARCHITECTURE_AMD64 (9), Culture neutral\r\n",
            Retention::Diagnostic,
        );
        assert_eq!(
            b.events.len(),
            1,
            "an informational line, kept for its meaning"
        );
        assert_eq!(
            b.events[0].kind,
            EventKind::StoreCorruption {
                category: "Over-removing a TLC".into(),
                item: "0e471cf709070f76ea5797942bb36096, Version = 6.1.7601.23455, pA = PROCESSOR_ARCHITECTURE_AMD64 (9), Culture neutral".into()
            }
        );
    }

    #[test]
    fn classifies_the_known_lines() {
        let b = read(
            b"2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\x\\cbscore.dll\r\n\
2023-05-23 10:36:37, Info                  CBS    (p)\tCSI Payload Corrupt\t(n)\t\t\tamd64_microsoft-windows-ntdll_31bf3856ad364e35_10.0.19041.2788_none_cd687715b185f10b\\ntdll.dll\r\n\
2023-05-23 10:36:37, Info                  CBS    Operation result: 0x800f081f\r\n\
2023-05-23 10:36:37, Info                  CBS    Total Detected Corruption:\t10\r\n\
2023-05-23 10:36:37, Info                  CBS    Total Repaired Corruption:\t0\r\n\
2023-05-23 10:18:40, Info                  CBS    Failed to check CSI store. [HRESULT = 0x80070bc9 - ERROR_FAIL_REBOOT_REQUIRED]\r\n\
2016-09-28 04:30:31, Info                  CBS    No startup processing required, TrustedInstaller service was not set as autostart, or else a reboot is still pending.\r\n\
2016-10-31 11:25:11, Info                  CBS    WER: Generating failure report for package: Package_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4, status: 0x80070308, failure source: Execute, start state: Staged, target state: Installed, client id: WindowsUpdateAgent\r\n\
2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize (wcp.dll version 0.0.0.6) called (stack @0x7fed806eb5d @0xff83e97c)\r\n\
2024-07-25 17:03:36, Info                  CSI    000001ca [SR] Cannot repair member file [l:13]'BCMWL63AL.SYS' of dual_netbc63a.inf, version 10.0.19041.1, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} in the store, hash mismatch\r\n",
            Retention::Diagnostic,
        );
        let kinds: Vec<_> = b.events.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(b.stats.records_ok, 10);
        assert_eq!(kinds[0], EventKind::ServicingStackLoaded);
        assert_eq!(
            kinds[1],
            EventKind::StoreCorruption {
                category: "CSI Payload Corrupt".into(),
                item: "amd64_microsoft-windows-ntdll_31bf3856ad364e35_10.0.19041.2788_none_cd687715b185f10b\\ntdll.dll".into()
            }
        );
        assert_eq!(b.events[2].codes, vec![HResult::new(0x800f_081f)]);
        assert_eq!(
            kinds[3],
            EventKind::CorruptionSummary {
                detected: Some(10),
                repaired: Some(0)
            }
        );
        assert_eq!(kinds[4], EventKind::RebootRequired);
        assert_eq!(kinds[5], EventKind::InstallFailed);
        assert_eq!(b.events[5].kbs[0].number(), 3_172_605);
        assert_eq!(
            kinds[6],
            EventKind::StoreCorruption {
                category: "Cannot repair member file".into(),
                item: "BCMWL63AL.SYS of dual_netbc63a.inf".into()
            }
        );
        assert_eq!(b.events.len(), 7);
        assert_eq!(b.facts.servicing_stack.len(), 1);
        assert_eq!(
            b.facts.os[0].value.version.unwrap().to_string(),
            "6.1.7601.0"
        );
        assert_eq!(b.facts.pending_reboot.len(), 1);

        let all = read(
            b"2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize called (stack @0xff83e97c)\r\n",
            Retention::All,
        );
        let e = &all.events[0];
        assert!(e.codes.is_empty());
        assert_eq!(
            e.time.unwrap().utc.unwrap().to_string(),
            "2016-09-27T20:30:31.455"
        );
        assert_eq!(e.message, "WcpInitialize called (stack @0xff83e97c)");
    }

    #[test]
    fn excerpt_lines_are_records() {
        let b = read(
            b"Info CBS Store corruption, manifest missing for package: Package_123_for_KB3192392~31bf3856ad364e35~amd64~~6.3.1.4\n\nError CBS Failed to resolve package 'Package_123_for_KB3192392~31bf3856ad364e35~amd64~~6.3.1.4' [HRESULT = 0x800f0831 - CBS_E_STORE_CORRUPTION]\n",
            Retention::Diagnostic,
        );
        assert_eq!(b.stats.records_ok, 2);
        assert!(matches!(
            b.events[0].kind,
            EventKind::StoreCorruption { .. }
        ));
        assert_eq!(b.events[1].kind, EventKind::InstallFailed);
        assert_eq!(b.events[1].severity, Severity::Error);
        assert!(b.events[1].time.is_none());
        assert_eq!(b.events[1].location.span, Span::line(3));
    }

    #[test]
    fn dirty_input_is_counted_never_fatal() {
        // A 10 MB line, invalid UTF-8, NULs, bare CRs, a truncated last record.
        let mut buf = b"2016-09-28 04:30:30, Info                  CBS    start\r\n".to_vec();
        buf.extend(std::iter::repeat_n(b'A', 10 << 20));
        buf.extend_from_slice(b" [HRESULT = 0x800f081f]\r\n\xff\xfe\x00\x00garbage\rmore\r\n");
        buf.extend_from_slice(b"2016-13-40 04:30:30, Error                 CBS    bad stamp\r\n");
        buf.extend_from_slice(
            b"2016-09-28 04:30:31, Error                 CBS    Failed [HRESULT = 0x8007",
        );
        for retention in [Retention::Diagnostic, Retention::All] {
            let b = read(&buf, retention);
            assert_eq!(b.stats.records_ok, 2, "{retention:?}");
            assert_eq!(b.stats.records_failed, 1);
            assert_eq!(b.issues.len(), 1);
            assert!(b.stats.codes.contains_key(&HResult::new(0x800f_081f)));
        }
        // Pseudo-random bytes and shuffled fragments of real lines (a cheap stand-in for the fuzzer).
        let pieces: [&[u8]; 9] = [
            b"2016-09-28 04:30:30, Info                  CSI    00000001@2016/9/27:20:30:31.455 ",
            b"(p)\tCSI Payload Corrupt\t(n)\t\t\t",
            b"Total Detected Corruption:\t",
            b"\r\n",
            b"\n",
            b"[SR] Cannot repair member file [l:",
            b"0x800f081f HRESULT=800F0905 @0xff83e97c ",
            b"Loaded Servicing Stack v",
            b"x.log:",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..400 {
            let mut input = Vec::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if seed.is_multiple_of(3) {
                    input.push((seed >> 24) as u8);
                } else {
                    input.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
                }
            }
            for retention in [Retention::Diagnostic, Retention::All] {
                let mut b = EvidenceBatch::new(SourceId(0), retention);
                read_block(&input, &mut b, Dialect::Cbs);
                let mut d = EvidenceBatch::new(SourceId(0), retention);
                read_block(&input, &mut d, Dialect::Dism);
            }
        }
    }

    #[test]
    fn counts_match_between_retentions() {
        let lines: [&[u8]; 6] = [
            b"2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\x\\cbscore.dll",
            b"2016-09-28 04:30:31, Info                  CBS    SQM: Failed to start upload [HRESULT = 0x80004005 - E_FAIL]",
            b"2016-09-28 04:30:31, Error                 CSI    00000004 (F) STATUS_SXS_ASSEMBLY_MISSING #1# from X[gle=0x80073701]",
            b"2016-09-28 04:30:31, Info                  CSI    00000005 Created NT transaction (seq 1) result 0x00000000, handle @0x214",
            b"2016-09-28 04:30:31, Info                  CBS    Exec: Processing complete.  Session: 1_2 [HRESULT = 0x00000000 - S_OK]",
            b"2016-09-28 04:30:31, Warning               CBS    Unrecognized packageExtended attribute.",
        ];
        let mut text = Vec::new();
        for i in 0..600 {
            text.extend_from_slice(lines[i % lines.len()]);
            text.extend_from_slice(b"\r\n");
        }
        let d = read(&text, Retention::Diagnostic);
        let a = read(&text, Retention::All);
        assert_eq!(d.stats.records_ok, 600);
        assert_eq!(d.stats.records_ok, a.stats.records_ok);
        assert_eq!(d.stats.by_severity, a.stats.by_severity);
        assert_eq!(d.stats.codes, a.stats.codes);
        // Diagnostic builds at most MAX_PER_KEY events of a shape, plus the last one.
        let wanted = a
            .events
            .iter()
            .filter(|e| Retention::Diagnostic.keeps(e.severity, &e.kind, !e.codes.is_empty()))
            .count();
        assert_eq!(wanted, 400);
        assert_eq!(d.events.len(), 4 * (Retention::MAX_PER_KEY as usize + 1));
        let last_sxs = d
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::StoreCorruption { .. }))
            .map(|e| e.location.span.first_line())
            .max();
        assert_eq!(last_sxs, Some(Some(597)));
    }
}
