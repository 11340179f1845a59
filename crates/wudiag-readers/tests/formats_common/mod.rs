//! Shared by the integration tests of the admin-facing text and XML formats (ConfigMgr, WSUS server, IIS,
//! web.config, SetupDiag): reads one file and sums it up in a small, stable structure for a snapshot.
#![allow(dead_code, unused_imports)] // each test file uses its own subset

pub(crate) use wudiag_testdata::{corpus_dir as corpus, manifest_files};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use wudiag_evidence::Evidence;
pub(crate) use wudiag_evidence::Retention;
use wudiag_readers::{ReadOptions, read_paths};

pub(crate) fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel)
}

pub(crate) fn read(path: &Path, retention: Retention) -> Evidence {
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
pub(crate) struct Summary {
    pub(crate) file: String,
    pub(crate) kind: &'static str,
    pub(crate) encoding: Option<String>,
    pub(crate) records_ok: u64,
    pub(crate) records_failed: u64,
    /// info, warning, error
    pub(crate) by_severity: [u64; 3],
    pub(crate) codes: BTreeMap<String, u64>,
    pub(crate) kinds: BTreeMap<&'static str, usize>,
    pub(crate) kbs: BTreeSet<String>,
    pub(crate) facts: Vec<String>,
    pub(crate) issues: Vec<String>,
    /// The first kept events: time | severity | kind | component | lines | codes | message (cut).
    pub(crate) events: Vec<String>,
}

pub(crate) fn summarise(path: &Path) -> Summary {
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
