//! Snapshots of every format on one fixed run, and the promises the formats make about hostile text.

mod common;

use wudiag_evidence::{EvidenceBuilder, Severity};
use wudiag_report::{Format, Report, ReportOptions, TextOptions};

fn render(format: Format, report: &Report) -> String {
    let mut out = Vec::new();
    wudiag_report::render(format, report, &mut out, false).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(render(Format::Text, &common::report(Severity::Warning)));
}

#[test]
fn text_snapshot_in_colour() {
    let report = common::report(Severity::Warning);
    let text = wudiag_report::text::to_string(
        &report,
        &TextOptions {
            color: true,
            width: 100,
        },
    );
    assert!(
        text.contains("[ERROR]\u{1b}[0m"),
        "the severity tag is painted"
    );
    // The escape in the hostile log line is shown, not sent: the only ESC bytes are our own SGR codes.
    for (i, _) in text.match_indices('\u{1b}') {
        let rest = &text[i + 1..];
        assert!(rest.starts_with('['), "stray escape at {i}");
        let end = rest.find('m').unwrap();
        assert!(
            rest[1..end]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b';'),
            "not an SGR code: {:?}",
            &rest[..end]
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render(Format::Json, &common::report(Severity::Warning)));
}

#[test]
fn html_snapshot() {
    insta::assert_snapshot!(render(Format::Html, &common::report(Severity::Warning)));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(render(Format::Markdown, &common::report(Severity::Warning)));
}

#[test]
fn empty_run_in_every_format() {
    let ev = EvidenceBuilder::default().finish();
    let dx = wudiag_rules::Diagnosis {
        os: wudiag_rules::OsSummary::default(),
        attempts: Vec::new(),
        findings: Vec::new(),
    };
    let report = Report::new(
        &ev,
        &dx,
        &ReportOptions::default().tool_version("0.0.0-test"),
    );
    assert!(!report.fails());
    let text = render(Format::Text, &report);
    insta::assert_snapshot!("empty_text", text);
    assert!(render(Format::Html, &report).contains("No open problem"));
    assert!(render(Format::Markdown, &report).starts_with("## wudiag: nothing to diagnose"));
}

#[test]
fn a_script_in_a_log_line_comes_out_escaped_in_html() {
    let html = render(Format::Html, &common::report(Severity::Warning));
    assert!(!html.contains("<script"), "raw <script> in the HTML report");
    assert!(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
    assert!(!html.contains('\u{1b}'));
    // No script, no remote load: the policy says so and nothing points outside.
    assert!(html.contains("default-src 'none'"));
    assert!(!html.contains("src=\"http"));
    assert!(!html.contains("<link"));
    // Every tag that opens a finding closes it.
    assert_eq!(
        html.matches("<article").count(),
        html.matches("</article>").count()
    );
}

#[test]
fn a_script_in_a_log_line_stays_in_code_in_markdown() {
    let md = render(Format::Markdown, &common::report(Severity::Warning));
    let pos = md
        .find("<script>")
        .expect("the excerpt is shown verbatim inside its fence");
    let before = &md[..pos];
    assert_eq!(
        before.matches("```").count() % 2,
        1,
        "the excerpt must sit inside a fence"
    );
    assert!(!md.contains('\u{1b}'));
}

#[test]
fn verdict_comes_first_and_names_the_problem() {
    let report = common::report(Severity::Warning);
    let text = render(Format::Text, &report);
    let first = text.lines().next().unwrap();
    assert_eq!(first, report.summary.verdict);
    assert!(first.starts_with("wudiag: 1 error, 1 warning on Windows 10 Pro (10.0.19045.2965) — "));
    assert!(first.contains("component store corruption that DISM could not repair"));
    assert!(report.fails());
}

#[test]
fn min_severity_moves_the_threshold_not_the_content() {
    let err = common::report(Severity::Error);
    assert_eq!(err.summary.at_or_above_min_severity, 1);
    assert!(err.summary.verdict.starts_with("wudiag: 1 error on "));
    assert_eq!(err.findings.len(), 3, "every finding is still listed");
    let info = common::report(Severity::Info);
    assert_eq!(info.summary.at_or_above_min_severity, 3);
}

#[test]
fn commands_stand_alone_on_their_lines() {
    let text = render(Format::Text, &common::report(Severity::Warning));
    for cmd in [
        "DISM /Online /Cleanup-Image /ScanHealth",
        "Mount-DiskImage -ImagePath 'C:\\ISO\\Win10_22H2_English_x64.iso'",
        "net stop wuauserv",
    ] {
        let line = text.lines().find(|l| l.contains(cmd)).unwrap();
        assert_eq!(line.trim(), cmd, "a command line holds the command only");
    }
    let md = render(Format::Markdown, &common::report(Severity::Warning));
    assert!(md.contains("```cmd\n   DISM /Online /Cleanup-Image /ScanHealth\n"));
    assert!(md.contains("```powershell\n"));
}

#[test]
fn text_lines_fit_a_terminal_except_commands() {
    let text = render(Format::Text, &common::report(Severity::Warning));
    for line in text.lines() {
        let n = line.chars().count();
        assert!(
            n <= 120 || line.starts_with("         "),
            "{n} columns: {line}"
        );
    }
}

#[test]
fn what_could_not_be_read_is_in_every_format() {
    let report = common::report(Severity::Warning);
    for format in [Format::Text, Format::Html, Format::Markdown, Format::Json] {
        let out = render(format, &report);
        assert!(out.contains("WindowsUpdate.20230523.etl"), "{format:?}");
        assert!(out.contains("truncated copy"), "{format:?}");
        assert!(out.contains("follows no record"), "{format:?}");
    }
}
