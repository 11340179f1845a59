//! # Plain-text logs and pasted excerpts
//!
//! The line-oriented text that has no layout of its own wudiag must know column by column, read the
//! same way: Windows Setup's Panther logs (`setupact.log`, `setuperr.log`), `setupapi.dev.log`,
//! Defender's `MpCmdRun.log` / `MpSigStub.log`, Azure Update Manager's `WindowsPatchExtension` logs,
//! Windows Setup's CompatData reports (read element line by element line), and — the fallback for any
//! text — an excerpt pasted into a ticket, a forum post or a mail. (Events exported from Event Viewer or
//! PowerShell have their own reader, [`crate::event_text`].)
//!
//! Evidence as people paste it is normal input here: a line may have no timestamp or a placeholder one
//! (`YYYY/MM/DD`, `<DateTime>`: the time is unknown, the record still counts), a forum quote mark (`> `) or a
//! list bullet, a `...` gap marker (skipped), `FAILED` without its asterisks. A line that starts with
//! blanks continues the record before it (wrapped by a mail client or a blog). Each record's codes, KB
//! numbers and package identity are extracted as in every other format, and its level is read from its
//! level column or, failing that, from its words, so the signatures and rules see it.

use wudiag_evidence::{Event, EventKind, EvidenceBatch, Severity, SourceKind, Span};

use crate::Sniff;
use crate::text::TextFormat;

/// The reader of one text family (they differ only by how they are recognised).
pub struct TextLog;

impl TextFormat for TextLog {
    fn starts_record(&self, line: &[u8]) -> bool {
        !matches!(line.first(), Some(b' ' | b'\t'))
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        read_block(block, batch);
    }
}

/// The reader, for the `FORMATS` rows.
pub static READER: TextLog = TextLog;

/// Removes what forums, mail clients and Markdown put before a line: quote marks, bullets, backticks.
fn strip_paste_marks(line: &str) -> &str {
    let mut s = line.trim();
    loop {
        let before = s.len();
        for p in ["> ", ">", "- ", "* ", "• ", "`", "| "] {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest.trim_start();
            }
        }
        if s.len() == before {
            break;
        }
    }
    s.trim_end_matches('`').trim_end()
}

fn is_digit_run(s: &str, n: usize) -> bool {
    s.len() >= n && s.bytes().take(n).all(|b| b.is_ascii_digit())
}

/// Strips a leading date and time, real or placeholder, and the separator after it.
fn strip_timestamp(s: &str) -> &str {
    let mut rest = s;
    // `<DateTime>`, `[timestamp]`, `{date}`: placeholders an admin put in place of the time.
    for (open, close) in [('<', '>'), ('[', ']'), ('{', '}')] {
        if let Some(r) = rest.strip_prefix(open)
            && let Some(end) = r.find(close)
        {
            let inner = r.get(..end).unwrap_or_default().to_ascii_lowercase();
            if end <= 24
                && (inner.contains("date") || inner.contains("time") || inner.contains("stamp"))
            {
                rest = r.get(end + 1..).unwrap_or_default();
            }
        }
    }
    let upper = rest.get(..10).unwrap_or_default().to_ascii_uppercase();
    let dated = upper.starts_with("YYYY")
        || (is_digit_run(rest, 4) && matches!(rest.as_bytes().get(4), Some(b'-' | b'/' | b'.')))
        || (is_digit_run(rest, 2)
            && matches!(rest.as_bytes().get(2), Some(b'/' | b'.' | b'-'))
            && is_digit_run(rest.get(3..).unwrap_or_default(), 2));
    if dated {
        let end = rest.find([' ', 'T', ',']).unwrap_or(rest.len());
        rest = rest
            .get(end..)
            .unwrap_or_default()
            .trim_start_matches([' ', 'T', ',']);
    }
    // A time (`10:20:30`, `10:20:30.123`, `hh:mm:ss`) right after, or alone.
    let head: String = rest.chars().take(2).collect();
    if (is_digit_run(rest, 1) || head.eq_ignore_ascii_case("hh"))
        && rest.get(..9).is_some_and(|h| h.contains(':'))
    {
        let end = rest.find([' ', ',', '\t']).unwrap_or(rest.len());
        rest = rest.get(end..).unwrap_or_default();
        // AM/PM and zone tokens.
        for t in [" AM", " PM", " am", " pm", " UTC"] {
            if let Some(r) = rest.strip_prefix(t) {
                rest = r;
            }
        }
    }
    rest.trim_start_matches([',', ' ', '\t'])
}

/// The level a record states in its first word, if any.
fn level_word(s: &str) -> Option<(Severity, usize)> {
    let word_end = s.find([' ', '\t', ',', ':']).unwrap_or(s.len());
    let word = s.get(..word_end).unwrap_or_default().to_ascii_lowercase();
    let sev = match word.as_str() {
        "error" | "err" | "fatal" | "critical" | "failure" => Severity::Error,
        "warning" | "warn" => Severity::Warning,
        "info" | "information" | "verbose" | "perf" | "debug" | "trace" => Severity::Info,
        _ => return None,
    };
    Some((sev, word_end))
}

/// Words that make a record a failure whatever level it was written at.
fn says_failure(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        "fail",
        "error",
        "fatal",
        "cannot ",
        "can't ",
        "unable to",
        "denied",
        "corrupt",
        "not found",
        "exception",
        "could not",
        "not working",
        "not running",
        "timed out",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// One record of excerpt text.
fn record(text: &str, first: u64, last: u64, batch: &mut EvidenceBatch) {
    let line = strip_paste_marks(text);
    if line.is_empty()
        || line
            .chars()
            .all(|c| c == '.' || c == '…' || c.is_whitespace())
    {
        return;
    }
    let body = strip_timestamp(line);
    let (level, body) = match level_word(body) {
        Some((sev, end)) => (
            Some(sev),
            body.get(end..)
                .unwrap_or_default()
                .trim_start_matches([',', ':', ' ', '\t']),
        ),
        None => (None, body),
    };
    let mut e = Event {
        location: wudiag_evidence::Location::new(batch.source, Span::Lines { first, last }),
        kind: EventKind::LogLine,
        ..Event::default()
    };
    e.set_message(body);
    crate::scan::annotate(&mut e, body.as_bytes());
    let failure = says_failure(body);
    e.severity = match level {
        Some(Severity::Info) if failure && !e.codes.is_empty() => Severity::Warning,
        Some(s) => s,
        None if failure => Severity::Error,
        None => Severity::Info,
    };
    batch.record(e);
}

fn read_block(block: &[u8], batch: &mut EvidenceBatch) {
    let text = String::from_utf8_lossy(block);
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l))
        .collect();
    batch.lines = lines.len() as u64;
    let mut current: Option<(u64, u64, String)> = None;
    for (n, l) in &lines {
        if l.trim().is_empty() {
            if let Some((f, la, t)) = current.take() {
                record(&t, f, la, batch);
            }
            continue;
        }
        // An indented line continues the record before it, unless it opens an XML element (CompatData
        // and other XML fragments are indented element by element).
        let continues = matches!(l.as_bytes().first(), Some(b' ' | b'\t'))
            && !l.trim_start().starts_with('<')
            && current.is_some();
        if continues && let Some((_, la, t)) = current.as_mut() {
            t.push(' ');
            t.push_str(l.trim());
            *la = *n;
            continue;
        }
        if let Some((f, la, t)) = current.take() {
            record(&t, f, la, batch);
        }
        current = Some((*n, *n, (*l).to_owned()));
    }
    if let Some((f, la, t)) = current.take() {
        record(&t, f, la, batch);
    }
}

fn lower_head(s: &Sniff<'_>) -> String {
    s.text
        .get(..s.text.len().min(16 * 1024))
        .unwrap_or(s.text)
        .to_ascii_lowercase()
}

fn is_text(s: &Sniff<'_>) -> bool {
    !s.text.trim().is_empty() && s.head.iter().take(4096).filter(|&&b| b == 0).count() <= 8
        || crate::text::TextEncoding::sniff(s.head) != crate::text::TextEncoding::Utf8
}

/// The score of a text family: 60 when the file name contains one of `names`, `by_content` when the head
/// contains one of `words` (both lowercase), else 0.
fn family_score(s: &Sniff<'_>, names: &[&str], words: &[&str], by_content: u8) -> u8 {
    if !is_text(s) {
        return 0;
    }
    if names.iter().any(|n| s.name.contains(n)) {
        return 60;
    }
    let head = lower_head(s);
    if words.iter().any(|w| head.contains(w)) {
        by_content
    } else {
        0
    }
}

/// Panther's setupact.log / setuperr.log.
pub fn sniff_panther(s: &Sniff<'_>) -> u8 {
    let tokens = [
        "moupg",
        " panthr ",
        " conx ",
        "setupplatform",
        " sp     ",
        "mig    ",
    ];
    family_score(s, &["setupact", "setuperr"], &tokens, 45)
}

/// setupapi.dev.log / setupapi.app.log.
pub fn sniff_setupapi(s: &Sniff<'_>) -> u8 {
    let tokens = [">>>  [", "[device install", "[setup online device install"];
    family_score(s, &["setupapi"], &tokens, 50)
}

/// MpCmdRun.log / MpSigStub.log.
pub fn sniff_defender(s: &Sniff<'_>) -> u8 {
    let tokens = ["mpcmdrun", "mpsigstub", "signatureupdate"];
    family_score(s, &["mpcmdrun", "mpsigstub"], &tokens, 45)
}

/// Azure Update Manager / Arc WindowsPatchExtension logs.
pub fn sniff_azure_patch(s: &Sniff<'_>) -> u8 {
    let tokens = [
        "windowspatchextension",
        "patchassessment",
        "patchinstallation",
    ];
    family_score(
        s,
        &["patchextension", "windowspatch", "windowsupdateextension"],
        &tokens,
        45,
    )
}

/// Windows Setup's compatibility reports (`CompatData_*.xml` in Panther): one record per element line.
pub fn sniff_compatdata(s: &Sniff<'_>) -> u8 {
    let tokens = ["<compatreport", "blockmigration=", "blockingtype="];
    family_score(s, &["compatdata"], &tokens, 50)
}

/// Any other text that reads like evidence (a failure code, failure words, or a known failure signature's
/// words): a pasted
/// excerpt. The lowest score of all, so every known layout wins over it; prose with none of these (a note,
/// a shopping list) stays unread and is reported as such.
pub fn sniff_excerpt(s: &Sniff<'_>) -> u8 {
    let binary_name = [".etl", ".edb", ".tsv", ".xz", ".gz", ".xml", ".mum", ".cat"]
        .iter()
        .any(|x| s.name.ends_with(x));
    if binary_name || !is_text(s) {
        return 0;
    }
    let head = s.text.get(..s.text.len().min(16 * 1024)).unwrap_or(s.text);
    let evidence = !crate::scan::codes(head.as_bytes()).is_empty()
        || says_failure(head)
        || wudiag_catalog::mentions_signature_keyword(head);
    u8::from(evidence)
}

/// A text family: its kind, its name, its sniffer.
pub type Family = (SourceKind, &'static str, fn(&Sniff<'_>) -> u8);

/// The text families, in the order they are tried.
pub const KINDS: &[Family] = &[
    (
        SourceKind::PantherLog,
        "Panther setupact/setuperr.log",
        sniff_panther,
    ),
    (
        SourceKind::PantherLog,
        "Windows Setup CompatData report",
        sniff_compatdata,
    ),
    (SourceKind::SetupApiLog, "setupapi.dev.log", sniff_setupapi),
    (
        SourceKind::DefenderLog,
        "Defender MpCmdRun/MpSigStub.log",
        sniff_defender,
    ),
    (
        SourceKind::AzurePatchLog,
        "Azure WindowsPatchExtension log",
        sniff_azure_patch,
    ),
    (
        SourceKind::Excerpt,
        "pasted excerpt (any text)",
        sniff_excerpt,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_paste_marks_are_removed() {
        assert_eq!(
            strip_timestamp("YYYY/MM/DD hh:mm:ss:mmm Agent *FAILED* [80244022]"),
            "Agent *FAILED* [80244022]"
        );
        assert_eq!(
            strip_timestamp("<DateTime> Error CBS Failed"),
            "Error CBS Failed"
        );
        assert_eq!(
            strip_timestamp("2024-01-02 10:11:12, Error CBS x"),
            "Error CBS x"
        );
        assert_eq!(strip_paste_marks("> - `Error CBS x`"), "Error CBS x");
        assert_eq!(
            level_word("Error   CBS x").map(|l| l.0),
            Some(Severity::Error)
        );
    }
}
