//! The build-time half of failure signatures (`data/signatures/*.toml`, schema in `docs/signatures.md`):
//! parsed, validated and written as Rust statics (`$OUT_DIR/signature_data.rs`). Any problem fails the
//! build with the file and the signature id.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Problems, is_kebab, lit, load, parse_code, parse_os, strs};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    signature: Vec<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    name: String,
    title: String,
    summary: String,
    why: String,
    message: String,
    severity: Option<String>,
    confidence: Option<String>,
    role: Option<String>,
    #[serde(default)]
    known_issue: bool,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    pattern: Option<String>,
    #[serde(default)]
    codes: Vec<String>,
    near: Option<NearRaw>,
    os_min: Option<String>,
    os_max: Option<String>,
    cause: Option<String>,
    #[serde(default)]
    remedies: Vec<String>,
    #[serde(default)]
    explains: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    fix: Vec<FixRaw>,
    #[serde(default)]
    example: Vec<ExampleRaw>,
    #[serde(default)]
    near_miss: Vec<NearMissRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NearRaw {
    pattern: String,
    window: Option<u32>,
    /// Literals a record matching `pattern` contains; derived from the pattern when left out.
    keywords: Option<Vec<String>>,
}

/// The literals every match of `pattern` starts (or else ends) with, lowercase; `None` when the pattern
/// has no such literal of at least four characters (then the author must name `near.keywords`).
fn required_literals(pattern: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut extractor = Extractor::new();
        extractor.kind(kind);
        let seq = extractor.extract(&hir);
        let Some(lits) = seq.literals() else { continue };
        let words: Vec<String> = lits
            .iter()
            .map(|l| String::from_utf8_lossy(l.as_bytes()).trim().to_lowercase())
            .collect();
        if !words.is_empty() && words.iter().all(|w| w.chars().count() >= 4) {
            let mut words = words;
            words.sort();
            words.dedup();
            return Some(words);
        }
    }
    None
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixRaw {
    title: String,
    applicability: String,
    steps: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleRaw {
    source: String,
    text: String,
    file: Option<String>,
    #[serde(default)]
    captures: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NearMissRaw {
    text: String,
    note: Option<String>,
}

/// Evidence kinds a signature may name (`SourceKind::as_str`, plus the text families).
const SOURCES: &[&str] = &[
    "cbs_log",
    "dism_log",
    "checksur_log",
    "windowsupdate_log",
    "reporting_events",
    "setupdiag",
    "configmgr_log",
    "wsus_softwaredistribution_log",
    "wsus_change_log",
    "iis_log",
    "evtx",
    "panther_log",
    "setupapi_log",
    "defender_log",
    "azure_patch_log",
    "excerpt",
];

/// Id prefix → area name of the rules crate.
const PREFIXES: &[(&str, &str)] = &[
    ("CBS", "Servicing"),
    ("AGT", "Agent"),
    ("NET", "Network"),
    ("WSUS", "Wsus"),
    ("SETUP", "Setup"),
    ("SYS", "System"),
    ("PKG", "Package"),
    ("DEF", "Defender"),
    ("AUM", "Azure"),
];

fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let end = rest.find('}')?;
        let name = rest.get(..end)?;
        (!name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
        .then_some(name)
    })
}

/// The `*.toml` files of `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Reads every `data/signatures/*.toml`, then those of `extra` (a site's own signatures, or the 1,000-signature
/// benchmark's), and returns the generated Rust source. Extra files are held to the same checks.
pub(super) fn generate(
    dir: &Path,
    extra: Option<&Path>,
    cause_ids: &BTreeSet<String>,
    remedy_ids: &BTreeSet<String>,
    problems: &mut Problems,
) -> String {
    let mut files = toml_files(dir);
    files.extend(extra.map(toml_files).unwrap_or_default());
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut out =
        String::from("// @generated by build.rs from data/signatures/*.toml. Do not edit.\n\n");
    out.push_str("pub(crate) static SIGNATURES: &[crate::signature::Signature] = &[\n");
    for path in &files {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = if path.starts_with(dir) {
            format!("crates/wudiag-catalog/data/signatures/{file_name}")
        } else {
            path.display().to_string()
        };
        let Some(file) = load::<File>(path, problems) else {
            continue;
        };
        for s in file.signature {
            let at = format!("signatures/{file_name}: {}", s.id);
            let mut bad = |m: String| problems.push(format!("{at}: {m}"));
            let prefix: String = s.id.chars().take_while(char::is_ascii_uppercase).collect();
            let digits = &s.id[prefix.len()..];
            let area = PREFIXES.iter().find(|(p, _)| *p == prefix).map(|(_, a)| *a);
            if area.is_none() || digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                bad("id must be an area prefix (CBS, AGT, NET, WSUS, SETUP, SYS, PKG, DEF, AUM) + 4 digits".into());
            }
            if !ids.insert(s.id.clone()) {
                bad("duplicate id".into());
            }
            if !is_kebab(&s.name) || !names.insert(s.name.clone()) {
                bad(format!("name `{}` is not kebab-case or not unique", s.name));
            }
            for (field, v) in [
                ("title", &s.title),
                ("summary", &s.summary),
                ("why", &s.why),
                ("message", &s.message),
            ] {
                if v.trim().is_empty() {
                    bad(format!("`{field}` is empty"));
                }
            }
            // Each enumerated field: its values, the Rust variant each stands for, the first is the default.
            let mut variant =
                |field: &str, value: Option<&String>, values: &[(&str, &'static str)]| {
                    let given = value.map_or(values[0].0, String::as_str);
                    values.iter().find(|(v, _)| *v == given).map_or_else(
                        || {
                            bad(format!("{field} `{given}`"));
                            values[0].1
                        },
                        |(_, rust)| *rust,
                    )
                };
            let severity = variant(
                "severity",
                s.severity.as_ref(),
                &[("error", "Error"), ("warning", "Warning"), ("info", "Info")],
            );
            let confidence = variant(
                "confidence",
                s.confidence.as_ref(),
                &[
                    ("likely", "Likely"),
                    ("confirmed", "Confirmed"),
                    ("possible", "Possible"),
                ],
            );
            let role = variant(
                "role",
                s.role.as_ref(),
                &[
                    ("cause", "Cause"),
                    ("outcome", "Outcome"),
                    ("generic", "Generic"),
                ],
            );
            for src in &s.sources {
                if !SOURCES.contains(&src.as_str()) {
                    bad(format!("unknown source `{src}`"));
                }
            }
            let keywords: Vec<String> = s
                .keywords
                .iter()
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect();
            if keywords.is_empty() {
                bad("needs at least one keyword (the prefilter)".into());
            }
            let mut captures: BTreeSet<String> =
                ["code", "kb"].iter().map(|s| (*s).to_owned()).collect();
            for (what, p) in [
                ("pattern", s.pattern.as_ref()),
                ("near.pattern", s.near.as_ref().map(|n| &n.pattern)),
            ] {
                let Some(p) = p else { continue };
                match regex::RegexBuilder::new(p).case_insensitive(true).build() {
                    Ok(r) => captures.extend(r.capture_names().flatten().map(str::to_owned)),
                    Err(e) => bad(format!("{what} does not compile: {e}")),
                }
            }
            let codes: Vec<u32> = s
                .codes
                .iter()
                .filter_map(|c| {
                    let v = parse_code(c);
                    if v.is_none() {
                        problems.push(format!("{at}: bad code `{c}`"));
                    }
                    v
                })
                .collect();
            let mut explains = codes.clone();
            for c in &s.explains {
                match parse_code(c) {
                    Some(v) if !explains.contains(&v) => explains.push(v),
                    Some(_) => {}
                    None => problems.push(format!("{at}: bad code `{c}` in explains")),
                }
            }
            let mut bad = |m: String| problems.push(format!("{at}: {m}"));
            for v in [&s.os_min, &s.os_max].into_iter().flatten() {
                if parse_os(v).is_none() {
                    bad(format!("bad OS version `{v}`"));
                }
            }
            if let Some(c) = &s.cause
                && !cause_ids.contains(c)
            {
                bad(format!("unknown cause `{c}`"));
            }
            for r in &s.remedies {
                if !remedy_ids.contains(r) {
                    bad(format!("unknown remedy `{r}`"));
                }
            }
            if s.references.is_empty() {
                bad("needs at least one reference".into());
            }
            if s.example.is_empty() || s.near_miss.is_empty() {
                bad("needs at least one example and one near miss".into());
            }
            let mut templated: Vec<&String> = vec![&s.title, &s.message];
            for f in &s.fix {
                if !["safe", "unsafe", "display-only"].contains(&f.applicability.as_str()) {
                    bad(format!("fix applicability `{}`", f.applicability));
                }
                if f.steps.is_empty() {
                    bad(format!("fix `{}` has no steps", f.title));
                }
                templated.push(&f.title);
                templated.extend(&f.steps);
            }
            for t in templated {
                for p in placeholders(t) {
                    if !captures.contains(p) {
                        bad(format!("placeholder {{{p}}} has no capture"));
                    }
                }
            }
            for ex in &s.example {
                if ex.source.trim().is_empty() || ex.text.trim().is_empty() {
                    bad("an example needs a source and a text".into());
                }
                for k in ex.captures.keys() {
                    if !captures.contains(k) {
                        bad(format!("example expects unknown capture `{k}`"));
                    }
                }
            }
            let near_keywords: Vec<String> = match &s.near {
                None => Vec::new(),
                Some(NearRaw {
                    keywords: Some(k), ..
                }) => k.clone(),
                Some(n) => required_literals(&n.pattern).unwrap_or_else(|| {
                    bad("near.pattern has no literal of 4+ characters at its start or end: name near.keywords".into());
                    Vec::new()
                }),
            };
            let known_issue = s.known_issue;
            if known_issue && severity != "Info" {
                bad("a known issue is reported at severity info".into());
            }
            let area = area.unwrap_or("Servicing");
            let doc = doc(&s, &keywords);
            let _ = write!(
                out,
                "    crate::signature::Signature {{ id: {}, name: {}, area: {}, title: {}, summary: {}, why: {}, message: {}, \
                 severity: ::wudiag_evidence::Severity::{severity}, confidence: crate::signature::SignatureConfidence::{confidence}, role: crate::signature::SignatureRole::{role}, known_issue: {known_issue}, \
                 sources: {}, keywords: {}, pattern: {}, codes: {}, near: {}, os_min: {}, os_max: {}, cause: {}, remedies: {}, \
                 explains: {}, references: {}, fixes: &[",
                lit(&s.id),
                lit(&s.name),
                lit(area),
                lit(&s.title),
                lit(&s.summary),
                lit(&s.why),
                lit(&s.message),
                strs(&s.sources),
                strs(&keywords),
                s.pattern
                    .as_ref()
                    .map_or("None".into(), |p| format!("Some({})", lit(p))),
                hex_list(&codes),
                s.near.as_ref().map_or("None".into(), |n| format!(
                    "Some(crate::signature::Near {{ pattern: {}, window: {}, keywords: {} }})",
                    lit(&n.pattern),
                    n.window.unwrap_or(30),
                    strs(&near_keywords)
                )),
                opt(s.os_min.as_ref()),
                opt(s.os_max.as_ref()),
                opt(s.cause.as_ref()),
                strs(&s.remedies),
                hex_list(&explains),
                strs(&s.references),
            );
            for f in &s.fix {
                let _ = write!(
                    out,
                    "crate::signature::SignatureFix {{ title: {}, applicability: {}, steps: {} }}, ",
                    lit(&f.title),
                    lit(&f.applicability),
                    strs(&f.steps)
                );
            }
            out.push_str("], examples: &[");
            for ex in &s.example {
                let caps: Vec<String> = ex
                    .captures
                    .iter()
                    .map(|(k, v)| format!("({}, {})", lit(k), lit(v)))
                    .collect();
                let _ = write!(
                    out,
                    "crate::signature::Example {{ source: {}, text: {}, file: {}, captures: &[{}] }}, ",
                    lit(&ex.source),
                    lit(&ex.text),
                    opt(ex.file.as_ref()),
                    caps.join(", ")
                );
            }
            out.push_str("], near_misses: &[");
            for nm in &s.near_miss {
                let _ = write!(
                    out,
                    "crate::signature::NearMiss {{ text: {}, note: {} }}, ",
                    lit(&nm.text),
                    opt(nm.note.as_ref())
                );
            }
            let _ = writeln!(out, "], file: {}, doc: {} }},", lit(&rel), lit(&doc));
        }
    }
    out.push_str("];\n");
    out
}

/// `&[0x800F_0922, …]`: codes as the catalogue writes them.
fn hex_list(codes: &[u32]) -> String {
    let items: Vec<String> = codes
        .iter()
        .map(|c| format!("0x{:04X}_{:04X}", c >> 16, c & 0xFFFF))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn opt(v: Option<&String>) -> String {
    v.map_or("None".into(), |s| format!("Some({})", lit(s)))
}

/// The signature's documentation, with the same sections as a code rule's.
fn doc(s: &Raw, keywords: &[String]) -> String {
    let mut d = String::new();
    let _ = writeln!(d, "## What it detects\n{}\n", s.summary.trim());
    let _ = writeln!(d, "## Why updates fail\n{}\n", s.why.trim());
    d.push_str("## Evidence used\n");
    if !s.sources.is_empty() {
        let _ = writeln!(d, "Sources: {}.", s.sources.join(", "));
    }
    let _ = writeln!(
        d,
        "Records containing: {}.",
        keywords
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    if let Some(p) = &s.pattern {
        let _ = writeln!(d, "Matching: `{p}`.");
    }
    if !s.codes.is_empty() {
        let _ = writeln!(d, "Carrying one of: {}.", s.codes.join(", "));
    }
    if let Some(n) = &s.near {
        let _ = writeln!(
            d,
            "With, within {} records: `{}`.",
            n.window.unwrap_or(30),
            n.pattern
        );
    }
    d.push_str("\n## How to fix\n");
    if let Some(c) = &s.cause {
        let _ = writeln!(d, "Cause: `{c}` (catalogue).");
    }
    for f in &s.fix {
        let _ = writeln!(d, "- {} ({})", f.title, f.applicability);
        for st in &f.steps {
            let _ = writeln!(d, "  - {st}");
        }
    }
    for r in &s.remedies {
        let _ = writeln!(d, "- remedy `{r}` (catalogue)");
    }
    d.push_str("\n## Fix safety\n");
    let grades: BTreeSet<&str> = s.fix.iter().map(|f| f.applicability.as_str()).collect();
    if grades.is_empty() {
        d.push_str("The catalogue remedies carry their own grades.\n");
    } else {
        let _ = writeln!(
            d,
            "Own fixes: {}; catalogue remedies carry their own grades.",
            grades.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    d.push_str("\n## References\n");
    for r in &s.references {
        let _ = writeln!(d, "- {r}");
    }
    d.push_str("\n## Examples\n");
    for ex in &s.example {
        let _ = writeln!(
            d,
            "```text\n{}\n```\n(from {})\n",
            ex.text.trim(),
            ex.source
        );
    }
    d
}
