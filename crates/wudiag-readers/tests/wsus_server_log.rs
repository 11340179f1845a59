//! WSUS server logs: the corpus SoftwareDistribution.log excerpt and the synthetic SoftwareDistribution.log
//! and Change.log fixtures, pinned per file (kind, record counts, codes, kinds).

mod formats_common;

#[allow(unused_imports)] // not every file uses every helper
use formats_common::*;

#[test]
fn corpus_wsus_server_logs() {
    for path in manifest_files("wsus_server") {
        let s = summarise(&path);
        assert_eq!(
            s.kind,
            "wsus_softwaredistribution_log",
            "{}",
            path.display()
        );
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        insta::assert_yaml_snapshot!(format!("wsus_server__{}", s.file), s);
    }
}

#[test]
fn certificate_excerpt_has_800b0109_and_the_tls_failure() {
    let s = summarise(
        &corpus().join("wsus_server/msdocs_kb4535405_SoftwareDistribution_800B0109_excerpt.log"),
    );
    assert_eq!((s.records_ok, s.records_failed), (2, 0));
    assert_eq!(s.codes.get("0x800b0109"), Some(&1));
    assert_eq!(s.kinds.get("connection_failed"), Some(&1));
    // The excerpt has no timestamps.
    assert!(s.events.iter().all(|e| e.starts_with("- |")));
}

#[test]
fn synthetic_software_distribution_log() {
    let s = summarise(&fixture(
        "wsus_server_log/synthetic_SoftwareDistribution.log",
    ));
    assert_eq!(s.kind, "wsus_softwaredistribution_log");
    // 8 records on 18 lines: stack traces belong to the record above.
    assert_eq!((s.records_ok, s.records_failed), (8, 0));
    assert_eq!(s.by_severity, [3, 1, 4]);
    assert_eq!(s.codes.get("0x800b0109"), Some(&1));
    assert_eq!(s.codes.get("0x80131904"), Some(&1));
    assert_eq!(s.kinds.get("connection_failed"), Some(&1));
    let sync = s
        .events
        .iter()
        .find(|e| e.contains("connection_failed"))
        .unwrap();
    assert!(
        sync.starts_with("2024-03-12T02:00:41.87Z | error"),
        "{sync}"
    );
    assert!(sync.contains("| 2-7 |"), "{sync}");
    insta::assert_yaml_snapshot!("wsus_server__synthetic_SoftwareDistribution.log", s);
}

#[test]
fn synthetic_change_log() {
    let s = summarise(&fixture("wsus_server_log/synthetic_Change.log"));
    assert_eq!(s.kind, "wsus_change_log");
    assert_eq!((s.records_ok, s.records_failed), (3, 0));
    assert_eq!(s.kinds.get("policy_changed"), Some(&3));
    assert!(s.kbs.contains("KB5035849") && s.kbs.contains("KB5034768"));
    insta::assert_yaml_snapshot!("wsus_server__synthetic_Change.log", s);
}

#[test]
fn full_retention_keeps_every_record() {
    let ev = read(
        &fixture("wsus_server_log/synthetic_SoftwareDistribution.log"),
        Retention::All,
    );
    assert_eq!(ev.events().len(), 8);
    assert!(
        ev.events()
            .iter()
            .all(|e| e.time.is_some_and(|t| t.utc == Some(t.written)))
    );
}
