//! What the seed guidance says must be in the catalogue, checked through the public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use wudiag_catalog::{Applicability, Catalog, Query, Status, render};
use wudiag_evidence::{HResult, Version};

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

#[test]
fn not_applicable_has_the_four_causes_of_the_seed() {
    let c = Catalog::embedded();
    let ex = c.explain("0x80240017", &Query::parse("0x80240017").unwrap());
    let ids: Vec<&str> = ex.causes.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "superseded",
            "already-installed",
            "wrong-architecture",
            "missing-prerequisite"
        ]
    );
    let text = render::explanation(&ex);
    assert!(
        text.contains("Get-HotFix KB3173424, KB2919355, KB2919442"),
        "{text}"
    );
    assert!(
        text.contains("The update is not applicable to your computer"),
        "{text}"
    );
}

#[test]
fn soap_fault_names_the_web_config_fix() {
    let c = Catalog::embedded();
    let ex = c.explain_hresult(HResult::new(0x8024_4007));
    let text = render::explanation(&ex);
    for needle in [
        "maxInstalledPrerequisites",
        "IISReset",
        "takeown /f web.config",
        "SyncUpdates_WithRecovery failed",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    let fix = c.remedy("wsus-raise-max-installed-prerequisites").unwrap();
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert!(
        fix.steps
            .iter()
            .flat_map(|s| s.run)
            .any(|cmd| *cmd == "IISReset")
    );
}

#[test]
fn remedies_say_which_windows_they_are_for() {
    let c = Catalog::embedded();
    let dism = c.remedy("restore-health").unwrap();
    let checksur = c.remedy("run-checksur").unwrap();
    for (os, dism_ok) in [
        ("6.1.7601", false),
        ("6.0.6002", false),
        ("6.2.9200", true),
        ("6.3.9600", true),
        ("10.0.17763", true),
    ] {
        assert_eq!(dism.applies_to(v(os)), dism_ok, "restore-health on {os}");
        assert_eq!(checksur.applies_to(v(os)), !dism_ok, "run-checksur on {os}");
    }
    let prereq = c.remedy("check-prerequisites").unwrap();
    let chain = |os: &str| {
        prereq
            .steps_for(v(os))
            .flat_map(|s| s.run)
            .any(|r| r.contains("KB2919355"))
    };
    assert!(chain("6.3.9600"));
    assert!(!chain("10.0.19045"));
    assert!(!chain("6.1.7601"));
    assert_eq!(
        c.remedy("reset-wu-components").unwrap().applicability,
        Applicability::Unsafe
    );
    assert_eq!(
        c.remedy("check-proxy-settings").unwrap().applicability,
        Applicability::Safe
    );
    assert_eq!(
        c.remedy("restart-pending-reboot").unwrap().applicability,
        Applicability::DisplayOnly
    );
}

#[test]
fn unknown_codes_still_get_the_facility_explanation() {
    let c = Catalog::embedded();
    let ex = c.explain_hresult(HResult::new(0x8024_F00F));
    assert_eq!(ex.status, Status::FacilityOnly);
    let f = ex.facility.as_ref().unwrap();
    assert_eq!(f.number, 36);
    assert!(f.range.as_ref().unwrap().name.contains("Reporter"));
    let ex = c.explain_hresult(HResult::new(0x8019_0194));
    assert_eq!(ex.decomposition.as_ref().unwrap().http_status, Some(404));
    let ex = c.explain_hresult(HResult::new(0x8765_4321));
    assert_eq!(ex.status, Status::Unknown);
    assert!(!render::explanation(&ex).is_empty());
}

#[test]
fn win32_and_winsock_numbers_resolve() {
    let c = Catalog::embedded();
    for (q, code, symbol) in [
        ("5", 0x8007_0005, "E_ACCESSDENIED"),
        ("0x5", 0x8007_0005, "E_ACCESSDENIED"),
        ("12002", 0x8007_2EE2, "WININET_E_TIMEOUT"),
        ("10060", 0x8007_274C, "WSAETIMEDOUT"),
        ("wu_e_not_applicable", 0x8024_0017, "WU_E_NOT_APPLICABLE"),
        ("-2145107961", 0x8024_4007, "WU_E_PT_SOAPCLIENT_SOAPFAULT"),
    ] {
        let ex = c.explain(q, &Query::parse(q).unwrap());
        assert_eq!(ex.status, Status::Known, "{q}");
        assert_eq!(ex.code.map(HResult::value), Some(code), "{q}");
        assert_eq!(ex.symbol, Some(symbol), "{q}");
    }
    let ex = c.explain("10060", &Query::parse("10060").unwrap());
    assert_eq!(ex.win32, Some(10060));
}

#[test]
fn every_text_rendering_fits_the_width_except_commands() {
    let c = Catalog::embedded();
    for e in c.codes() {
        let text = render::explanation(&c.explain_hresult(e.code));
        for line in text.lines() {
            let is_command = line.starts_with("          ");
            let long_word = line.split_whitespace().any(|w| w.chars().count() > 40);
            assert!(
                is_command || long_word || line.chars().count() <= render::WIDTH,
                "{}: line too long:\n{line}",
                e.code
            );
        }
    }
}
