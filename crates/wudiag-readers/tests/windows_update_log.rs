//! Reads every WindowsUpdate.log of the shared corpus (the MANIFEST rows of kind `windowsupdate_log`) and
//! pins, per file, its kind, record counts and the evidence extracted (snapshots under `tests/snapshots/`).
//! Whole logs must read with 0 failed records; excerpts (`*_excerpt.log`) must still be recognised and read.
//!
//! The corpus is found by `wudiag-testdata` (`$WUDIAG_CORPUS`, or `testdata/corpus`); a missing corpus
//! fails the test. Throughput is measured by `bench/sources_formats.sh`, not here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use wudiag_evidence::{Evidence, Retention, SourceKind};
use wudiag_readers::{ReadOptions, read_paths};
use wudiag_testdata::manifest_files;

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
struct Summary {
    kind: SourceKind,
    encoding: Option<String>,
    records_ok: u64,
    records_failed: u64,
    /// info, warning, error
    by_severity: [u64; 3],
    events_kept_diagnostic: u64,
    /// Events per kind with retention All (what `wudiag events` lists).
    kinds: BTreeMap<String, u64>,
    /// Failure codes and how many records carry each.
    codes: BTreeMap<String, u64>,
    kbs: Vec<String>,
    titles: usize,
    first_titles: Vec<String>,
    update_ids: usize,
    components: BTreeMap<String, u64>,
    os_facts: Vec<String>,
    policy_facts: Vec<String>,
    first_time: Option<String>,
    last_time: Option<String>,
    issues: Vec<String>,
}

fn summarise(path: &Path) -> Summary {
    let diag = read(path, Retention::Diagnostic);
    let all = read(path, Retention::All);
    assert_eq!(diag.sources().len(), 1);
    let src = &diag.sources()[0];
    let src_all = &all.sources()[0];
    assert!(src.skipped.is_none(), "skipped: {:?}", src.skipped);
    assert_eq!(src.stats.records_ok, src_all.stats.records_ok);
    assert_eq!(src.stats.records_failed, src_all.stats.records_failed);
    assert_eq!(src.stats.codes, src_all.stats.codes);
    assert_eq!(all.events().len() as u64, src_all.stats.records_ok);

    let mut kinds = BTreeMap::new();
    let mut components = BTreeMap::new();
    let mut kbs = Vec::new();
    let mut titles = Vec::new();
    let mut update_ids = std::collections::BTreeSet::new();
    for e in all.events() {
        *kinds.entry(e.kind.name().to_owned()).or_default() += 1;
        *components
            .entry(e.component.clone().unwrap_or_else(|| "-".into()))
            .or_default() += 1;
        for kb in &e.kbs {
            let kb = kb.to_string();
            if !kbs.contains(&kb) {
                kbs.push(kb);
            }
        }
        if let Some(t) = &e.title
            && !titles.contains(t)
        {
            titles.push(t.clone());
        }
        if let Some(id) = &e.update_id {
            update_ids.insert(id.clone());
        }
    }
    kbs.sort();
    let times: Vec<_> = all.events().iter().filter_map(|e| e.time).collect();
    let facts = diag.facts();
    Summary {
        kind: src.kind,
        encoding: src.encoding.clone(),
        records_ok: src.stats.records_ok,
        records_failed: src.stats.records_failed,
        by_severity: src.stats.by_severity,
        events_kept_diagnostic: src.stats.events_kept,
        kinds,
        codes: src
            .stats
            .codes
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
        kbs,
        titles: titles.len(),
        first_titles: titles.into_iter().take(5).collect(),
        update_ids: update_ids.len(),
        components,
        os_facts: facts
            .os
            .iter()
            .map(|f| {
                let v = &f.value;
                format!(
                    "line {}: version={} edition={} arch={} type={:?}",
                    f.location.span,
                    v.version.map_or_else(|| "-".into(), |v| v.to_string()),
                    v.edition.as_deref().unwrap_or("-"),
                    v.arch.map_or_else(|| "-".into(), |a| a.to_string()),
                    v.installation_type
                )
            })
            .collect(),
        policy_facts: facts
            .policy
            .iter()
            .map(|f| {
                format!(
                    "line {}: {}={}",
                    f.location.span,
                    f.value.name,
                    f.value.data.as_str().unwrap_or("(not set)")
                )
            })
            .collect(),
        first_time: times.iter().min().map(ToString::to_string),
        last_time: times.iter().max().map(ToString::to_string),
        issues: diag
            .read_issues()
            .iter()
            .take(5)
            .map(|i| i.message.clone())
            .collect(),
    }
}

#[test]
fn corpus_windows_update_logs() {
    for path in manifest_files("windowsupdate_log") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let summary = summarise(&path);
        assert_eq!(summary.kind, SourceKind::WindowsUpdateLog, "{name}");
        if !name.contains("excerpt") {
            assert_eq!(summary.records_failed, 0, "{name}: {:?}", summary.issues);
        }
        insta::assert_yaml_snapshot!(name.as_str(), summary);
    }
}

/// Every line of every corpus log is a record: the counts match a plain count of non-blank lines.
#[test]
fn every_line_is_a_record() {
    for path in manifest_files("windowsupdate_log") {
        let bytes = std::fs::read(&path).unwrap();
        let lines = bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .count() as u64;
        let ev = read(&path, Retention::Diagnostic);
        let s = &ev.sources()[0].stats;
        assert_eq!(s.records_ok + s.records_failed, lines, "{}", path.display());
    }
}

/// The reader skips the code scan on lines that cannot hold a code; on every corpus line, that shortcut
/// must never hide a code `scan::codes` would find.
#[test]
fn code_shortcut_never_hides_a_code() {
    use wudiag_readers::windows_update_log::{extract, parse};
    let mut checked = 0;
    for path in manifest_files("windowsupdate_log") {
        let bytes = std::fs::read(&path).unwrap();
        for rec in parse::records(&bytes).flatten() {
            if !wudiag_readers::scan::codes(rec.message).is_empty() {
                checked += 1;
                assert!(
                    extract::may_have_code(extract::triggers(rec.message))
                        && extract::may_hold_failure_number(rec.message),
                    "{}:{}",
                    path.display(),
                    rec.line
                );
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// The same log renamed, zipped or in a folder is still found by content.
#[test]
fn found_by_content_under_any_name() {
    let src = manifest_files("windowsupdate_log")
        .into_iter()
        .find(|p| p.to_string_lossy().contains("win7sp1_classic"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("ticket-attachment-3.txt");
    std::fs::copy(&src, &renamed).unwrap();
    let ev = read(&renamed, Retention::Diagnostic);
    assert_eq!(ev.sources()[0].kind, SourceKind::WindowsUpdateLog);
    assert_eq!(ev.sources()[0].stats.records_failed, 0);
}
