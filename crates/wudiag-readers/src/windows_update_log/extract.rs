//! Turns WindowsUpdate.log records into typed events and facts.
//!
//! Every message is scanned once by one case-insensitive automaton of trigger words; the set of words hit
//! decides the severity, the kind, whether failure codes may be present and whether a fact is written.
//! A line that hits nothing is counted and dropped without building anything, which is what keeps the
//! reader near grep speed on the Windows 10 logs, where most lines are chatter.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use wudiag_evidence::{
    Event, EventKind, EventTime, EvidenceBatch, Fact, HResult, InstallationType, OsFact,
    PolicyValue, RegData, Severity, Span, Version,
};

use super::parse::{self, ParseError, WuRecord};
use crate::reporting_events;
use crate::scan;

/// Trigger words, matched case-insensitively anywhere in a message. The index is the bit in the mask.
const TRIGGERS: &[&str] = &[
    // 0..=8: the words without which `scan::each_code` cannot find a code (a superset of its markers).
    "0x",
    "hr=",
    "hr =",
    "hr:",
    "error",
    "status",
    "result",
    "code",
    "failed",
    // 9..: severity and kind words.
    "fatal:",
    "warning:",
    "*failed*",
    "failure",
    "transient",
    "finding updates",
    "queueing",
    "found ",
    "installing updates",
    "install failed",
    "installation failure",
    "failed to install",
    "install succeeded",
    "installation successful",
    "successfully installed",
    "completed install of",
    "install call complete",
    "download call complete",
    "reboot",
    "criteria",
    "synchroniz",
    "syncupdates",
    "ws error",
    "soap fault",
    "<errorcode>",
    "searching for update",
    "find updates",
    "search callback",
    "failed to connect",
    "sendrequest",
    "winhttp",
    "cookie",
    "do job",
    "bits job",
    "downloading update",
    "ending installing updates",
    "exit code",
    "wsus server:",
    "wsus status server:",
    "os version =",
    "os product type =",
    "productreleaseinstalled name=",
    "title = ",
    "report event:",
    "failed to download",
    "download failed",
    "postprocess the file",
];

const fn bit(i: u32) -> u64 {
    1 << i
}

const T_0X: u64 = bit(0);
const T_ERROR: u64 = bit(4);
const T_FAILED: u64 = bit(8);
const CODE_MASK: u64 = bit(9) - 1;
const T_FATAL: u64 = bit(9);
const T_WARNING: u64 = bit(10);
const T_STAR_FAILED: u64 = bit(11);
const T_FAILURE: u64 = bit(12);
const T_TRANSIENT: u64 = bit(13);
const T_FINDING: u64 = bit(14);
const T_QUEUEING: u64 = bit(15);
const T_FOUND: u64 = bit(16);
const T_INSTALLING_UPDATES: u64 = bit(17);
const T_INSTALL_FAILED: u64 = bit(18) | bit(19) | bit(20);
const T_INSTALL_SUCCEEDED: u64 = bit(21) | bit(22) | bit(23);
const T_COMPLETED_INSTALL: u64 = bit(24);
const T_INSTALL_CALL: u64 = bit(25);
const T_DOWNLOAD_CALL: u64 = bit(26);
const T_REBOOT: u64 = bit(27);
const T_CRITERIA: u64 = bit(28);
const T_SYNC: u64 = bit(29) | bit(30);
const T_WS_ERROR: u64 = bit(31);
const T_SOAP_FAULT: u64 = bit(32) | bit(33);
const T_SEARCH_FAILED: u64 = bit(34) | bit(35) | bit(36);
const T_FAILED_TO_CONNECT: u64 = bit(37);
const T_SENDREQUEST: u64 = bit(38);
const T_WINHTTP: u64 = bit(39);
const T_COOKIE: u64 = bit(40);
const T_JOB: u64 = bit(41) | bit(42);
const T_DOWNLOADING: u64 = bit(43);
const T_ENDING_INSTALLING: u64 = bit(44);
const T_EXIT_CODE: u64 = bit(45);
const T_WSUS_SERVER: u64 = bit(46);
const T_WSUS_STATUS: u64 = bit(47);
const T_OS_VERSION: u64 = bit(48);
const T_OS_PRODUCT: u64 = bit(49);
const T_PRODUCT_RELEASE: u64 = bit(50);
const T_TITLE: u64 = bit(51);
const T_REPORT_EVENT: u64 = bit(52);
const T_DOWNLOAD_FAILED: u64 = bit(53) | bit(54) | bit(55);

const FAIL_WORDS: u64 = T_FAILED | T_STAR_FAILED | T_FAILURE;
const FACT_MASK: u64 =
    T_WSUS_SERVER | T_WSUS_STATUS | T_OS_VERSION | T_OS_PRODUCT | T_PRODUCT_RELEASE;

/// The trigger automaton, and for each trigger the bits of every trigger it contains (the search reports
/// the longest match at each place and moves past it, so words inside a match are implied, not reported).
static AUTOMATON: LazyLock<Option<(AhoCorasick, Vec<u64>)>> = LazyLock::new(|| {
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(TRIGGERS)
        .ok()?;
    let implied = TRIGGERS
        .iter()
        .map(|outer| {
            let outer = outer.to_ascii_lowercase();
            TRIGGERS
                .iter()
                .enumerate()
                .filter(|(_, inner)| outer.contains(&inner.to_ascii_lowercase()))
                .fold(0u64, |m, (j, _)| {
                    m | 1u64.checked_shl(j as u32).unwrap_or(0)
                })
        })
        .collect();
    Some((ac, implied))
});

/// The set of trigger words in `msg`, as a bit mask.
pub fn triggers(msg: &[u8]) -> u64 {
    let Some((ac, implied)) = AUTOMATON.as_ref() else {
        // Cannot happen (the patterns are fixed); if it did, treat every line as interesting.
        return u64::MAX;
    };
    let mut mask = 0u64;
    for m in ac.find_iter(msg) {
        mask |= implied.get(m.pattern().as_usize()).copied().unwrap_or(0);
    }
    mask
}

/// True when `msg` holds a number that `scan::each_code` could read as a failure code. Every code it
/// finds is a whole run of hex digits (the characters around it are never hex digits): exactly 8 long and
/// starting with 8–F (`0x80070005`, `[8024000C]`), or exactly 10 decimal digits (`2149842967`). GUIDs
/// and small numbers mostly fail this test, which spares the full scan.
pub fn may_hold_failure_number(msg: &[u8]) -> bool {
    let mut run = 0usize;
    let mut first = 0u8;
    let mut decimal = true;
    let ends_candidate = |run: usize, first: u8, decimal: bool| {
        (run == 8 && !matches!(first, b'0'..=b'7')) || (run == 10 && decimal)
    };
    for &b in msg {
        if b.is_ascii_hexdigit() {
            if run == 0 {
                first = b;
                decimal = true;
            }
            run += 1;
            decimal &= b.is_ascii_digit();
        } else {
            if ends_candidate(run, first, decimal) {
                return true;
            }
            run = 0;
        }
    }
    ends_candidate(run, first, decimal)
}

/// True when `scan::each_code` may find a code in a message with this mask.
pub const fn may_have_code(mask: u64) -> bool {
    mask & CODE_MASK != 0
}

/// State carried from line to line within a block.
#[derive(Default)]
struct BlockState {
    /// Inside a classic `** START **  Agent: Finding updates` … `** END **` block.
    in_finding: bool,
    /// The last value written in this block per fact trigger (the agent repeats its settings at every
    /// start; a fact is written again only when its value changes).
    facts_seen: Vec<(u64, String)>,
}

/// Reads every record of `block` into `batch`.
pub fn read_block(block: &[u8], batch: &mut EvidenceBatch) {
    let mut state = BlockState::default();
    for rec in parse::records(block) {
        match rec {
            Ok(rec) => read_record(&rec, batch, &mut state),
            Err(e) => fail(batch, &e),
        }
    }
}

fn fail(batch: &mut EvidenceBatch, e: &ParseError) {
    batch.failed(Span::line(e.line), e.to_string());
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Banner {
    Start,
    End,
}

/// `** START **  Agent: Finding updates`, `* END * Finding updates`, `## START ## AU: …`, `:: START ::`.
fn banner(msg: &[u8]) -> Option<Banner> {
    let lead = msg
        .iter()
        .take_while(|&&c| matches!(c, b'*' | b'#' | b':' | b'>' | b' ' | b'\t'))
        .count();
    if lead == 0 {
        return None;
    }
    let word = msg.get(lead..)?;
    let is_word = |w: &[u8]| {
        word.starts_with(w)
            && word
                .get(w.len())
                .is_none_or(|&c| matches!(c, b'*' | b'#' | b':' | b' ' | b'\t'))
    };
    if is_word(b"START") {
        Some(Banner::Start)
    } else if is_word(b"END") {
        Some(Banner::End)
    } else {
        None
    }
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn read_u32(b: &[u8]) -> Option<(u32, usize)> {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return None;
    }
    let v = std::str::from_utf8(b.get(..n)?).ok()?.parse().ok()?;
    Some((v, n))
}

/// `Found 3 updates and 83 categories in search` → 3.
fn found_updates(msg: &[u8]) -> Option<u32> {
    let mut from = 0;
    while let Some(rel) = find_ci(msg.get(from..)?, b"found ") {
        let at = from + rel + 6;
        from = at;
        let rest = msg.get(at..)?;
        if let Some((n, len)) = read_u32(rest) {
            let tail = rest.get(len..)?;
            if tail.starts_with(b" update") {
                return Some(n);
            }
        }
    }
    None
}

/// `… (succeeded = 1, succeeded with errors = 0, failed = 0, …)` → (succeeded, failed).
fn call_counts(msg: &[u8]) -> Option<(u32, u32)> {
    let value_after = |key: &[u8]| {
        let at = memchr::memmem::find(msg, key)? + key.len();
        read_u32(msg.get(at..)?).map(|(v, _)| v)
    };
    Some((value_after(b"(succeeded = ")?, value_after(b", failed = ")?))
}

/// True when the message says a restart is needed (`Reboot required = True`, `requiresReboot=1`,
/// `reboot status = reboot required`), and not when it only names the concept (`… = False`, criteria).
fn says_reboot_required(msg: &[u8]) -> bool {
    for key in [
        &b"reboot required"[..],
        b"rebootrequired",
        b"requiresreboot",
    ] {
        let mut from = 0;
        while let Some(rel) = msg.get(from..).and_then(|m| find_ci(m, key)) {
            let start = from + rel;
            let at = start + key.len();
            from = at;
            let rest = msg.get(at..).unwrap_or_default();
            let value_at = rest
                .iter()
                .take_while(|&&c| matches!(c, b' ' | b'=' | b':'))
                .count();
            let value = rest.get(value_at..).unwrap_or_default();
            let word_len = value
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count();
            let word = value.get(..word_len).unwrap_or_default();
            if value_at > 0
                && [&b"1"[..], b"true", b"yes"]
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(word))
            {
                return true;
            }
            // `reboot status = reboot required`: the phrase is itself the value.
            let before = msg.get(..start).unwrap_or_default();
            if key == b"reboot required"
                && (before.ends_with(b"= ") || before.ends_with(b": "))
                && rest.iter().all(|&c| matches!(c, b' ' | b'.' | b',' | b')'))
            {
                return true;
            }
        }
    }
    false
}

/// The update a message is about: the GUID written right after `update`, `updateId =`, `update id`
/// (`DO job {job} failed, updateId = {update}.200` names the job first); failing that, the first GUID
/// when a revision follows it (only update ids carry one).
fn update_id(msg: &[u8]) -> Option<wudiag_evidence::UpdateId> {
    let mut from = 0;
    while let Some(rel) = msg.get(from..).and_then(|m| find_ci(m, b"update")) {
        let mut at = from + rel + 6;
        from = at;
        let spaces = msg
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| c == b' ')
            .count();
        let id_word = msg
            .get(at + spaces..at + spaces + 2)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"id"))
            && !msg
                .get(at + spaces + 2)
                .is_some_and(u8::is_ascii_alphanumeric);
        if id_word {
            at += spaces + 2;
        }
        at += msg
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| matches!(c, b' ' | b'=' | b':' | b'{' | b'(' | b'\t'))
            .count();
        let Some(candidate) = msg.get(at..at + 36) else {
            continue;
        };
        if !candidate.first().is_some_and(u8::is_ascii_hexdigit) {
            continue;
        }
        if let Some(id) = msg.get(at..).and_then(scan::first_update_id)
            && id.guid.as_bytes().eq_ignore_ascii_case(candidate)
        {
            return Some(id);
        }
    }
    scan::first_update_id(msg).filter(|id| id.revision.is_some())
}

/// True when `needle` occurs in `msg` (case-insensitive) not glued to a letter before it (`WS error`, not
/// `Nws error`).
fn starts_word(msg: &[u8], needle: &[u8]) -> bool {
    let mut from = 0;
    while let Some(rel) = msg.get(from..).and_then(|m| find_ci(m, needle)) {
        let at = from + rel;
        if at == 0 || !msg.get(at - 1).is_some_and(u8::is_ascii_alphanumeric) {
            return true;
        }
        from = at + 1;
    }
    false
}

fn is_component(component: Option<&[u8]>, names: &[&[u8]]) -> bool {
    component.is_some_and(|c| names.iter().any(|n| n.eq_ignore_ascii_case(c)))
}

/// The kind of a record, from its triggers. `code` is its first failure code.
fn classify(
    mask: u64,
    msg: &[u8],
    component: Option<&[u8]>,
    code: Option<HResult>,
    state: &mut BlockState,
) -> EventKind {
    let has = |t: u64| mask & t != 0;
    let failed_word = has(FAIL_WORDS);
    let failed = code.is_some();

    // Connection failures: the request never got an answer.
    if has(T_FAILED_TO_CONNECT)
        || (has(T_SENDREQUEST) && (failed_word || failed))
        || (has(T_WINHTTP) && failed)
        || (has(T_COOKIE) && failed_word && failed)
    {
        return EventKind::ConnectionFailed;
    }

    // Scans.
    if has(T_FINDING) && !has(T_QUEUEING) {
        match banner(msg) {
            Some(Banner::Start) => {
                state.in_finding = true;
                return EventKind::ScanStarted;
            }
            Some(Banner::End) => {
                state.in_finding = false;
                if failed {
                    return EventKind::ScanFailed;
                }
            }
            None => {}
        }
    }
    if has(T_FOUND)
        && let Some(n) = found_updates(msg)
    {
        return EventKind::ScanSucceeded {
            updates_found: Some(n),
        };
    }
    // `* END *   Search ClientId = …` closing a failed search (COM API side).
    if failed
        && banner(msg) == Some(Banner::End)
        && memchr::memmem::find(msg, b"Search ClientId").is_some()
    {
        return EventKind::ScanFailed;
    }
    if failed && has(T_EXIT_CODE) && state.in_finding && is_component(component, &[b"Agent"]) {
        return EventKind::ScanFailed;
    }
    if (has(T_SYNC) && failed_word)
        || has(T_SOAP_FAULT)
        || (has(T_WS_ERROR) && starts_word(msg, b"ws error"))
        || (has(T_SEARCH_FAILED) && (failed_word || failed))
    {
        return EventKind::ScanFailed;
    }

    // Downloads.
    if (has(T_JOB) && (failed || has(FAIL_WORDS)))
        || (has(T_DOWNLOADING | T_DOWNLOAD_FAILED) && failed)
    {
        return EventKind::DownloadFailed;
    }
    if has(T_DOWNLOAD_CALL)
        && let Some((ok, bad)) = call_counts(msg)
    {
        if bad > 0 {
            return EventKind::DownloadFailed;
        }
        if ok > 0 {
            return EventKind::DownloadSucceeded;
        }
    }

    // Installs.
    if has(T_INSTALLING_UPDATES) && !has(T_QUEUEING) {
        match banner(msg) {
            Some(Banner::Start) => return EventKind::InstallStarted,
            Some(Banner::End) if failed => return EventKind::InstallFailed,
            _ => {}
        }
    }
    if has(T_INSTALL_FAILED) || (has(T_ENDING_INSTALLING) && failed) {
        return EventKind::InstallFailed;
    }
    if has(T_COMPLETED_INSTALL) {
        let installer_error = memchr::memmem::find(msg, b"installerError=1").is_some();
        return if failed || installer_error {
            EventKind::InstallFailed
        } else {
            EventKind::InstallSucceeded
        };
    }
    if has(T_INSTALL_CALL)
        && let Some((ok, bad)) = call_counts(msg)
    {
        if bad > 0 {
            return EventKind::InstallFailed;
        }
        if ok > 0 {
            return EventKind::InstallSucceeded;
        }
    }
    if has(T_INSTALL_SUCCEEDED) {
        return EventKind::InstallSucceeded;
    }

    if has(T_REBOOT) && !has(T_CRITERIA) && says_reboot_required(msg) {
        return EventKind::RebootRequired;
    }
    EventKind::LogLine
}

/// The record's own level: `FATAL:` and `*FAILED*` are errors, `WARNING:` a warning, a failure word next
/// to a failure code an error (a transient one a warning). A failure kind is at least a warning.
fn severity(mask: u64, failed: bool, kind: &EventKind) -> Severity {
    let has = |t: u64| mask & t != 0;
    let sev = if has(T_FATAL | T_STAR_FAILED) {
        Severity::Error
    } else if has(T_WARNING) {
        Severity::Warning
    } else if failed && has(FAIL_WORDS | T_ERROR) {
        if has(T_TRANSIENT) {
            Severity::Warning
        } else {
            Severity::Error
        }
    } else {
        Severity::Info
    };
    if sev == Severity::Info && kind.is_failure() {
        Severity::Warning
    } else {
        sev
    }
}

fn lossy(b: &[u8]) -> String {
    // Messages are capped at Event::MAX_MESSAGE; do not convert megabytes to keep four kilobytes.
    let cut = b.get(..b.len().min(Event::MAX_MESSAGE + 8)).unwrap_or(b);
    String::from_utf8_lossy(cut).into_owned()
}

fn read_record(rec: &WuRecord<'_>, batch: &mut EvidenceBatch, state: &mut BlockState) {
    let msg = rec.message;
    let mask = triggers(msg);
    // The codes are scanned once here and reused for the event (scan::annotate would scan again).
    let codes = if may_have_code(mask) && may_hold_failure_number(msg) {
        scan::codes(msg)
    } else {
        Vec::new()
    };
    let code = codes.first().copied();
    if mask & FACT_MASK != 0 {
        facts(mask, rec, batch, state);
    }
    if mask & T_REPORT_EVENT != 0
        && let Some(event) = embedded_report_event(rec, batch)
    {
        batch.record(event);
        return;
    }
    let kind = if mask & !(T_0X | T_ERROR) == 0 && code.is_none() {
        EventKind::LogLine
    } else {
        classify(mask, msg, rec.component, code, state)
    };
    let sev = severity(mask, code.is_some(), &kind);
    if !batch.wants_record(sev, &kind, code.is_some(), msg) {
        batch.count_plain(sev);
        return;
    }
    let mut event = Event {
        time: rec.time.map(EventTime::local),
        location: batch.at(Span::line(rec.line)),
        severity: sev,
        component: rec.component.map(lossy),
        kind,
        ..Event::default()
    };
    event.set_message(&lossy(msg));
    // What scan::annotate does, with the codes already found.
    for c in codes {
        event.add_code(c);
    }
    for kb in scan::kbs(msg) {
        event.add_kb(kb);
    }
    event.package = scan::first_package(msg);
    event.update_id = update_id(msg);
    if mask & T_TITLE != 0 {
        event.title = title(msg);
    }
    batch.record(event);
}

/// `Title = Security Update for Windows (KB5035853)` → the title.
fn title(msg: &[u8]) -> Option<String> {
    let at = find_ci(msg, b"title = ")? + 8;
    let t = String::from_utf8_lossy(msg.get(at..)?);
    let t = t.trim();
    (!t.is_empty()).then(|| t.chars().take(512).collect())
}

/// A classic `Report  REPORT EVENT: {…}\t2016-10-31 11:24:28:411-0600\t1\t181\t101\t{…}\t…` line: the
/// ReportingEvents row the agent is about to upload, read with the ReportingEvents extractor.
fn embedded_report_event(rec: &WuRecord<'_>, batch: &EvidenceBatch) -> Option<Event> {
    let at = find_ci(rec.message, b"report event:")? + 13;
    let row = parse::skip_ws(rec.message.get(at..)?);
    let fields = reporting_events::parse::parse_row(row).ok()?;
    let mut event =
        reporting_events::extract::event_from_row(&fields, row, batch.at(Span::line(rec.line)));
    if event.time.is_none() {
        event.time = rec.time.map(EventTime::local);
    }
    if let Some(c) = rec.component {
        event.component = Some(lossy(c));
    }
    Some(event)
}

/// OS Product Type values (`GetProductInfo`) seen in Windows Update logs, with the edition they name.
fn product_type(v: u32) -> Option<(&'static str, InstallationType)> {
    Some(match v {
        0x01 => ("Ultimate", InstallationType::Client),
        0x02 => ("HomeBasic", InstallationType::Client),
        0x03 => ("HomePremium", InstallationType::Client),
        0x04 => ("Enterprise", InstallationType::Client),
        0x06 => ("Business", InstallationType::Client),
        0x07 => ("ServerStandard", InstallationType::Server),
        0x08 => ("ServerDatacenter", InstallationType::Server),
        0x0A => ("ServerEnterprise", InstallationType::Server),
        0x0C => ("ServerDatacenterCore", InstallationType::ServerCore),
        0x0D => ("ServerStandardCore", InstallationType::ServerCore),
        0x0E => ("ServerEnterpriseCore", InstallationType::ServerCore),
        0x30 => ("Professional", InstallationType::Client),
        0x48 => ("EnterpriseEvaluation", InstallationType::Client),
        0x62 => ("CoreN", InstallationType::Client),
        0x63 => ("CoreCountrySpecific", InstallationType::Client),
        0x64 => ("CoreSingleLanguage", InstallationType::Client),
        0x65 => ("Core", InstallationType::Client),
        0x79 => ("Education", InstallationType::Client),
        0x7D => ("EnterpriseS", InstallationType::Client),
        0xA1 => ("ProfessionalWorkstation", InstallationType::Client),
        _ => return None,
    })
}

/// The value after `key` (case-insensitive) up to the end of the message, trimmed.
fn value_after<'a>(msg: &'a [u8], key: &[u8]) -> Option<&'a str> {
    let at = find_ci(msg, key)? + key.len();
    let v = std::str::from_utf8(msg.get(at..)?).ok()?.trim();
    (!v.is_empty()).then_some(v)
}

/// A dotted version at the start of `s` (`10.0.19045.2965`, `6.1.7601.1.0.65792`). Classic logs append
/// service pack and suite numbers after the build; only major.minor.build are kept for those.
fn leading_version(s: &str) -> Option<Version> {
    let dotted: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Vec<&str> = dotted.trim_end_matches('.').split('.').collect();
    let keep = match parts.len() {
        0..=1 => return None,
        2..=4 => parts.len(),
        _ => 3,
    };
    Version::parse(&parts.get(..keep)?.join("."))
}

fn facts(mask: u64, rec: &WuRecord<'_>, batch: &mut EvidenceBatch, state: &mut BlockState) {
    let msg = rec.message;
    let has = |t: u64| mask & t != 0;
    let mut found: Vec<(u64, Fact)> = Vec::new();
    if has(T_WSUS_SERVER | T_WSUS_STATUS) {
        let (key, name): (&[u8], &str) = if has(T_WSUS_STATUS) {
            (b"wsus status server:", "WUStatusServer")
        } else {
            (b"wsus server:", "WUServer")
        };
        if let Some(v) = value_after(msg, key) {
            let v = v
                .strip_suffix("(Unchanged)")
                .or_else(|| v.strip_suffix("(Changed)"))
                .unwrap_or(v)
                .trim();
            // `(null)` / `<NULL>`: no server configured, recorded as an absent value.
            let unset = v.is_empty()
                || v.eq_ignore_ascii_case("(null)")
                || v.eq_ignore_ascii_case("<null>");
            found.push((
                if has(T_WSUS_STATUS) {
                    T_WSUS_STATUS
                } else {
                    T_WSUS_SERVER
                },
                Fact::Policy(PolicyValue {
                    key: "WindowsUpdate.log".into(),
                    name: name.into(),
                    data: if unset {
                        RegData::Deleted
                    } else {
                        RegData::String(v.to_owned())
                    },
                }),
            ));
        }
    }
    if has(T_OS_VERSION)
        && let Some(version) = value_after(msg, b"os version =").and_then(leading_version)
    {
        found.push((
            T_OS_VERSION,
            Fact::Os(OsFact {
                version: Some(version),
                ..OsFact::default()
            }),
        ));
    }
    if has(T_OS_PRODUCT) {
        let raw = value_after(msg, b"os product type =").and_then(|v| {
            let v = v.split_whitespace().next()?;
            let hex = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"))?;
            u32::from_str_radix(hex, 16).ok()
        });
        if let Some((edition, installation)) = raw.and_then(product_type) {
            found.push((
                T_OS_PRODUCT,
                Fact::Os(OsFact {
                    edition: Some(edition.into()),
                    installation_type: Some(installation),
                    ..OsFact::default()
                }),
            ));
        }
    }
    if has(T_PRODUCT_RELEASE) {
        // `EE: ProductReleaseInstalled name=Client.OS.RS2.amd64, version installed=10.0.19045.2965, …`
        if let Some(name) = value_after(msg, b"productreleaseinstalled name=") {
            let name = name.split(',').next().unwrap_or_default();
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("client.os.") || lower.starts_with("server.os.") {
                let version = value_after(msg, b"version installed=")
                    .and_then(leading_version)
                    .filter(|v| v.0.first().is_some_and(|&m| m > 0));
                if let Some(version) = version {
                    found.push((
                        T_PRODUCT_RELEASE,
                        Fact::Os(OsFact {
                            version: Some(version),
                            arch: name
                                .rsplit('.')
                                .next()
                                .and_then(wudiag_evidence::Arch::from_text),
                            installation_type: Some(if lower.starts_with("server") {
                                InstallationType::Server
                            } else {
                                InstallationType::Client
                            }),
                            ..OsFact::default()
                        }),
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        return;
    }
    let excerpt = lossy(msg);
    for (kind, fact) in found {
        // The agent repeats its settings at every start: keep a fact when its value changes.
        let value = format!("{fact:?}");
        match state.facts_seen.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, last)) if *last == value => continue,
            Some((_, last)) => *last = value,
            None => state.facts_seen.push((kind, value)),
        }
        batch.fact(fact, Span::line(rec.line), &excerpt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn read(text: &str, retention: Retention) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), retention);
        read_block(text.as_bytes(), &mut b);
        b
    }

    fn one(line: &str) -> Event {
        let b = read(line, Retention::All);
        assert_eq!(b.events.len(), 1, "{line}");
        b.events.into_iter().next().unwrap()
    }

    fn codes(e: &Event) -> Vec<String> {
        e.codes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn severities() {
        let e = one(
            "2015-10-30 17:12:54:073 880 1160 WS FATAL: OnCallFailure failed with hr=0X80244007",
        );
        assert_eq!(
            (e.severity, codes(&e)),
            (Severity::Error, vec!["0x80244007".to_owned()])
        );
        let e = one("2008-07-01\t10:30:59:239\t1116\t308\tPT\tWARNING: PTError: 0x80244022");
        assert_eq!(e.severity, Severity::Warning);
        let e = one(
            "2021/07/13 10:23:06.3460256 3696  8172  Misc            *FAILED* [8024000C] LoadHistoryEventFromRegistry completed",
        );
        assert_eq!(
            (e.severity, codes(&e)),
            (Severity::Error, vec!["0x8024000c".to_owned()])
        );
        let e = one(
            "2020/11/19 15:25:47.0682049 3304  9940  Agent           Download call complete (succeeded = 1, succeeded with errors = 0, failed = 0, cancelled = 0, unaccounted = 0)",
        );
        assert_eq!(
            (e.severity, e.kind),
            (Severity::Info, EventKind::DownloadSucceeded)
        );
        let e = one(
            "2021-08-28\t03:07:48:216\t 648\t13bc\tService\t**  END  **  Service: Service exit [Exit code = 0x240001]",
        );
        assert_eq!((e.severity, e.codes.len()), (Severity::Info, 0));
    }

    #[test]
    fn soap_client_error_is_not_a_code() {
        let e = one(
            "2008-07-01\t10:30:59:972\t1116\t308\tPT\tWARNING: GetCookie failure, error = 0x80244022, soap client error = 10, soap error code = 0, HTTP status code = 503",
        );
        assert_eq!(codes(&e), ["0x80244022"]);
        assert_eq!(e.kind, EventKind::ConnectionFailed);
        assert_eq!(e.severity, Severity::Warning);
    }

    #[test]
    fn scans() {
        let b = read(
            "2009-05-22 12:50:00:405 1000 d04 Agent ** START **  Agent: Finding updates [CallerId = AutomaticUpdates]\n\
             2009-05-22 12:50:08:405 1000 d04 Agent * WARNING: Exit code = 0x8024402C\n\
             2009-05-22 12:50:08:405 1000 d04 Agent ** END **  Agent: Finding updates [CallerId = AutomaticUpdates]\n\
             2009-05-22 12:50:09:405 1000 d04 Agent * WARNING: Exit code = 0x8024402C\n\
             2018-08-06 10:58:47:383  480 5d8 Agent   * Found 0 updates and 83 categories in search; evaluated appl. rules of 617 out of 1473 deployed entities\n\
             2023/05/22 08:16:48.1917317 7160  2680  Agent           * END * Finding updates CallerId = Device Driver Retrieval Client, Id = 52, Exit code = 0x8024000B (cV = y+SkuZHTC0G6qatB.28.1.0.2)\n\
             2020/11/19 15:25:47.0676912 3304  9940  Agent           * END * Queueing Finding updates [CallerId = Update;ScanForUpdatesForUser  Id = 5620]\n\
             2020/11/19 15:25:46.9997442 3304  9020  Agent           * END * Finding updates CallerId = Update;ScanForUpdates, Id = 5618, Exit code = 0x00000000 (cV = xS24Yd5ZFEOijniv.1.0.1.0.0.2.1)\n",
            Retention::All,
        );
        let kinds: Vec<_> = b.events.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                EventKind::ScanStarted,
                EventKind::ScanFailed,
                EventKind::LogLine,
                EventKind::LogLine,
                EventKind::ScanSucceeded {
                    updates_found: Some(0)
                },
                EventKind::ScanFailed,
                EventKind::LogLine,
                EventKind::LogLine,
            ]
        );
        assert_eq!(b.events[3].severity, Severity::Warning);
        let e = one(
            "2024/03/12 10:15:12.1234567 1234 5678 ComApi * END *   Search ClientId = UpdateOrchestrator, Updates found = 0, ServiceId = 7971F918-A847-4430-9279-4A52D1EFE18D, hr = 0x8024402C",
        );
        assert_eq!(e.kind, EventKind::ScanFailed);
    }

    #[test]
    fn the_two_0x80244007_stories_stay_apart() {
        let b = read(
            "2015-10-30 17:12:54:073 880 1160 WS WARNING: Soap fault detail: errorCode='InvalidParameters', message='parameters.OtherCachedUpdateIDs', id='8889e6f6-cc94-4b2b-9d0c-9818649a5dfc'\n\
             2015-10-30 17:12:54:073 880 1160 PT WARNING: SyncUpdates_WithRecovery failed.: 0x80244007\n\
             2019-01-01 10:00:00:000 880 1160 PT WARNING: GetAuthorizationCookie failure, error = 0x80244007, soap client error = 7, soap error code = 300, SOAP cause = InternalServerError\n",
            Retention::All,
        );
        assert_eq!(b.events[0].kind, EventKind::ScanFailed);
        assert!(b.events[0].message.contains("OtherCachedUpdateIDs"));
        assert_eq!(b.events[1].kind, EventKind::ScanFailed);
        assert_eq!(codes(&b.events[1]), ["0x80244007"]);
        assert_eq!(b.events[2].kind, EventKind::ConnectionFailed);
        assert!(b.events[2].message.contains("GetAuthorizationCookie"));
        assert!(b.events[2].message.contains("InternalServerError"));
    }

    #[test]
    fn connections_downloads_installs() {
        let k = |l: &str| one(l).kind;
        assert_eq!(
            k(
                "2023/05/22 08:10:00.0000000 1 2 SLS Failed to connect to Mux due to network or cert errors: 12029"
            ),
            EventKind::ConnectionFailed
        );
        assert!(one("2023/05/22 08:10:00.0000000 1 2 SLS Failed to connect to Mux due to network or cert errors: 12029").message.ends_with("12029"));
        assert_eq!(
            k(
                "2023/05/22 08:10:00.0000000 1 2 DownloadManager *FAILED* [8024402C] WinHttp: SendRequestToServerForFileInformation MakeRequest failed. error 0x80072ee2"
            ),
            EventKind::ConnectionFailed
        );
        assert_eq!(
            k(
                "2024-04-11 12:48:04.6269606 1980  8444  DownloadManager DO job {1E9A79A1-FB16-483F-A042-C8B2064AEDAB} 403'd, updateId = 6F3FE9DD-7BCD-4A69-844F-2CF4766E5B0B.200, hr = 0x80190193, BG_ERROR_CONTEXT = 5"
            ),
            EventKind::DownloadFailed
        );
        assert_eq!(
            k(
                "DownloadManager    Error 0x800706d9 occurred while downloading update; notifying dependent calls."
            ),
            EventKind::DownloadFailed
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:00.0000000 1 2 DownloadManager *FAILED* [8024000C] DynamicDownloadDataFetcher Refresh complete"
            ),
            EventKind::LogLine
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:00.0000000 1 2 DownloadManager *FAILED* [80096010] Failed to postprocess the file: URL = 'http://x/y', Local path = 'C:\\x'"
            ),
            EventKind::DownloadFailed
        );
        let e = one(
            "[DownloadManager] BITS job {A4AC06DD-D6E6-4420-8720-7407734FDAF2} hit a transient error, updateId = {D053C08A-6250-4C43-A111-56C5198FE142}.200 <NULL>, error = 0x800706D9 ",
        );
        assert_eq!(
            (e.kind, e.severity),
            (EventKind::DownloadFailed, Severity::Warning)
        );
        let id = e.update_id.unwrap();
        assert_eq!(
            (id.guid.as_str(), id.revision),
            ("d053c08a-6250-4c43-a111-56c5198fe142", Some(200))
        );
        assert_eq!(
            k("2016-10-31\t11:24:28:489\t1384\t1748\tHandler\t:: START ::  Handler: CBS Install"),
            EventKind::LogLine
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:31.6529252 6996  2456  Agent           * START *  Installing updates CallerId = OOBE ZDP"
            ),
            EventKind::InstallStarted
        );
        let e = one(
            "2016-10-31\t11:25:13:645\t1384\t1748\tHandler\tFATAL: Completed install of CBS update with type=0, requiresReboot=0, installerError=1, hr=0x80070308",
        );
        assert_eq!(
            (e.kind, e.severity),
            (EventKind::InstallFailed, Severity::Error)
        );
        assert_eq!(
            k(
                "2016-10-31 11:25:13:645 1384 1748 Handler Completed install of CBS update with type=0, requiresReboot=1, installerError=0, hr=0x0"
            ),
            EventKind::InstallSucceeded
        );
        assert_eq!(
            k(
                "2016-10-31 11:25:13:645 1384 1748 AU   # WARNING: Install failed, error = 0x80070643 / 0x80070643"
            ),
            EventKind::InstallFailed
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:31.6529252 6996  2456  Agent Install call complete (succeeded = 0, succeeded with errors = 0, failed = 1, cancelled = 0, unaccounted = 0"
            ),
            EventKind::InstallFailed
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:31.6529252 6996  2456  Handler Command line install completed. Return code = 0x00000000, Result = Succeeded, Reboot required = true"
            ),
            EventKind::RebootRequired
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:31.6529252 6996  2456  Handler Command line install completed. Return code = 0x00000000, Result = Succeeded, Reboot required = false"
            ),
            EventKind::LogLine
        );
        assert_eq!(
            k(
                "2020/11/22 12:40:03.1343964 8668  9900  Agent           Criteria = IsPresent=1 and RebootRequired=1\"\""
            ),
            EventKind::LogLine
        );
        assert_eq!(
            k(
                "2023/05/22 08:10:31.6529252 6996  2456  Deployment NotifyClient called with Deployment callback code = Job complete, reboot status = reboot required"
            ),
            EventKind::RebootRequired
        );
    }

    #[test]
    fn ws_errors_and_update_ids() {
        let e = one(
            "2024-04-12 10:57:58.5578508 1980  4412  WebServices     MapToSusHResult mapped Nws error 0x803d0010 to 0x80240438",
        );
        assert_eq!(e.kind, EventKind::LogLine);
        let e = one(
            "2024-04-12 10:57:58.553809 1980  4412  WebServices     WS error: The given proxy cannot be reached.",
        );
        assert_eq!(e.kind, EventKind::ScanFailed);
        let e = one(
            "2024-04-11 12:47:14.3750000 1980  5980  Handler  AppX GDR: failed. Update Id: 54751BC1-F1DA-4868-8662-A3A27A51045F, cFiles=1, hr=0x80070005",
        );
        assert_eq!(
            e.update_id.unwrap().guid,
            "54751bc1-f1da-4868-8662-a3a27a51045f"
        );
        let e = one(
            "2021/07/13 10:23:06 1 2 Agent Evaluate Installed rule, updateId = {{4E95DCBD-1A2B-4C3D-8E9F-001122334455}.1}, hr=0x80070005",
        );
        assert_eq!(e.update_id.unwrap().revision, Some(1));
        let e = one(
            "2021/07/13 10:23:06 1 2 Handler Starting install of CBS update E606841C-05C3-42C7-BDD4-3777914953B8, hr=0x80070005",
        );
        assert_eq!(
            e.update_id.unwrap().guid,
            "e606841c-05c3-42c7-bdd4-3777914953b8"
        );
        let e = one(
            "2021/07/13 10:23:06 1 2 Agent Service {855E8A7C-ECB4-4CA3-B045-1DFA50104289} failed, hr=0x80070005",
        );
        assert_eq!(e.update_id, None);
    }

    #[test]
    fn titles_and_kbs() {
        let e = one(
            "2024/03/12 10:15:12.1234567 1234 5678 Agent   Title = 2024-03 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5035845)",
        );
        assert_eq!(
            e.title.as_deref(),
            Some(
                "2024-03 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5035845)"
            )
        );
        assert_eq!(e.kbs.len(), 1);
    }

    #[test]
    fn facts_from_lines() {
        let b = read(
            "2021/07/13 10:23:06.3933681 3696  8172  Agent           WSUS server: https://SCCM01D.firm.example.net:8531\n\
             2021/07/13 10:23:06.3933681 3696  8172  Agent           WSUS server: https://SCCM01D.firm.example.net:8531 (Unchanged)\n\
             2021/07/13 10:23:06.3933698 3696  8172  Agent           WSUS status server: https://SCCM01D.firm.example.net:8531\n\
             2021/07/13 10:23:06.3933698 3696  8172  Agent           WSUS status server: (null) (Changed)\n\
             2023/05/22 08:08:32.9356982 8096  8116  Agent           WSUS server: (null)\n\
             2021-08-28\t11:05:53:800\t 576\ta70\tAgent\t  * WSUS server: <NULL>\n\
             2021-08-28\t11:05:53:800\t 576\ta70\tReport\t  * OS Version = 6.1.7601.1.0.65792\n\
             2021-08-28\t11:05:53:800\t 576\ta70\tReport\t  * OS Product Type = 0x00000001\n\
             2023/05/22 08:10:14.2974696 6996  7024  Reporter        OS Product Type = 0x00000030\n\
             2023/05/22 08:10:14.2974696 6996  7024  EEHandler       EE: ProductReleaseInstalled name=Client.OS.RS2.amd64, version installed=10.0.19045.2965, metadata=10.0.19045.2965, dirty=False\n\
             2023/05/22 08:10:14.2974696 6996  7024  EEHandler       EE: ProductReleaseInstalled name=SedimentPack.amd64, version installed=10.0.19041.2909\n\
             2024/03/12 10:15:12.1234567 1234 5678 Agent OS Version = 10.0.19045.4170\n",
            Retention::Diagnostic,
        );
        let policy: Vec<_> = b
            .facts
            .policy
            .iter()
            .map(|p| {
                (
                    p.value.name.clone(),
                    p.value.data.as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            policy,
            [
                (
                    "WUServer".to_owned(),
                    "https://SCCM01D.firm.example.net:8531".to_owned()
                ),
                (
                    "WUStatusServer".to_owned(),
                    "https://SCCM01D.firm.example.net:8531".to_owned()
                ),
                ("WUStatusServer".to_owned(), String::new()),
                ("WUServer".to_owned(), String::new()),
            ]
        );
        assert_eq!(b.facts.policy[3].value.data, RegData::Deleted);
        let os: Vec<String> = b
            .facts
            .os
            .iter()
            .map(|o| format!("{:?}", o.value))
            .collect();
        assert_eq!(os.len(), 5, "{os:#?}");
        assert_eq!(
            b.facts.os[0].value.version.unwrap().to_string(),
            "6.1.7601.0"
        );
        assert_eq!(b.facts.os[1].value.edition.as_deref(), Some("Ultimate"));
        assert_eq!(b.facts.os[2].value.edition.as_deref(), Some("Professional"));
        assert_eq!(
            b.facts.os[3].value.version.unwrap().to_string(),
            "10.0.19045.2965"
        );
        assert_eq!(b.facts.os[3].value.arch, Some(wudiag_evidence::Arch::Amd64));
        assert_eq!(
            b.facts.os[4].value.version.unwrap().to_string(),
            "10.0.19045.4170"
        );
        // Diagnostic retention drops plain info lines but counts them.
        assert_eq!(b.stats.records_ok, 12);
        assert_eq!(b.events.len(), 0);
    }

    #[test]
    fn embedded_report_event() {
        let e = one(
            "2016-10-31\t11:24:33:411\t1524\t17ac\tReport\tREPORT EVENT: {0F12C265-4B12-47A1-848B-C7A999AF291B}\t2016-10-31 11:24:28:411-0600\t1\t181\t101\t{549A598B-FECB-4D4A-A636-64B7643AC2F3}\t501\t0\twusa\tSuccess\tContent Install\tInstallation Started: Windows successfully started the following update: Update for Windows (KB3172605)",
        );
        assert_eq!(e.kind, EventKind::InstallStarted);
        assert_eq!(e.event_id, Some(181));
        assert_eq!(e.title.as_deref(), Some("Update for Windows (KB3172605)"));
        assert_eq!(e.time.unwrap().to_string(), "2016-10-31T11:24:28.411-06:00");
        assert_eq!(e.update_id.unwrap().revision, Some(501));
        assert_eq!(e.component.as_deref(), Some("Report"));
    }

    #[test]
    fn failed_records_and_garbage() {
        let b = read(
            "\0\0\0\n2016-13-45 05:15:47:444 844 76c AU x\n\u{1}\u{2}binary\n",
            Retention::All,
        );
        assert_eq!(b.stats.records_failed, 2);
        assert_eq!(b.stats.records_ok, 1);
        assert_eq!(b.issues.len(), 2);
    }

    #[test]
    fn implied_triggers() {
        let m = triggers(b"*FAILED* [8024000C] failed to install update, exit code = 1");
        for t in [
            "*failed*",
            "failed",
            "failed to install",
            "exit code",
            "code",
            "0x",
        ] {
            let i = TRIGGERS.iter().position(|x| *x == t).unwrap();
            assert_eq!(m & (1 << i) != 0, t != "0x", "{t}");
        }
        assert!(!may_hold_failure_number(
            b"hr:0x0 guid 4e95dcbd-1a2b 12345678 0x7fffffff 2CF4766E5B0B 0x800700051"
        ));
        assert!(may_hold_failure_number(b"error 2149842967"));
        assert!(may_hold_failure_number(b"[8024000C]"));
        assert!(may_hold_failure_number(b"x 0x8024000C"));
    }

    #[test]
    fn precheck_is_a_superset_of_scan_markers() {
        for s in [
            "hr=80070057",
            "hr = 8024000C",
            "HRESULT=800F0905",
            "*FAILED* [80070005]",
            "Exit code = 0x8024000C",
            "error 2149842967",
            "errorcode=80070005",
            "error code -2145107961",
            "status: 0x800f0831",
            "status = 80070005",
            "result = 80070005",
            "failed with 80070005",
            "code = 80070005",
            "code: 80070005",
            "0X80244007",
            "Error: 80070005",
        ] {
            assert!(!scan::codes(s.as_bytes()).is_empty(), "{s}");
            assert!(may_have_code(triggers(s.as_bytes())), "{s}");
            assert!(may_hold_failure_number(s.as_bytes()), "{s}");
        }
    }
}
