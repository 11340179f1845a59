//! `wudiag collect`: this machine's Windows Update evidence, read-only, into one zip with a manifest.
//!
//! * [`manifest`] and [`bundle`] (the zip) are platform-neutral and tested everywhere;
//! * [`tools`] runs Windows' own tools and parses what they print;
//! * [`gather`] says what is taken from where; it runs on Windows only.
//!
//! Nothing on the machine is changed: files are read with shared read, tools only export or query, and every
//! temporary file lives in one temp folder that is removed at the end.
// Only the zip and manifest code is used (by tests) off Windows.
#![cfg_attr(not(windows), allow(dead_code))]

pub(crate) mod bundle;
pub(crate) mod gather;
pub(crate) mod manifest;
pub(crate) mod tools;

use std::path::{Path, PathBuf};

use manifest::{MANIFEST_FORMAT, Manifest};

/// Now, UTC, RFC 3339 to the second.
pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}

/// This machine's name (`COMPUTERNAME`), made safe for a file name.
pub(crate) fn computer_name() -> String {
    let raw = std::env::var("COMPUTERNAME").unwrap_or_default();
    safe_file_part(&raw)
}

/// Letters, digits, `-` and `_` only; `unknown` when nothing is left.
pub(crate) fn safe_file_part(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('_');
    if trimmed.is_empty() {
        "unknown".into()
    } else {
        trimmed.chars().take(64).collect()
    }
}

/// The default output name: `wudiag-<COMPUTERNAME>-<UTC yyyymmdd-hhmmss>.zip`.
pub(crate) fn default_output_name(computer: &str, now: jiff::Timestamp) -> String {
    format!("wudiag-{computer}-{}.zip", now.strftime("%Y%m%d-%H%M%S"))
}

/// An empty manifest for a run starting now.
pub(crate) fn new_manifest(computer: String) -> Manifest {
    Manifest {
        format: MANIFEST_FORMAT.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        computer,
        started: now_rfc3339(),
        finished: String::new(),
        elevated: None,
        items: Vec::new(),
    }
}

/// Collects this machine into `output`; `step` hears what is being looked at. Windows only in practice (the
/// gathering uses Windows' paths and tools); returns the manifest written.
pub(crate) fn collect_to(output: &Path, step: &mut dyn FnMut(&str)) -> anyhow::Result<Manifest> {
    use anyhow::Context as _;
    let tmp = tempfile::Builder::new()
        .prefix("wudiag-collect-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let machine = gather::Machine::from_env();
    let mut manifest = new_manifest(std::env::var("COMPUTERNAME").unwrap_or_default());
    manifest.elevated = gather::elevated(&machine, tmp.path());
    let mut b = bundle::BundleWriter::create(output, manifest)
        .with_context(|| format!("cannot create {}", output.display()))?;
    gather::gather(&mut b, &machine, tmp.path(), step);
    let written = b
        .finish(now_rfc3339())
        .with_context(|| format!("cannot finish {}", output.display()));
    // The temp folder goes whatever happened (TempDir removes it on drop; say so if that fails).
    if let Err(e) = tmp.close() {
        step(&format!("could not remove the temporary folder: {e}"));
    }
    written
}

/// The output path for `--output` (or the default name in the current folder).
pub(crate) fn output_path(given: Option<&Path>) -> PathBuf {
    given.map_or_else(
        || {
            PathBuf::from(default_output_name(
                &computer_name(),
                jiff::Timestamp::now(),
            ))
        },
        Path::to_path_buf,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_name_is_stable_and_safe() {
        let t: jiff::Timestamp = "2024-03-05T06:07:08Z".parse().unwrap();
        assert_eq!(
            default_output_name("PC-01", t),
            "wudiag-PC-01-20240305-060708.zip"
        );
        assert_eq!(safe_file_part("a/b\\c:d"), "a_b_c_d");
        assert_eq!(safe_file_part(""), "unknown");
        assert_eq!(safe_file_part("..."), "unknown");
        assert_eq!(safe_file_part("ÄÖ-x"), "-x");
    }

    #[test]
    fn manifest_starts_empty_and_dated() {
        let m = new_manifest("PC".into());
        assert_eq!(m.format, MANIFEST_FORMAT);
        assert!(m.items.is_empty());
        assert!(m.started.ends_with('Z'));
    }
}
