//! `wudiag sources` over the whole real-log corpus (testdata/corpus, or `WUDIAG_CORPUS`): every file is
//! recognised as the kind MANIFEST.tsv says, or skipped with a reason when wudiag does not read that kind,
//! and whole (non-excerpt) logs read with zero failed records. A missing corpus fails the test.

use std::collections::BTreeMap;
use std::process::Command;
use wudiag_testdata::corpus_dir as corpus;

/// The kind wudiag must report for a MANIFEST kind; `None` = wudiag does not read it (skipped with a reason).
fn expected_kind(manifest_kind: &str) -> Option<&'static str> {
    Some(match manifest_kind {
        "cbs" | "cbs_log" => "cbs_log",
        "dism" | "dism_log" => "dism_log",
        "checksur" => "checksur_log",
        "configmgr" => "configmgr_log",
        "windowsupdate_log" => "windowsupdate_log",
        "evtx" => "evtx",
        "setupdiag" => "setupdiag",
        "wsus_server" => "wsus_softwaredistribution_log",
        "systeminfo" => "systeminfo",
        "wmic_qfe" => "wmic_qfe",
        "get_hotfix" => "get_hotfix",
        "reg_export" => "registry_export",
        "wua_update_list" => "wua_update_list",
        _ => return None,
    })
}

#[test]
fn every_corpus_file_is_recognised() {
    let corpus = corpus();
    let out = Command::new(env!("CARGO_BIN_EXE_wudiag"))
        .args(["sources", "--format", "json"])
        .arg(&corpus)
        .output()
        .expect("run wudiag");
    assert!(
        out.status.success(),
        "wudiag sources failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let mut by_rel: BTreeMap<String, &serde_json::Value> = BTreeMap::new();
    let prefix = corpus.display().to_string();
    for s in json["sources"].as_array().expect("sources array") {
        let path = s["path"].as_str().unwrap_or_default();
        let rel = path
            .strip_prefix(&prefix)
            .unwrap_or(path)
            .trim_start_matches(['/', '\\'])
            .replace('\\', "/");
        by_rel.insert(rel, s);
    }
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut problems = Vec::new();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(kind)) = (cols.first(), cols.get(1)) else {
            continue;
        };
        let Some(src) = by_rel.get(*file) else {
            problems.push(format!("{file}: not listed by wudiag sources"));
            continue;
        };
        checked += 1;
        let got = src["kind"].as_str().unwrap_or_default();
        let empty = src["skipped"]
            .as_str()
            .is_some_and(|r| r.starts_with("empty file"));
        match expected_kind(kind) {
            // An empty export (a BOM and a line break) cannot show its kind; it must say it is empty.
            Some(_) if empty => {}
            Some(want) => {
                if got != want {
                    problems.push(format!(
                        "{file}: kind {got}, expected {want} (manifest kind {kind})"
                    ));
                }
                if src["skipped"].is_string() {
                    problems.push(format!("{file}: skipped: {}", src["skipped"]));
                }
                let failed = src["records_failed"].as_u64().unwrap_or(0);
                if failed > 0 && !file.contains("excerpt") {
                    problems.push(format!("{file}: {failed} failed records on a whole log"));
                }
                if src["records_ok"].as_u64().unwrap_or(0) == 0 {
                    problems.push(format!("{file}: no record read"));
                }
            }
            None => {
                // Logs of other tools with failures in them are read as pasted excerpts: their codes count.
                let excerpt_of_other = got == "excerpt" && *kind == "other";
                if !src["skipped"].is_string() && !matches!(got, "zip" | "cab") && !excerpt_of_other
                {
                    problems.push(format!("{file}: manifest kind {kind} is not read by wudiag, yet it was read as {got}"));
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} corpus files checked");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
