//! Reads the ReportingEvents.log fixtures (synthetic: the corpus holds none, see
//! `tests/fixtures/reporting_events/README.md`) and any ReportingEvents rows of the shared corpus, and pins
//! per file its kind, encoding, record counts and the events extracted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use wudiag_evidence::{Evidence, Retention, SourceKind};
use wudiag_readers::{ReadOptions, read_paths};
use wudiag_testdata::corpus_dir as corpus;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reporting_events"
    ))
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

#[derive(Serialize)]
struct Row {
    line: String,
    time: Option<String>,
    utc: Option<String>,
    event_id: Option<u32>,
    kind: String,
    severity: String,
    component: Option<String>,
    codes: Vec<String>,
    kbs: Vec<String>,
    update_id: Option<String>,
    title: Option<String>,
}

#[derive(Serialize)]
struct Summary {
    kind: SourceKind,
    encoding: Option<String>,
    records_ok: u64,
    records_failed: u64,
    by_severity: [u64; 3],
    codes: BTreeMap<String, u64>,
    events: Vec<Row>,
    issues: Vec<String>,
}

fn summarise(path: &Path) -> Summary {
    let ev = read(path, Retention::All);
    let diag = read(path, Retention::Diagnostic);
    assert_eq!(ev.sources().len(), 1);
    let src = &ev.sources()[0];
    assert_eq!(src.stats.records_ok, diag.sources()[0].stats.records_ok);
    Summary {
        kind: src.kind,
        encoding: src.encoding.clone(),
        records_ok: src.stats.records_ok,
        records_failed: src.stats.records_failed,
        by_severity: src.stats.by_severity,
        codes: src
            .stats
            .codes
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
        events: ev
            .events()
            .iter()
            .map(|e| Row {
                line: e.location.span.to_string(),
                time: e.time.map(|t| t.to_string()),
                utc: e.time.and_then(|t| t.utc).map(|t| t.to_string()),
                event_id: e.event_id,
                kind: e.kind.name().to_owned(),
                severity: e.severity.as_str().to_owned(),
                component: e.component.clone(),
                codes: e.codes.iter().map(ToString::to_string).collect(),
                kbs: e.kbs.iter().map(ToString::to_string).collect(),
                update_id: e.update_id.as_ref().map(ToString::to_string),
                title: e.title.clone(),
            })
            .collect(),
        issues: ev.read_issues().iter().map(|i| i.message.clone()).collect(),
    }
}

#[test]
fn fixtures_read() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let summary = summarise(&path);
        assert_eq!(summary.kind, SourceKind::ReportingEvents, "{name}");
        let expected_failed = u64::from(name.contains("truncated"));
        assert_eq!(
            summary.records_failed, expected_failed,
            "{name}: {:?}",
            summary.issues
        );
        insta::assert_yaml_snapshot!(name.as_str(), summary);
    }
}

#[test]
fn utf16_and_utf8_fixtures_agree_on_layout() {
    let ev = read(
        &fixtures().join("ReportingEvents_win10_utf16le_bom.log"),
        Retention::Diagnostic,
    );
    assert_eq!(ev.sources()[0].encoding.as_deref(), Some("utf-16le"));
    let ev = read(
        &fixtures().join("ReportingEvents_win7_utf8.log"),
        Retention::Diagnostic,
    );
    assert_eq!(ev.sources()[0].encoding.as_deref(), Some("utf-8"));
}

/// The corpus has no ReportingEvents.log of its own; any that is added later must read without failures.
#[test]
fn corpus_reporting_events() {
    let dir = corpus();
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    for l in manifest.lines().skip(1) {
        let mut cols = l.split('\t');
        let (Some(file), Some(kind)) = (cols.next(), cols.next()) else {
            continue;
        };
        if kind != "reporting_events" {
            continue;
        }
        let path = dir.join(file);
        assert!(path.is_file(), "listed but missing: {}", path.display());
        let ev = read(&path, Retention::Diagnostic);
        assert_eq!(ev.sources()[0].kind, SourceKind::ReportingEvents, "{file}");
        assert_eq!(ev.sources()[0].stats.records_failed, 0, "{file}");
    }
}
