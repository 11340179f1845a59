//! The registry export reader on real exports (corpus), on a synthetic export with every value type and
//! every fact wudiag uses, and on broken exports (truncated, wrong header, garbage): read issues, no panic.

use std::path::Path;

use wudiag_evidence::{Evidence, PendingRebootIndicator, RegData, ServiceStartType, SourceKind};
use wudiag_readers::{ReadOptions, read_paths};
use wudiag_testdata::corpus_dir as corpus;

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.replace('\n', "\r\n").encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

fn read_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Evidence {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    read_paths(&[path], &ReadOptions::default())
}

#[test]
fn corpus_exports_give_policy_facts() {
    let c = corpus().join("reg_exports");
    let ev = read_paths(
        &[c.join("kernel-downgrade_WSUS.reg")],
        &ReadOptions::default(),
    );
    assert_eq!(ev.sources()[0].kind, SourceKind::RegistryExport);
    assert_eq!(ev.sources()[0].stats.records_failed, 0);
    let f = ev.facts();
    assert_eq!(
        f.policy_value("WUServer").unwrap().value.data,
        RegData::String("http://192.168.9.117:8530".into())
    );
    assert_eq!(
        f.policy_value("UseWUServer").unwrap().value.data,
        RegData::Dword(1)
    );

    let ev = read_paths(
        &[c.join("WinUtils_WindowsUpdate_UX_Settings.reg")],
        &ReadOptions::default(),
    );
    assert_eq!(ev.sources()[0].stats.records_failed, 0);
    // The trailing space in the value name is in the real export and must survive.
    let defer = ev
        .facts()
        .policy
        .iter()
        .find(|p| p.value.name.starts_with("DeferFeatureUpdatesPeriodInDays"))
        .unwrap();
    assert_eq!(defer.value.data, RegData::Dword(0x16d));
    assert!(matches!(
        ev.facts()
            .policy_value("SmartActiveHoursTimestamp")
            .unwrap()
            .value
            .data,
        RegData::Qword(_)
    ));
}

#[test]
fn synthetic_export_every_fact() {
    let dir = tempfile::tempdir().unwrap();
    let text = include_str!("fixtures/registry_export/machine.reg.txt");
    let ev = read_bytes(dir.path(), "machine.reg", &utf16le_with_bom(text));
    let s = &ev.sources()[0];
    assert_eq!(
        (s.kind, s.encoding.as_deref(), s.stats.records_failed),
        (SourceKind::RegistryExport, Some("utf-16le"), 0)
    );
    let f = ev.facts();
    let os: Vec<_> = f.os.iter().map(|o| o.value.clone()).collect();
    assert!(
        os.iter()
            .any(|o| o.version.map(|v| v.to_string()).as_deref() == Some("10.0.17763.5846")),
        "{os:?}"
    );
    assert!(
        os.iter()
            .any(|o| o.arch == Some(wudiag_evidence::Arch::Amd64))
    );
    let indicators: Vec<_> = f.pending_reboot.iter().map(|p| p.value.clone()).collect();
    assert_eq!(
        indicators,
        [
            PendingRebootIndicator::CbsRebootPending,
            PendingRebootIndicator::WindowsUpdateRebootRequired,
            PendingRebootIndicator::PendingFileRenameOperations
        ]
    );
    assert_eq!(f.servicing_stack[0].value.to_string(), "10.0.17763.5830");
    assert_eq!(f.installed_updates.len(), 2);
    assert!(
        f.installed_updates
            .iter()
            .any(
                |u| u.value.kb.map(|k| k.to_string()).as_deref() == Some("KB5037768")
                    && u.value.cbs_state == Some(0x70)
            )
    );
    assert_eq!(
        f.service("wlidsvc").unwrap().value.start_type,
        Some(ServiceStartType::Disabled)
    );
    assert_eq!(
        f.service("wuauserv").unwrap().value.start_type,
        Some(ServiceStartType::Manual)
    );
    assert_eq!(
        f.policy_value("DisableWUfBSafeguards").unwrap().value.data,
        RegData::Dword(1)
    );
    assert_eq!(
        f.policy_value("PausedQualityStatus").unwrap().value.data,
        RegData::Dword(1)
    );
    assert_eq!(f.wsus_client_identity.len(), 2);
    let wsus = &f.wsus_server[0].value;
    assert_eq!(
        (wsus.port, wsus.content_dir.as_deref()),
        (Some(8530), Some("D:\\WSUS"))
    );
    assert_eq!(
        f.update_health_tools[0]
            .value
            .map(|v| v.to_string())
            .as_deref(),
        Some("5.72.0.0")
    );
    // Every fact cites its line.
    let ssu = &f.servicing_stack[0];
    assert!(matches!(ssu.location.span, wudiag_evidence::Span::Lines { first, .. } if first > 20));
}

#[test]
fn broken_exports_give_read_issues_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let text = include_str!("fixtures/registry_export/machine.reg.txt");
    // Truncated in the middle of a continued hex value.
    let cut = text.find("6f,00,74,00").unwrap();
    let ev = read_bytes(dir.path(), "truncated.reg", &utf16le_with_bom(&text[..cut]));
    let s = &ev.sources()[0];
    assert_eq!(s.kind, SourceKind::RegistryExport);
    assert_eq!(s.stats.records_failed, 1);
    assert!(
        ev.read_issues()
            .iter()
            .any(|i| i.message.contains("truncated")),
        "{:?}",
        ev.read_issues()
    );
    assert!(
        ev.facts().pending_reboot.len() >= 2,
        "facts before the cut are kept"
    );

    // Wrong header but a .reg name: still read, the stray preamble is one failed record.
    let wrong = text.replace("Windows Registry Editor Version 5.00", "Registry Thing 9");
    let ev = read_bytes(dir.path(), "wrong.reg", wrong.as_bytes());
    let s = &ev.sources()[0];
    assert_eq!(s.kind, SourceKind::RegistryExport);
    assert_eq!(s.stats.records_failed, 1);
    assert!(!ev.facts().policy.is_empty());

    // Garbage values inside a key.
    let garbage = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"A\"=dword:zz\r\nnonsense\r\n\"B\"=hex(7):zz\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Y\r\n";
    let ev = read_bytes(dir.path(), "garbage.reg", garbage.as_bytes());
    assert_eq!(ev.sources()[0].stats.records_failed, 4);

    // Binary garbage named .reg is not a registry export.
    let ev = read_bytes(
        dir.path(),
        "bin.reg",
        &[0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0],
    );
    assert!(ev.sources()[0].stats.records_ok <= 1);
}
