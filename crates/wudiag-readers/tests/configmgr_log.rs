//! ConfigMgr logs: every corpus file of kind `configmgr` (CMTrace client logs, the WSyncMgr support-article
//! excerpts) and the synthetic CMTrace/SMS fixtures, pinned per file (kind, record counts, codes, facts).

mod formats_common;

#[allow(unused_imports)] // not every file uses every helper
use formats_common::*;

#[test]
fn corpus_configmgr_logs() {
    for path in manifest_files("configmgr") {
        let s = summarise(&path);
        assert_eq!(s.kind, "configmgr_log", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        assert!(s.records_ok > 0, "{}", path.display());
        insta::assert_yaml_snapshot!(format!("configmgr__{}", s.file), s);
    }
}

#[test]
fn updates_deployment_surfaces_0x87d00215() {
    let s = summarise(
        &corpus().join("configmgr/sccm_client_2021-07_findingsanity_UpdatesDeployment.log"),
    );
    assert_eq!(s.codes.get("0x87d00215"), Some(&1));
    // 107 CMTrace records on 110 lines: one message holds an XML fragment over 4 lines.
    assert_eq!(s.records_ok, 107);
    assert_eq!(s.by_severity, [105, 1, 1]);
}

#[test]
fn wuahandler_names_the_wsus_source_and_server() {
    let s = summarise(&corpus().join("configmgr/sccm_client_2021-07_findingsanity_WUAHandler.log"));
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("WUServer = String(\"https://SCCM01D.firm.saulewing.net:8531\")"))
    );
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("{A70BBF1F-4768-4A41-AB5B-9ADBBBE009D0}"))
    );
    assert_eq!(s.kinds.get("scan_succeeded"), Some(&3));
    // `+240` is UTC-4.
    assert!(s.events[0].starts_with("2021-07-14T08:53:44.52-04:00"));
}

#[test]
fn wsyncmgr_excerpt_is_a_connection_failure() {
    let path = corpus().join("wsus_server/msdocs_kb4535405_wsyncmgr_800B0109_excerpt.log");
    let s = summarise(&path);
    assert_eq!(s.kind, "configmgr_log");
    assert_eq!((s.records_ok, s.records_failed), (1, 0));
    assert_eq!(s.kinds.get("connection_failed"), Some(&1));
    insta::assert_yaml_snapshot!(
        "configmgr__msdocs_kb4535405_wsyncmgr_800B0109_excerpt.log",
        s
    );
}

#[test]
fn synthetic_fixtures() {
    for name in ["synthetic_WUAHandler.log", "synthetic_wsyncmgr.log"] {
        let s = summarise(&fixture(&format!("configmgr_log/{name}")));
        assert_eq!(s.kind, "configmgr_log", "{name}");
        assert_eq!(s.records_failed, 0, "{name}: {:?}", s.issues);
        insta::assert_yaml_snapshot!(format!("configmgr__{name}"), s);
    }
    let s = summarise(&fixture("configmgr_log/synthetic_WUAHandler.log"));
    assert_eq!(s.kinds.get("scan_failed"), Some(&2));
    assert_eq!(s.kinds.get("policy_changed"), Some(&1));
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("WUServer = String(\"http://wsus-legacy.contoso.com\")"))
    );
    assert!(s.facts.iter().any(|f| f.contains("UseWUServer = Dword(1)")));
    let s = summarise(&fixture("configmgr_log/synthetic_wsyncmgr.log"));
    assert_eq!(s.records_ok, 8);
    assert_eq!(s.kinds.get("connection_failed"), Some(&2));
}

#[test]
fn every_record_is_kept_with_full_retention() {
    let path = corpus().join("configmgr/sccm_client_2021-07_findingsanity_UpdatesStore.log");
    let ev = read(&path, Retention::All);
    let src = &ev.sources()[0];
    assert_eq!(src.stats.records_ok, 412);
    assert_eq!(ev.events().len(), 412);
    assert!(
        ev.events()
            .iter()
            .all(|e| e.time.is_some_and(|t| t.utc.is_some()))
    );
}
