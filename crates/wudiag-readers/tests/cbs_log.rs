//! Every CBS.log of the corpus (full logs, the `findstr [SR]` extract and the web excerpts): kind,
//! record counts and the main extracted facts, pinned per file.

mod servicing_logs;

use servicing_logs::{files, summarise};

#[test]
fn corpus_cbs_logs() {
    for path in files("cbs") {
        let s = summarise(&path);
        assert_eq!(s.kind, "cbs_log", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        assert!(s.records_ok > 0, "{}", path.display());
        insta::assert_yaml_snapshot!(s.file.clone(), s);
    }
}

#[test]
fn payload_corruption_log_has_its_summary() {
    let path =
        servicing_logs::corpus().join("cbs/win10_appostarsi_2023-05-23_CBS_payload_corrupt.log");
    let s = summarise(&path);
    assert!(
        s.corruption_summaries
            .iter()
            .any(|c| c.contains("detected Some(10) repaired Some(0)"))
    );
    assert!(s.codes.contains_key("0x80070bc9"));
    assert!(s.kinds.get("store_corruption").copied().unwrap_or(0) >= 10);
    assert!(s.pending_reboot_facts >= 1);
}

#[test]
fn win7_log_names_its_servicing_stack() {
    let s = summarise(&servicing_logs::corpus().join("cbs/loghub_windows_2k_cbs.log"));
    assert!(s.servicing_stack.contains("6.1.7601.23505"));
    assert!(s.os_versions.contains("6.1.7601.0"));
    // `@0xff83e97c` stack addresses on WcpInitialize lines are not failure codes.
    assert!(
        s.codes.keys().all(|c| !c.starts_with("0xff")),
        "{:?}",
        s.codes
    );
}
