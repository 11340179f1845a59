//! Every failure signature proves itself on its own examples: each published example, read through the
//! real readers as the file an admin would pass, must give the signature's finding with the captures it
//! expects; each near miss must not. Signatures are data (`wudiag-catalog/data/signatures/*.toml`), so
//! this test is what keeps that data honest.

use std::path::PathBuf;

use wudiag_catalog::signatures;
use wudiag_readers::{ReadOptions, read_paths};
use wudiag_rules::Context;

/// Reads `text` as a file named `name` and returns the ids (and details) of the signature findings it
/// gives, before code rules' findings supersede any of them.
fn findings_of(
    name: &str,
    text: &str,
) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, text).expect("write example");
    let evidence = read_paths(&[path], &ReadOptions::default());
    let mut found = Vec::new();
    wudiag_rules::signatures::check(&Context::new(&evidence), &mut found);
    found
        .into_iter()
        .map(|f| (f.rule.id.to_owned(), f.details))
        .collect()
}

#[test]
fn every_example_matches_and_no_near_miss_does() {
    let mut problems = Vec::new();
    for s in signatures() {
        for ex in s.examples {
            let found = findings_of(ex.file.unwrap_or("excerpt.log"), ex.text);
            match found.iter().find(|(id, _)| id == s.id) {
                None => problems.push(format!(
                    "{} ({}): example from {} does not match; findings: {:?}",
                    s.id,
                    s.file,
                    ex.source,
                    found.iter().map(|f| &f.0).collect::<Vec<_>>()
                )),
                Some((_, details)) => {
                    for (k, v) in ex.captures {
                        if details.get(*k).map(String::as_str) != Some(*v) {
                            problems.push(format!(
                                "{}: capture {k} is {:?}, expected {v:?}",
                                s.id,
                                details.get(*k)
                            ));
                        }
                    }
                }
            }
        }
        for nm in s.near_misses {
            let found = findings_of("excerpt.log", nm.text);
            if found.iter().any(|(id, _)| id == s.id) {
                problems.push(format!("{}: near miss matches: {}", s.id, nm.text));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_signature_has_a_reference_and_documentation() {
    for s in signatures() {
        assert!(!s.references.is_empty(), "{}", s.id);
        let meta = wudiag_rules::registry::find_meta(s.id).expect("listed");
        assert!(meta.doc.contains("## What it detects"), "{}", s.id);
        assert!(meta.doc.contains("## References"), "{}", s.id);
    }
}
