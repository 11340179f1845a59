//! Per-rule fixtures: `tests/fixtures/<RULE_ID>/<case>/` holds a small evidence bundle and `case.toml`
//! (`expect = ["CBS001"]` or `expect = []`, and `why`). Each case must make exactly the expected rules fire at
//! severity ≥ warning, meet the finding contracts, and match its snapshot of the rendered text report.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Case, check_contracts, fired, render};

#[test]
fn fixtures() {
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    insta::glob!("fixtures/*/*/case.toml", |path| {
        let case = Case::load(path);
        let (evidence, diagnosis) = case.run();
        let name = case
            .dir
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"))
            .map_or_else(
                |_| case.dir.display().to_string(),
                |p| p.display().to_string(),
            );
        check_contracts(&evidence, &diagnosis, &name);
        let got = fired(&diagnosis);
        if got != case.expect
            && let Ok(mut f) = failures.lock()
        {
            f.push(format!(
                "{name}: expected {:?}, got {got:?} ({})",
                case.expect, case.why
            ));
        }
        insta::assert_snapshot!(render(&evidence, &diagnosis, &case.dir));
    });
    let failures = failures.into_inner().unwrap_or_default();
    assert!(
        failures.is_empty(),
        "{} fixture(s) fired other rules than expected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Rules whose positive case cannot be a fixture, and why (their positive case is a unit test instead).
const NO_POSITIVE_FIXTURE: &[(&str, &str)] = &[(
    "WSUS010",
    "event 7053 only exists in Application.evtx and no tool in this workspace writes .evtx files",
)];

#[test]
fn every_rule_has_a_positive_and_a_near_miss_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut missing = Vec::new();
    for rule in wudiag_rules::registry::RULES {
        let id = rule.meta().id;
        let dir = root.join(id);
        let cases: Vec<Case> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path().join("case.toml"))
                    .filter(|p| p.is_file())
                    .map(|p| Case::load(&p))
                    .collect()
            })
            .unwrap_or_default();
        let positive = cases.iter().any(|c| c.expect.contains(id))
            || NO_POSITIVE_FIXTURE.iter().any(|(r, _)| *r == id);
        let near_miss = cases.iter().any(|c| !c.expect.contains(id));
        if !positive || !near_miss {
            missing.push(format!(
                "{id} (positive: {positive}, near miss: {near_miss})"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "rules without fixtures: {}",
        missing.join(", ")
    );
}

#[test]
fn fixture_folders_name_registered_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let ids: BTreeSet<&str> = wudiag_rules::registry::RULES
        .iter()
        .map(|r| r.meta().id)
        .collect();
    for entry in std::fs::read_dir(&root)
        .expect("fixtures folder")
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            ids.contains(name.as_str()),
            "fixture folder {name} names no registered rule"
        );
    }
}
