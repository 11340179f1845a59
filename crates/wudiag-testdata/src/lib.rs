//! Where wudiag's tests find the evidence they are proven on.
//!
//! Two folders of the repository hold it: the real-log corpus (`testdata/corpus`, with its `MANIFEST.tsv`
//! giving every file's public source) and the knowledge tables the catalogue was built from
//! (`testdata/knowledge`). Every test crate reaches them through this crate, so the lookup rules are
//! written once:
//!
//! - `WUDIAG_CORPUS` / `WUDIAG_KNOWLEDGE` name the folders when set (CI, a Windows test run under Wine,
//!   a checkout somewhere else);
//! - otherwise they are the repository's own `testdata/` folders, so a fresh clone tests itself;
//! - a missing folder **fails** the test with a message saying what to set. A test that proves a reader
//!   on real evidence must never pass by skipping itself.
//!
//! This is a dev-dependency only; nothing here ships in the binary.

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate's manifest).
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folder named by `var`, or `default` under the workspace root; panics unless `marker` is a file in it.
fn shared_dir(var: &str, default: &str, marker: &str) -> PathBuf {
    let dir = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| workspace_root().join(default), PathBuf::from);
    assert!(
        dir.join(marker).is_file(),
        "{default} is missing: {} has no {marker}. Set {var} to its folder; tests on real evidence never skip",
        dir.display()
    );
    dir
}

/// The shared real-log corpus: `$WUDIAG_CORPUS`, else the repository's `testdata/corpus`.
///
/// # Panics
/// When the folder has no `MANIFEST.tsv`.
#[must_use]
pub fn corpus_dir() -> PathBuf {
    shared_dir("WUDIAG_CORPUS", "testdata/corpus", "MANIFEST.tsv")
}

/// A file of the corpus, by its path inside it (`cbs/loghub_windows_2k_cbs.log`).
///
/// # Panics
/// When the corpus or the file is missing.
#[must_use]
pub fn corpus_file(rel: &str) -> PathBuf {
    let path = corpus_dir().join(rel);
    assert!(path.is_file(), "corpus file missing: {}", path.display());
    path
}

/// The knowledge tables (`wu_error_codes.csv`, …): `$WUDIAG_KNOWLEDGE`, else the repository's `testdata/knowledge`.
///
/// # Panics
/// When the folder has no `wu_error_codes.csv`.
#[must_use]
pub fn knowledge_dir() -> PathBuf {
    shared_dir(
        "WUDIAG_KNOWLEDGE",
        "testdata/knowledge",
        "wu_error_codes.csv",
    )
}

/// One row of the corpus's `MANIFEST.tsv`: a file, its format kind, and the rest of the row as written.
#[derive(Debug, Clone)]
pub struct ManifestRow {
    /// The file's path inside the corpus, as the manifest writes it.
    pub file: String,
    /// The format kind column (`cbs`, `windowsupdate_etl_decoded`, `configmgr_log`, …).
    pub kind: String,
    /// The remaining columns (source, variant, what failed, resolution), unparsed.
    pub rest: Vec<String>,
}

/// Every row of the corpus manifest, header skipped, in file order.
///
/// # Panics
/// When the corpus or its manifest cannot be read.
#[must_use]
pub fn manifest() -> Vec<ManifestRow> {
    let path = corpus_dir().join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t').map(str::to_owned);
            Some(ManifestRow {
                file: cols.next()?,
                kind: cols.next()?,
                rest: cols.collect(),
            })
        })
        .collect()
}

/// The corpus files whose manifest kind is `kind`, as full paths.
///
/// # Panics
/// When the manifest lists none: a test asking for a kind expects evidence of it.
#[must_use]
pub fn manifest_files(kind: &str) -> Vec<PathBuf> {
    let dir = corpus_dir();
    let files: Vec<PathBuf> = manifest()
        .into_iter()
        .filter(|r| r.kind == kind)
        .map(|r| dir.join(r.file))
        .collect();
    assert!(
        !files.is_empty(),
        "the corpus manifest lists no file of kind {kind}"
    );
    files
}

/// The files directly inside one corpus folder (`cbs`, `evtx`, …), sorted.
///
/// # Panics
/// When the folder is missing or empty.
#[must_use]
pub fn corpus_folder_files(sub: &str) -> Vec<PathBuf> {
    let dir = corpus_dir().join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files in {}", dir.display());
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_files_that_exist() {
        let rows = manifest();
        assert!(rows.len() > 20, "{} rows", rows.len());
        for r in &rows {
            assert!(
                corpus_dir().join(&r.file).exists(),
                "{} is in the manifest but not on disk",
                r.file
            );
        }
    }

    #[test]
    fn knowledge_tables_are_found() {
        assert!(knowledge_dir().join("servicing_error_codes.csv").is_file());
    }
}
