//! # ConfigMgr logs (CMTrace, SMS and plain-text layouts)
//!
//! **What:** the logs of the Configuration Manager client and site server that repeat what the Windows
//! Update Agent and WSUS answered: `WUAHandler.log` (scans, update source, policy), `UpdatesDeployment.log`,
//! `UpdatesHandler.log`, `UpdatesStore.log`, `ScanAgent.log`, and on the site server `WCM.log`,
//! `wsyncmgr.log`, `WSUSCtrl.log`. Rotated copies end in `.lo_`.
//!
//! **Where:** client logs in `%windir%\CCM\Logs\`; site and software update point logs in
//! `<ConfigMgr install dir>\Logs\`.
//!
//! **Layouts** (all three may be met; each block is read in the one it shows):
//! * CMTrace ("CCM") records: `<![LOG[message]LOG]!><time="HH:MM:SS.mmm+BIAS" date="MM-DD-YYYY"
//!   component="…" context="" type="1|2|3" thread="…" file="…">`. The message may run over several
//!   physical lines until `]LOG]!>`. `type` 1/2/3 is info/warning/error.
//! * SMS lines (site server): `message  $$<COMPONENT><MM-DD-YYYY HH:MM:SS.mmm+BIAS><thread=N (0xHEX)>`;
//!   line breaks inside a message are usually written as `~`, and when a message does break, the trailer
//!   is on its last line, so undated lines belong to the next trailer line.
//! * Plain text, as support articles print these logs: `MM-DD-YYYY HH:MM:SS.mmm message` lines, or the
//!   message text alone (no time: events get `time = None`).
//!
//! **Time:** local time with a bias in minutes. The bias is what must be *added* to the local time to get
//! UTC (the Windows `TIME_ZONE_INFORMATION` convention): `+240` is UTC-04:00 (US Eastern summer time),
//! `-060` is UTC+01:00. Events get [`EventTime::with_offset`](wudiag_evidence::EventTime::with_offset)
//! with the negated bias.
//!
//! **Severity:** CMTrace `type`; SMS and plain lines have no level, so — as CMTrace colours them — words
//! of failure (`fail`, `error`, `exception`, `unable to`…) or a failure code make them errors.
//!
//! **Quirks seen in the corpus:** UTF-8 BOM + CRLF; a multi-line message holding an XML fragment
//! (`UpdatesDeployment.log`); codes written `Error = 0x87d00310.` and `error = 0x87d00215.`; support
//! article excerpts with the `$$<` trailer or the whole markup stripped; a certificate error written as a
//! bare code in parentheses (`(800B0109)`), which this reader picks up itself.
//!
//! **Extracted:** `ScanFailed` (`Failed to end search job`, `Scan failed with error = …`), `ScanSucceeded`
//! (`Successfully completed scan`), `PolicyChanged` (`overwritten by a higher authority`),
//! `ConnectionFailed` (`WebException`, `USSCommunicationError`, `SSL/TLS secure channel`, `underlying
//! connection was closed`…); policy facts under the key [`extract::POLICY_KEY`]: `WUServer` (from the
//! group-policy override, `Enabling WUA Managed server policy to use server:` and `Existing WUA Managed
//! server was already set (…)`), `UseWUServer` (`Policy ENABLED/DISABLED`) and `ConfigMgrWsusUpdateSource`
//! (`Its a WSUS Update Source type ({GUID})`).

pub mod extract;
pub mod parse;

use wudiag_evidence::{EvidenceBatch, Span};

use crate::Sniff;
use crate::text::TextFormat;

/// The ConfigMgr reader.
pub struct ConfigMgrLog;

/// The instance used in the reader table.
pub static FORMAT: ConfigMgrLog = ConfigMgrLog;

impl TextFormat for ConfigMgrLog {
    fn starts_record(&self, line: &[u8]) -> bool {
        parse::starts_record(line)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        for rec in parse::records(block) {
            match rec {
                Ok(r) => extract::extract(&r, batch),
                Err(e) => batch.failed(
                    Span::Lines {
                        first: e.first_line,
                        last: e.last_line,
                    },
                    e.what,
                ),
            }
        }
    }
}

/// File-name stems of the ConfigMgr logs that speak about updates.
const NAMES: &[&str] = &[
    "wuahandler",
    "updatesdeployment",
    "updateshandler",
    "updatesstore",
    "scanagent",
    "wsyncmgr",
    "wsusctrl",
    // Site-server logs of software updates, read one at a time as often as in a bundle.
    "patchdownloader",
    "supsetup",
    "ruleengine",
    "objreplmgr",
    "contenttransfermanager",
    "datatransferservice",
    "locationservices",
    "rebootcoordinator",
    "deltadownload",
    "contentaccess",
    "statemessage",
];

/// True when `name` ends with one of the extensions `exts` (without dot), case-insensitively.
fn has_ext(name: &str, exts: &[&str]) -> bool {
    std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Scores an input as a ConfigMgr log: CMTrace markup or SMS trailers are conclusive; WSUS-sync wording
/// and `MM-DD-YYYY` dated lines are content evidence; a known log name alone scores 30.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    let name = s.name;
    let named = has_ext(name, &["lo_"])
        || name.ends_with("wcm.log")
        || name == "cas.log"
        || (NAMES.iter().any(|n| name.contains(n)) && has_ext(name, &["log", "txt"]));
    let text = s.text;
    // Markup is conclusive only when it forms records: a table or a document that merely quotes
    // `<![LOG[` (the corpus MANIFEST does) is not a ConfigMgr log.
    let (mut cmtrace, mut sms, mut other) = (0usize, 0usize, 0usize);
    for r in parse::records(text.as_bytes()).take(20) {
        match r.map(|r| r.layout) {
            Ok(parse::Layout::CmTrace) => cmtrace += 1,
            Ok(parse::Layout::Sms) => sms += 1,
            _ => other += 1,
        }
    }
    if cmtrace > 0 && cmtrace > other {
        return 95;
    }
    if sms > 0 && sms > other {
        return 90;
    }
    // WSUS sync-manager wording at the start of a line (a support-article excerpt of wsyncmgr.log), not
    // anywhere in a file that merely mentions it.
    let sync_words = s.first_lines(5).any(|l| {
        let l = l.trim_start();
        l.get(..12)
            .is_some_and(|p| p.eq_ignore_ascii_case("Sync failed:"))
            && (l.contains("USSCommunicationError")
                || l.contains("UssInternalError")
                || l.contains("Exception"))
    });
    let dated = {
        let mut lines = s.first_lines(5).peekable();
        lines.peek().is_some() && lines.all(|l| parse::dated_prefix(l.as_bytes()).is_some())
    };
    match (named, sync_words || dated) {
        (true, true) => 85,
        (false, true) if sync_words => 60,
        (false, true) => 52,
        (true, false) => 30,
        (false, false) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(name: &str, text: &str) -> u8 {
        sniff(&Sniff {
            name,
            head: text.as_bytes(),
            text,
        })
    }

    #[test]
    fn sniffs_by_content_then_name() {
        assert_eq!(
            score(
                "x.txt",
                "<![LOG[m]LOG]!><time=\"08:53:25.263+240\" date=\"07-14-2021\" component=\"WUAHandler\">"
            ),
            95
        );
        assert_eq!(
            score(
                "x.txt",
                "m  $$<SMS_WSUS_CONFIGURATION_MANAGER><02-16-2020 01:02:09.094+480><thread=6080 (0x17C0)>"
            ),
            90
        );
        assert_eq!(
            score(
                "wsyncmgr_excerpt.log",
                "Sync Failed: USSCommunicationError: WebException"
            ),
            85
        );
        assert_eq!(
            score("notes.txt", "08-14-2019 08:37:30.102 Synchronizing update"),
            52
        );
        assert_eq!(score("wuahandler.lo_", "anything"), 30);
        assert_eq!(
            score(
                "softwaredistribution.log",
                "The underlying connection was closed"
            ),
            0
        );
        assert_eq!(score("cbs.log", "2016-12-04 05:15:47, Info CBS x"), 0);
        assert_eq!(
            score(
                "notes.tsv",
                "file\tnotes\nx.log\tSync Failed: USSCommunicationError: WebException\n"
            ),
            0
        );
        // A table that quotes the markup in a column is not a log.
        assert_eq!(
            score(
                "manifest.tsv",
                "file\tkind\tnotes\na.log\tconfigmgr\tCMTrace format <![LOG[..]LOG]!><time= date=>\nb.log\tcbs\tx\n"
            ),
            0
        );
    }
}
