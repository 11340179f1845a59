//! # CheckSUR.log (System Update Readiness Tool)
//!
//! `%windir%\Logs\CBS\CheckSUR.log` (and `CheckSUR.persist.log`, which accumulates runs) is written by
//! the System Update Readiness Tool (KB947821) on Windows Vista, 7 and Server 2008 / 2008 R2: it checks
//! the servicing store, replaces damaged manifests and catalogs from its own payload, and lists what it
//! could not repair. On Windows 8 and later `DISM /RestoreHealth` took its place (its results land in
//! CBS.log).
//!
//! ## Layout
//! ```text
//! =================================
//! Checking System Update Readiness.
//! Binary Version 6.1.7600.20667
//! Package Version 8.0
//! 2010-08-13 13:26
//! Checking Windows Servicing Packages
//! Checking Package Manifests and Catalogs
//! (f)    CBS MUM Corrupt    0x800F0900    servicing\Packages\Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum    Line 1:
//! (fix)    CBS MUM Missing    CBS File Replaced    Package_1_for_KB2952664~….mum from Cabinet: C:\Windows\CheckSur\v1.0\….cab.
//! Summary:
//! Seconds executed: 264
//!  Found 2 errors
//!  Fixed 1 errors
//!   CBS MUM Corrupt Total count: 1
//!   Fixed: CBS MUM Missing.  Total count: 1
//! Unavailable repair files:
//!     servicing\packages\Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum
//! ```
//! A finding is `(f)` (found), `(fix)` (repaired) or `(w)` (warning), a category, a file-level code
//! (`0x00000002` file missing, `0x800F0900` manifest XML unreadable, `0x800B0100` no signature) and the
//! item. One time per run: the stamp under the header, without seconds.
//!
//! ## Quirks
//! * Copies on web pages turn the tabs into single spaces, so the hex code anchors the split between
//!   category and item; a Win32 code (`0x00000002`) is reported as its HRESULT (`0x80070002`).
//! * Files are small: read whole, which lets the summary's event carry the run's fixed count.
//! * The tool's `Binary Version` is built per OS release: its major.minor.build is kept as an OS fact.

pub mod extract;
pub mod parse;

use crate::Sniff;

/// Scores an input as CheckSUR.log: its title line (at the start of a line, not inside a CBS.log
/// message) or its finding rows.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let by_name = s.name.starts_with("checksur");
    let mut title = false;
    let mut findings = 0u32;
    let mut phases = 0u32;
    for line in s.first_lines(60) {
        let t = line.trim_end();
        if t == "Checking System Update Readiness." {
            title = true;
        } else if t.starts_with("(f)") || t.starts_with("(fix)") {
            findings += 1;
        } else if t.starts_with("Checking Package") || t.starts_with("Checking Component") {
            phases += 1;
        }
    }
    let content = if title {
        90
    } else if findings > 0 && phases > 0 {
        70
    } else {
        0
    };
    match (content, by_name) {
        (0, true) => 30,
        (c, true) => c + 5,
        (c, false) => c,
    }
}

pub use extract::read;
