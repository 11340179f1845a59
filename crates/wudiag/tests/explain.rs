//! `wudiag explain` and `wudiag catalog` as an admin runs them: output snapshots and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn wudiag(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_wudiag"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run wudiag");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// Runs `explain QUERY`, checks the exit code and snapshots stdout.
fn explain_snapshot(name: &str, query: &str, exit: i32) -> String {
    let run = wudiag(&["explain", query]);
    assert_eq!(run.code, exit, "explain {query}: stderr: {}", run.stderr);
    assert!(
        run.stderr.is_empty(),
        "explain {query}: unexpected stderr {}",
        run.stderr
    );
    insta::assert_snapshot!(name, run.stdout);
    run.stdout
}

#[test]
fn explain_soap_fault_names_the_wsus_fix() {
    let out = explain_snapshot("explain_0x80244007", "0x80244007", 0);
    assert!(out.contains("maxInstalledPrerequisites"));
    assert!(out.contains("IISReset"));
}

#[test]
fn explain_not_applicable_names_the_four_causes() {
    let out = explain_snapshot("explain_0x80240017", "0x80240017", 0);
    for cause in [
        "The update is superseded",
        "The update is already installed",
        "The package is for another Windows version or architecture",
        "A prerequisite update is missing",
    ] {
        assert!(out.contains(cause), "missing cause {cause}");
    }
    assert!(out.contains("Get-HotFix KB3173424, KB2919355, KB2919442"));
}

#[test]
fn explain_unsigned_decimal_from_wusa() {
    let out = explain_snapshot("explain_2149842967", "2149842967", 0);
    assert!(out.starts_with("0x80240017  WU_E_NOT_APPLICABLE"));
}

#[test]
fn explain_symbol_in_any_case() {
    let out = explain_snapshot("explain_wu_e_not_applicable", "wu_e_not_applicable", 0);
    assert!(out.starts_with("0x80240017  WU_E_NOT_APPLICABLE"));
}

#[test]
fn explain_bare_win32_code() {
    let out = explain_snapshot("explain_5", "5", 0);
    assert!(out.starts_with("0x80070005  E_ACCESSDENIED"));
    assert!(out.contains("5 (as HRESULT_FROM_WIN32: 0x80070005)"));
}

#[test]
fn explain_winhttp_code() {
    let out = explain_snapshot("explain_12002", "12002", 0);
    assert!(out.starts_with("0x80072ee2  WININET_E_TIMEOUT"));
    assert!(out.contains("ERROR_WINHTTP_TIMEOUT"));
}

#[test]
fn explain_winsock_code() {
    let out = explain_snapshot("explain_10060", "10060", 0);
    assert!(out.starts_with("0x8007274c  WSAETIMEDOUT"));
    assert!(out.contains("Failed to connect to Mux due to network or cert errors"));
}

#[test]
fn explain_free_text() {
    let out = explain_snapshot("explain_not_applicable", "not applicable", 0);
    assert!(
        out.lines().nth(1).unwrap().contains("0x80240017"),
        "the seed's code ranks first"
    );
}

#[test]
fn explain_mux_message() {
    let out = explain_snapshot("explain_mux", "mux", 0);
    assert!(out.contains("WSAETIMEDOUT"));
}

#[test]
fn explain_last_code_of_the_reporter_range() {
    // 0x8024FFFF is catalogued (WU_E_REPORTER_UNEXPECTED); the range context is shown too.
    let out = explain_snapshot("explain_0x8024ffff", "0x8024ffff", 0);
    assert!(out.contains("WU_E_REPORTER_UNEXPECTED"));
}

#[test]
fn explain_unknown_code_in_known_facility() {
    let out = explain_snapshot("explain_0x8024f00f", "0x8024f00f", 1);
    assert!(out.contains("What the facility tells"));
    assert!(out.contains("FACILITY_WINDOWSUPDATE"));
    assert!(out.contains("Reporter"));
}

#[test]
fn explain_json() {
    let run = wudiag(&["explain", "--format", "json", "0x800f081f"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "one JSON object per query, one per line"
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(value["symbol"], "CBS_E_SOURCE_MISSING");
    assert_eq!(value["code"], "0x800f081f");
    assert_eq!(value["status"], "known");
    insta::assert_json_snapshot!("explain_json_0x800f081f", value);
}

#[test]
fn explain_several_queries_and_flags_after_them() {
    let run = wudiag(&["explain", "0x80244007", "-2145107961", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let symbols: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["symbol"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        symbols,
        [
            "WU_E_PT_SOAPCLIENT_SOAPFAULT",
            "WU_E_PT_SOAPCLIENT_SOAPFAULT"
        ]
    );
    let run = wudiag(&["explain", "0x80244007", "qqqqzzzz"]);
    assert_eq!(
        run.code, 1,
        "a query that matched nothing makes the exit code 1"
    );
    assert!(run.stdout.contains("WU_E_PT_SOAPCLIENT_SOAPFAULT"));
}

#[test]
fn every_input_form_prints_the_right_symbol() {
    for (query, symbol) in [
        ("0x80244007", "WU_E_PT_SOAPCLIENT_SOAPFAULT"),
        ("80244007", "WU_E_PT_SOAPCLIENT_SOAPFAULT"),
        ("0X80244007", "WU_E_PT_SOAPCLIENT_SOAPFAULT"),
        ("-2145107961", "WU_E_PT_SOAPCLIENT_SOAPFAULT"),
        ("2149842967", "WU_E_NOT_APPLICABLE"),
        ("wu_e_not_applicable", "WU_E_NOT_APPLICABLE"),
        ("5", "E_ACCESSDENIED"),
        ("0x5", "E_ACCESSDENIED"),
        ("12002", "WININET_E_TIMEOUT"),
        ("10060", "WSAETIMEDOUT"),
    ] {
        let run = wudiag(&["explain", "--format", "json", query]);
        assert_eq!(run.code, 0, "{query}: {}", run.stderr);
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(value["symbol"], symbol, "{query}");
    }
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for (query, needle) in [
        ("0xZZZ", "not a hex code"),
        (
            "1234567890123456789012345678901234567890",
            "too many digits",
        ),
        ("", "empty query"),
    ] {
        let run = wudiag(&["explain", query]);
        assert_eq!(run.code, 2, "{query:?}");
        assert!(run.stdout.is_empty(), "{query:?}: nothing on stdout");
        assert_eq!(
            run.stderr.lines().count(),
            1,
            "{query:?}: one line, got {}",
            run.stderr
        );
        assert!(run.stderr.starts_with("wudiag: error: "), "{}", run.stderr);
        assert!(run.stderr.contains(needle), "{query:?}: {}", run.stderr);
    }
}

#[test]
fn catalog_check_passes() {
    let run = wudiag(&["catalog", "check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("catalogue OK"));
}

#[test]
fn catalog_list_json_lists_every_code() {
    let run = wudiag(&["catalog", "list", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let entries = value.as_array().unwrap();
    let from_tables = entries
        .iter()
        .filter(|e| !e["tables"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(from_tables, 923, "every code of the three knowledge tables");
    let soap = entries.iter().find(|e| e["code"] == "0x80244007").unwrap();
    assert_eq!(soap["symbol"], "WU_E_PT_SOAPCLIENT_SOAPFAULT");
    let text = wudiag(&["catalog", "list"]);
    assert_eq!(text.code, 0);
    assert_eq!(text.stdout.lines().count(), entries.len());
}
