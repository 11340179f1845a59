//! The JSON report: a versioned wire format for scripts, SIEMs and fleet tooling.
//!
//! One run writes one JSON document (pretty-printed, UTF-8, ending in a newline). Its JSON Schema (draft
//! 2020-12) is published as `docs/report.schema.json`, and a test validates real reports against it.
//!
//! # Versioning
//!
//! `schema` is `"wudiag/report/v1"`. Within v1, fields are never renamed, removed or given another type;
//! new fields may appear, so consumers must ignore fields they do not know. A breaking change means
//! `wudiag/report/v2`.
//!
//! # The document
//!
//! ```json
//! {
//!   "schema": "wudiag/report/v1",
//!   "tool": {"name": "wudiag", "version": "0.1.0"},
//!   "summary": {
//!     "verdict": "wudiag: 1 error on Windows Server 2008 R2 (6.1.7601) — …",
//!     "errors": 1, "warnings": 0, "info": 1, "open": 1, "resolved": 1,
//!     "min_severity": "warning", "at_or_above_min_severity": 1,
//!     "sources": 3, "sources_read": 2, "sources_skipped": 1,
//!     "records_ok": 5120, "records_failed": 2
//!   },
//!   "machine": {"os": "Windows Server 2008 R2", "version": "6.1.7601", "arch": "x64",
//!               "servicing_stack": "6.1.7601.23505", "version_source": "CBS.log:3"},
//!   "sources": [{"path": "CBS.log", "kind": "cbs_log", "size": 285433, "encoding": "utf-8",
//!                "channel": null, "skipped": null, "container": null,
//!                "records_ok": 1999, "records_failed": 0, "events_kept": 40, "events_dropped": 1959,
//!                "by_severity": {"info": 1990, "warning": 5, "error": 4},
//!                "codes": {"0x800f080d": 3}}],
//!   "read_issues": [{"path": "dism.log", "line": 12, "location": "dism.log:12", "message": "…"}],
//!   "findings": [{
//!     "rule": "WSUS001", "name": "wsus-max-installed-prerequisites-too-low",
//!     "severity": "error", "confidence": "confirmed", "status": "open",
//!     "title": "…", "message": "…", "why": "…",
//!     "codes": ["0x80244007"], "updates": ["KB5035853"], "details": {"server": "…"},
//!     "evidence": [{"path": "WindowsUpdate.log", "line": 12, "location": "WindowsUpdate.log:12",
//!                   "excerpt": "…", "note": null}],
//!     "fixes": [{"title": "…", "applicability": "unsafe", "remedy": "raise-max-installed-prerequisites",
//!                "steps": ["Edit web.config on the WSUS server.", "cmd> iisreset"]}]
//!   }],
//!   "attempts": [{"update": "KB5035853", "kb": "KB5035853", "outcome": "failed",
//!                 "codes": ["0x80244007"], "first_seen": "2024-03-12T10:15:12", "last_seen": "…",
//!                 "steps": [{"time": "2024-03-12T10:15:12", "kind": "download_failed",
//!                            "code": "0x80244007", "path": "WindowsUpdate.log", "line": 12,
//!                            "location": "WindowsUpdate.log:12"}]}]
//! }
//! ```
//!
//! # Fields
//!
//! * `summary.verdict` is the first line of the text report. `at_or_above_min_severity` is the number of
//!   findings at or above `min_severity`; the process exits 1 when it is not zero.
//! * `machine`: every field is `null` when no source told. `version` drops a zero revision (`6.1.7601`);
//!   when only CBS package identities tell, it is the family alone (`6.1`).
//! * `sources[]`: every input found, including archives (`kind` `zip` or `cab`) and files wudiag does not
//!   read (`kind` `unknown`, with `skipped` saying why). `container` is the path of the archive a member
//!   came out of. `codes` maps every failure code seen in the source to its count. Records are always all
//!   counted; `events_dropped` are records counted but not kept in memory.
//! * `read_issues[]`: a record that did not parse, a damaged member, a truncated file. `line` is `null`
//!   when the issue is not about a line (an EVTX record, the file as a whole); `location` always says where.
//! * `findings[]`: most severe first, open before resolved. `severity` is `error`, `warning` or `info`;
//!   a resolved finding (a later success of the same update overcame it) has `status` `resolved` and
//!   severity `info`. `confidence` is `confirmed` (the evidence states it), `likely` or `possible`. `why` is
//!   the rule's one-line summary; `wudiag rule <rule>` prints its full documentation.
//! * `findings[].evidence[]`: primary first; `excerpt` is the line or value as written (log text: treat it
//!   as untrusted when you display it).
//! * `findings[].fixes[]`: safest first. `applicability` is `safe` (idempotent, reversible, no policy
//!   change, no data loss, no restart beyond a service), `unsafe` (probably right, but changes
//!   configuration or discards state) or `display-only` (a human must judge). A step that starts with
//!   `cmd> ` or `PS> ` is a command for an elevated `cmd.exe` or Windows PowerShell (the rest of the string
//!   is the command exactly as pasted); any other step is prose.
//! * `attempts[]`: what happened to each update across all sources. `outcome` is `succeeded`, `failed`,
//!   `recovered_after_failure` or `unknown`; `steps[].kind` is one of `download_started`,
//!   `download_succeeded`, `download_failed`, `install_started`, `install_succeeded`, `install_failed`,
//!   `uninstall_succeeded`, `uninstall_failed`. Times are ISO 8601 as the log wrote them, with `Z` or an
//!   offset only when the zone is known (most Windows logs write local time without one).

use std::io::{self, Write};

use crate::model::Report;

/// Writes the report as one pretty-printed JSON document followed by a newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// The report as a JSON value.
pub fn to_value(report: &Report) -> serde_json::Value {
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}
