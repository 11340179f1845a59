//! What `wudiag collect` gathers on Windows, and from where. Read-only: files are opened for reading with
//! shared read, registry keys and event logs are exported by Windows' own tools into our temp folder, and
//! the Service Control Manager is only queried.
//!
//! Written with std only, so it builds (and its tables are checked) everywhere; it runs on Windows.
// File names are lowercased before any extension test.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::bundle::BundleWriter;
use super::manifest::Outcome;
use super::tools::{ToolRun, elevated_from_whoami, parse_sc_query, run_tool, services_json};

/// Where things are on this machine.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    /// `%SystemRoot%` (`C:\Windows`).
    pub(crate) system_root: PathBuf,
    /// `%ProgramFiles%`.
    pub(crate) program_files: PathBuf,
    /// `%SystemDrive%\` (`C:\`).
    pub(crate) system_drive: PathBuf,
}

impl Machine {
    /// From the environment, with Windows' defaults.
    pub(crate) fn from_env() -> Self {
        let var = |n: &str, d: &str| {
            std::env::var_os(n)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(d), PathBuf::from)
        };
        let mut drive = var("SystemDrive", "C:").into_os_string();
        drive.push("\\");
        Self {
            system_root: var("SystemRoot", r"C:\Windows"),
            program_files: var("ProgramFiles", r"C:\Program Files"),
            system_drive: PathBuf::from(drive),
        }
    }

    fn system32(&self, exe: &str) -> PathBuf {
        let p = self.system_root.join("System32").join(exe);
        if p.is_file() { p } else { PathBuf::from(exe) }
    }
}

/// Registry keys exported (each with its subkeys), as `Registry/<name>.reg`. Which facts they feed:
/// wudiag-readers' registry_export/extract.rs.
pub(crate) const REG_KEYS: &[(&str, &str)] = &[
    (
        "WindowsUpdate-Policies",
        r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate",
    ),
    (
        "WindowsUpdate-CurrentVersion",
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate",
    ),
    (
        "WindowsUpdate-UpdatePolicy-UX",
        r"HKLM\SOFTWARE\Microsoft\WindowsUpdate",
    ),
    (
        "PolicyManager-current-Update",
        r"HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update",
    ),
    (
        "PolicyManager-default-Update",
        r"HKLM\SOFTWARE\Microsoft\PolicyManager\default\Update",
    ),
    ("Updates", r"HKLM\SOFTWARE\Microsoft\Updates"),
    (
        "WindowsNT-CurrentVersion",
        r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
    ),
    (
        "SessionManager",
        r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager",
    ),
    (
        "ComponentBasedServicing",
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing",
    ),
    (
        "UpdateServices-Server-Setup",
        r"HKLM\SOFTWARE\Microsoft\Update Services\Server\Setup",
    ),
    (
        "UpdateHealthTools",
        r"HKLM\SOFTWARE\Microsoft\UpdateHealthTools",
    ),
    (
        "Uninstall",
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
    ),
];

/// Services whose keys are exported (start type), as `Registry/Service-<name>.reg`.
pub(crate) const SERVICE_KEYS: &[&str] = &[
    "wuauserv",
    "bits",
    "cryptsvc",
    "TrustedInstaller",
    "wlidsvc",
    "UsoSvc",
    "WaaSMedicSvc",
    "DoSvc",
    "uhssvc",
    "WsusService",
    "W3SVC",
];

/// Event log channels exported, as `EventLogs/<file>.evtx` (Windows' own file names).
pub(crate) const CHANNELS: &[(&str, &str)] = &[
    ("System", "System"),
    ("Application", "Application"),
    ("Setup", "Setup"),
    (
        "Microsoft-Windows-WindowsUpdateClient/Operational",
        "Microsoft-Windows-WindowsUpdateClient%4Operational",
    ),
];

/// ConfigMgr client logs about software updates (each with its rotated copies `<name>-<date>.log`).
const CCM_LOGS: &[&str] = &[
    "wuahandler",
    "updatesdeployment",
    "updateshandler",
    "updatesstore",
    "scanagent",
    "cas",
    "contenttransfermanager",
    "datatransferservice",
    "locationservices",
    "policyagent",
    "statemessage",
    "servicewindowmanager",
    "rebootcoordinator",
    "cidownloader",
    "ciagent",
    "execmgr",
];

/// IIS and HTTP.sys logs taken per folder: the newest ones only.
const NEWEST_IIS_LOGS: usize = 7;

const REG_LIMIT: Duration = Duration::from_secs(180);
const EVT_LIMIT: Duration = Duration::from_secs(300);
const SC_LIMIT: Duration = Duration::from_secs(60);
const PS_LIMIT: Duration = Duration::from_secs(300);

/// Whether this process is elevated (None: could not tell).
pub(crate) fn elevated(m: &Machine, tmp: &Path) -> Option<bool> {
    let run = run_tool(
        &m.system32("whoami.exe"),
        &["/groups"],
        tmp,
        Duration::from_secs(30),
    )
    .ok()?;
    if !run.ok() {
        return None;
    }
    elevated_from_whoami(&super::tools::decode_console(&run.stdout))
}

/// Gathers everything into `b`, using `tmp` for tool outputs. `step` is told what is being looked at.
pub(crate) fn gather(b: &mut BundleWriter, m: &Machine, tmp: &Path, step: &mut dyn FnMut(&str)) {
    let root = &m.system_root;

    step("registry");
    for (name, key) in REG_KEYS {
        reg_export(
            b,
            m,
            tmp,
            &format!("registry: {name}"),
            key,
            &format!("Registry/{name}.reg"),
        );
    }
    for svc in SERVICE_KEYS {
        let key = format!(r"HKLM\SYSTEM\CurrentControlSet\Services\{svc}");
        reg_export(
            b,
            m,
            tmp,
            &format!("registry: service {svc}"),
            &key,
            &format!("Registry/Service-{svc}.reg"),
        );
    }

    step("service states");
    services(b, m, tmp);

    step("CBS and DISM logs");
    copy_folder(
        b,
        "CBS logs",
        &root.join(r"Logs\CBS"),
        "Logs/CBS",
        &|_| true,
        None,
    );
    copy_folder(
        b,
        "DISM logs",
        &root.join(r"Logs\DISM"),
        "Logs/DISM",
        &|_| true,
        None,
    );

    step("Windows Update logs");
    let etl_dir = root.join(r"Logs\WindowsUpdate");
    let has_etl = copy_folder(
        b,
        "Windows Update ETL traces",
        &etl_dir,
        "Logs/WindowsUpdate",
        &|n| n.ends_with(".etl"),
        None,
    ) > 0;
    let decoded = if has_etl {
        decode_windows_update_log(b, m, tmp)
    } else {
        false
    };
    let classic = if decoded {
        "WindowsUpdate.classic.log"
    } else {
        "WindowsUpdate.log"
    };
    b.add_file(
        "WindowsUpdate.log (classic)",
        &root.join("WindowsUpdate.log"),
        classic,
    );
    b.add_file(
        "ReportingEvents.log",
        &root.join(r"SoftwareDistribution\ReportingEvents.log"),
        "SoftwareDistribution/ReportingEvents.log",
    );

    step("ConfigMgr client logs");
    let ccm = |n: &str| {
        (n.ends_with(".log") || n.ends_with(".lo_"))
            && CCM_LOGS.iter().any(|l| {
                n.strip_prefix(l)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('-'))
            })
    };
    copy_folder(
        b,
        "ConfigMgr client logs",
        &root.join(r"CCM\Logs"),
        "CCM/Logs",
        &ccm,
        None,
    );

    step("event logs");
    for (channel, file) in CHANNELS {
        event_log(b, m, tmp, channel, file);
    }

    step("WSUS server");
    let wsus = m.program_files.join("Update Services");
    if wsus.is_dir() {
        b.add_file(
            "WSUS ClientWebService web.config",
            &wsus.join(r"WebServices\ClientWebService\Web.config"),
            "WSUS/web.config",
        );
        copy_folder(
            b,
            "WSUS server logs",
            &wsus.join("LogFiles"),
            "WSUS/LogFiles",
            &|n| n.ends_with(".log"),
            None,
        );
        let iis = m.system_drive.join(r"inetpub\logs\LogFiles");
        match std::fs::read_dir(&iis) {
            Ok(sites) => {
                let mut dirs: Vec<PathBuf> = sites
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect();
                dirs.sort();
                for d in dirs {
                    let site = d
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    copy_folder(
                        b,
                        &format!("IIS logs {site}"),
                        &d,
                        &format!("IIS/{site}"),
                        &|n| n.ends_with(".log"),
                        Some(NEWEST_IIS_LOGS),
                    );
                }
            }
            Err(e) => b.record("IIS logs", &iis.display().to_string(), Outcome::from_io(&e)),
        }
        copy_folder(
            b,
            "HTTP.sys error logs",
            &root.join(r"System32\LogFiles\HTTPERR"),
            "IIS/HTTPERR",
            &|n| n.ends_with(".log"),
            Some(NEWEST_IIS_LOGS),
        );
    } else {
        b.record(
            "WSUS server files (web.config, WSUS and IIS logs)",
            &wsus.display().to_string(),
            Outcome::Absent {
                detail: "not a WSUS server (no Update Services folder)".into(),
            },
        );
    }
}

/// `reg.exe export KEY FILE /y` into `tmp`, then into the zip.
fn reg_export(
    b: &mut BundleWriter,
    m: &Machine,
    tmp: &Path,
    what: &str,
    key: &str,
    zip_path: &str,
) {
    let file = tmp.join("export.reg");
    let _ = std::fs::remove_file(&file);
    let args = [
        std::ffi::OsStr::new("export"),
        key.as_ref(),
        file.as_os_str(),
        "/y".as_ref(),
    ];
    tool_then_file(
        b,
        what,
        key,
        zip_path,
        &file,
        "reg.exe",
        run_tool(&m.system32("reg.exe"), &args, tmp, REG_LIMIT),
    );
    let _ = std::fs::remove_file(&file);
}

/// `wevtutil.exe epl CHANNEL FILE` (a read-only export of the channel) into `tmp`, then into the zip.
fn event_log(b: &mut BundleWriter, m: &Machine, tmp: &Path, channel: &str, file_name: &str) {
    let file = tmp.join(format!("{file_name}.evtx"));
    let _ = std::fs::remove_file(&file);
    let args = [
        std::ffi::OsStr::new("epl"),
        channel.as_ref(),
        file.as_os_str(),
    ];
    let source = format!("event log {channel} (wevtutil epl)");
    let zip_path = format!("EventLogs/{file_name}.evtx");
    let run = run_tool(&m.system32("wevtutil.exe"), &args, tmp, EVT_LIMIT);
    tool_then_file(
        b,
        &format!("event log {channel}"),
        &source,
        &zip_path,
        &file,
        "wevtutil.exe",
        run,
    );
    let _ = std::fs::remove_file(&file);
}

/// Records a tool's run: its output file into the zip when it succeeded and wrote one, else why not.
fn tool_then_file(
    b: &mut BundleWriter,
    what: &str,
    source: &str,
    zip_path: &str,
    file: &Path,
    tool: &str,
    run: std::io::Result<ToolRun>,
) -> bool {
    match run {
        Err(e) => {
            b.record(
                what,
                source,
                Outcome::Failed {
                    detail: format!("{tool} could not be started: {e}"),
                },
            );
            false
        }
        Ok(r) if !r.ok() => {
            b.record(what, source, r.failure(tool));
            false
        }
        Ok(_) if std::fs::metadata(file).map_or(true, |md| md.len() == 0) => {
            b.record(
                what,
                source,
                Outcome::Failed {
                    detail: format!("{tool} exited with code 0 but wrote no file"),
                },
            );
            false
        }
        Ok(_) => {
            // The item names its real source, not our temp copy.
            let ok = b.add_file(what, file, zip_path);
            if let Some(last) = b.last_item_mut() {
                source.clone_into(&mut last.source);
            }
            ok
        }
    }
}

/// `sc.exe queryex type= service state= all` → `Services/services.json`.
fn services(b: &mut BundleWriter, m: &Machine, tmp: &Path) {
    let what = "service states";
    let source = "sc.exe queryex type= service state= all";
    let args = ["queryex", "type=", "service", "state=", "all"];
    match run_tool(&m.system32("sc.exe"), &args, tmp, SC_LIMIT) {
        Err(e) => b.record(
            what,
            source,
            Outcome::Failed {
                detail: format!("sc.exe could not be started: {e}"),
            },
        ),
        Ok(r) if !r.ok() => b.record(what, source, r.failure("sc.exe")),
        Ok(r) => {
            let list = parse_sc_query(&super::tools::decode_console(&r.stdout));
            if list.is_empty() {
                b.record(
                    what,
                    source,
                    Outcome::Failed {
                        detail: "sc.exe listed no services".into(),
                    },
                );
            } else {
                b.add_bytes(
                    what,
                    source,
                    "Services/services.json",
                    services_json(&list, source).as_bytes(),
                );
            }
        }
    }
}

/// Windows 10 and later: `Get-WindowsUpdateLog -LogPath` decodes the ETL traces; best effort.
fn decode_windows_update_log(b: &mut BundleWriter, m: &Machine, tmp: &Path) -> bool {
    let what = "WindowsUpdate.log (decoded from the ETL traces by Get-WindowsUpdateLog)";
    let out = tmp.join("WindowsUpdate.log");
    let ps = m
        .system_root
        .join(r"System32\WindowsPowerShell\v1.0\powershell.exe");
    let ps = if ps.is_file() {
        ps
    } else {
        PathBuf::from("powershell.exe")
    };
    // The path is passed in single quotes; a quote inside it is doubled, PowerShell's escape.
    let command = format!(
        "Get-WindowsUpdateLog -LogPath '{}' | Out-Null",
        out.display().to_string().replace('\'', "''")
    );
    let args = [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-Command",
        command.as_str(),
    ];
    let source = "powershell.exe Get-WindowsUpdateLog";
    tool_then_file(
        b,
        what,
        source,
        "WindowsUpdate.log",
        &out,
        "powershell.exe",
        run_tool(&ps, &args, tmp, PS_LIMIT),
    )
}

/// Copies the files of `dir` (not its subfolders) whose lowercase name passes `keep`, the `newest` most
/// recent only when given. Records the folder as absent / denied when it cannot be listed, and as absent when
/// nothing in it matched. Returns how many files were collected.
fn copy_folder(
    b: &mut BundleWriter,
    what: &str,
    dir: &Path,
    zip_dir: &str,
    keep: &dyn Fn(&str) -> bool,
    newest: Option<usize>,
) -> usize {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            b.record(what, &dir.display().to_string(), Outcome::from_io(&e));
            return 0;
        }
    };
    let mut files: Vec<(PathBuf, String, Option<std::time::SystemTime>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let modified = e.metadata().ok().and_then(|md| md.modified().ok());
            (e.path(), name, modified)
        })
        .filter(|(_, name, _)| keep(&name.to_ascii_lowercase()))
        .collect();
    if let Some(n) = newest {
        files.sort_by_key(|f| std::cmp::Reverse(f.2));
        files.truncate(n);
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    if files.is_empty() {
        b.record(
            what,
            &dir.display().to_string(),
            Outcome::Absent {
                detail: "no matching files in the folder".into(),
            },
        );
        return 0;
    }
    files
        .iter()
        .filter(|(path, name, _)| b.add_file(what, path, &format!("{zip_dir}/{name}")))
        .count()
}

#[cfg(test)]
mod tests {
    use super::super::manifest::{MANIFEST_FORMAT, Manifest};
    use super::*;

    #[test]
    fn tables_have_unique_zip_names() {
        let mut names: Vec<String> = REG_KEYS
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.extend(
            SERVICE_KEYS
                .iter()
                .map(|s| format!("service-{}", s.to_ascii_lowercase())),
        );
        names.extend(CHANNELS.iter().map(|(_, f)| f.to_ascii_lowercase()));
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(REG_KEYS.iter().all(|(_, k)| k.starts_with(r"HKLM\")));
    }

    #[test]
    fn copy_folder_filters_and_records() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("Logs");
        std::fs::create_dir(&logs).unwrap();
        for (name, body) in [
            ("WUAHandler.log", "a"),
            ("WUAHandler-20240101-000000.log", "b"),
            ("Other.log", "c"),
            ("cas.lo_", "d"),
        ] {
            std::fs::write(logs.join(name), body).unwrap();
        }
        std::fs::create_dir(logs.join("sub")).unwrap();
        let out = dir.path().join("b.zip");
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            tool_version: "t".into(),
            computer: "c".into(),
            started: "s".into(),
            finished: String::new(),
            elevated: None,
            items: Vec::new(),
        };
        let mut b = BundleWriter::create(&out, manifest).unwrap();
        let ccm = |n: &str| {
            (n.ends_with(".log") || n.ends_with(".lo_"))
                && CCM_LOGS.iter().any(|l| {
                    n.strip_prefix(l)
                        .is_some_and(|r| r.starts_with('.') || r.starts_with('-'))
                })
        };
        assert_eq!(copy_folder(&mut b, "ccm", &logs, "CCM/Logs", &ccm, None), 3);
        assert_eq!(copy_folder(&mut b, "none", &logs, "X", &|_| false, None), 0);
        assert_eq!(
            copy_folder(
                &mut b,
                "gone",
                &dir.path().join("nope"),
                "Y",
                &|_| true,
                None
            ),
            0
        );
        assert_eq!(
            copy_folder(&mut b, "newest", &logs, "Z", &|_| true, Some(1)),
            1
        );
        let m = b.finish("f".into()).unwrap();
        let statuses: Vec<&str> = m.items.iter().map(|i| i.outcome.status()).collect();
        assert_eq!(
            statuses,
            [
                "collected",
                "collected",
                "collected",
                "absent",
                "absent",
                "collected"
            ]
        );
    }
}
