//! IIS W3C and HTTP.sys error logs: synthetic fixtures (the corpus has none), pinned per file, and the
//! retention rule that keeps WSUS errors and drops successful requests.

mod formats_common;

#[allow(unused_imports)] // not every file uses every helper
use formats_common::*;

#[test]
fn synthetic_iis_log() {
    let s = summarise(&fixture("iis_log/synthetic_u_ex240312.log"));
    assert_eq!(s.kind, "iis_log");
    assert_eq!((s.records_ok, s.records_failed), (10, 0), "{:?}", s.issues);
    assert_eq!(s.by_severity, [6, 2, 2]);
    // Kept: the 500.24.50 and the 503 (server errors) and the 404 under /Content/; the 404 on
    // /robots.txt and the successful requests are only counted.
    assert_eq!(s.kinds.get("http_request"), Some(&3));
    assert!(
        s.events
            .iter()
            .any(|e| e.contains("\"status\":500,\"substatus\":24,\"win32_status\":50"))
    );
    assert_eq!(s.codes.get("0x80070032"), Some(&1));
    // The second #Fields header (s-sitename added) is honoured.
    assert!(
        s.events
            .iter()
            .any(|e| e.contains("2024-03-12T06:12:40Z") && e.contains("site=W3SVC1234"))
    );
    insta::assert_yaml_snapshot!("iis__synthetic_u_ex240312.log", s);
}

#[test]
fn synthetic_httperr_log() {
    let s = summarise(&fixture("iis_log/synthetic_httperr1.log"));
    assert_eq!(s.kind, "iis_log");
    assert_eq!((s.records_ok, s.records_failed), (5, 0), "{:?}", s.issues);
    assert_eq!(s.kinds.get("http_request"), Some(&4));
    assert!(
        s.events
            .iter()
            .any(|e| e.contains("503 AppOffline pool=WsusPool"))
    );
    assert!(s.events.iter().any(|e| e.contains("QueueFull")));
    insta::assert_yaml_snapshot!("iis__synthetic_httperr1.log", s);
}

#[test]
fn full_retention_keeps_every_request() {
    let ev = read(&fixture("iis_log/synthetic_u_ex240312.log"), Retention::All);
    assert_eq!(ev.events().len(), 10);
    let ok = ev
        .events()
        .iter()
        .filter(|e| e.severity.as_str() == "info")
        .count();
    assert_eq!(ok, 6);
}
