//! The real-case corpus (`tests/cases/`, format in its README): every published case is analysed as a user
//! would (`wudiag analyze <case>/evidence --format json`) and its first finding is compared with what the
//! source says the cause was. One table of every case is printed; the test fails if any case misses.
// The table of every case is the point of `--nocapture`; on failure it says which cases missed.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    title: String,
    source: String,
    #[allow(dead_code)]
    retrieved: Option<String>,
    #[allow(dead_code)]
    resolution: String,
    expect: Expect,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    primary: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
    culprit: Option<String>,
    kb: Option<String>,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    healthy: bool,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases")
}

fn analyze(evidence: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_wudiag"))
        .args(["analyze", "--format", "json"])
        .arg(evidence)
        .output()
        .expect("wudiag runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON report ({e}); stderr: {}",
            evidence.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn text_of(finding: &Value) -> String {
    let mut text = String::new();
    for key in ["title", "message"] {
        text.push_str(finding[key].as_str().unwrap_or_default());
        text.push('\n');
    }
    if let Some(details) = finding["details"].as_object() {
        for v in details.values() {
            text.push_str(v.as_str().unwrap_or_default());
            text.push('\n');
        }
    }
    for fix in finding["fixes"].as_array().into_iter().flatten() {
        text.push_str(&fix.to_string());
    }
    text.to_ascii_lowercase()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// Why the report does not meet the expectation, or `None` when it does.
fn miss(expect: &Expect, report: &Value) -> Option<String> {
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    if expect.healthy {
        let errors: Vec<&str> = findings
            .iter()
            .filter(|f| f["severity"] == "error")
            .filter_map(|f| f["rule"].as_str())
            .collect();
        return (!errors.is_empty()).then(|| format!("healthy, but errors: {}", errors.join(", ")));
    }
    let Some(first) = findings.first() else {
        return Some("no finding".to_owned());
    };
    let id = first["rule"].as_str().unwrap_or_default();
    if !expect.primary.iter().any(|p| p == id) {
        let ids: Vec<&str> = findings.iter().filter_map(|f| f["rule"].as_str()).collect();
        return Some(format!(
            "first is {id}, expected {} (all: {})",
            expect.primary.join("|"),
            ids.join(" ")
        ));
    }
    let codes = strings(&first["codes"]);
    for c in &expect.codes {
        if !codes.contains(&c.to_ascii_lowercase()) {
            return Some(format!(
                "{id} does not carry {c} (carries {})",
                codes.join(" ")
            ));
        }
    }
    let text = text_of(first);
    if let Some(culprit) = &expect.culprit
        && !text.contains(&culprit.to_ascii_lowercase())
    {
        return Some(format!("{id} does not name the culprit {culprit:?}"));
    }
    if let Some(kb) = &expect.kb {
        let kb = kb.to_ascii_lowercase();
        if !strings(&first["updates"]).contains(&kb) && !text.contains(&kb) {
            return Some(format!("{id} does not name {kb}"));
        }
    }
    for also in &expect.also {
        if !findings.iter().skip(1).any(|f| f["rule"] == also.as_str()) {
            return Some(format!("{also} is not among the other findings"));
        }
    }
    None
}

#[test]
fn every_real_case_gets_the_published_cause_first() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/cases exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 100, "the corpus holds {} cases", dirs.len());

    let mut misses = Vec::new();
    let (mut cases, mut healthy) = (0, 0);
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("case.toml")).unwrap();
        let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        assert!(
            case.source.starts_with("http") || case.source.contains("testdata/corpus"),
            "{name}: the source must be a public address or a corpus file"
        );
        assert!(
            case.expect.healthy == case.expect.primary.is_empty(),
            "{name}: a case names its expected primary finding, or says it is healthy"
        );
        assert!(
            dir.join("evidence").is_dir(),
            "{name}: evidence/ is missing"
        );
        if case.expect.healthy {
            healthy += 1;
        } else {
            cases += 1;
        }
        let report = analyze(&dir.join("evidence"));
        let verdict = miss(&case.expect, &report);
        println!(
            "{:<4} {name:<48} {}",
            if verdict.is_none() { "ok" } else { "MISS" },
            verdict.as_deref().unwrap_or(&case.title)
        );
        if let Some(why) = verdict {
            misses.push(format!("{name}: {why}"));
        }
    }
    println!(
        "{cases} failure cases, {healthy} healthy; {} missed",
        misses.len()
    );
    assert!(misses.is_empty(), "cases missed:\n{}", misses.join("\n"));
}
