//! The published JSON Schema (`docs/report.schema.json`) and the JSON the report writes must agree:
//! on the hand-built run, on an empty run, and on a real run over the shared corpus.

mod common;

use serde_json::Value;
use wudiag_evidence::{EvidenceBuilder, Severity};
use wudiag_report::{Format, Report, ReportOptions};

use wudiag_testdata::workspace_root as repo_root;

fn validator() -> jsonschema::Validator {
    let path = repo_root().join("docs/report.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

fn json_of(report: &Report) -> Value {
    let mut out = Vec::new();
    wudiag_report::render(Format::Json, report, &mut out, false).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_fixed_run_matches_the_schema() {
    let v = validator();
    for min in [Severity::Info, Severity::Warning, Severity::Error] {
        assert_valid(&v, &json_of(&common::report(min)), "the fixed run");
    }
}

#[test]
fn an_empty_run_matches_the_schema() {
    let ev = EvidenceBuilder::default().finish();
    let dx = wudiag_rules::diagnose(&ev);
    assert_valid(
        &validator(),
        &json_of(&Report::new(&ev, &dx, &ReportOptions::default())),
        "an empty run",
    );
}

#[test]
fn the_schema_is_strict() {
    let v = validator();
    let good = json_of(&common::report(Severity::Warning));

    let mut extra = good.clone();
    extra["findings"][0]["surprise"] = Value::from(1);
    assert!(
        !v.is_valid(&extra),
        "an undocumented field must fail validation"
    );

    let mut bad = good.clone();
    bad["findings"][0]["severity"] = Value::from("fatal");
    assert!(!v.is_valid(&bad));

    let mut bad = good.clone();
    bad["findings"][0]["fixes"][0]["applicability"] = Value::from("maybe");
    assert!(!v.is_valid(&bad));

    let mut missing = good;
    missing.as_object_mut().unwrap().remove("read_issues");
    assert!(!v.is_valid(&missing));
}

#[test]
fn the_contract_fields_are_where_the_issue_says() {
    let doc = json_of(&common::report(Severity::Warning));
    assert_eq!(doc["schema"], "wudiag/report/v1");
    assert_eq!(doc["tool"]["name"], "wudiag");
    assert_eq!(doc["machine"]["os"], "Windows 10 Pro");
    assert_eq!(doc["machine"]["version"], "10.0.19045.2965");
    assert_eq!(doc["machine"]["arch"], "x64");
    assert_eq!(doc["machine"]["servicing_stack"], "10.0.19041.2905");
    assert_eq!(doc["sources"][0]["kind"], "cbs_log");
    assert_eq!(doc["sources"][0]["records_failed"], 1);
    assert_eq!(doc["read_issues"][0]["line"], 77);
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "TST001");
    assert_eq!(f["name"], "test-store-corruption");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["confidence"], "confirmed");
    assert_eq!(f["status"], "open");
    assert_eq!(f["codes"][0], "0x800f081f");
    assert_eq!(f["updates"][0], "KB5026039");
    assert_eq!(f["evidence"][0]["path"], r"C:\Windows\Logs\CBS\CBS.log");
    assert_eq!(f["evidence"][0]["line"], 8812);
    assert_eq!(f["fixes"][0]["applicability"], "safe");
    assert_eq!(f["fixes"][1]["applicability"], "display-only");
    assert_eq!(doc["findings"][2]["status"], "resolved");
    assert_eq!(doc["findings"][2]["severity"], "info");
}

/// `wudiag analyze testdata/corpus --format json` in library form: the same read, diagnosis and report
/// as the command, on every file of the shared corpus.

#[test]
fn a_real_run_over_the_corpus_matches_the_schema() {
    let corpus = wudiag_testdata::corpus_dir();
    let ev = wudiag_readers::read_paths(&[corpus], &wudiag_readers::ReadOptions::default());
    assert!(!ev.sources().is_empty());
    let dx = wudiag_rules::diagnose(&ev);
    let report = Report::new(&ev, &dx, &ReportOptions::default());
    let doc = json_of(&report);
    assert_valid(&validator(), &doc, "the corpus run");
    assert_eq!(
        doc["sources"].as_array().map(Vec::len),
        Some(ev.sources().len())
    );
}

/// The README's sample: no OS line, so the version is the family inferred from package identities (`6.1`),
/// which the schema must accept.
#[test]
fn the_shipped_sample_matches_the_schema() {
    let sample = repo_root().join("samples/win2008r2-kb3172605");
    let ev = wudiag_readers::read_paths(&[sample], &wudiag_readers::ReadOptions::default());
    let dx = wudiag_rules::diagnose(&ev);
    let doc = json_of(&Report::new(&ev, &dx, &ReportOptions::default()));
    assert_valid(&validator(), &doc, "the sample run");
    assert_eq!(doc["machine"]["version"], "6.1");
}
