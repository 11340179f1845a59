//! ConfigMgr logs: every corpus file of kind `configmgr` (CMTrace client logs, the WSyncMgr support-article
//! excerpts) and the synthetic CMTrace/SMS fixtures, pinned per file (kind, record counts, codes, facts).

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
fn corpus_configmgr_logs() {
    for path in manifest_files("configmgr") {
        let s = summarise(&path);
        assert_eq!(s.kind, "configmgr_log", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        assert!(s.records_ok > 0, "{}", path.display());
        insta::assert_yaml_snapshot!(format!("configmgr__{}", s.file), s);
    }
}

#[test]
fn updates_deployment_surfaces_0x87d00215() {
    let s = summarise(
        &corpus().join("configmgr/sccm_client_2021-07_findingsanity_UpdatesDeployment.log"),
    );
    assert_eq!(s.codes.get("0x87d00215"), Some(&1));
    // 107 CMTrace records on 110 lines: one message holds an XML fragment over 4 lines.
    assert_eq!(s.records_ok, 107);
    assert_eq!(s.by_severity, [105, 1, 1]);
}

#[test]
fn wuahandler_names_the_wsus_source_and_server() {
    let s = summarise(&corpus().join("configmgr/sccm_client_2021-07_findingsanity_WUAHandler.log"));
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("WUServer = String(\"https://SCCM01D.firm.saulewing.net:8531\")"))
    );
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("{A70BBF1F-4768-4A41-AB5B-9ADBBBE009D0}"))
    );
    assert_eq!(s.kinds.get("scan_succeeded"), Some(&3));
    // `+240` is UTC-4.
    assert!(s.events[0].starts_with("2021-07-14T08:53:44.52-04:00"));
}

#[test]
fn wsyncmgr_excerpt_is_a_connection_failure() {
    let path = corpus().join("wsus_server/msdocs_kb4535405_wsyncmgr_800B0109_excerpt.log");
    let s = summarise(&path);
    assert_eq!(s.kind, "configmgr_log");
    assert_eq!((s.records_ok, s.records_failed), (1, 0));
    assert_eq!(s.kinds.get("connection_failed"), Some(&1));
    insta::assert_yaml_snapshot!(
        "configmgr__msdocs_kb4535405_wsyncmgr_800B0109_excerpt.log",
        s
    );
}

#[test]
fn synthetic_fixtures() {
    for name in ["synthetic_WUAHandler.log", "synthetic_wsyncmgr.log"] {
        let s = summarise(&fixture(&format!("configmgr_log/{name}")));
        assert_eq!(s.kind, "configmgr_log", "{name}");
        assert_eq!(s.records_failed, 0, "{name}: {:?}", s.issues);
        insta::assert_yaml_snapshot!(format!("configmgr__{name}"), s);
    }
    let s = summarise(&fixture("configmgr_log/synthetic_WUAHandler.log"));
    assert_eq!(s.kinds.get("scan_failed"), Some(&2));
    assert_eq!(s.kinds.get("policy_changed"), Some(&1));
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("WUServer = String(\"http://wsus-legacy.contoso.com\")"))
    );
    assert!(s.facts.iter().any(|f| f.contains("UseWUServer = Dword(1)")));
    let s = summarise(&fixture("configmgr_log/synthetic_wsyncmgr.log"));
    assert_eq!(s.records_ok, 8);
    assert_eq!(s.kinds.get("connection_failed"), Some(&2));
}

#[test]
fn every_record_is_kept_with_full_retention() {
    let path = corpus().join("configmgr/sccm_client_2021-07_findingsanity_UpdatesStore.log");
    let ev = read(&path, Retention::All);
    let src = &ev.sources()[0];
    assert_eq!(src.stats.records_ok, 412);
    assert_eq!(ev.events().len(), 412);
    assert!(
        ev.events()
            .iter()
            .all(|e| e.time.is_some_and(|t| t.utc.is_some()))
    );
}
