//! A fixed run built by hand: a Windows 10 machine whose component store is damaged, with a failed
//! update, a recovered one, a log line carrying markup and a terminal escape, an unreadable archive member
//! and a few read issues. Every renderer is snapshotted on it, and the HTML screenshot script renders it.
#![allow(dead_code, unreachable_pub, missing_docs)]

use wudiag_evidence::{
    Arch, Event, EventKind, EventTime, Evidence, EvidenceBuilder, Fact, HResult, KbNumber, OsFact,
    ReadIssue, Retention, Severity, SourceInfo, SourceKind, Span, Version,
};
use wudiag_report::{Report, ReportOptions};
use wudiag_rules::{
    Applicability, Confidence, Context, Diagnosis, EvidenceRef, Finding, Fix, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// Corruption in the component store that DISM or SFC reported and could not repair.
    ///
    /// ## Why updates fail
    /// Updates are built from the files in the store; a damaged file stops every later update.
    pub TestStoreCorruption,
    id = "TST001", name = "test-store-corruption", area = Servicing, severity = Error,
}

declare_rule! {
    /// ## What it detects
    /// A restart that Windows is waiting for blocks further servicing.
    pub TestPendingRestart,
    id = "TST002", name = "test-pending-restart", area = System, severity = Warning,
}

declare_rule! {
    /// ## What it detects
    /// An update download was refused access.
    pub TestDownloadDenied,
    id = "TST003", name = "test-download-denied", area = Agent, severity = Error,
}

/// A hostile log line: markup and a terminal escape in what looks like a CBS record.
pub const HOSTILE: &str = "2023-05-23 10:40:00, Info CBS Exec: Processing complete <script>alert('pwned')</script> \u{1b}[2J session: 31033652_123";

fn at(y: i16, mo: i8, d: i8, h: i8, mi: i8, s: i8) -> Option<EventTime> {
    EventTime::civil(y, mo, d, h, mi, s, 0).map(EventTime::local)
}

#[allow(clippy::too_many_arguments)]
fn event(
    batch: &wudiag_evidence::EvidenceBatch,
    line: u64,
    time: Option<EventTime>,
    severity: Severity,
    kind: EventKind,
    message: &str,
    code: Option<u32>,
    kb: Option<u32>,
) -> Event {
    let mut e = Event {
        time,
        location: batch.at(Span::line(line)),
        severity,
        kind,
        ..Event::default()
    };
    e.set_message(message);
    if let Some(c) = code {
        e.add_code(HResult::new(c));
    }
    if let Some(k) = kb {
        e.add_kb(KbNumber::new(k));
    }
    e
}

/// The evidence of the fixed run.
pub fn evidence() -> Evidence {
    let mut b = EvidenceBuilder::new(Retention::Diagnostic);
    let mut cbs = SourceInfo::new(
        r"C:\Windows\Logs\CBS\CBS.log",
        SourceKind::CbsLog,
        1_425_121,
    );
    cbs.encoding = Some("utf-8".into());
    let cbs = b.add_source(cbs);
    let mut dism = SourceInfo::new(
        r"C:\Windows\Logs\DISM\dism.log",
        SourceKind::DismLog,
        162_063,
    );
    dism.encoding = Some("utf-8".into());
    let dism = b.add_source(dism);
    let mut wu = SourceInfo::new("WindowsUpdate.log", SourceKind::WindowsUpdateLog, 3_910_064);
    wu.encoding = Some("utf-8".into());
    let wu = b.add_source(wu);
    let zip = b.add_source(SourceInfo::new("bundle.zip", SourceKind::Zip, 52_000));
    let mut etl = SourceInfo::new(
        "bundle.zip!Logs/WindowsUpdate.20230523.etl",
        SourceKind::Unknown,
        1_048_576,
    );
    etl.skipped = Some(
        "binary ETW trace (.etl): decode it on Windows with Get-WindowsUpdateLog, then pass the text".into(),
    );
    etl.container = Some(zip);
    b.add_source(etl);

    let mut batch = b.batch(cbs);
    batch.fact(
        Fact::Os(OsFact {
            product: Some("Windows 10 Pro".into()),
            version: Some(Version([10, 0, 19045, 2965])),
            arch: Some(Arch::Amd64),
            ..OsFact::default()
        }),
        Span::line(3),
        "2023-05-23 10:36:01, Info CBS Build: 19041.1.amd64fre.vb_release.191206-1406",
    );
    batch.fact(
        Fact::ServicingStack(Version([10, 0, 19041, 2905])),
        Span::line(4),
        "2023-05-23 10:36:01, Info CBS Loaded Servicing Stack v10.0.19041.2905 with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.2905_none_7e2a1e6b3d5a4f6c\\cbscore.dll",
    );
    batch.record(event(
        &batch,
        120,
        at(2023, 5, 23, 10, 36, 12),
        Severity::Info,
        EventKind::InstallStarted,
        "Exec: Installing Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.2965.1.7 (KB5026039)",
        None,
        Some(5_026_039),
    ));
    batch.record(event(
        &batch,
        480,
        at(2023, 5, 23, 10, 49, 3),
        Severity::Error,
        EventKind::InstallFailed,
        "Failed to install Package_for_RollupFix (KB5026039) [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]",
        Some(0x800f_081f),
        Some(5_026_039),
    ));
    batch.record(event(
        &batch,
        8812,
        at(2023, 5, 23, 10, 52, 1),
        Severity::Error,
        EventKind::StoreCorruption {
            category: "Cannot repair member file".into(),
            item: "ntdll.dll".into(),
        },
        "Info CSI 00000bd8 [SR] Cannot repair member file [l:9]'ntdll.dll' of Microsoft-Windows-Kernel-Base, version 10.0.19041.2965, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} in the store, hash mismatch",
        None,
        None,
    ));
    batch.record(event(
        &batch,
        9001,
        at(2023, 5, 23, 11, 30, 0),
        Severity::Error,
        EventKind::InstallFailed,
        "Failed to install Package_for_RollupFix (KB5026039) [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]",
        Some(0x800f_081f),
        Some(5_026_039),
    ));
    batch.failed(
        Span::line(77),
        "line does not start with a timestamp and follows no record",
    );
    b.merge(batch);

    let mut batch = b.batch(wu);
    batch.record(event(
        &batch,
        1200,
        at(2023, 5, 23, 10, 15, 40),
        Severity::Error,
        EventKind::DownloadFailed,
        "*FAILED* [80070005] Download of update KB5025221 failed: access denied",
        Some(0x8007_0005),
        Some(5_025_221),
    ));
    batch.record(event(
        &batch,
        2210,
        at(2023, 5, 23, 11, 2, 10),
        Severity::Info,
        EventKind::DownloadSucceeded,
        "Download of update KB5025221 succeeded",
        None,
        Some(5_025_221),
    ));
    batch.record(event(
        &batch,
        2260,
        at(2023, 5, 23, 11, 9, 55),
        Severity::Info,
        EventKind::InstallSucceeded,
        "Installation of update KB5025221 succeeded",
        None,
        Some(5_025_221),
    ));
    b.merge(batch);

    let batch = b.batch(dism);
    b.merge(batch);
    b.issue(ReadIssue::whole(
        dism,
        "the file ends in the middle of a record (truncated copy?)",
    ));
    b.finish()
}

/// The findings of the fixed run, made with the test rules.
pub fn findings(ev: &Evidence) -> Vec<Finding> {
    let cbs = ev.sources().first().map(|s| s.id).unwrap_or_default();
    let dism = ev.sources().get(1).map(|s| s.id).unwrap_or_default();
    let wu = ev.sources().get(2).map(|s| s.id).unwrap_or_default();
    let loc = |source, line| wudiag_evidence::Location::new(source, Span::line(line));

    let mut corrupt = Finding::new(
        &TestStoreCorruption::META,
        Confidence::Confirmed,
        "Component store corruption that DISM could not repair",
        "DISM /RestoreHealth found 10 corruptions and repaired 0; the damaged payloads include ntdll.dll and FntCache.dll, and KB5026039 failed twice with 0x800f081f (no repair source).",
    );
    corrupt.codes.push(HResult::new(0x800f_081f));
    corrupt.updates.push(KbNumber::new(5_026_039));
    corrupt.evidence.push(EvidenceRef {
        location: loc(cbs, 8812),
        excerpt: "2023-05-23 10:52:01, Info                  CSI    00000bd8 [SR] Cannot repair member file [l:9]'ntdll.dll' of Microsoft-Windows-Kernel-Base, version 10.0.19041.2965, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} in the store, hash mismatch".into(),
        note: None,
    });
    corrupt.evidence.push(EvidenceRef {
        location: loc(dism, 552),
        excerpt: "2023-05-23 10:58:44, Info DISM DISM Package Manager: PID=8120 TID=7456 Total Detected Corruption: 10, Total Repaired Corruption: 0".into(),
        note: Some("the scan summary".into()),
    });
    corrupt.evidence.push(EvidenceRef {
        location: loc(cbs, 9001),
        excerpt: "2023-05-23 11:30:00, Error CBS Failed to install Package_for_RollupFix (KB5026039) [HRESULT = 0x800f081f - CBS_E_SOURCE_MISSING]".into(),
        note: None,
    });
    corrupt.fixes.push(Fix {
        title: "Repair the component store with DISM /RestoreHealth".into(),
        applicability: Applicability::Safe,
        steps: vec![
            "Scan the store first (read-only; it can take 10 to 30 minutes).".into(),
            "cmd> DISM /Online /Cleanup-Image /ScanHealth".into(),
            "Repair it; DISM fetches replacement files from Windows Update unless policy points it elsewhere.".into(),
            "cmd> DISM /Online /Cleanup-Image /RestoreHealth".into(),
        ],
        remedy: Some("restore-health".into()),
    });
    corrupt.fixes.push(Fix {
        title: "Repair it from a Windows image of the same build".into(),
        applicability: Applicability::DisplayOnly,
        steps: vec![
            "Mount an ISO of Windows 10 22H2 in the machine's language and note its drive letter (E: below).".into(),
            "PS> Mount-DiskImage -ImagePath 'C:\\ISO\\Win10_22H2_English_x64.iso'".into(),
            "cmd> DISM /Online /Cleanup-Image /RestoreHealth /Source:WIM:E:\\sources\\install.wim:6 /LimitAccess".into(),
            "See https://learn.microsoft.com/en-us/windows-hardware/manufacture/desktop/repair-a-windows-image for how to choose the source.".into(),
        ],
        remedy: Some("restore-health-with-source".into()),
    });

    let mut restart = Finding::new(
        &TestPendingRestart::META,
        Confidence::Likely,
        "A restart is pending from an earlier servicing operation",
        "CBS reported that a restart is still required (0x80070bc9) before more packages can be installed.",
    );
    restart.codes.push(HResult::new(0x8007_0bc9));
    restart.evidence.push(EvidenceRef {
        location: loc(cbs, 7001),
        excerpt: HOSTILE.into(),
        note: Some("a line as written in the log".into()),
    });
    restart.fixes.push(Fix {
        title: "Reset the Windows Update download cache".into(),
        applicability: Applicability::Unsafe,
        steps: vec![
            "cmd> net stop wuauserv".into(),
            "cmd> ren %windir%\\SoftwareDistribution SoftwareDistribution.old".into(),
            "cmd> net start wuauserv".into(),
            "Restart the machine, then install the update again.".into(),
        ],
        remedy: None,
    });

    let mut denied = Finding::new(
        &TestDownloadDenied::META,
        Confidence::Likely,
        "KB5025221 failed to download with 0x80070005, then installed",
        "The download was refused access at 10:15:40 and succeeded at 11:02:10 on a later try.",
    )
    .resolved();
    denied.codes.push(HResult::new(0x8007_0005));
    denied.updates.push(KbNumber::new(5_025_221));
    denied.evidence.push(EvidenceRef {
        location: loc(wu, 1200),
        excerpt: "*FAILED* [80070005] Download of update KB5025221 failed: access denied".into(),
        note: None,
    });
    denied.evidence.push(EvidenceRef {
        location: loc(wu, 2210),
        excerpt: "Download of update KB5025221 succeeded".into(),
        note: None,
    });

    wudiag_rules::engine::supersede(vec![denied, restart, corrupt])
}

/// The diagnosis of the fixed run.
pub fn diagnosis(ev: &Evidence) -> Diagnosis {
    let cx = Context::new(ev);
    Diagnosis {
        os: cx.os.clone(),
        attempts: cx.attempts.clone(),
        findings: findings(ev),
    }
}

/// The report of the fixed run, with a fixed tool version so snapshots do not move with releases.
pub fn report(min: Severity) -> Report {
    let ev = evidence();
    let dx = diagnosis(&ev);
    Report::new(
        &ev,
        &dx,
        &ReportOptions::default()
            .tool_version("0.0.0-test")
            .min_severity(min),
    )
}
