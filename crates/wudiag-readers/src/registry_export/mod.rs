//! # Registry exports (`reg export`, regedit `.reg`)
//!
//! What admins attach and what `wudiag collect` writes: `reg export HKLM\… file.reg` produces UTF-16LE with
//! a BOM and the header `Windows Registry Editor Version 5.00` (older tools write `REGEDIT4`, 8-bit). A file
//! is a list of `[key]` sections, each followed by `"name"=data` lines: strings, `dword:`, `hex:` and
//! `hex(N):` (2 = expandable string, 7 = multi-string, b = qword, all UTF-16LE bytes), long hex values
//! continue on the next line after a trailing `\`. `[-key]` and `"name"=-` delete.
//!
//! One record = one key section. Values become typed facts (formats.md §12): OS identity, servicing stack
//! versions, CBS packages with `CurrentState`, pending-restart keys (each indicator named), Windows Update
//! policy (WUServer, UseWUServer, deferrals, pauses, DisableWUfBSafeguards, …), service start types, WSUS
//! client identity, WSUS server setup, Update Health Tools. A malformed value is a failed record with its
//! line; the rest of the file still counts.

pub mod extract;
pub mod parse;

use wudiag_evidence::{EvidenceBatch, Severity, Span};

use crate::text::{TextFormat, records};
use crate::{Format, Reading, Sniff};
use wudiag_evidence::SourceKind;

/// The `.reg` reader.
pub struct RegistryExport;

impl TextFormat for RegistryExport {
    fn starts_record(&self, line: &[u8]) -> bool {
        parse::starts_key(line)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        for rec in records(block, parse::starts_key) {
            match parse::parse_record(&rec) {
                Ok(None) => {}
                Ok(Some(key)) => {
                    for e in &key.errors {
                        batch.failed(
                            Span::line(e.line),
                            format!("registry value not understood: {}", e.message),
                        );
                    }
                    batch.count_plain(Severity::Info);
                    extract::extract(&key, batch);
                }
                Err(e) => batch.failed(rec.span(), e.message),
            }
        }
    }
}

fn sniff(s: &Sniff<'_>) -> u8 {
    match s.first_lines(1).next() {
        Some(l) if parse::is_header(l) => 95,
        Some(l) if l.starts_with("[HKEY_") && s.name.ends_with(".reg") => 40,
        _ if s.name.ends_with(".reg") => 20,
        _ => 0,
    }
}

/// The table row.
pub const FORMAT: Format = Format {
    kind: SourceKind::RegistryExport,
    name: "registry export (.reg)",
    sniff,
    read: Reading::Text(&RegistryExport),
};
