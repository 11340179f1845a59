//! Issue #4's must-shows on the corpus (`testdata/corpus`, or `WUDIAG_CORPUS`). A missing corpus
//! fails these tests; it never skips them.

mod common;

use std::path::{Path, PathBuf};

use common::{check_contracts, corpus, run_paths};
use wudiag_evidence::Severity;
use wudiag_rules::{Diagnosis, Finding};

fn paths(rel: &[&str]) -> Vec<PathBuf> {
    let root = corpus();
    rel.iter()
        .map(|r| {
            let p = root.join(r);
            assert!(p.exists(), "corpus file missing: {}", p.display());
            p
        })
        .collect()
}

fn run(rel: &[&str]) -> Diagnosis {
    let (evidence, diagnosis) = run_paths(&paths(rel));
    check_contracts(&evidence, &diagnosis, &rel.join(" + "));
    diagnosis
}

fn summary(d: &Diagnosis) -> String {
    d.findings
        .iter()
        .map(|f| {
            format!(
                "  {} [{}] {}\n    {}",
                f.rule.id,
                f.severity.as_str(),
                f.title,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn find<'d>(d: &'d Diagnosis, rule: &str) -> &'d Finding {
    d.findings
        .iter()
        .find(|f| f.rule.id == rule)
        .unwrap_or_else(|| panic!("no {rule} finding; findings:\n{}", summary(d)))
}

/// Everything a finding says: title, message, fix titles and steps.
fn said(f: &Finding) -> String {
    let mut s = format!("{}\n{}\n", f.title, f.message);
    for fix in &f.fixes {
        s.push_str(&fix.title);
        s.push('\n');
        for step in &fix.steps {
            s.push_str(step);
            s.push('\n');
        }
    }
    s
}

fn assert_says(f: &Finding, words: &[&str]) {
    let text = said(f);
    for w in words {
        assert!(
            text.contains(w),
            "{} does not say `{w}`:\n{text}",
            f.rule.id
        );
    }
}

fn no_finding_at_or_above(d: &Diagnosis, sev: Severity, what: &str) {
    let bad: Vec<&Finding> = d.findings.iter().filter(|f| f.severity >= sev).collect();
    assert!(
        bad.is_empty(),
        "{what}: findings at {} or above:\n{}",
        sev.as_str(),
        summary(d)
    );
}

#[test]
fn windows7_classic_log_has_no_error() {
    let d = run(&["windowsupdate_log/win7sp1_classic_rkudache31_2021_WindowsUpdate.log"]);
    no_finding_at_or_above(&d, Severity::Error, "Windows 7 classic WindowsUpdate.log");
}

#[test]
fn loghub_cbs_sample_has_no_error() {
    let d = run(&["cbs/loghub_windows_2k_cbs.log"]);
    no_finding_at_or_above(&d, Severity::Error, "loghub CBS sample");
}

#[test]
fn healthy_baseline_has_no_warning() {
    let d = run(&[
        "windowsupdate_log/win7sp1_classic_rkudache31_2021_WindowsUpdate.log",
        "cbs/loghub_windows_2k_cbs.log",
        "evtx/win10_22H2_tr_WindowsUpdateClient_Operational.evtx",
        "evtx/win10_2016-02_aaronthopliss_Setup.evtx",
        "evtx/win10_2016-09_sdkeagle_Setup.evtx",
        "reg_exports/kernel-downgrade_WSUS.reg",
        "reg_exports/WinUtils_WindowsUpdate_UX_Settings.reg",
        "systeminfo_qfe/wesng_validation/10_1809_x64_education_en-us_systeminfo.txt",
    ]);
    no_finding_at_or_above(&d, Severity::Warning, "healthy baseline");
}

#[test]
fn appostarsi_reports_store_corruption_and_repair_source() {
    let d = run(&[
        "cbs/win10_appostarsi_2023-05-23_CBS_payload_corrupt.log",
        "dism/win10_appostarsi_2023-05-23_dism.log",
    ]);
    let store = find(&d, "CBS001");
    assert!(store.severity >= Severity::Error, "{}", summary(&d));
    assert_says(
        store,
        &[
            "10 detected, 0 repaired",
            "ntdll.dll",
            "DISM /Online /Cleanup-Image /RestoreHealth",
        ],
    );
    let source = find(&d, "CBS002");
    assert!(
        source.codes.iter().any(|c| c.value() == 0x800F_081F),
        "{}",
        summary(&d)
    );
    assert!(
        source
            .fixes
            .iter()
            .any(|f| f.remedy.as_deref() == Some("restore-health-with-source")),
        "{}",
        summary(&d)
    );
    assert_says(source, &["0x800f081f", "/Source:WIM:", "/LimitAccess"]);
}

#[test]
fn configmgr_case_reports_0x87d00215_and_the_scan() {
    let d = run(&[
        "configmgr/sccm_client_2021-07_findingsanity_UpdatesDeployment.log",
        "configmgr/sccm_client_2021-07_findingsanity_UpdatesHandler.log",
        "configmgr/sccm_client_2021-07_findingsanity_UpdatesStore.log",
        "configmgr/sccm_client_2021-07_findingsanity_WUAHandler.log",
    ]);
    let f = d
        .findings
        .iter()
        .find(|f| f.codes.iter().any(|c| c.value() == 0x87D0_0215))
        .unwrap_or_else(|| panic!("no finding for 0x87d00215:\n{}", summary(&d)));
    assert_says(f, &["0x87d00215", "scan completed successfully"]);
}

/// Each `msdocs_*` / theorypc excerpt with a stated ground truth gets that cause.
#[test]
fn documented_excerpts_get_their_stated_cause() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "windowsupdate_log/theorypc_2016-10-31_win2008r2_install_KB3172605_80070308_excerpt.log",
            "CBS004",
            &["DerivedData", "0x80070308"],
        ),
        (
            "cbs/theorypc_2016-10-31_win2008r2_KB3172605_80070308_excerpt.log",
            "CBS004",
            &["DerivedData", "KB3172605", "S256H"],
        ),
        (
            "setupdiag/msdocs_sample_SetupDiagResults_OptionalComponentOpenPackageFailed.log",
            "SETUP001",
            &[
                "OptionalComponentOpenPackageFailed",
                "TrustedInstaller",
                "optional",
            ],
        ),
        (
            "wsus_server/msdocs_kb4535405_SoftwareDistribution_800B0109_excerpt.log",
            "WSUS012",
            &["KB4484071", "SHA-2"],
        ),
        (
            "wsus_server/msdocs_kb4535405_wsyncmgr_800B0109_excerpt.log",
            "WSUS012",
            &["KB4484071", "SHA-2"],
        ),
        (
            "checksur/sevenforums_tutorial108805_win7_CheckSUR_MUM_corrupt_excerpt_truncated.log",
            "CBS001",
            &["KB2079403", "CheckSUR"],
        ),
        (
            "windowsupdate_log/msdocs_0x80244007_symptom2_OtherCachedUpdateIDs_2015_excerpt.log",
            "WSUS001",
            &[
                "OtherCachedUpdateIDs",
                "Decline superseded",
                "maxCachedUpdates",
            ],
        ),
        (
            "cbs/msdocs_0x800f0831_KB3192392_manifest_missing_excerpt.log",
            "CBS001",
            &[
                "KB3192392",
                "Reinstall KB3192392",
                "catalog.update.microsoft.com",
            ],
        ),
        (
            "configmgr/msdocs_kb4517482_WSyncMgr_dotnet472_CI_Files_AK_excerpt.log",
            "WSUS013",
            &["CI_Files_AK", "KB4517482", "Decline"],
        ),
        (
            "windowsupdate_log/burkharttech_vista_2008_defender_GetCookie_80244022_excerpt.log",
            "WSUS003",
            &["cookie", "503"],
        ),
        (
            "windowsupdate_log/msdocs_win10_firewall_service_stopped_0x800706d9_0x80D0000A_excerpt.log",
            "SYS003",
            &["Firewall", "0x800706d9"],
        ),
    ];
    let mut failures = Vec::new();
    for (file, rule, words) in cases {
        let result = std::panic::catch_unwind(|| {
            let d = run(&[file]);
            let f = find(&d, rule);
            assert!(
                f.severity >= Severity::Warning,
                "{rule} is only {}",
                f.severity.as_str()
            );
            assert_says(f, words);
        });
        if let Err(e) = result {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{file}: {msg}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} excerpt(s) miss their cause:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The rows of `other/ground_truth_snippets.tsv`, written as the log they come from.
#[test]
fn ground_truth_snippets_get_their_stated_cause() {
    let root = corpus();
    let tsv = std::fs::read_to_string(root.join("other/ground_truth_snippets.tsv"))
        .expect("ground_truth_snippets.tsv");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ground_truth_snippets");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (n, row) in tsv.lines().skip(1).enumerate() {
        let cols: Vec<&str> = row.split('\t').collect();
        let (kind, text, cause) = (
            cols.get(1).copied().unwrap_or(""),
            cols.get(2).copied().unwrap_or(""),
            cols.get(3).copied().unwrap_or(""),
        );
        // (expected rule, words the finding must say) by the cause the row states.
        let (rule, words): (&str, &[&str]) = if cause.contains("DhcpServerRole") {
            ("CBS001", &["DhcpServerRole", "10.0.20348.2227"])
        } else if cause.contains("KB2479628") {
            ("CBS001", &["KB2479628"])
        } else if cause.contains("pending-reboot") {
            ("SYS001", &["0x80070bc9", "restart"])
        } else if cause.contains("GPO") {
            ("WSUS007", &["GPO", "http://server"])
        } else if cause.contains("Proxy misconfiguration") {
            (
                "NET002",
                &[
                    "WinHTTP proxy",
                    "0x8024401b",
                    "0x80244021",
                    "0x80240030",
                    "0x8024402c",
                ],
            )
        } else if cause.contains("client certificates") {
            ("WSUS005", &["client certificate"])
        } else if cause.contains("cookie") {
            ("WSUS003", &["cookie"])
        } else if cause.contains("has expired") {
            ("WSUS006", &["expired", "certificate"])
        } else if cause.contains("WsusPool") {
            ("WSUS003", &["WsusPool", "0x80240438"])
        } else if cause.contains("does not trust the SSL certificate") {
            ("WSUS004", &["certificate", "round trips"])
        } else if cause.contains("Event log provider") {
            ("CBS005", &["Microsoft-Windows-Store", "0x800f0922"])
        } else {
            failures.push(format!("row {}: no expectation for cause `{cause}`", n + 1));
            continue;
        };
        let lines: Vec<&str> = text.split(" | ").map(str::trim).collect();
        let (name, content) = match kind {
            "cbs" => (
                "CBS.log",
                lines
                    .iter()
                    .map(|l| if l.starts_with("20") { (*l).to_owned() } else { format!("2011-03-09 09:37:36, {l}") })
                    .collect::<Vec<_>>()
                    .join("\r\n"),
            ),
            "checksur" => ("CheckSUR.log", format!("=================================\r\nChecking System Update Readiness.\r\nBinary Version 6.1.7601.22471\r\nPackage Version 14.0\r\n2011-04-28 10:00\r\n\r\nChecking Windows Servicing Packages\r\n\r\nChecking Package Manifests and Catalogs\r\n{}\r\n", lines.first().copied().unwrap_or(""))),
            k if k.contains("WUAHandler") => (
                "WUAHandler.log",
                lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("<![LOG[{l}]LOG]!><time=\"10:15:1{i}.000+000\" date=\"03-12-2024\" component=\"WUAHandler\" context=\"\" type=\"3\" thread=\"100\" file=\"x.cpp:1\">"))
                    .collect::<Vec<_>>()
                    .join("\r\n"),
            ),
            "windowsupdate_log" if text.contains("burkharttech") => {
                let real = std::fs::read_to_string(root.join("windowsupdate_log/burkharttech_vista_2008_defender_GetCookie_80244022_excerpt.log")).expect("excerpt");
                ("WindowsUpdate.log", real)
            }
            "windowsupdate_log" => (
                "WindowsUpdate.log",
                lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("2024-03-12\t10:15:1{i}:000\t 880\t1160\tPT\tWARNING: {l}"))
                    .collect::<Vec<_>>()
                    .join("\r\n"),
            ),
            "symptom only" => (
                "CBS.log",
                "2025-10-15 02:10:00, Info                  CBS    Loaded Servicing Stack v10.0.14393.8340 with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.14393.8340_none_7c4d3d9a1b5e2f10\\cbscore.dll\r\n2025-10-15 02:31:13, Error                 CBS    Failed to execute execution chain. [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]".to_owned(),
            ),
            other => {
                failures.push(format!("row {}: unknown log kind `{other}`", n + 1));
                continue;
            }
        };
        let case_dir = dir.join(format!("row{:02}", n + 1));
        std::fs::create_dir_all(&case_dir).expect("row dir");
        let file = case_dir.join(name);
        std::fs::write(&file, format!("{content}\r\n")).expect("write row");
        checked += 1;
        let (_, d) = run_paths(&[file]);
        let said_ok = d.findings.iter().find(|f| f.rule.id == rule).map(|f| {
            let text = said(f).to_ascii_lowercase();
            (
                f.severity,
                words
                    .iter()
                    .filter(|w| !text.contains(&w.to_ascii_lowercase()))
                    .copied()
                    .collect::<Vec<_>>(),
            )
        });
        match said_ok {
            Some((sev, missing)) if sev >= Severity::Warning && missing.is_empty() => {}
            Some((sev, missing)) => failures.push(format!(
                "row {} ({rule}, {}): missing {missing:?}\n{}",
                n + 1,
                sev.as_str(),
                summary(&d)
            )),
            None => failures.push(format!(
                "row {}: no {rule} finding for `{text}`\n{}",
                n + 1,
                summary(&d)
            )),
        }
    }
    assert!(checked >= 11, "only {checked} rows checked");
    assert!(
        failures.is_empty(),
        "{} row(s) miss their cause:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
