//! SetupDiag results: the two Microsoft-published samples of the corpus (text and XML that declares
//! utf-16 but is stored as UTF-8) and synthetic JSON and real-UTF-16 XML fixtures, pinned per file.

mod formats_common;

#[allow(unused_imports)] // not every file uses every helper
use formats_common::*;

#[test]
fn corpus_setupdiag_results() {
    for path in manifest_files("setupdiag") {
        let s = summarise(&path);
        assert_eq!(s.kind, "setupdiag", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        assert!(s.records_ok > 0, "{}", path.display());
        insta::assert_yaml_snapshot!(format!("setupdiag__{}", s.file), s);
    }
}

#[test]
fn text_sample_profile_codes_and_os() {
    let s =
        summarise(&corpus().join(
            "setupdiag/msdocs_sample_SetupDiagResults_OptionalComponentOpenPackageFailed.log",
        ));
    assert_eq!(s.kinds.get("setup_failure"), Some(&1));
    assert!(s.codes.contains_key("0x8007001f"));
    assert!(s.codes.contains_key("0x00050015"));
    let e = &s.events[0];
    assert!(
        e.contains("\"rule\":\"OptionalComponentOpenPackageFailed\""),
        "{e}"
    );
    // UpgradeEndTime, written `3/21/2018 10:02:40 PM`.
    assert!(e.starts_with("2018-03-21T22:02:40 | error"), "{e}");
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("10.0.15063.0") && f.contains("Amd64") && f.contains("\"Core\""))
    );
    // The full message holds the remediation and the decoded extend code.
    let ev = read(
        &corpus().join(
            "setupdiag/msdocs_sample_SetupDiagResults_OptionalComponentOpenPackageFailed.log",
        ),
        Retention::default(),
    );
    let msg = &ev.events()[0].message;
    assert!(msg.contains("Remediation: Recommend you check the \"Windows Modules Installer\""));
    assert!(msg.contains("extend code 0x50015: phase 5 (uninstall), operation 0x15 (create file)"));
}

#[test]
fn xml_sample_declares_utf16_but_is_utf8() {
    let s =
        summarise(&corpus().join("setupdiag/msdocs_sample_SetupDiagResults_FindSPFatalError.xml"));
    assert_eq!(s.encoding.as_deref(), Some("utf-8"));
    assert!(s.events[0].contains("\"rule\":\"FindSPFatalError\""));
    // `Error: 0x00000057` is the Win32 error 87.
    assert!(s.codes.contains_key("0x80070057"));
    assert!(s.events[0].starts_with("2019-06-06T21:47:11 | error"));
    assert!(
        s.facts
            .iter()
            .any(|f| f.contains("10.0.18908.1000") && f.contains("Amd64"))
    );
}

#[test]
fn synthetic_fixtures() {
    for name in [
        "synthetic_SetupDiagResults.json",
        "synthetic_SetupDiagResults_utf16.xml",
    ] {
        let s = summarise(&fixture(&format!("setupdiag/{name}")));
        assert_eq!(s.kind, "setupdiag", "{name}");
        assert_eq!(
            (s.records_ok, s.records_failed),
            (1, 0),
            "{name}: {:?}",
            s.issues
        );
        insta::assert_yaml_snapshot!(format!("setupdiag__{name}"), s);
    }
    let s = summarise(&fixture("setupdiag/synthetic_SetupDiagResults.json"));
    assert!(s.codes.contains_key("0xc1900101") && s.codes.contains_key("0x0004000d"));
    let s = summarise(&fixture("setupdiag/synthetic_SetupDiagResults_utf16.xml"));
    assert_eq!(s.encoding.as_deref(), Some("utf-16le"));
    assert!(s.codes.contains_key("0xc190020e"));
    assert!(s.facts.iter().any(|f| f.contains("X86")));
}
