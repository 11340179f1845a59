//! Reads every `.evtx` file of the shared corpus and pins, per file, its kind, channel, record counts and
//! the update evidence extracted (snapshots under `tests/snapshots/`).
//!
//! The corpus is found by `wudiag-testdata` (`$WUDIAG_CORPUS`, or `testdata/corpus`); a missing
//! corpus fails the test.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use wudiag_evidence::{Evidence, Retention, SourceKind};
use wudiag_readers::{ReadOptions, read_paths};
use wudiag_testdata::corpus_dir as corpus;

fn read(path: &PathBuf, retention: Retention) -> Evidence {
    read_paths(
        std::slice::from_ref(path),
        &ReadOptions {
            retention,
            ..ReadOptions::default()
        },
    )
}

#[derive(Serialize)]
struct Summary {
    kind: SourceKind,
    channel: Option<String>,
    records_ok: u64,
    records_failed: u64,
    /// info, warning, error
    by_severity: [u64; 3],
    /// Events kept with the default (diagnostic) retention.
    events_kept_diagnostic: u64,
    /// Events listed by `wudiag events` (retention All), per `component event_id kind`.
    events_all: BTreeMap<String, u64>,
    codes: Vec<String>,
    kbs: Vec<String>,
    titles: Vec<String>,
    packages: Vec<String>,
    update_ids: Vec<String>,
    first_event: Option<String>,
    last_event: Option<String>,
    issues: Vec<String>,
}

fn summarise(path: &PathBuf) -> Summary {
    let diag = read(path, Retention::Diagnostic);
    let all = read(path, Retention::All);
    assert_eq!(diag.sources().len(), 1);
    let src = &diag.sources()[0];
    let src_all = &all.sources()[0];
    assert_eq!(src.stats.records_ok, src_all.stats.records_ok);
    assert_eq!(src.stats.records_failed, src_all.stats.records_failed);
    assert!(src.skipped.is_none(), "skipped: {:?}", src.skipped);

    let mut events_all = BTreeMap::new();
    let mut kbs = Vec::new();
    let mut titles = Vec::new();
    let mut packages = Vec::new();
    let mut update_ids = Vec::new();
    for e in all.events() {
        let key = format!(
            "{} {} {}",
            e.component.as_deref().unwrap_or("-"),
            e.event_id.map_or_else(|| "-".into(), |i| i.to_string()),
            e.kind.name()
        );
        *events_all.entry(key).or_insert(0) += 1;
        for kb in &e.kbs {
            kbs.push(kb.to_string());
        }
        titles.extend(e.title.clone());
        packages.extend(e.package.clone());
        update_ids.extend(e.update_id.as_ref().map(ToString::to_string));
    }
    for v in [&mut kbs, &mut titles, &mut packages, &mut update_ids] {
        v.sort();
        v.dedup();
    }
    let describe = |e: &wudiag_evidence::Event| {
        format!(
            "{} {} {} {} | {}",
            e.time.map(|t| t.to_string()).unwrap_or_default(),
            e.location.span,
            e.component.as_deref().unwrap_or("-"),
            e.event_id.unwrap_or_default(),
            e.message
        )
    };
    Summary {
        kind: src.kind,
        channel: src.channel.clone(),
        records_ok: src.stats.records_ok,
        records_failed: src.stats.records_failed,
        by_severity: src.stats.by_severity,
        events_kept_diagnostic: diag.events().len() as u64,
        events_all,
        codes: src.stats.codes.keys().map(ToString::to_string).collect(),
        kbs,
        titles,
        packages,
        update_ids,
        first_event: all.events().first().map(describe),
        last_event: all.events().last().map(describe),
        issues: diag
            .read_issues()
            .iter()
            .map(|i| format!("{:?}: {}", i.span, i.message))
            .collect(),
    }
}

fn evtx_files() -> Vec<PathBuf> {
    wudiag_testdata::corpus_folder_files("evtx")
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("evtx"))
        })
        .collect()
}

#[test]
fn corpus_evtx_files() {
    let files = evtx_files();
    assert!(
        files.len() >= 5,
        "expected the 5 corpus EVTX files, found {}",
        files.len()
    );
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let s = summarise(&path);
        assert_eq!(s.kind, SourceKind::Evtx, "{name}");
        assert_eq!(
            s.records_failed, 0,
            "{name}: whole logs must read without failed records"
        );
        insta::assert_yaml_snapshot!(format!("evtx_{name}"), s);
    }
}

/// The Windows 10 22H2 System log is dirty: its header counts 2 chunks and 154 records, its chunks hold
/// 299 records (evtx_dump agrees), 6 of them from WindowsUpdateClient.
#[test]
fn dirty_system_log_is_read_in_full() {
    let path = corpus().join("evtx/win10_22H2_tr_System.evtx");
    let ev = read(&path, Retention::All);
    let src = &ev.sources()[0];
    assert_eq!(src.stats.records_ok, 299);
    assert_eq!(src.channel.as_deref(), Some("System"));
    let wuc: Vec<_> = ev
        .events()
        .iter()
        .filter(|e| e.component.as_deref() == Some("Microsoft-Windows-WindowsUpdateClient"))
        .collect();
    assert_eq!(wuc.len(), 6);
    let failed = wuc.iter().find(|e| e.event_id == Some(20)).unwrap();
    assert_eq!(failed.codes[0].to_string(), "0x80073cf9");
    assert_eq!(failed.kind.name(), "install_failed");
    assert!(
        wuc.iter()
            .any(|e| e.kbs.iter().any(|k| k.to_string() == "KB5020683"))
    );
}

/// An archive member goes through the in-memory path and gives the same counts.
#[test]
fn evtx_inside_a_zip() {
    use std::io::Write;
    let src = corpus().join("evtx/win10_22H2_tr_WindowsUpdateClient_Operational.evtx");
    let bytes = std::fs::read(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("logs.zip");
    let f = std::fs::File::create(&zip_path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    z.start_file(
        "winevt/Logs/Microsoft-Windows-WindowsUpdateClient%4Operational.evtx",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(&bytes).unwrap();
    z.finish().unwrap();
    let ev = read(&zip_path, Retention::All);
    let member = ev
        .sources()
        .iter()
        .find(|s| s.kind == SourceKind::Evtx)
        .expect("the member is read as EVTX");
    assert_eq!(member.stats.records_ok, 91);
    assert_eq!(member.stats.records_failed, 0);
    assert_eq!(
        member.channel.as_deref(),
        Some("Microsoft-Windows-WindowsUpdateClient/Operational")
    );
    assert_eq!(ev.events().len(), 91);
}

/// A truncated copy (cut in the middle of a chunk) reads what is there and says what is missing.
#[test]
fn truncated_copy() {
    let src = corpus().join("evtx/win10_22H2_tr_System.evtx");
    let bytes = std::fs::read(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("System.evtx");
    std::fs::write(&cut, &bytes[..4096 + 65536 + 1000]).unwrap();
    let ev = read(&cut, Retention::Diagnostic);
    let s = &ev.sources()[0];
    assert!(s.stats.records_ok > 0 && s.stats.records_ok < 299);
    assert!(
        ev.read_issues()
            .iter()
            .any(|i| i.message.contains("incomplete chunk")),
        "{:?}",
        ev.read_issues()
    );
}
