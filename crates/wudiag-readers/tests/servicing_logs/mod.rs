//! Shared by the CBS.log, DISM.log and CheckSUR.log corpus tests: reads one corpus file and sums it up
//! in a small, stable structure for a snapshot.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use wudiag_evidence::{EventKind, Retention};
use wudiag_readers::{ReadOptions, read_paths};
#[allow(unused_imports)] // checksur_log.rs reads whole folders only
pub(crate) use wudiag_testdata::corpus_dir as corpus;

pub(crate) use wudiag_testdata::corpus_folder_files as files;

/// What a snapshot pins for one file.
#[derive(serde::Serialize)]
pub(crate) struct Summary {
    pub(crate) file: String,
    pub(crate) kind: &'static str,
    pub(crate) encoding: Option<String>,
    pub(crate) records_ok: u64,
    pub(crate) records_failed: u64,
    /// info, warning, error.
    pub(crate) by_severity: [u64; 3],
    pub(crate) events_kept: u64,
    pub(crate) codes: BTreeMap<String, u64>,
    pub(crate) kinds: BTreeMap<&'static str, usize>,
    pub(crate) components: BTreeSet<String>,
    pub(crate) kbs: BTreeSet<String>,
    pub(crate) servicing_stack: BTreeSet<String>,
    pub(crate) os_versions: BTreeSet<String>,
    pub(crate) pending_reboot_facts: usize,
    pub(crate) corruption_summaries: Vec<String>,
    pub(crate) store_corruption: Vec<String>,
    pub(crate) first_timed_event: Option<String>,
    pub(crate) issues: Vec<String>,
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Reads `path` and sums it up. Also checks that both retention policies count the same records,
/// severities and codes (the extractor skips building events it would drop; it must still count them).
pub(crate) fn summarise(path: &Path) -> Summary {
    let ev = read_paths(&[path.to_path_buf()], &ReadOptions::default());
    let all = read_paths(
        &[path.to_path_buf()],
        &ReadOptions {
            retention: Retention::All,
            ..ReadOptions::default()
        },
    );
    let src = &ev.sources()[0];
    let src_all = &all.sources()[0];
    assert_eq!(
        src.stats.records_ok,
        src_all.stats.records_ok,
        "{}",
        path.display()
    );
    assert_eq!(
        src.stats.records_failed,
        src_all.stats.records_failed,
        "{}",
        path.display()
    );
    assert_eq!(
        src.stats.by_severity,
        src_all.stats.by_severity,
        "{}",
        path.display()
    );
    assert_eq!(src.stats.codes, src_all.stats.codes, "{}", path.display());
    let mut kinds = BTreeMap::new();
    let mut components = BTreeSet::new();
    let mut kbs = BTreeSet::new();
    let mut corruption_summaries = Vec::new();
    let mut store_corruption = Vec::new();
    for e in all.events() {
        *kinds.entry(e.kind.name()).or_default() += 1;
        if let Some(c) = &e.component {
            components.insert(c.clone());
        }
        kbs.extend(e.kbs.iter().map(ToString::to_string));
        match &e.kind {
            EventKind::CorruptionSummary { detected, repaired } => {
                corruption_summaries.push(format!(
                    "line {}: detected {detected:?} repaired {repaired:?}",
                    e.location.span
                ));
            }
            EventKind::StoreCorruption { category, item } if store_corruption.len() < 4 => {
                store_corruption.push(format!("line {}: {category} | {item}", e.location.span));
            }
            _ => {}
        }
    }
    let first_timed_event = all.events().iter().find(|e| e.time.is_some()).map(|e| {
        let msg: String = e.message.chars().take(80).collect();
        format!("{} line {} {msg}", e.time.unwrap(), e.location.span)
    });
    let facts = ev.facts();
    Summary {
        file: name(path),
        kind: src.kind.as_str(),
        encoding: src.encoding.clone(),
        records_ok: src.stats.records_ok,
        records_failed: src.stats.records_failed,
        by_severity: src.stats.by_severity,
        events_kept: src.stats.events_kept,
        codes: src
            .stats
            .codes
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
        kinds,
        components,
        kbs,
        servicing_stack: facts
            .servicing_stack
            .iter()
            .map(|f| f.value.to_string())
            .collect(),
        os_versions: facts
            .os
            .iter()
            .filter_map(|f| f.value.version.map(|v| v.to_string()))
            .collect(),
        pending_reboot_facts: facts.pending_reboot.len(),
        corruption_summaries,
        store_corruption,
        first_timed_event,
        issues: ev
            .read_issues()
            .iter()
            .take(5)
            .map(|i| format!("{:?}: {}", i.span, i.message))
            .collect(),
    }
}
