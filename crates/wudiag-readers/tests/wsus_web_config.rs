//! The WSUS ClientWebService web.config: a synthetic fixture (the corpus has none), pinned.
#![allow(dead_code)] // the shared helper also serves the corpus-reading test files

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
fn synthetic_web_config() {
    let s = summarise(&fixture(
        "wsus_web_config/synthetic_ClientWebService_web.config",
    ));
    assert_eq!(s.kind, "wsus_web_config");
    assert_eq!((s.records_ok, s.records_failed), (2, 0), "{:?}", s.issues);
    assert_eq!(s.facts.len(), 1);
    assert!(s.facts[0].contains("max_installed_prerequisites: Some(400)"));
    assert!(
        s.facts[0].contains("/configuration/appSettings/add[@key='maxInstalledPrerequisites']")
    );
    insta::assert_yaml_snapshot!("wsus_web_config__synthetic_ClientWebService_web.config", s);
}
