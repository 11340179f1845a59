//! The WSUS ClientWebService web.config: a synthetic fixture (the corpus has none), pinned.

mod formats_common;

#[allow(unused_imports)] // not every file uses every helper
use formats_common::*;

#[test]
fn synthetic_web_config() {
    let s = summarise(&fixture(
        "wsus_web_config/synthetic_ClientWebService_web.config",
    ));
    assert_eq!(s.kind, "wsus_web_config");
    assert_eq!((s.records_ok, s.records_failed), (2, 0), "{:?}", s.issues);
    assert_eq!(s.facts.len(), 1);
    assert!(s.facts[0].contains("max_installed_prerequisites: Some(400)"));
    assert!(
        s.facts[0].contains("/configuration/appSettings/add[@key='maxInstalledPrerequisites']")
    );
    insta::assert_yaml_snapshot!("wsus_web_config__synthetic_ClientWebService_web.config", s);
}
