//! # CBS.log (Component-Based Servicing)
//!
//! `%windir%\Logs\CBS\CBS.log` is what TrustedInstaller (Windows Modules Installer) writes while it
//! applies, removes and repairs packages: the log to read when an update fails to install or the
//! component store is damaged. When it grows past its size threshold it is rotated to
//! `CbsPersist_YYYYMMDDHHMMSS.log` and later compressed to a `.cab` of the same name (the bundle layer
//! opens the cab; its member arrives here as text). SFC and DISM `/ScanHealth`/`/RestoreHealth` runs write
//! here too: SFC's `[SR]` lines, the `(p)` corruption rows and the `Summary:` block.
//!
//! ## Layout
//! ```text
//! 2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\Windows\winsxs\…\cbscore.dll
//! 2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize (wcp.dll version 0.0.0.6) called (stack @0x7fed806eb5d …)
//! 2016-10-31 11:25:11, Error                 CBS    Exec: Failed to commit CSI transaction to execute changes. [HRESULT = 0x80070308 - ERROR_REQUEST_OUT_OF_SEQUENCE]
//! 2023-05-23 10:36:37, Info                  CBS    (p)    CSI Payload Corrupt    (n)            amd64_microsoft-windows-ntdll_…\ntdll.dll
//! 2023-05-23 10:36:37, Info                  CBS    Total Detected Corruption:    10
//! ```
//! Local time to the second and a comma; the level padded to 21 columns; the component (`CBS`, `CSI`,
//! `DISM`, `DPX`, `SXS`, `DEPLOY`, or blank) padded to 6; the message. CSI lines start with an 8-hex
//! sequence number, sometimes followed by `@` and the same instant in **UTC** (kept as
//! [`EventTime::utc`](wudiag_evidence::EventTime)).
//!
//! ## Records and quirks seen in the corpus
//! * A record is one event, whatever its number of lines. Lines without a timestamp continue the record
//!   before (`  Install (5): flags: 0 tlc: …`, ` Expected: {l:32 …}.` / ` Actual: …` after a hash
//!   mismatch, `[gle=0x80004005]`, `CSIPERF:…`).
//! * Windows 10 logs are CRLF with bare LFs inside multi-line records.
//! * CSI cuts records longer than its buffer into chunks, and each chunk gets a fresh `… Info CSI`
//!   header but no sequence number (`CSI    5): flags: 0 tlc: …`, `CSI    4eac12122ada0')`): such a
//!   chunk joins the record before, without a line break.
//! * Some Windows 11 writers leave the component column blank and indent their own message
//!   (`Info                           Device type: Desktop`).
//! * `findstr "[SR]"` extracts, as forum helpers produce them, put the source path before each line
//!   (`C:\Windows\Logs\CBS\CbsPersist_20230523160236.log:2023-05-23 01:17:29, Info …`) and add their own
//!   header lines: the prefix is skipped.
//! * Excerpts copied from web pages have no timestamps and blank lines between records (`Info CBS …`,
//!   even `sInfo CBS …`): every non-empty line is then a record, without time.
//! * `(stack @0xff83e97c …)` addresses on CSI lines look like failure codes; they are not read as codes.
//!
//! ## What is extracted
//! Severity is the record's own level (an `Info` line with `[HRESULT = 0x8…]` stays `Info`). Every
//! failure code, KB and package identity; `Loaded Servicing Stack v…` (servicing stack version, and the
//! OS major.minor.build it belongs to); store corruption (`(p)` rows, SFC `Cannot repair member file`,
//! hash mismatches, `Mark store corruption flag`, `STATUS_SXS_*`); the `Total Detected/Repaired
//! Corruption` summary; package install failures (`WER: Generating failure report for package`,
//! `Failed to … package <identity> [HRESULT = 0x8…]`); restarts required (`Reboot required: yes`,
//! poqexec registration, `ERROR_FAIL_REBOOT_REQUIRED`, `Reboot mark set`).
//!
//! ## Speed
//! A CBS.log can pass 1 GB. Per line the parser only checks the stamp at fixed columns and reads the
//! level word; one SIMD pass per block finds every `0x` and one Aho-Corasick pass finds the phrases
//! above and DISM's bare `HRESULT=`. An `Info` record with none of them is counted and not parsed
//! further (so the counters are the same whatever the retention: an `Info` line is searched for codes
//! only when a `0x…` failure code or a bare-code marker is on it; `Error`/`Warning` lines always are).
//! In [`Retention::Diagnostic`](wudiag_evidence::Retention) at most `MAX_PER_KEY` events of one shape
//! (kind, first code, severity, component) are built per block, plus the block's last one: exactly what
//! the evidence builder keeps. Facts are kept once per distinct value per block.

pub mod extract;
pub mod parse;

use wudiag_evidence::EvidenceBatch;

use crate::Sniff;
use crate::text::TextFormat;
use parse::{Dialect, excerpt_header_of, header_of, starts_record};

/// The CBS.log reader.
pub struct CbsLog;

impl TextFormat for CbsLog {
    fn starts_record(&self, line: &[u8]) -> bool {
        starts_record(line, Dialect::Cbs)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        extract::read_block(block, batch, Dialect::Cbs);
    }
}

/// Which servicing log a head looks like, with a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SniffVerdict {
    Cbs(u8),
    Dism(u8),
    None,
}

const CBS_COMPONENTS: &[&[u8]] = &[
    b"CBS",
    b"CSI",
    b"SXS",
    b"DPX",
    b"TI",
    b"DEPLOY",
    b"DRVSTORE",
    b"SQM",
];

/// Counts the components of the first lines: CBS.log and DISM.log share the layout and differ by which
/// component writes most lines. Other logs with the same prefix (Panther's setupact.log) have other
/// components and score 0.
pub(crate) fn sniff_servicing(s: &Sniff<'_>) -> SniffVerdict {
    let (mut cbs, mut dism, mut other) = (0u32, 0u32, 0u32);
    let (mut ex_cbs, mut ex_dism, mut ex_lines) = (0u32, 0u32, 0u32);
    let mut sfc_banner = false;
    for line in s.first_lines(200) {
        let l = line.as_bytes();
        if let Some(h) = header_of(l) {
            match h.component {
                b"" => {}
                b"DISM" => dism += 1,
                c if CBS_COMPONENTS.contains(&c) => cbs += 1,
                _ => other += 1,
            }
            continue;
        }
        if line.starts_with("Checking ") && line.contains("\\Logs\\CBS\\") {
            sfc_banner = true;
            continue;
        }
        ex_lines += 1;
        if let Some(h) = excerpt_header_of(l) {
            match h.component {
                b"DISM" => ex_dism += 1,
                c if CBS_COMPONENTS.contains(&c) => ex_cbs += 1,
                _ => {}
            }
        }
    }
    let stamped = cbs + dism + other;
    if stamped > 0 {
        let name_bonus = u8::from(s.name.starts_with("cbs") || s.name.starts_with("dism")) * 5;
        if dism > cbs && dism * 2 >= stamped {
            return SniffVerdict::Dism(90 + name_bonus);
        }
        if cbs >= dism && cbs * 2 >= stamped {
            return SniffVerdict::Cbs(90 + name_bonus);
        }
        return SniffVerdict::None;
    }
    // Excerpts: most non-empty lines must be `Level Component …` lines of the family.
    if ex_lines > 0 && (ex_cbs + ex_dism) * 2 >= ex_lines {
        return if ex_dism > ex_cbs {
            SniffVerdict::Dism(60)
        } else {
            SniffVerdict::Cbs(60)
        };
    }
    if sfc_banner {
        return SniffVerdict::Cbs(55);
    }
    SniffVerdict::None
}

/// True for a `.log` file name.
pub(crate) fn has_log_extension(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("log"))
}

/// Scores an input as CBS.log.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    if is_setup_log_name(s.name) {
        return 0;
    }
    let by_name = s.name.starts_with("cbs") && has_log_extension(s.name);
    match sniff_servicing(s) {
        SniffVerdict::Cbs(score) => score,
        SniffVerdict::Dism(_) => 0,
        SniffVerdict::None => {
            if by_name {
                30
            } else {
                0
            }
        }
    }
}

/// Windows Setup's own logs (`setupact.log`, `setuperr.log`) carry CBS-style stamps and CBS and DISM
/// lines; their name says what they are, and the Panther reader reads them.
pub fn is_setup_log_name(name: &str) -> bool {
    ["setupact", "setuperr"].iter().any(|n| name.starts_with(n))
}

/// The reader, for the `FORMATS` row.
pub static READER: CbsLog = CbsLog;

#[cfg(test)]
mod tests {
    use super::*;

    fn score(name: &str, text: &str) -> (u8, u8) {
        let s = Sniff {
            name,
            head: text.as_bytes(),
            text,
        };
        (sniff(&s), crate::dism_log::sniff(&s))
    }

    #[test]
    fn sniffs_by_content() {
        let cbs = "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1\r\n2016-09-28 04:30:31, Info                  CSI    00000001 x\r\n";
        assert_eq!(score("x.txt", cbs), (90, 0));
        assert_eq!(score("cbs.log", cbs), (95, 0));
        let dism = "2023-05-17 08:32:31, Info                  DISM   DISM.EXE: <----- Starting Dism.exe session ----->\r\n2023-05-17 08:32:31, Info                  CSI    00000001 x\r\n2023-05-17 08:32:31, Info                  DISM   API: PID=1 TID=2 x\r\n";
        assert_eq!(score("x.log", dism), (0, 90));
        let panther = "2023-05-17 08:32:31, Info                  SP     Setup phase\r\n2023-05-17 08:32:31, Info                  MOUPG  x\r\n";
        assert_eq!(score("setupact.log", panther), (0, 0));
        let excerpt = "Info CBS Store corruption\n\nError CBS Failed to resolve package\n";
        assert_eq!(score("x.log", excerpt), (60, 0));
        assert_eq!(score("cbs.log", "hello\n"), (30, 0));
        assert_eq!(score("notes.txt", "hello\n"), (0, 0));
    }
}
