//! Compiles the TOML catalogue in `data/` into Rust statics (`$OUT_DIR/catalog_data.rs`).
//!
//! Why at build time: `wudiag explain` must start in a few milliseconds, and parsing ~1000 TOML entries at
//! every start would dominate that. The generated statics cost nothing at run time.
//!
//! This script refuses data it cannot represent faithfully and fails the build with every problem listed
//! (file and entry): unknown fields, malformed codes or versions, duplicate codes or ids, references to
//! causes, remedies or codes that do not exist, remedies without steps, bad facility ranges. The semantic
//! checks (required codes have causes and remedies, …) run again on the compiled data in
//! `Catalog::check`, used by `wudiag catalog check` and by the crate's tests.
#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[path = "build_signatures.rs"]
mod signatures;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodesFile {
    #[serde(default)]
    code: Vec<CodeRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRaw {
    code: String,
    #[serde(default)]
    symbols: Vec<String>,
    component: String,
    meaning: String,
    #[serde(default)]
    common: bool,
    #[serde(default)]
    routine: bool,
    win32: Option<u32>,
    #[serde(default)]
    causes: Vec<String>,
    #[serde(default)]
    remedies: Vec<String>,
    #[serde(default)]
    messages: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    note: Option<String>,
    #[serde(default)]
    tables: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CausesFile {
    #[serde(default)]
    cause: Vec<CauseRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CauseRaw {
    id: String,
    title: String,
    detail: String,
    #[serde(default)]
    remedies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediesFile {
    #[serde(default)]
    remedy: Vec<RemedyRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemedyRaw {
    id: String,
    title: String,
    summary: String,
    applicability: String,
    os_min: Option<String>,
    os_max: Option<String>,
    os_note: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    step: Vec<StepRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRaw {
    text: String,
    shell: Option<String>,
    #[serde(default)]
    run: Vec<String>,
    os_min: Option<String>,
    os_max: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilitiesFile {
    #[serde(default)]
    facility: Vec<FacilityRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilityRaw {
    number: u32,
    name: String,
    title: String,
    meaning: String,
    #[serde(default)]
    range: Vec<RangeRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeRaw {
    from: u32,
    to: u32,
    name: String,
    meaning: String,
}

struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, msg: String) {
        self.0.push(msg);
    }
}

fn main() {
    let manifest = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
    );
    let data = manifest.join("data");
    println!("cargo::rerun-if-changed=data");
    println!("cargo::rerun-if-changed=build.rs");

    let mut problems = Problems(Vec::new());
    let causes: CausesFile =
        load(&data.join("causes.toml"), &mut problems).unwrap_or(CausesFile { cause: vec![] });
    let remedies: RemediesFile =
        load(&data.join("remedies.toml"), &mut problems).unwrap_or(RemediesFile { remedy: vec![] });
    let facilities: FacilitiesFile = load(&data.join("facilities.toml"), &mut problems)
        .unwrap_or(FacilitiesFile { facility: vec![] });

    let mut code_files: Vec<PathBuf> = match std::fs::read_dir(data.join("codes")) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            problems.push(format!("data/codes: {e}"));
            Vec::new()
        }
    };
    code_files.sort();
    let mut codes: Vec<(String, CodeRaw)> = Vec::new();
    for path in &code_files {
        let rel = format!(
            "codes/{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        if let Some(file) = load::<CodesFile>(path, &mut problems) {
            codes.extend(file.code.into_iter().map(|c| (rel.clone(), c)));
        }
    }

    let out = generate(
        &codes,
        &causes.cause,
        &remedies.remedy,
        &facilities.facility,
        &mut problems,
    );
    let cause_ids: BTreeSet<String> = causes.cause.iter().map(|c| c.id.clone()).collect();
    let remedy_ids: BTreeSet<String> = remedies.remedy.iter().map(|r| r.id.clone()).collect();
    // WUDIAG_EXTRA_SIGNATURES: a folder of signature files compiled in beside the shipped ones.
    println!("cargo::rerun-if-env-changed=WUDIAG_EXTRA_SIGNATURES");
    let extra = std::env::var_os("WUDIAG_EXTRA_SIGNATURES").map(PathBuf::from);
    if let Some(dir) = &extra {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
    let signatures = signatures::generate(
        &data.join("signatures"),
        extra.as_deref(),
        &cause_ids,
        &remedy_ids,
        &mut problems,
    );
    report_problems(&data, &problems);
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out_dir.join("catalog_data.rs"), out).expect("write catalog_data.rs");
    std::fs::write(out_dir.join("signature_data.rs"), signatures).expect("write signature_data.rs");
}

fn report_problems(data: &Path, problems: &Problems) {
    if !problems.0.is_empty() {
        eprintln!(
            "wudiag-catalog: the catalogue in {} has {} problem(s):",
            data.display(),
            problems.0.len()
        );
        for p in &problems.0 {
            eprintln!("  - {p}");
        }
        panic!(
            "invalid catalogue data ({} problem(s), listed above)",
            problems.0.len()
        );
    }
}

fn load<T: for<'de> Deserialize<'de>>(path: &Path, problems: &mut Problems) -> Option<T> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("{name}: {e}"));
            return None;
        }
    };
    match toml::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(format!("{name}: {e}"));
            None
        }
    }
}

fn parse_code(s: &str) -> Option<u32> {
    let hex = s.strip_prefix("0x")?;
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// `6.2` → `([6, 2, 0, 0], 2)`.
fn parse_os(s: &str) -> Option<([u32; 4], u8)> {
    let mut parts = [0u32; 4];
    let mut n = 0usize;
    for p in s.split('.') {
        if n == 4 || p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[n] = p.parse().ok()?;
        n += 1;
    }
    (n >= 2).then_some((parts, n as u8))
}

fn os_range(
    min: Option<&String>,
    max: Option<&String>,
    at: &str,
    problems: &mut Problems,
) -> String {
    let mut bound = |v: Option<&String>, which: &str| -> String {
        let Some(s) = v else { return "None".to_owned() };
        if let Some((p, n)) = parse_os(s) {
            format!(
                "Some(crate::model::OsBound::new(wudiag_evidence::Version([{}, {}, {}, {}]), {n}))",
                p[0], p[1], p[2], p[3]
            )
        } else {
            problems.push(format!(
                "{at}: {which} `{s}` is not a version like 6.2 or 10.0.17763"
            ));
            "None".to_owned()
        }
    };
    let lo = bound(min, "os_min");
    let hi = bound(max, "os_max");
    if let (Some(a), Some(b)) = (min.and_then(|s| parse_os(s)), max.and_then(|s| parse_os(s))) {
        let n = a.1.min(b.1) as usize;
        if a.0[..n] > b.0[..n] {
            problems.push(format!("{at}: os_min is above os_max"));
        }
    }
    format!("crate::model::OsRange {{ min: {lo}, max: {hi} }}")
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn strs(v: &[String]) -> String {
    let mut out = String::from("&[");
    for (i, s) in v.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&lit(s));
    }
    out.push(']');
    out
}

fn nonempty(s: &str, at: &str, field: &str, problems: &mut Problems) {
    if s.trim().is_empty() {
        problems.push(format!("{at}: `{field}` is empty"));
    }
}

fn generate(
    codes: &[(String, CodeRaw)],
    causes: &[CauseRaw],
    remedies: &[RemedyRaw],
    facilities: &[FacilityRaw],
    problems: &mut Problems,
) -> String {
    let mut out = String::from("// @generated by build.rs from data/*.toml. Do not edit.\n\n");

    // Remedies.
    let mut remedy_ids = BTreeSet::new();
    let mut sorted_remedies: BTreeMap<&str, String> = BTreeMap::new();
    for r in remedies {
        let at = format!("remedies.toml: remedy `{}`", r.id);
        if !is_kebab(&r.id) {
            problems.push(format!("{at}: id is not kebab-case"));
        }
        if !remedy_ids.insert(r.id.as_str()) {
            problems.push(format!("{at}: duplicate id"));
        }
        nonempty(&r.title, &at, "title", problems);
        nonempty(&r.summary, &at, "summary", problems);
        let applicability = match r.applicability.as_str() {
            "safe" => "Safe",
            "unsafe" => "Unsafe",
            "display-only" => "DisplayOnly",
            other => {
                problems.push(format!(
                    "{at}: applicability `{other}` is not safe, unsafe or display-only"
                ));
                "DisplayOnly"
            }
        };
        if r.step.is_empty() {
            problems.push(format!("{at}: has no steps"));
        }
        let os = os_range(r.os_min.as_ref(), r.os_max.as_ref(), &at, problems);
        let mut steps = String::from("&[");
        for (i, s) in r.step.iter().enumerate() {
            let sat = format!("{at} step {}", i + 1);
            nonempty(&s.text, &sat, "text", problems);
            let shell = match (s.shell.as_deref(), s.run.is_empty()) {
                (None, true) => "None",
                (Some("cmd"), false) => "Some(crate::model::Shell::Cmd)",
                (Some("powershell"), false) => "Some(crate::model::Shell::PowerShell)",
                (Some(sh @ ("cmd" | "powershell")), true) => {
                    problems.push(format!("{sat}: shell `{sh}` given but nothing to run"));
                    "None"
                }
                (None, false) => {
                    problems.push(format!(
                        "{sat}: commands without a shell (cmd or powershell)"
                    ));
                    "None"
                }
                (Some(other), _) => {
                    problems.push(format!("{sat}: shell `{other}` is not cmd or powershell"));
                    "None"
                }
            };
            for cmd in &s.run {
                if cmd.trim().is_empty() || cmd.contains('\n') {
                    problems.push(format!("{sat}: each command must be one non-empty line"));
                }
            }
            let step_os = os_range(s.os_min.as_ref(), s.os_max.as_ref(), &sat, problems);
            let _ = write!(
                steps,
                "crate::model::Step {{ text: {}, shell: {shell}, run: {}, os: {step_os} }}, ",
                lit(&s.text),
                strs(&s.run)
            );
        }
        steps.push(']');
        let os_note = r
            .os_note
            .as_deref()
            .map_or("None".to_owned(), |n| format!("Some({})", lit(n)));
        sorted_remedies.insert(
            &r.id,
            format!(
                "    crate::model::Remedy {{ id: {}, title: {}, summary: {}, applicability: crate::model::Applicability::{applicability}, os: {os}, os_note: {os_note}, references: {}, steps: {steps} }},\n",
                lit(&r.id),
                lit(&r.title),
                lit(&r.summary),
                strs(&r.references)
            ),
        );
    }

    // Causes.
    let mut cause_ids = BTreeSet::new();
    let mut sorted_causes: BTreeMap<&str, String> = BTreeMap::new();
    for c in causes {
        let at = format!("causes.toml: cause `{}`", c.id);
        if !is_kebab(&c.id) {
            problems.push(format!("{at}: id is not kebab-case"));
        }
        if !cause_ids.insert(c.id.as_str()) {
            problems.push(format!("{at}: duplicate id"));
        }
        nonempty(&c.title, &at, "title", problems);
        nonempty(&c.detail, &at, "detail", problems);
        for r in &c.remedies {
            if !remedy_ids.contains(r.as_str()) {
                problems.push(format!(
                    "{at}: remedy `{r}` does not exist in remedies.toml"
                ));
            }
        }
        sorted_causes.insert(
            &c.id,
            format!(
                "    crate::model::Cause {{ id: {}, title: {}, detail: {}, remedies: {} }},\n",
                lit(&c.id),
                lit(&c.title),
                lit(&c.detail),
                strs(&c.remedies)
            ),
        );
    }

    // Codes.
    let mut by_code: BTreeMap<u32, String> = BTreeMap::new();
    let mut known = BTreeSet::new();
    for (_, c) in codes {
        if let Some(v) = parse_code(&c.code) {
            known.insert(v);
        }
    }
    for (file, c) in codes {
        let at = format!("{file}: code `{}`", c.code);
        let Some(value) = parse_code(&c.code) else {
            problems.push(format!("{at}: not written as 0x followed by 8 hex digits"));
            continue;
        };
        nonempty(&c.component, &at, "component", problems);
        nonempty(&c.meaning, &at, "meaning", problems);
        for s in &c.symbols {
            if s.is_empty()
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                problems.push(format!(
                    "{at}: symbol `{s}` is not an upper-case C identifier"
                ));
            }
        }
        for id in &c.causes {
            if !cause_ids.contains(id.as_str()) {
                problems.push(format!("{at}: cause `{id}` does not exist in causes.toml"));
            }
        }
        for id in &c.remedies {
            if !remedy_ids.contains(id.as_str()) {
                problems.push(format!(
                    "{at}: remedy `{id}` does not exist in remedies.toml"
                ));
            }
        }
        let mut related = String::from("&[");
        for r in &c.related {
            match parse_code(r) {
                Some(v) if known.contains(&v) && v != value => {
                    let _ = write!(related, "wudiag_evidence::HResult::new(0x{v:08X}), ");
                }
                _ => problems.push(format!(
                    "{at}: related code `{r}` is not another code of the catalogue"
                )),
            }
        }
        related.push(']');
        let mut tables = String::from("&[");
        for t in &c.tables {
            match t.as_str() {
                "wu" => tables.push_str("crate::model::SourceTable::WindowsUpdate, "),
                "servicing" => tables.push_str("crate::model::SourceTable::Servicing, "),
                "winsock" => tables.push_str("crate::model::SourceTable::Winsock, "),
                other => problems.push(format!(
                    "{at}: table `{other}` is not wu, servicing or winsock"
                )),
            }
        }
        tables.push(']');
        if let Some(w) = c.win32
            && (w == 0 || w > 0xFFFF || (0x8007_0000 | w) != value)
        {
            problems.push(format!(
                "{at}: win32 {w} does not match the code (HRESULT_FROM_WIN32)"
            ));
        }
        let entry = format!(
            "    crate::model::CodeEntry {{ code: wudiag_evidence::HResult::new(0x{value:08X}), symbols: {}, component: {}, meaning: {}, common: {}, routine: {}, win32: {}, causes: {}, remedies: {}, messages: {}, related: {related}, note: {}, tables: {tables}, file: {} }},\n",
            strs(&c.symbols),
            lit(&c.component),
            lit(&c.meaning),
            c.common,
            c.routine,
            c.win32.map_or("None".to_owned(), |w| format!("Some({w})")),
            strs(&c.causes),
            strs(&c.remedies),
            strs(&c.messages),
            c.note
                .as_deref()
                .map_or("None".to_owned(), |n| format!("Some({})", lit(n))),
            lit(file),
        );
        if by_code.insert(value, entry).is_some() {
            problems.push(format!(
                "{at}: duplicate code (defined twice in data/codes)"
            ));
        }
    }

    // Facilities.
    let mut by_number: BTreeMap<u32, String> = BTreeMap::new();
    for f in facilities {
        let at = format!("facilities.toml: facility {} ({})", f.number, f.name);
        if f.number > 0x7FF {
            problems.push(format!(
                "{at}: facility numbers have 11 bits (at most 2047)"
            ));
        }
        nonempty(&f.name, &at, "name", problems);
        nonempty(&f.title, &at, "title", problems);
        nonempty(&f.meaning, &at, "meaning", problems);
        let mut ranges: Vec<&RangeRaw> = f.range.iter().collect();
        ranges.sort_by_key(|r| (r.from, std::cmp::Reverse(r.to)));
        for (i, r) in ranges.iter().enumerate() {
            let rat = format!("{at} range {:#06x}-{:#06x}", r.from, r.to);
            if r.from > r.to || r.to > 0xFFFF {
                problems.push(format!("{rat}: bounds must satisfy from <= to <= 0xFFFF"));
            }
            nonempty(&r.name, &rat, "name", problems);
            nonempty(&r.meaning, &rat, "meaning", problems);
            for other in ranges.iter().skip(i + 1) {
                let disjoint = other.from > r.to;
                let nested = other.to <= r.to;
                if !disjoint && !nested {
                    problems.push(format!(
                        "{rat}: overlaps {:#06x}-{:#06x} without nesting",
                        other.from, other.to
                    ));
                }
            }
        }
        let mut rs = String::from("&[");
        for r in &ranges {
            let _ = write!(
                rs,
                "crate::model::FacilityRange {{ from: {}, to: {}, name: {}, meaning: {} }}, ",
                r.from,
                r.to,
                lit(&r.name),
                lit(&r.meaning)
            );
        }
        rs.push(']');
        let entry = format!(
            "    crate::model::Facility {{ number: {}, name: {}, title: {}, meaning: {}, ranges: {rs} }},\n",
            f.number,
            lit(&f.name),
            lit(&f.title),
            lit(&f.meaning)
        );
        if by_number.insert(f.number, entry).is_some() {
            problems.push(format!("{at}: duplicate facility number"));
        }
    }

    out.push_str("pub(crate) static CODES: &[crate::model::CodeEntry] = &[\n");
    out.extend(by_code.into_values());
    out.push_str("];\n\npub(crate) static CAUSES: &[crate::model::Cause] = &[\n");
    out.extend(sorted_causes.into_values());
    out.push_str("];\n\npub(crate) static REMEDIES: &[crate::model::Remedy] = &[\n");
    out.extend(sorted_remedies.into_values());
    out.push_str("];\n\npub(crate) static FACILITIES: &[crate::model::Facility] = &[\n");
    out.extend(by_number.into_values());
    out.push_str("];\n");
    out
}
