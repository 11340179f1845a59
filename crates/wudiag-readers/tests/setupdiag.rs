//! SetupDiag results: the two Microsoft-published samples of the corpus (text and XML that declares
//! utf-16 but is stored as UTF-8) and synthetic JSON and real-UTF-16 XML fixtures, pinned per file.

// ---- shared by the UI-formats integration tests (kept inline so each test file stands alone) ----
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use wudiag_evidence::{Evidence, Retention};
use wudiag_readers::{ReadOptions, read_paths};

/// The corpus: `$WUDIAG_CORPUS`, or `../shared/corpus` next to the repository. A missing corpus fails.
fn corpus() -> PathBuf {
    let dir = std::env::var_os("WUDIAG_CORPUS").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpus"
            ))
        },
        PathBuf::from,
    );
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "the evidence corpus is missing at {} (set WUDIAG_CORPUS): these tests must not be skipped",
        dir.display()
    );
    dir
}

/// Corpus files whose MANIFEST kind is `kind`.
fn manifest_files(kind: &str) -> Vec<PathBuf> {
    let dir = corpus();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let files: Vec<PathBuf> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let file = cols.next()?;
            (cols.next()? == kind).then(|| dir.join(file))
        })
        .collect();
    assert!(!files.is_empty(), "no corpus file of kind {kind}");
    files
}

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel)
}

fn read(path: &Path, retention: Retention) -> Evidence {
    read_paths(
        &[path.to_path_buf()],
        &ReadOptions {
            retention,
            ..ReadOptions::default()
        },
    )
}

/// What is pinned per file.
#[derive(serde::Serialize, Debug)]
struct Summary {
    file: String,
    kind: &'static str,
    encoding: Option<String>,
    records_ok: u64,
    records_failed: u64,
    /// info, warning, error
    by_severity: [u64; 3],
    codes: BTreeMap<String, u64>,
    kinds: BTreeMap<&'static str, usize>,
    kbs: BTreeSet<String>,
    facts: Vec<String>,
    issues: Vec<String>,
    /// The first kept events: time | severity | kind | component | lines | codes | message (cut).
    events: Vec<String>,
}

fn summarise(path: &Path) -> Summary {
    let ev = read(path, Retention::default());
    let source = ev.sources().first().unwrap();
    let mut kinds = BTreeMap::new();
    let mut kbs = BTreeSet::new();
    for e in ev.events() {
        *kinds.entry(e.kind.name()).or_default() += 1;
        kbs.extend(e.kbs.iter().map(ToString::to_string));
    }
    let mut facts = Vec::new();
    for f in &ev.facts().os {
        facts.push(format!("os {:?} @ {}", f.value, f.location.span));
    }
    for f in &ev.facts().policy {
        facts.push(format!(
            "policy {}\\{} = {:?} @ {}",
            f.value.key, f.value.name, f.value.data, f.location.span
        ));
    }
    for f in &ev.facts().wsus_server {
        facts.push(format!("wsus_server {:?} @ {}", f.value, f.location.span));
    }
    let events = ev
        .events()
        .iter()
        .take(12)
        .map(|e| {
            let msg: String = e.message.chars().take(100).collect();
            format!(
                "{} | {} | {} | {} | {} | {} | {}",
                e.time.map_or_else(|| "-".into(), |t| t.to_string()),
                e.severity.as_str(),
                serde_json::to_string(&e.kind).unwrap(),
                e.component.as_deref().unwrap_or("-"),
                e.location.span,
                e.codes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                msg.replace('\n', "⏎").replace('\r', "")
            )
        })
        .collect();
    Summary {
        file: path.file_name().unwrap().to_string_lossy().into_owned(),
        kind: source.kind.as_str(),
        encoding: source.encoding.clone(),
        records_ok: source.stats.records_ok,
        records_failed: source.stats.records_failed,
        by_severity: source.stats.by_severity,
        codes: source
            .stats
            .codes
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
        kinds,
        kbs,
        facts,
        issues: ev
            .read_issues()
            .iter()
            .map(|i| {
                format!(
                    "{} {}",
                    i.span.as_ref().map(ToString::to_string).unwrap_or_default(),
                    i.message
                )
            })
            .collect(),
        events,
    }
}
// ---- end of shared part ----

#[test]
fn corpus_setupdiag_results() {
    for path in manifest_files("setupdiag") {
        let s = summarise(&path);
        assert_eq!(s.kind, "setupdiag", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        assert!(s.records_ok > 0, "{}", path.display());
        insta::assert_yaml_snapshot!(format!("setupdiag__{}", s.file), s);
    }
}

#[test]
fn text_sample_profile_codes_and_os() {
    let s =
        summarise(&corpus().join(
            "setupdiag/msdocs_sample_SetupDiagResults_OptionalComponentOpenPackageFailed.log",
        ));
    assert_eq!(s.kinds.get("setup_failure"), Some(&1));
    assert!(s.codes.contains_key("0x8007001f"));
    assert!(s.codes.contains_key("0x00050015"));
    let e = &s.events[0];
    assert!(
        e.contains("\"rule\":\"OptionalComponentOpenPackageFailed\""),
        "{e}"
    );
    // UpgradeEndTime, written `3/21/2018 10:02:40 PM`.
    assert!(e.starts_with("2018-03-21T22:02:40 | error"), "{e}");
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("10.0.15063.0") && f.contains("Amd64") && f.contains("\"Core\""))
    );
    // The full message holds the remediation and the decoded extend code.
    let ev = read(
        &corpus().join(
            "setupdiag/msdocs_sample_SetupDiagResults_OptionalComponentOpenPackageFailed.log",
        ),
        Retention::default(),
    );
    let msg = &ev.events()[0].message;
    assert!(msg.contains("Remediation: Recommend you check the \"Windows Modules Installer\""));
    assert!(msg.contains("extend code 0x50015: phase 5 (uninstall), operation 0x15 (create file)"));
}

#[test]
fn xml_sample_declares_utf16_but_is_utf8() {
    let s =
        summarise(&corpus().join("setupdiag/msdocs_sample_SetupDiagResults_FindSPFatalError.xml"));
    assert_eq!(s.encoding.as_deref(), Some("utf-8"));
    assert!(s.events[0].contains("\"rule\":\"FindSPFatalError\""));
    // `Error: 0x00000057` is the Win32 error 87.
    assert!(s.codes.contains_key("0x80070057"));
    assert!(s.events[0].starts_with("2019-06-06T21:47:11 | error"));
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("10.0.18908.1000") && f.contains("Amd64"))
    );
}

#[test]
fn synthetic_fixtures() {
    for name in [
        "synthetic_SetupDiagResults.json",
        "synthetic_SetupDiagResults_utf16.xml",
    ] {
        let s = summarise(&fixture(&format!("setupdiag/{name}")));
        assert_eq!(s.kind, "setupdiag", "{name}");
        assert_eq!(
            (s.records_ok, s.records_failed),
            (1, 0),
            "{name}: {:?}",
            s.issues
        );
        insta::assert_yaml_snapshot!(format!("setupdiag__{name}"), s);
    }
    let s = summarise(&fixture("setupdiag/synthetic_SetupDiagResults.json"));
    assert!(s.codes.contains_key("0xc1900101") && s.codes.contains_key("0x0004000d"));
    let s = summarise(&fixture("setupdiag/synthetic_SetupDiagResults_utf16.xml"));
    assert_eq!(s.encoding.as_deref(), Some("utf-16le"));
    assert!(s.codes.contains_key("0xc190020e"));
    assert!(s.facts.iter().any(|f| f.contains("X86")));
}
