//! Every DISM.log of the corpus: kind, record counts and the main extracted facts, pinned per file.

mod servicing_logs;

use servicing_logs::{files, summarise};

#[test]
fn corpus_dism_logs() {
    for path in files("dism") {
        let s = summarise(&path);
        assert_eq!(s.kind, "dism_log", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        insta::assert_yaml_snapshot!(s.file.clone(), s);
    }
}

#[test]
fn restore_health_without_source_fails_with_0x800f081f() {
    let s = summarise(&servicing_logs::corpus().join("dism/win10_appostarsi_2023-05-17_dism.log"));
    assert!(
        s.codes.get("0x800f081f").copied().unwrap_or(0) >= 12,
        "{:?}",
        s.codes
    );
    assert!(s.components.contains("DISM Package Manager"));
    assert!(s.os_versions.contains("10.0.22621.1702"));
}
