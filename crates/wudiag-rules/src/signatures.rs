//! Failure signatures at run time: the catalogue's data-defined failure patterns
//! ([`wudiag_catalog::signatures`]) matched against the evidence in one prefiltered pass.
//!
//! Every signature's keywords go into one case-insensitive aho-corasick automaton, built once. Each kept
//! event's message is scanned once; only the signatures whose keyword occurs are checked further (evidence
//! kind, codes, regex, the `near` pattern, the OS range). Matches of one signature that name the same
//! culprit become one finding, citing the records; the captures fill the title, message and fixes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use wudiag_catalog::{Catalog, Signature, SignatureConfidence, SignatureRole, signatures};
use wudiag_evidence::{Event, HResult, SourceKind, Version};

use crate::remedies::{self, Fill};
use crate::{
    Applicability, Area, Confidence, Context, Finding, Fix, RuleMeta, RuleRole, RuleStatus,
    event_kbs,
};

/// The rule metadata of every signature, in catalogue order (so findings can point at it like at a rule's).
pub static METAS: LazyLock<Vec<RuleMeta>> =
    LazyLock::new(|| signatures().iter().map(meta).collect());

fn area(name: &str) -> Area {
    match name {
        "Agent" => Area::Agent,
        "Network" => Area::Network,
        "Wsus" => Area::Wsus,
        "Setup" => Area::Setup,
        "System" => Area::System,
        "Package" => Area::Package,
        "Defender" => Area::Defender,
        "Azure" => Area::Azure,
        _ => Area::Servicing,
    }
}

fn meta(s: &'static Signature) -> RuleMeta {
    RuleMeta {
        id: s.id,
        name: s.name,
        area: area(s.area),
        severity: s.severity,
        status: RuleStatus::Preview,
        role: match s.role {
            SignatureRole::Cause => RuleRole::Cause,
            SignatureRole::Outcome => RuleRole::Outcome,
            SignatureRole::Generic => RuleRole::Generic,
        },
        explains: s.explains,
        doc: s.doc,
        file: s.file,
        line: 0,
    }
}

/// The compiled matcher: the keyword automaton and each signature's regexes, compiled the first time a
/// keyword of that signature occurs (a run pays only for the signatures its evidence comes near).
struct Matcher {
    keywords: Option<AhoCorasick>,
    /// Keyword index → signature index.
    owner: Vec<usize>,
    patterns: Vec<OnceLock<Option<Regex>>>,
    near: Vec<OnceLock<Option<Regex>>>,
}

impl Matcher {
    fn pattern(&self, i: usize) -> Option<&Regex> {
        let p = signatures().get(i)?.pattern?;
        self.patterns.get(i)?.get_or_init(|| regex(p)).as_ref()
    }

    fn near(&self, i: usize) -> Option<&Regex> {
        let p = signatures().get(i)?.near?.pattern;
        self.near.get(i)?.get_or_init(|| regex(p)).as_ref()
    }
}

fn regex(p: &str) -> Option<Regex> {
    RegexBuilder::new(p).case_insensitive(true).build().ok()
}

static MATCHER: LazyLock<Matcher> = LazyLock::new(|| {
    let mut words = Vec::new();
    let mut owner = Vec::new();
    for (i, s) in signatures().iter().enumerate() {
        for k in s.keywords {
            words.push(*k);
            owner.push(i);
        }
    }
    Matcher {
        // The default (contiguous NFA) kind: it runs over kept events only, and builds far faster than a
        // DFA of a thousand case-insensitive keywords.
        keywords: AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&words)
            .ok(),
        owner,
        patterns: signatures().iter().map(|_| OnceLock::new()).collect(),
        near: signatures().iter().map(|_| OnceLock::new()).collect(),
    }
});

/// Text families that count as the evidence kinds signatures name.
fn kind_names(kind: Option<SourceKind>) -> &'static [&'static str] {
    match kind {
        Some(SourceKind::Evtx | SourceKind::EventLogText) => &["evtx"],
        Some(SourceKind::Excerpt) | None => &["excerpt"],
        Some(k) => match k.as_str() {
            "cbs_log" => &["cbs_log"],
            "dism_log" => &["dism_log"],
            "checksur_log" => &["checksur_log"],
            "windowsupdate_log" => &["windowsupdate_log"],
            "reporting_events" => &["reporting_events"],
            "setupdiag" => &["setupdiag"],
            "configmgr_log" => &["configmgr_log"],
            "wsus_softwaredistribution_log" => &["wsus_softwaredistribution_log"],
            "wsus_change_log" => &["wsus_change_log"],
            "iis_log" => &["iis_log"],
            "panther_log" => &["panther_log"],
            "setupapi_log" => &["setupapi_log"],
            "defender_log" => &["defender_log"],
            "azure_patch_log" => &["azure_patch_log"],
            _ => &[],
        },
    }
}

fn applies_to_kind(s: &Signature, kind: Option<SourceKind>) -> bool {
    if s.sources.is_empty() {
        return true;
    }
    let names = kind_names(kind);
    // Text of unknown origin may be any of them.
    names == ["excerpt"] || s.sources.iter().any(|src| names.contains(src))
}

/// Whether `version` is inside `[min, max]`; a bound compares only the parts it writes.
fn in_os_range(s: &Signature, version: Option<Version>) -> bool {
    let Some(v) = version else { return true };
    let cmp = |bound: &str| {
        let parts: Vec<u32> = bound.split('.').filter_map(|p| p.parse().ok()).collect();
        let n = parts.len().min(4);
        Some(v.0.get(..n)?.cmp(parts.get(..n)?))
    };
    let above_min = s
        .os_min
        .is_none_or(|m| cmp(m) != Some(std::cmp::Ordering::Less));
    let below_max = s
        .os_max
        .is_none_or(|m| cmp(m) != Some(std::cmp::Ordering::Greater));
    above_min && below_max
}

/// One signature's match on one event: the captured values.
type Captures = BTreeMap<&'static str, String>;

/// Runs `re` (a regex of the static [`MATCHER`], so its capture names are `'static`) on `text`.
fn captures_of(re: &'static Regex, text: &str, into: &mut Captures) -> bool {
    let Some(c) = re.captures(text) else {
        return false;
    };
    for name in re.capture_names().flatten() {
        if let Some(m) = c.name(name) {
            let v = m.as_str().trim();
            if !v.is_empty() {
                into.entry(name).or_insert_with(|| v.to_owned());
            }
        }
    }
    true
}

/// Signatures whose keywords occur in `text`, each once, in catalogue order.
fn candidates(text: &str) -> Vec<usize> {
    let Some(ac) = &MATCHER.keywords else {
        return Vec::new();
    };
    let mut out: Vec<usize> = ac
        .find_overlapping_iter(text)
        .filter_map(|m| MATCHER.owner.get(m.pattern().as_usize()).copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Tries signature `i` on event `at` of `events`; on a match, the captures and the index of the record
/// that satisfied `near` (cited beside the matching record).
fn try_match(
    i: usize,
    events: &[Event],
    at: usize,
    cx: &Context<'_>,
) -> Option<(Captures, Option<usize>)> {
    let s = signatures().get(i)?;
    let e = events.get(at)?;
    if !applies_to_kind(s, cx.source_kind(e)) || !in_os_range(s, cx.os.version) {
        return None;
    }
    if !s.codes.is_empty() && !e.codes.iter().any(|c| s.codes.contains(&c.value())) {
        return None;
    }
    let mut caps = Captures::new();
    if let Some(re) = MATCHER.pattern(i)
        && !captures_of(re, &e.message, &mut caps)
    {
        return None;
    }
    let mut near_at = None;
    if let (Some(near), Some(re)) = (s.near, MATCHER.near(i)) {
        let w = near.window as usize;
        let lo = at.saturating_sub(w);
        let hi = (at + w + 1).min(events.len());
        let found = events.get(lo..hi)?.iter().position(|n| {
            n.location.source == e.location.source && captures_of(re, &n.message, &mut caps)
        });
        near_at = Some(lo + found?);
    }
    if let Some(code) = e.codes.first() {
        caps.entry("code").or_insert_with(|| code.to_string());
    }
    if let Some(kb) = event_kbs(e).first() {
        caps.entry("kb").or_insert_with(|| kb.to_string());
    }
    Some((caps, near_at.filter(|n| *n != at)))
}

/// Fills `{name}` placeholders; an unknown value reads as "(not named in the record)".
pub fn fill(template: &str, caps: &Captures) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        match after.find('}') {
            Some(close)
                if after.get(..close).is_some_and(|n| {
                    !n.is_empty()
                        && n.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                }) =>
            {
                let name = after.get(..close).unwrap_or_default();
                match caps.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str("(not named)"),
                }
                rest = after.get(close + 1..).unwrap_or_default();
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

const fn confidence(c: SignatureConfidence) -> Confidence {
    match c {
        SignatureConfidence::Confirmed => Confidence::Confirmed,
        SignatureConfidence::Likely => Confidence::Likely,
        SignatureConfidence::Possible => Confidence::Possible,
    }
}

fn applicability(a: &str) -> Applicability {
    match a {
        "safe" => Applicability::Safe,
        "unsafe" => Applicability::Unsafe,
        _ => Applicability::DisplayOnly,
    }
}

/// Most records cited per finding.
const MAX_CITED: usize = 5;

/// Groups matches: one finding per signature and culprit (the captures its title names, codes left out).
type HitKey = (usize, Vec<(&'static str, String)>);

/// Adds what a known-issue match names to `names` (lowercase): the file or package it captured, the
/// store path's tail (SFC writes the same file under another root when it reprojects it:
/// `C:\WINDOWS\SystemApps\…FileExp_…\Assets\x.svg`) and that tail's folders down to two levels (only 64
/// records of one shape are kept: the other files' names are gone, their folders are the same).
fn add_known_issue_names(caps: &Captures, names: &mut Vec<String>) {
    for key in ["file", "package"] {
        let Some(v) = caps.get(key).filter(|v| v.len() >= 6) else {
            continue;
        };
        let v = v.to_ascii_lowercase();
        let tail = v
            .split_once('\\')
            .map(|(_, t)| t.to_owned())
            .filter(|t| t.contains('\\'));
        let mut folders = Vec::new();
        let mut dir = tail.as_deref();
        while let Some((d, _)) = dir.and_then(|t| t.rsplit_once('\\')) {
            if d.matches('\\').count() < 2 {
                break;
            }
            folders.push(d.to_owned());
            dir = Some(d);
        }
        for n in std::iter::once(v).chain(tail).chain(folders) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
}

/// True when `id` is a known-issue signature.
pub fn is_known_issue(id: &str) -> bool {
    signatures().iter().any(|s| s.known_issue && s.id == id)
}

/// `0x800b0109`, `800B0109`: a capture that holds a code.
fn is_code_text(v: &str) -> bool {
    let hex = v
        .strip_prefix("0x")
        .or_else(|| v.strip_prefix("0X"))
        .unwrap_or(v);
    hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Runs every signature over the evidence and appends its findings. Returns what the known-issue
/// signatures' matches name (files, store paths, packages; lowercase): records that name them are the
/// known issue.
pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) -> Vec<String> {
    let events = cx.events();
    // (signature, captures without the code) → matching event indexes and full captures.
    let mut hits: BTreeMap<HitKey, (Captures, Vec<usize>)> = BTreeMap::new();
    let mut known_issue_names = Vec::new();
    for (at, e) in events.iter().enumerate() {
        for i in candidates(&e.message) {
            let Some((caps, near_at)) = try_match(i, events, at, cx) else {
                continue;
            };
            if signatures().get(i).is_some_and(|s| s.known_issue) {
                add_known_issue_names(&caps, &mut known_issue_names);
            }
            // One finding per culprit: the captures the title names (codes are not culprits: the same
            // failure with two codes is one finding; other captures are details of the first record).
            let title = signatures().get(i).map_or("", |s| s.title);
            let key: Vec<(&'static str, String)> = caps
                .iter()
                .filter(|(k, v)| {
                    **k != "code" && !is_code_text(v) && title.contains(&format!("{{{k}}}"))
                })
                .map(|(k, v)| (*k, v.to_ascii_lowercase()))
                .collect();
            let cited = &mut hits.entry((i, key)).or_insert_with(|| (caps, Vec::new())).1;
            for a in std::iter::once(at).chain(near_at) {
                if !cited.contains(&a) {
                    cited.push(a);
                }
            }
        }
    }
    // Every code the evidence writes, once: a finding takes those its signature explains.
    let written: BTreeSet<HResult> = events
        .iter()
        .flat_map(|e| e.codes.iter().copied())
        .collect();
    for ((i, _), (caps, ats)) in hits {
        let (Some(s), Some(meta)) = (signatures().get(i), METAS.get(i)) else {
            continue;
        };
        out.push(finding(s, meta, &caps, &ats, &written, cx));
    }
    known_issue_names
}

/// The codes the signature is about that the record writes in a form the readers do not take for a
/// code (bare hex without a marker word: `… error 80072EFE`, `SetupDiag … 0xC190020E` in prose).
fn written_codes(s: &Signature, message: &str) -> Vec<HResult> {
    let lower = message.to_ascii_lowercase();
    s.codes
        .iter()
        .chain(s.explains)
        .filter(|c| lower.contains(&format!("{c:08x}")))
        .map(|c| HResult::new(*c))
        .collect()
}

fn finding(
    s: &'static Signature,
    meta: &'static RuleMeta,
    caps: &Captures,
    ats: &[usize],
    written: &BTreeSet<HResult>,
    cx: &Context<'_>,
) -> Finding {
    let events = cx.events();
    let mut message = fill(s.message, caps);
    if let Some(cause) = s.cause.and_then(|c| Catalog::embedded().cause(c)) {
        message.push_str(&format!(" Cause: {}.", cause.title.trim_end_matches('.')));
    }
    let cited = ats.iter().filter_map(|a| events.get(*a));
    let mut f = Finding::new(meta, confidence(s.confidence), fill(s.title, caps), message)
        .events(cited.clone(), MAX_CITED)
        .details(caps.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    for e in cited {
        f = f
            .codes(e.codes.iter().copied())
            .codes(written_codes(s, &e.message))
            .updates(event_kbs(e));
    }
    // The result code this record explains, when the evidence writes it elsewhere (`Result =
    // 0xC190020E` above SetupDiag's remedy line, 0x8007042B in setuperr.log beside setupact.log): the
    // same codes whose generic finding this one replaces.
    let explained = written
        .iter()
        .copied()
        .filter(|c| s.explains.contains(&c.value()) || s.codes.contains(&c.value()));
    f = f.codes(explained.collect::<Vec<_>>());
    // A Win32 error the record writes as a number (`result 2`) is the HRESULT 0x8007xxxx it becomes.
    if let Some(n) = caps.get("win32").and_then(|v| v.trim().parse::<u32>().ok())
        && (1..0x1_0000).contains(&n)
    {
        f = f.code(HResult::new(0x8007_0000 | n));
    }
    for fx in s.fixes {
        let mut fix = Fix::new(fill(fx.title, caps), applicability(fx.applicability));
        for step in fx.steps {
            fix.steps.push(fill(step, caps));
        }
        f = f.fix(fix);
    }
    let fill_kb = Fill {
        kb: f.updates.first().copied(),
        ..Fill::default()
    };
    f = f.fixes(remedies::fixes(s.remedies, &cx.os, &fill_kb));
    if ats
        .iter()
        .filter_map(|a| events.get(*a))
        .all(|e| cx.overcome(e))
    {
        f = f.resolved();
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_named() {
        let mut caps = Captures::new();
        caps.insert("installer", "Generic Command".into());
        assert_eq!(
            fill("{installer} failed {code} {x y}", &caps),
            "Generic Command failed (not named) {x y}"
        );
    }

    #[test]
    fn every_signature_compiles_at_run_time() {
        for (i, s) in signatures().iter().enumerate() {
            assert_eq!(
                MATCHER.pattern(i).is_some(),
                s.pattern.is_some(),
                "{}",
                s.id
            );
            assert_eq!(MATCHER.near(i).is_some(), s.near.is_some(), "{}", s.id);
        }
        assert_eq!(METAS.len(), signatures().len());
    }
}
