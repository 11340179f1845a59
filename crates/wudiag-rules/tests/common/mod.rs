//! Shared by the fixture and corpus tests: reading a case, running the diagnosis, rendering it.
#![allow(dead_code, unreachable_pub, clippy::missing_panics_doc)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wudiag_evidence::{Evidence, Severity, Span};
use wudiag_readers::{ReadOptions, read_paths};
use wudiag_rules::{Diagnosis, diagnose};
#[allow(unused_imports)] // not every test file reads the corpus
pub use wudiag_testdata::corpus_dir as corpus;

/// A fixture case: `case.toml` and the evidence files next to it.
pub struct Case {
    /// The case folder.
    pub dir: PathBuf,
    /// Rule ids expected at severity ≥ warning.
    pub expect: BTreeSet<String>,
    /// Why the case exists.
    pub why: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseToml {
    expect: Vec<String>,
    why: String,
}

impl Case {
    /// Reads `case.toml`.
    pub fn load(case_toml: &Path) -> Self {
        let text = std::fs::read_to_string(case_toml)
            .unwrap_or_else(|e| panic!("{}: {e}", case_toml.display()));
        let t: CaseToml =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", case_toml.display()));
        Self {
            dir: case_toml
                .parent()
                .expect("case.toml has a folder")
                .to_path_buf(),
            expect: t.expect.into_iter().collect(),
            why: t.why,
        }
    }

    /// The evidence files of the case (everything but `case.toml` and `PROVENANCE*`), sorted.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .expect("case folder is readable")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                p.is_file() && name != "case.toml" && !name.starts_with("PROVENANCE")
            })
            .collect();
        files.sort();
        files
    }

    /// Reads the evidence and diagnoses it.
    pub fn run(&self) -> (Evidence, Diagnosis) {
        run_paths(&self.files())
    }
}

/// Reads paths and diagnoses them.
pub fn run_paths(paths: &[PathBuf]) -> (Evidence, Diagnosis) {
    let evidence = read_paths(paths, &ReadOptions::default());
    let diagnosis = diagnose(&evidence);
    (evidence, diagnosis)
}

/// Rule ids of findings at severity ≥ warning.
pub fn fired(d: &Diagnosis) -> BTreeSet<String> {
    d.findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.rule.id.to_owned())
        .collect()
}

/// The text report, with the folder prefix removed from paths so snapshots do not depend on the checkout.
pub fn render(evidence: &Evidence, diagnosis: &Diagnosis, strip: &Path) -> String {
    let mut report = wudiag_report::Report::new(
        evidence,
        diagnosis,
        &wudiag_report::ReportOptions::default().tool_version("test"),
    );
    report.relative_to(&strip.display().to_string());
    let text = wudiag_report::text::to_string(
        &report,
        &wudiag_report::TextOptions {
            color: false,
            width: 100,
        },
    );
    let prefix = format!("{}/", strip.display());
    text.replace(&prefix, "")
        .replace(&strip.display().to_string(), ".")
}

/// Harness contracts every finding must meet.
pub fn check_contracts(evidence: &Evidence, diagnosis: &Diagnosis, context: &str) {
    for f in &diagnosis.findings {
        assert!(
            !f.title.is_empty(),
            "{context}: {} has an empty title",
            f.rule.id
        );
        assert!(
            !f.message.is_empty(),
            "{context}: {} has an empty message",
            f.rule.id
        );
        assert!(
            !f.evidence.is_empty(),
            "{context}: {} ({}) cites no evidence",
            f.rule.id,
            f.title
        );
        for e in &f.evidence {
            assert!(
                evidence.source(e.location.source).is_some(),
                "{context}: {} cites a source outside the bundle",
                f.rule.id
            );
            if let Span::Lines { first, last } = e.location.span {
                assert!(
                    first >= 1 && last >= first,
                    "{context}: {} cites a bad line span",
                    f.rule.id
                );
            }
        }
        for fix in &f.fixes {
            assert!(
                !fix.title.is_empty(),
                "{context}: {} has a fix without a title",
                f.rule.id
            );
            assert!(
                !fix.steps.is_empty(),
                "{context}: {} fix `{}` has no steps",
                f.rule.id,
                fix.title
            );
        }
        if f.rule.doc.contains("## Fix safety") {
            continue;
        }
        panic!("{context}: {} has no `## Fix safety` section", f.rule.id);
    }
}
