//! `wudiag analyze`, `wudiag rules` and `wudiag rule` as a user runs them: exit codes, `--min-severity`,
//! `--output`, and stdout carrying the report and nothing else.
//!
//! The two logs are real: twelve lines of a Windows 11 WindowsUpdate.log whose downloads fail behind a
//! proxy (0x8024402C), and the first lines of a healthy Windows 7 WindowsUpdate.log. Both are copied from
//! the shared corpus (`windowsupdate_log/win11_23H2_debajyati_2024-04_WindowsUpdate.log` lines 4264-4275
//! and `windowsupdate_log/win7sp1_classic_rkudache31_2021_WindowsUpdate.log` lines 1-25; provenance in
//! its MANIFEST.tsv).
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const FAILING_LOG: &str = "\
2024-04-12 01:39:39.1247358 4972  12948 Misc            *FAILED* [80072EFE] WinHttp: SendRequestWithAuthRetry using proxy failed for <http://download.windowsupdate.com/d/msdownload/update/others/2024/04/41041432_d732ed6ffa7f56c311900bb14a6c3e0d20c2277a.cab>
2024-04-12 01:39:39.1279132 4972  12948 Agent           *FAILED* [80072EFE] wuauengcore.dll, C:\\__w\\1\\s\\src\\Client\\lib\\DownloadFile\\DownloadSession.cpp @776
2024-04-12 01:39:39.1279186 4972  12948 Misc            *FAILED* [80072EFE] Library download error. Will retry. Retry Counter: 0
2024-04-12 01:39:39.1334767 4972  12948 Misc            *FAILED* [8024402C] WinHttp: SendRequestWithAuthRetry using proxy failed for <http://download.windowsupdate.com/d/msdownload/update/others/2024/04/41041432_d732ed6ffa7f56c311900bb14a6c3e0d20c2277a.cab>
2024-04-12 01:39:39.1334855 4972  12948 Agent           *FAILED* [8024402C] wuauengcore.dll, C:\\__w\\1\\s\\src\\Client\\lib\\DownloadFile\\DownloadSession.cpp @776
2024-04-12 01:39:39.1334891 4972  12948 Misc            *FAILED* [8024402C] Library download error. Will retry. Retry Counter: 1
2024-04-12 01:39:39.1385901 4972  12948 Misc            *FAILED* [8024402C] WinHttp: SendRequestWithAuthRetry using proxy failed for <http://download.windowsupdate.com/d/msdownload/update/others/2024/04/41041432_d732ed6ffa7f56c311900bb14a6c3e0d20c2277a.cab>
2024-04-12 01:39:39.1385980 4972  12948 Agent           *FAILED* [8024402C] wuauengcore.dll, C:\\__w\\1\\s\\src\\Client\\lib\\DownloadFile\\DownloadSession.cpp @776
2024-04-12 01:39:39.1386012 4972  12948 Misc            *FAILED* [8024402C] Library download error. Will retry. Retry Counter: 2
2024-04-12 01:39:39.1435289 4972  12948 Misc            *FAILED* [8024402C] WinHttp: SendRequestWithAuthRetry using proxy failed for <http://download.windowsupdate.com/d/msdownload/update/others/2024/04/41041432_d732ed6ffa7f56c311900bb14a6c3e0d20c2277a.cab>
2024-04-12 01:39:39.1435375 4972  12948 Agent           *FAILED* [8024402C] wuauengcore.dll, C:\\__w\\1\\s\\src\\Client\\lib\\DownloadFile\\DownloadSession.cpp @776
2024-04-12 01:39:39.1435421 4972  12948 Agent           *FAILED* [80072EFE] wuauengcore.dll, C:\\__w\\1\\s\\src\\Client\\Engine\\ExternalCab\\ExternalCompressionProcessor.cpp @394
";

const HEALTHY_LOG: &str = "\
2021-08-28\t03:07:48:216\t 648\t13bc\tReport\tCWERReporter finishing event handling. (00000000)
2021-08-28\t03:07:48:216\t 648\t13bc\tService\t*********
2021-08-28\t03:07:48:216\t 648\t13bc\tService\t**  END  **  Service: Service exit [Exit code = 0x240001]
2021-08-28\t03:07:48:216\t 648\t13bc\tService\t*************
2021-08-28\t11:05:07:920\t 576\ta70\tMisc\t===========  Logging initialized (build: 7.6.7600.256, tz: +0530)  ===========
2021-08-28\t11:05:07:920\t 576\ta70\tMisc\t  = Process: C:\\Windows\\system32\\svchost.exe
2021-08-28\t11:05:07:920\t 576\ta70\tMisc\t  = Module: c:\\windows\\system32\\wuaueng.dll
2021-08-28\t11:05:07:920\t 576\ta70\tService\t*************
2021-08-28\t11:05:07:920\t 576\ta70\tService\t** START **  Service: Service startup
2021-08-28\t11:05:07:920\t 576\ta70\tService\t*********
2021-08-28\t11:05:08:029\t 576\ta70\tAgent\t  * WU client version 7.6.7600.256
2021-08-28\t11:05:08:029\t 576\ta70\tAgent\t  * Base directory: C:\\Windows\\SoftwareDistribution
2021-08-28\t11:05:08:029\t 576\ta70\tAgent\t  * Access type: No proxy
2021-08-28\t11:05:08:029\t 576\ta70\tAgent\t  * Network state: Connected
2021-08-28\t11:05:53:800\t 576\ta70\tReport\tCWERReporter::Init succeeded
2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t***********  Agent: Initializing Windows Update Agent  ***********
2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t***********  Agent: Initializing global settings cache  ***********
2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t  * WSUS server: <NULL>
2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t  * WSUS status server: <NULL>
2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t  * Target group: (Unassigned Computers)
2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t  * Windows Update access disabled: No
2021-08-28\t11:05:53:815\t 576\ta70\tDnldMgr\tDownload manager restoring 0 downloads
2021-08-28\t11:05:53:815\t 576\ta70\tAU\t###########  AU: Initializing Automatic Updates  ###########
2021-08-28\t11:05:53:815\t 576\ta70\tAU\t  # AU disabled through User preference
2021-08-28\t11:05:53:815\t 576\ta70\tAU\tInitializing featured updates
";

/// A folder with `failing/WindowsUpdate.log`, `healthy/WindowsUpdate.log` and `unknown/notes.txt`.
struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (sub, name, text) in [
            ("failing", "WindowsUpdate.log", FAILING_LOG),
            ("healthy", "WindowsUpdate.log", HEALTHY_LOG),
            (
                "unknown",
                "notes.txt",
                "Shopping list: milk, eggs, a new hard disk.\n",
            ),
        ] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join(name), text).unwrap();
        }
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

/// Runs wudiag in `cwd` with no colour preference set, stdout and stderr captured (so not a terminal).
fn wudiag_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wudiag"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .output()
        .unwrap()
}

fn wudiag(args: &[&str]) -> Output {
    wudiag_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{}", stdout(o)))
}

#[test]
fn a_failing_log_exits_1_and_stdout_holds_only_the_report() {
    let fx = Fixtures::new();
    let log = fx.path("failing/WindowsUpdate.log");
    let out = wudiag(&["analyze", log.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("wudiag: "),
        "the verdict comes first:\n{text}"
    );
    assert!(text.contains("[ERROR]"));
    assert!(text.contains("What we saw:"));
    assert!(text.contains("WindowsUpdate.log:"));
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    assert_eq!(stderr(&out), "", "nothing on stderr for a normal run");
}

#[test]
fn colour_follows_clicolor_force_and_no_color() {
    let fx = Fixtures::new();
    let log = fx.path("failing/WindowsUpdate.log");
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wudiag"));
        cmd.args(["analyze", log.to_str().unwrap()])
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        stdout(&forced).contains("\u{1b}["),
        "CLICOLOR_FORCE=1 paints"
    );
    let refused = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!stdout(&refused).contains('\u{1b}'), "NO_COLOR wins");
    // The words are the same either way.
    let plain = stdout(&refused);
    let painted = stdout(&forced);
    let mut stripped = String::new();
    let mut rest = painted.as_str();
    while let Some(i) = rest.find('\u{1b}') {
        stripped.push_str(&rest[..i]);
        let after = &rest[i..];
        rest = &after[after.find('m').unwrap() + 1..];
    }
    stripped.push_str(rest);
    assert_eq!(stripped, plain);
}

#[test]
fn a_healthy_log_exits_0() {
    let fx = Fixtures::new();
    let out = wudiag_in(&fx.path("healthy"), &["analyze", "WindowsUpdate.log"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stderr(&out), "");
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn min_severity_decides_the_exit_code() {
    let fx = Fixtures::new();
    for (log, expect_error_exit) in [
        ("failing/WindowsUpdate.log", 1),
        ("healthy/WindowsUpdate.log", 0),
    ] {
        let path = fx.path(log);
        let mut codes = Vec::new();
        for min in ["info", "warning", "error"] {
            let out = wudiag(&[
                "analyze",
                path.to_str().unwrap(),
                "--format",
                "json",
                "--min-severity",
                min,
            ]);
            let doc = json(&out);
            assert_eq!(doc["summary"]["min_severity"], min);
            let over = doc["summary"]["at_or_above_min_severity"].as_u64().unwrap();
            let expected = i32::from(over > 0);
            assert_eq!(
                code(&out),
                expected,
                "{log} at {min}: {over} findings at or above"
            );
            // Every finding is listed whatever the threshold.
            assert_eq!(
                doc["findings"].as_array().unwrap().len() as u64,
                doc["summary"]["errors"].as_u64().unwrap()
                    + doc["summary"]["warnings"].as_u64().unwrap()
                    + doc["summary"]["info"].as_u64().unwrap()
            );
            codes.push(code(&out));
        }
        // A higher threshold never turns a pass into a failure.
        assert!(codes.windows(2).all(|w| w[0] >= w[1]), "{log}: {codes:?}");
        assert_eq!(codes[2], expect_error_exit, "{log} at error");
    }
}

#[test]
fn json_on_stdout_is_the_library_report() {
    let fx = Fixtures::new();
    let dir = fx.path("failing");
    let out = wudiag(&["analyze", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(stderr(&out), "");
    let doc = json(&out);
    assert_eq!(doc["schema"], "wudiag/report/v1");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));

    // The same read, diagnosis and report through the libraries (validated against the published schema
    // by wudiag-report's tests).
    let ev = wudiag_readers::read_paths(&[dir], &wudiag_readers::ReadOptions::default());
    let dx = wudiag_report::rules::diagnose(&ev);
    let report = wudiag_report::Report::new(
        &ev,
        &dx,
        &wudiag_report::ReportOptions::default().tool_version(env!("CARGO_PKG_VERSION")),
    );
    assert_eq!(doc, wudiag_report::json::to_value(&report));
}

#[test]
fn output_writes_the_file_and_leaves_stdout_empty() {
    let fx = Fixtures::new();
    let log = fx.path("failing/WindowsUpdate.log");
    let out_dir = fx.path("reports");
    std::fs::create_dir_all(&out_dir).unwrap();
    for (format, file, starts) in [
        ("html", "report.html", "<!DOCTYPE html>"),
        ("json", "report.json", "{"),
        ("markdown", "report.md", "## wudiag: "),
        ("text", "report.txt", "wudiag: "),
    ] {
        let target = out_dir.join(file);
        let out = wudiag(&[
            "analyze",
            log.to_str().unwrap(),
            "--format",
            format,
            "--output",
            target.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{format}: stdout must stay empty");
        let written = std::fs::read_to_string(&target).unwrap();
        assert!(
            written.starts_with(starts),
            "{format}: {}",
            &written[..written.len().min(80)]
        );
        assert!(!written.contains('\u{1b}'), "{format}: no colour in files");
    }
    // Written whole, then moved into place: no temporary file is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["report.html", "report.json", "report.md", "report.txt"]
    );
}

#[test]
fn html_is_one_self_contained_page() {
    let fx = Fixtures::new();
    let log = fx.path("failing/WindowsUpdate.log");
    let out = wudiag(&["analyze", log.to_str().unwrap(), "--format", "html"]);
    let html = stdout(&out);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<link"));
    assert!(!html.contains("src=\"http"));
}

#[cfg(not(windows))]
#[test]
fn without_a_path_it_asks_for_one() {
    let out = wudiag(&["analyze"]);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn a_missing_path_is_an_error() {
    let fx = Fixtures::new();
    let out = wudiag_in(fx.dir.path(), &["analyze", "healthy", "no-such-folder"]);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(stderr(&out));
}

#[test]
fn input_nothing_reads_is_an_error_but_the_report_says_why() {
    let fx = Fixtures::new();
    let out = wudiag_in(fx.dir.path(), &["analyze", "unknown"]);
    assert_eq!(code(&out), 2);
    let text = stdout(&out);
    assert!(text.starts_with("wudiag: nothing to diagnose"), "{text}");
    assert!(text.contains("What we could not read:"));
    assert!(text.contains("notes.txt"));
    assert!(stderr(&out).starts_with("wudiag: error: nothing was diagnosed"));
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[test]
fn bad_arguments_exit_2() {
    let out = wudiag(&["analyze", ".", "--format", "pdf"]);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty());
    let out = wudiag(&["analyze", ".", "--min-severity", "fatal"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn rules_lists_every_registered_rule() {
    let out = wudiag(&["rules", "--format", "json"]);
    assert_eq!(code(&out), 0);
    let doc = json(&out);
    let list = doc.as_array().unwrap();
    let registry: Vec<_> = wudiag_report::rules::registry::all().collect();
    assert_eq!(list.len(), registry.len());
    assert!(
        registry.len() > wudiag_report::rules::registry::RULES.len(),
        "signatures are listed with the code rules"
    );
    let mut ids: Vec<&str> = list.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for (entry, meta) in list.iter().zip(&registry) {
        assert_eq!(entry["id"], meta.id);
        assert_eq!(entry["name"], meta.name);
        assert_eq!(entry["severity"], meta.severity.as_str());
        assert!(
            !entry["summary"].as_str().unwrap().is_empty(),
            "{}",
            meta.id
        );
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), list.len(), "rule ids are unique");

    let text = wudiag(&["rules"]);
    assert_eq!(code(&text), 0);
    for meta in &registry {
        assert!(stdout(&text).contains(meta.id));
    }
}

#[test]
fn rule_prints_its_doc_and_where_it_is_defined() {
    let Some(rule) = wudiag_report::rules::registry::RULES.first() else {
        return;
    };
    let meta = rule.meta();
    let out = wudiag(&["rule", &meta.id.to_ascii_lowercase()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&format!("{} {}", meta.id, meta.name)));
    let defined = text
        .lines()
        .find_map(|l| l.strip_prefix("defined in "))
        .expect("a `defined in` line");
    let (file, line) = defined.rsplit_once(':').unwrap();
    assert!(file.starts_with("crates/wudiag-rules/src/"), "{file}");
    assert_eq!(line, meta.line.to_string());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert!(root.join(file).is_file(), "{file} exists");
    assert!(text.contains("## What it detects"));
    // By name too.
    assert_eq!(code(&wudiag(&["rule", meta.name])), 0);
}

#[test]
fn an_unknown_rule_exits_2_with_one_line() {
    let out = wudiag(&["rule", "NOPE999"]);
    assert_eq!(code(&out), 2);
    assert!(out.stdout.is_empty());
    insta::assert_snapshot!(stderr(&out));
}

/// `wudiag analyze testdata/corpus --format json`: a valid report, and an exit code that agrees with it.
#[test]
fn the_shared_corpus_gives_a_consistent_report() {
    let corpus = wudiag_testdata::corpus_dir();
    let out = wudiag(&["analyze", corpus.to_str().unwrap(), "--format", "json"]);
    let doc = json(&out);
    let over = doc["summary"]["at_or_above_min_severity"].as_u64().unwrap();
    assert_eq!(code(&out), i32::from(over > 0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}
