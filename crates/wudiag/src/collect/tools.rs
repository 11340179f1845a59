//! Running Windows' own tools (reg.exe, wevtutil.exe, sc.exe, powershell.exe): bounded in time, output to
//! files in our temp folder (never pipes that a stuck child could fill), and parsing what they print.
//!
//! Platform-neutral std code: the parsers are tested on every OS; the tools run only on Windows.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::manifest::Outcome;

/// What a tool run gave.
#[derive(Debug)]
pub(crate) struct ToolRun {
    /// Exit code (None: killed after the time limit, or ended by a signal).
    pub(crate) code: Option<i32>,
    /// Whether it was stopped for taking too long.
    pub(crate) timed_out: bool,
    /// Its stdout, bytes as written.
    pub(crate) stdout: Vec<u8>,
    /// Its stderr, bytes as written.
    pub(crate) stderr: Vec<u8>,
}

impl ToolRun {
    /// Exited 0.
    pub(crate) const fn ok(&self) -> bool {
        matches!(self.code, Some(0))
    }

    /// The first non-empty line of stderr, else of stdout (decoded leniently), for the manifest.
    pub(crate) fn message(&self) -> String {
        for bytes in [&self.stderr, &self.stdout] {
            let text = decode_console(bytes);
            if let Some(line) = text.lines().map(str::trim).find(|l| !l.is_empty()) {
                return line.chars().take(300).collect();
            }
        }
        String::new()
    }

    /// The manifest outcome of a failed run of `tool`: absent / access denied when its message says so
    /// (English wording only; other languages are reported as failures with the tool's own message).
    pub(crate) fn failure(&self, tool: &str) -> Outcome {
        let msg = self.message();
        let how = if self.timed_out {
            "did not finish in time and was stopped".to_owned()
        } else {
            match self.code {
                Some(c) => format!("exited with code {c}"),
                None => "ended without an exit code".to_owned(),
            }
        };
        let detail = if msg.is_empty() {
            format!("{tool} {how}")
        } else {
            format!("{tool} {how}: {msg}")
        };
        let lower = msg.to_ascii_lowercase();
        if lower.contains("access is denied") || lower.contains("access denied") {
            Outcome::AccessDenied { detail }
        } else if !self.timed_out
            && (lower.contains("unable to find")
                || lower.contains("cannot find")
                || lower.contains("could not be found")
                || lower.contains("does not exist")
                || lower.contains("was not found"))
        {
            Outcome::Absent { detail }
        } else {
            Outcome::Failed { detail }
        }
    }
}

/// Console output: UTF-16LE when it looks like it (a BOM, or NULs in odd places), else UTF-8 with invalid
/// bytes replaced (OEM code pages degrade to replacement characters, which is fine for messages).
pub(crate) fn decode_console(bytes: &[u8]) -> String {
    let pairs = (bytes.len() / 2).min(64);
    let zeros = bytes
        .iter()
        .skip(1)
        .step_by(2)
        .take(pairs)
        .filter(|b| **b == 0)
        .count();
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || (pairs >= 2 && zeros * 2 >= pairs);
    if utf16 {
        let body = bytes.strip_prefix(&[0xFF, 0xFE]).unwrap_or(bytes);
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

static RUNS: AtomicU32 = AtomicU32::new(0);

/// Runs `program args…` with no stdin, stdout/stderr to files under `tmp`, for at most `limit`; a run that
/// overstays is killed (only the child we started). Err only when it could not be started.
pub(crate) fn run_tool<S: AsRef<OsStr>>(
    program: &Path,
    args: &[S],
    tmp: &Path,
    limit: Duration,
) -> io::Result<ToolRun> {
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    let out_path = tmp.join(format!("tool-{n}.out"));
    let err_path = tmp.join(format!("tool-{n}.err"));
    let spawned = File::create(&out_path).and_then(|out| {
        let err = File::create(&err_path)?;
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
    });
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&out_path);
            let _ = std::fs::remove_file(&err_path);
            return Err(e);
        }
    };
    let started = Instant::now();
    let (code, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (status.code(), false);
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let read = |p: &PathBuf| std::fs::read(p).unwrap_or_default();
    let run = ToolRun {
        code,
        timed_out,
        stdout: read(&out_path),
        stderr: read(&err_path),
    };
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    Ok(run)
}

/// One service as the Service Control Manager reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct ServiceState {
    /// Service (key) name as reported.
    pub(crate) name: String,
    /// Display name, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) display_name: Option<String>,
    /// `running`, `stopped`, `start_pending`, `stop_pending`, `continue_pending`, `pause_pending`, `paused`,
    /// or `unknown`.
    pub(crate) state: &'static str,
    /// The SERVICE_STATUS dwCurrentState number.
    pub(crate) state_code: Option<u32>,
}

/// The `state` word of a dwCurrentState number.
pub(crate) const fn state_word(code: u32) -> &'static str {
    match code {
        1 => "stopped",
        2 => "start_pending",
        3 => "stop_pending",
        4 => "running",
        5 => "continue_pending",
        6 => "pause_pending",
        7 => "paused",
        _ => "unknown",
    }
}

/// Parses `sc.exe queryex type= service state= all` (or `sc query`). The labels (`SERVICE_NAME`,
/// `DISPLAY_NAME`, `STATE`) are not translated; the state is taken from its number, which is the same in
/// every language.
pub(crate) fn parse_sc_query(text: &str) -> Vec<ServiceState> {
    let mut out: Vec<ServiceState> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some((label, value)) = line.split_once(':') else {
            continue;
        };
        let (label, value) = (label.trim(), value.trim());
        match label {
            "SERVICE_NAME" if !value.is_empty() => out.push(ServiceState {
                name: value.to_owned(),
                display_name: None,
                state: "unknown",
                state_code: None,
            }),
            "DISPLAY_NAME" => {
                if let Some(s) = out.last_mut() {
                    s.display_name = Some(value.to_owned());
                }
            }
            "STATE" => {
                if let Some(s) = out.last_mut() {
                    let code = value
                        .split_whitespace()
                        .next()
                        .and_then(|n| n.parse::<u32>().ok());
                    s.state_code = code;
                    s.state = code.map_or("unknown", state_word);
                }
            }
            _ => {}
        }
    }
    out
}

/// The `Services/services.json` document: a header, then one service per line (so a reader can cite the
/// line, and a truncated file still yields its complete lines). Read by wudiag-readers' `service_states`.
pub(crate) fn services_json(services: &[ServiceState], source: &str) -> String {
    let mut s = String::from("{\n\"format\": \"wudiag/service-states/v1\",\n");
    s.push_str("\"source\": ");
    s.push_str(&serde_json::Value::from(source).to_string());
    s.push_str(",\n\"services\": [\n");
    let lines: Vec<String> = services
        .iter()
        .filter_map(|svc| serde_json::to_string(svc).ok())
        .collect();
    s.push_str(&lines.join(",\n"));
    s.push_str("\n]\n}\n");
    s
}

/// Whether `whoami /groups` shows an elevated token: High (S-1-16-12288) or System (S-1-16-16384)
/// mandatory level; Medium or lower means not elevated; None when neither shows.
pub(crate) fn elevated_from_whoami(text: &str) -> Option<bool> {
    if text.contains("S-1-16-12288") || text.contains("S-1-16-16384") {
        Some(true)
    } else if text.contains("S-1-16-8192") || text.contains("S-1-16-4096") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SC: &str = "\r\nSERVICE_NAME: wuauserv\r\nDISPLAY_NAME: Windows Update\r\n        TYPE               : 20  WIN32_SHARE_PROCESS\r\n        STATE              : 4  RUNNING\r\n                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n        PID                : 1234\r\n\r\nSERVICE_NAME: wlidsvc\r\nDISPLAY_NAME: Microsoft-Kontoanmelde-Assistent\r\n        TYPE               : 20  WIN32_SHARE_PROCESS\r\n        STATE              : 1  BEENDET\r\n\r\nSERVICE_NAME: odd\r\n        STATE              : x\r\n";

    #[test]
    fn parses_sc_queryex_in_any_language() {
        let s = parse_sc_query(SC);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].name, "wuauserv");
        assert_eq!(s[0].display_name.as_deref(), Some("Windows Update"));
        assert_eq!(s[0].state, "running");
        assert_eq!(s[0].state_code, Some(4));
        assert_eq!(s[1].state, "stopped");
        assert_eq!(s[2].state, "unknown");
        assert!(parse_sc_query("garbage\n: :\nSTATE : 4 RUNNING\n").is_empty());
    }

    #[test]
    fn services_json_is_json_with_one_service_per_line() {
        let s = parse_sc_query(SC);
        let doc = services_json(&s, "sc.exe queryex type= service state= all");
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["format"], "wudiag/service-states/v1");
        assert_eq!(v["services"][1]["name"], "wlidsvc");
        assert_eq!(v["services"][1]["state"], "stopped");
        assert!(doc.lines().any(|l| l.starts_with("{\"name\":\"wuauserv\"")));
        let empty = services_json(&[], "x");
        let v: serde_json::Value = serde_json::from_str(&empty).unwrap();
        assert_eq!(v["services"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn failures_are_classified_by_message() {
        let run = |code, err: &str| ToolRun {
            code,
            timed_out: false,
            stdout: Vec::new(),
            stderr: err.as_bytes().to_vec(),
        };
        let absent = run(
            Some(1),
            "ERROR: The system was unable to find the specified registry key or value.\r\n",
        );
        assert_eq!(absent.failure("reg.exe").status(), "absent");
        assert_eq!(
            run(Some(1), "ERROR: Access is denied.")
                .failure("reg.exe")
                .status(),
            "access_denied"
        );
        let other = run(Some(15007), "");
        assert_eq!(
            other.failure("wevtutil.exe"),
            Outcome::Failed {
                detail: "wevtutil.exe exited with code 15007".into()
            }
        );
        let slow = ToolRun {
            code: None,
            timed_out: true,
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        assert!(
            matches!(slow.failure("powershell.exe"), Outcome::Failed { detail } if detail.contains("in time"))
        );
    }

    #[test]
    fn console_text_decodes_utf16_and_utf8() {
        let utf16: Vec<u8> = "Zugriff verweigert\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode_console(&utf16), "Zugriff verweigert\r\n");
        assert_eq!(decode_console(b"plain \xff text"), "plain \u{fffd} text");
        assert_eq!(decode_console(b""), "");
    }

    #[test]
    fn elevation_from_integrity_level() {
        assert_eq!(
            elevated_from_whoami("Mandatory Label\\High Mandatory Level Label S-1-16-12288"),
            Some(true)
        );
        assert_eq!(
            elevated_from_whoami("Mandatory Label\\Medium Mandatory Level Label S-1-16-8192"),
            Some(false)
        );
        assert_eq!(elevated_from_whoami(""), None);
    }

    #[cfg(unix)]
    #[test]
    fn run_tool_captures_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let r = run_tool(
            Path::new("/bin/sh"),
            &["-c", "echo out; echo err >&2; exit 3"],
            dir.path(),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(r.code, Some(3));
        assert_eq!(r.stdout, b"out\n");
        assert_eq!(r.message(), "err");
        let r = run_tool(
            Path::new("/bin/sh"),
            &["-c", "sleep 5"],
            dir.path(),
            Duration::from_millis(200),
        )
        .unwrap();
        assert!(r.timed_out);
        assert!(
            run_tool(
                Path::new("/no/such/tool"),
                &["x"],
                dir.path(),
                Duration::from_secs(1)
            )
            .is_err()
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
