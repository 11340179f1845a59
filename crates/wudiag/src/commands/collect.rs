//! `wudiag collect`: gathers this machine's Windows Update evidence, read-only, into one zip with a
//! `manifest.json` (what was collected, what was not and why). Windows only; the code lives in
//! `src/collect/` (platform-neutral zip and manifest, Windows gathering).

use std::io::Write;
use std::path::PathBuf;

use crate::ExitStatus;

#[path = "../collect/mod.rs"]
pub(crate) mod engine;

/// Arguments of `wudiag collect`.
///
/// Reads CBS/DISM logs, WindowsUpdate.log (or the ETL traces and their Get-WindowsUpdateLog decoding),
/// ReportingEvents.log, ConfigMgr client logs, event logs, registry keys, service states, and on a WSUS server
/// its web.config and IIS logs. Nothing on the machine is changed. Some evidence needs an elevated prompt; what
/// was skipped is listed in the manifest.
#[derive(Debug, clap::Args)]
pub(crate) struct CollectArgs {
    /// The zip to write (default: wudiag-<COMPUTERNAME>-<UTC time>.zip in the current folder).
    #[arg(long, short = 'o', value_name = "FILE.zip")]
    pub(crate) output: Option<PathBuf>,
}

#[cfg(not(windows))]
pub(crate) fn run(_args: &CollectArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("collect runs on Windows; copy the logs and use `wudiag analyze PATH`")
}

#[cfg(windows)]
pub(crate) fn run(args: &CollectArgs) -> anyhow::Result<ExitStatus> {
    let output = engine::output_path(args.output.as_deref());
    let manifest = collect_with_messages(&output)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", output.display())?;
    let _ = manifest;
    Ok(ExitStatus::Success)
}

/// Collects into `output`, telling stderr what it is doing and, at the end, what it got.
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) fn collect_with_messages(
    output: &std::path::Path,
) -> anyhow::Result<engine::manifest::Manifest> {
    let mut err = std::io::stderr();
    let manifest = engine::collect_to(output, &mut |s| {
        let _ = writeln!(err, "wudiag: collecting {s}…");
    })?;
    let (ok, absent, denied, failed) = manifest.counts();
    let mut err = std::io::stderr();
    let _ = writeln!(
        err,
        "wudiag: wrote {}: {ok} items collected, {absent} absent, {denied} access denied, {failed} failed (see manifest.json)",
        output.display()
    );
    if denied > 0 && manifest.elevated != Some(true) {
        let _ = writeln!(
            err,
            "wudiag: run from an elevated prompt to collect what was denied"
        );
    }
    Ok(manifest)
}

/// `wudiag analyze` with no path: collects this machine into `%TEMP%\wudiag-live-<pid>-<time>.zip` and returns
/// it, for the same offline pipeline as any bundle. The zip deletes itself: a handle opened with
/// FILE_FLAG_DELETE_ON_CLOSE (and shared read/write/delete, so the readers can open it) is kept open until the
/// process ends, when Windows closes it and removes the file — also after an error or a crash.
#[cfg(windows)]
pub(crate) fn collect_live() -> anyhow::Result<PathBuf> {
    use std::os::windows::fs::OpenOptionsExt;

    use anyhow::Context as _;
    const FILE_FLAG_DELETE_ON_CLOSE: u32 = 0x0400_0000;
    const GENERIC_READ: u32 = 0x8000_0000;
    const DELETE: u32 = 0x0001_0000;

    let name = format!(
        "wudiag-live-{}-{}.zip",
        std::process::id(),
        jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S")
    );
    let output = std::env::temp_dir().join(name);
    collect_with_messages(&output)?;
    let keep = std::fs::OpenOptions::new()
        .access_mode(GENERIC_READ | DELETE)
        .share_mode(0x1 | 0x2 | 0x4)
        .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
        .open(&output);
    match keep {
        // Deliberately never closed by us: closing it (at exit) deletes the zip.
        Ok(f) => std::mem::forget(f),
        Err(e) => {
            let _ = std::fs::remove_file(&output);
            return Err(e).with_context(|| format!("cannot keep {} for reading", output.display()));
        }
    }
    Ok(output)
}
