//! Turns ConfigMgr records into events and facts: what the WUA handler, the deployment agent and the
//! WSUS sync manager say about scans, policy and synchronisation.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use memchr::memmem;
use wudiag_evidence::{
    Event, EventKind, EventTime, EvidenceBatch, Fact, HResult, PolicyValue, RegData, Severity, Span,
};

use super::parse::{CmRecord, CmTime, Layout};
use crate::scan;

/// The policy key under which ConfigMgr-observed settings are filed.
pub const POLICY_KEY: &str = "WUAHandler.log";

/// What a phrase of [`CUES`] says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cue {
    ScanFailed,
    ScanSucceeded,
    PolicyOverwritten,
    Connection,
    WsusSource,
    ManagedServer,
    ExistingServer,
}

/// Phrases that give a record its kind, as ConfigMgr writes them. Matched case-sensitively (which lets
/// the matcher use its SIMD prefilter), without their first letter so that `Scan failed` and `scan
/// failed` both match.
const CUES: &[(&str, Cue)] = &[
    ("ailed to end search job", Cue::ScanFailed),
    ("can failed", Cue::ScanFailed),
    ("can Failed", Cue::ScanFailed),
    ("uccessfully completed scan", Cue::ScanSucceeded),
    ("verwritten by a higher authority", Cue::PolicyOverwritten),
    ("CommunicationError", Cue::Connection),
    ("WebException", Cue::Connection),
    ("SSL/TLS secure channel", Cue::Connection),
    ("nderlying connection was closed", Cue::Connection),
    ("nable to connect to the remote server", Cue::Connection),
    ("emote name could not be resolved", Cue::Connection),
    ("roxy Authentication Required", Cue::Connection),
    ("roxy authentication required", Cue::Connection),
    ("ts a WSUS Update Source type", Cue::WsusSource),
    (
        "WUA Managed server policy to use server",
        Cue::ManagedServer,
    ),
    (
        "xisting WUA Managed server was already set",
        Cue::ExistingServer,
    ),
];

static CUE_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(CUES.iter().map(|(p, _)| p))
        .ok()
});

/// Words by which CMTrace colours lines that carry no level; used for SMS and plain lines.
const FAILURE_WORDS: &[&str] = &[
    "fail",
    "error",
    "exception",
    "could not",
    "cannot",
    "unable to",
];
const WARNING_WORDS: &[&str] = &["warning", "warn:"];

static FAILURE_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(FAILURE_WORDS)
        .ok()
});
static WARNING_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(WARNING_WORDS)
        .ok()
});

/// What the record says it is, as a set of cues.
#[derive(Default, Clone, Copy)]
struct Cues {
    scan_failed: bool,
    scan_succeeded: bool,
    policy_overwritten: bool,
    connection: bool,
    wsus_source: bool,
    managed_server: bool,
    existing_server: bool,
}

fn cues(message: &[u8]) -> Cues {
    let mut c = Cues::default();
    let Some(m) = CUE_MATCHER.as_ref() else {
        return c;
    };
    for hit in m.find_iter(message) {
        match CUES.get(hit.pattern().as_usize()).map(|(_, cue)| *cue) {
            Some(Cue::ScanFailed) => c.scan_failed = true,
            Some(Cue::ScanSucceeded) => c.scan_succeeded = true,
            Some(Cue::PolicyOverwritten) => c.policy_overwritten = true,
            Some(Cue::Connection) => c.connection = true,
            Some(Cue::WsusSource) => c.wsus_source = true,
            Some(Cue::ManagedServer) => c.managed_server = true,
            Some(Cue::ExistingServer) => c.existing_server = true,
            None => {}
        }
    }
    c
}

/// Severity from a CMTrace `type` value: 1 info, 2 warning, 3 error (anything else: info).
pub fn severity_from_type(level: &[u8]) -> Severity {
    match level.trim_ascii() {
        b"2" => Severity::Warning,
        b"3" => Severity::Error,
        _ => Severity::Info,
    }
}

/// Severity of a record that has no level of its own, the way CMTrace highlights such lines: words of
/// failure make it an error, a warning word a warning; a failure code also counts as a failure.
pub fn inferred_severity(message: &[u8], has_codes: bool) -> Severity {
    if has_codes
        || FAILURE_MATCHER
            .as_ref()
            .is_some_and(|m| m.is_match(message))
    {
        Severity::Error
    } else if WARNING_MATCHER
        .as_ref()
        .is_some_and(|m| m.is_match(message))
    {
        Severity::Warning
    } else {
        Severity::Info
    }
}

/// Codes written bare between parentheses, as .NET and certificate errors print them: `(800B0109)`.
/// [`scan::codes`] does not read this form; only failure codes are returned.
pub fn paren_codes(text: &[u8], mut found: impl FnMut(HResult)) {
    for at in memchr::memchr_iter(b'(', text) {
        let Some(digits) = text.get(at + 1..at + 9) else {
            break;
        };
        if text.get(at + 9) != Some(&b')') || !digits.iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        if let Some(h) = HResult::from_hex_digits(digits).filter(|h| h.is_failure()) {
            found(h);
        }
    }
}

/// True when `text` may hold a failure code: a maximal run of exactly 8 hex digits that is not the first
/// group of a GUID (followed by `-`), or of exactly 10 decimal digits. A cheap gate before
/// [`scan::codes`].
pub fn code_candidate(text: &[u8]) -> bool {
    // Probes every 8th byte: a run of 8 or more hex digits must cover a probe. Only the runs around
    // probes that land on a hex digit are measured.
    let class = |i: usize| text.get(i).map_or(0, |b| digit_class(*b));
    let n = text.len();
    let mut p = 7;
    while p < n {
        if class(p) == 0 {
            p += 8;
            continue;
        }
        let mut start = p;
        while start > 0 && class(start - 1) != 0 {
            start -= 1;
        }
        let mut end = p + 1;
        while end < n && class(end) != 0 {
            end += 1;
        }
        let len = end - start;
        if len == 8 && text.get(end) != Some(&b'-') {
            return true;
        }
        if len == 10 && (start..end).all(|i| class(i) == 1) {
            return true;
        }
        p = end + 8;
    }
    false
}

/// 1 for decimal digits, 2 for the hex letters, 0 otherwise.
const fn digit_class(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => 1,
        b'a'..=b'f' | b'A'..=b'F' => 2,
        _ => 0,
    }
}

/// Every failure code of `message`, in every written form this reader knows.
pub fn all_codes(message: &[u8]) -> Vec<HResult> {
    let mut v = Vec::new();
    // Every written form of a code is a run of exactly 8 hex digits or 10 decimal digits; most
    // messages have none (GUIDs and hashes are skipped by shape).
    if !code_candidate(message) {
        return v;
    }
    if scan::may_contain_code(message) {
        v = scan::codes(message);
    }
    if memchr::memchr(b'(', message).is_some() {
        paren_codes(message, |h| {
            if !v.contains(&h) {
                v.push(h);
            }
        });
    }
    v
}

/// The event time of a ConfigMgr time: with its bias when there is one (CMTrace bias = minutes to add
/// to local time to get UTC, so the offset east of UTC is its negation: `+240` is UTC-04:00).
pub fn event_time(t: CmTime) -> EventTime {
    match t.bias_minutes {
        Some(b) if (-1440..=1440).contains(&b) => EventTime::with_offset(t.local, -b),
        _ => EventTime::local(t.local),
    }
}

/// The URL that starts at the first `http://` or `https://` of `text`, up to a space, `)` or `,`.
fn first_url(text: &[u8]) -> Option<String> {
    let at = memmem::find(text, b"http://").or_else(|| memmem::find(text, b"https://"))?;
    let rest = text.get(at..)?;
    let len = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(*b, b')' | b',' | b'"' | b'\'' | b']'))
        .unwrap_or(rest.len());
    let url = rest.get(..len)?;
    let url = url.strip_suffix(b".").unwrap_or(url);
    Some(String::from_utf8_lossy(url).into_owned())
}

/// The first `{GUID}` of `text`, braces included.
fn first_braced_guid(text: &[u8]) -> Option<String> {
    for at in memchr::memchr_iter(b'{', text) {
        let Some(inner) = text.get(at + 1..at + 37) else {
            break;
        };
        if text.get(at + 37) == Some(&b'}')
            && inner.iter().enumerate().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    *c == b'-'
                } else {
                    c.is_ascii_hexdigit()
                }
            })
        {
            return Some(String::from_utf8_lossy(text.get(at..at + 38)?).into_owned());
        }
    }
    None
}

fn policy(batch: &mut EvidenceBatch, name: &str, data: RegData, span: &Span, excerpt: &str) {
    batch.fact(
        Fact::Policy(PolicyValue {
            key: POLICY_KEY.to_owned(),
            name: name.to_owned(),
            data,
        }),
        span.clone(),
        excerpt,
    );
}

/// Reads the facts a WUAHandler line states about the update source.
fn facts(c: Cues, message: &[u8], span: &Span, batch: &mut EvidenceBatch) {
    if !(c.policy_overwritten || c.managed_server || c.existing_server || c.wsus_source) {
        return;
    }
    let excerpt = String::from_utf8_lossy(message);
    if (c.policy_overwritten || c.managed_server || c.existing_server)
        && let Some(url) = first_url(message)
    {
        policy(batch, "WUServer", RegData::String(url), span, &excerpt);
    }
    if c.policy_overwritten {
        // `… to: Server http://x and Policy ENABLED`
        let lower = message.to_ascii_lowercase();
        if memmem::find(&lower, b"policy enabled").is_some() {
            policy(batch, "UseWUServer", RegData::Dword(1), span, &excerpt);
        } else if memmem::find(&lower, b"policy disabled").is_some() {
            policy(batch, "UseWUServer", RegData::Dword(0), span, &excerpt);
        }
    }
    if c.wsus_source
        && let Some(guid) = first_braced_guid(message)
    {
        policy(
            batch,
            "ConfigMgrWsusUpdateSource",
            RegData::String(guid),
            span,
            &excerpt,
        );
    }
}

/// Maps one parsed record into `batch`.
pub fn extract(rec: &CmRecord<'_>, batch: &mut EvidenceBatch) {
    let message = rec.message;
    let span = Span::Lines {
        first: rec.first_line,
        last: rec.last_line,
    };
    let c = cues(message);
    facts(c, message, &span, batch);

    let codes = all_codes(message);
    let severity = match (rec.layout, rec.level) {
        (Layout::CmTrace, Some(level)) => severity_from_type(level),
        (Layout::CmTrace, None) => Severity::Info,
        _ => inferred_severity(message, !codes.is_empty()),
    };
    let kind = if c.scan_failed {
        EventKind::ScanFailed
    } else if c.connection {
        EventKind::ConnectionFailed
    } else if c.scan_succeeded {
        EventKind::ScanSucceeded {
            updates_found: None,
        }
    } else if c.policy_overwritten {
        EventKind::PolicyChanged
    } else {
        // `Sync failed` without a network cause stays a log line; its severity and codes keep it.
        EventKind::LogLine
    };
    if !batch.wants_record(severity, &kind, !codes.is_empty(), message) {
        batch.count_plain(severity);
        return;
    }
    let mut event = Event {
        time: rec.time.map(event_time),
        location: batch.at(span),
        severity,
        component: rec
            .component
            .filter(|c| !c.is_empty())
            .map(|c| String::from_utf8_lossy(c).into_owned()),
        kind,
        codes,
        ..Event::default()
    };
    let text = String::from_utf8_lossy(message);
    let text = if rec.layout == Layout::Sms {
        // SMS lines stand for line breaks with `~` and pad before the trailer.
        text.trim_end().trim_end_matches('~')
    } else {
        &text
    };
    event.set_message(text);
    for kb in scan::kbs(message) {
        event.add_kb(kb);
    }
    event.update_id = scan::first_update_id(message);
    batch.record(event);
}

#[cfg(test)]
mod tests {
    use super::super::parse::records;
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn read(block: &[u8], retention: Retention) -> EvidenceBatch {
        let mut b = EvidenceBatch::new(SourceId(0), retention);
        for r in records(block) {
            match r {
                Ok(r) => extract(&r, &mut b),
                Err(e) => b.failed(
                    Span::Lines {
                        first: e.first_line,
                        last: e.last_line,
                    },
                    e.to_string(),
                ),
            }
        }
        b
    }

    #[test]
    fn wuahandler_scan_and_policy() {
        let block = b"<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80244022.]LOG]!><time=\"10:00:00.000+420\" date=\"06-26-2015\" component=\"WUAHandler\" context=\"\" type=\"3\" thread=\"1\" file=\"a.cpp:1\">\n\
<![LOG[Scan failed with error = 0x80072ee2.]LOG]!><time=\"10:00:01.000+420\" date=\"06-26-2015\" component=\"WUAHandler\" context=\"\" type=\"3\" thread=\"1\" file=\"a.cpp:1\">\n\
<![LOG[Group policy settings were overwritten by a higher authority (Domain Controller) to: Server http://wsus01:8530 and Policy ENABLED]LOG]!><time=\"10:00:02.000+420\" date=\"06-26-2015\" component=\"WUAHandler\" context=\"\" type=\"2\" thread=\"1\" file=\"a.cpp:1\">\n\
<![LOG[Enabling WUA Managed server policy to use server: http://cm01.contoso.com:8530]LOG]!><time=\"10:00:03.000+420\" date=\"06-26-2015\" component=\"WUAHandler\" context=\"\" type=\"1\" thread=\"1\" file=\"a.cpp:1\">\n\
<![LOG[Its a WSUS Update Source type ({A70BBF1F-4768-4A41-AB5B-9ADBBBE009D0}), adding it.]LOG]!><time=\"10:00:04.000+420\" date=\"06-26-2015\" component=\"WUAHandler\" context=\"\" type=\"1\" thread=\"1\" file=\"a.cpp:1\">\n\
<![LOG[Successfully completed scan.]LOG]!><time=\"10:00:05.000+420\" date=\"06-26-2015\" component=\"WUAHandler\" context=\"\" type=\"1\" thread=\"1\" file=\"a.cpp:1\">\n";
        let b = read(block, Retention::Diagnostic);
        assert_eq!(b.stats.records_ok, 6);
        let kinds: Vec<_> = b.events.iter().map(|e| e.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "scan_failed",
                "scan_failed",
                "policy_changed",
                "scan_succeeded"
            ]
        );
        let e = &b.events[0];
        assert_eq!(e.codes[0].to_string(), "0x80244022");
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(e.component.as_deref(), Some("WUAHandler"));
        // +420 is UTC-7.
        let t = e.time.unwrap();
        assert_eq!(t.to_string(), "2015-06-26T10:00:00-07:00");
        assert_eq!(t.utc.unwrap().to_string(), "2015-06-26T17:00:00");
        let servers: Vec<_> = b
            .facts
            .policy
            .iter()
            .map(|p| (p.value.name.as_str(), format!("{:?}", p.value.data)))
            .collect();
        assert_eq!(
            servers,
            [
                ("WUServer", "String(\"http://wsus01:8530\")".to_owned()),
                ("UseWUServer", "Dword(1)".to_owned()),
                (
                    "WUServer",
                    "String(\"http://cm01.contoso.com:8530\")".to_owned()
                ),
                (
                    "ConfigMgrWsusUpdateSource",
                    "String(\"{A70BBF1F-4768-4A41-AB5B-9ADBBBE009D0}\")".to_owned()
                ),
            ]
        );
        assert!(b.facts.policy.iter().all(|p| p.value.key == POLICY_KEY));
    }

    #[test]
    fn deployment_agent_code_and_retention() {
        let block = b"<![LOG[GetUpdateInfo - failed to get targeted update, error = 0x87d00215.]LOG]!><time=\"08:53:19.672+240\" date=\"07-14-2021\" component=\"UpdatesDeploymentAgent\" context=\"\" type=\"3\" thread=\"10928\" file=\"updatesmanager.cpp:1348\">\n\
<![LOG[Just info]LOG]!><time=\"08:53:19.672+240\" date=\"07-14-2021\" component=\"UpdatesDeploymentAgent\" context=\"\" type=\"1\" thread=\"10928\" file=\"x\">\n";
        let b = read(block, Retention::Diagnostic);
        assert_eq!(b.stats.records_ok, 2);
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].codes[0].to_string(), "0x87d00215");
        assert_eq!(b.stats.events_dropped, 1);
        let all = read(block, Retention::All);
        assert_eq!(all.events.len(), 2);
    }

    #[test]
    fn wsyncmgr_excerpts() {
        let b = read(
            b"Sync Failed: USSCommunicationError: WebException: The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel\n",
            Retention::Diagnostic,
        );
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].kind, EventKind::ConnectionFailed);
        assert_eq!(b.events[0].severity, Severity::Error);
        assert!(b.events[0].time.is_none());
        let b = read(
            b"The given certificate chain has not Microsoft Root CA signed root (800B0109)\n",
            Retention::Diagnostic,
        );
        assert_eq!(b.events[0].codes[0].to_string(), "0x800b0109");
        let b = read(
            b"08-14-2019 08:37:30.102 Synchronizing update 7155376c-87e9-4f55-80f1-0d7c64eb8b5d - Microsoft .NET Framework 4.7.2 for Windows 7 (KB4054530)\n",
            Retention::All,
        );
        let e = &b.events[0];
        assert_eq!(e.kbs[0].to_string(), "KB4054530");
        assert_eq!(e.severity, Severity::Info);
        assert!(e.update_id.is_some());
        assert_eq!(e.time.unwrap().to_string(), "2019-08-14T08:37:30.102");
    }

    #[test]
    fn sms_message_is_trimmed() {
        let b = read(
            b"Sync failed: WebException: The remote server returned an error: (407) Proxy Authentication Required.~~  $$<SMS_WSUS_SYNC_MANAGER><06-01-2020 10:00:00.123+300><thread=1234 (0x4D2)>\n",
            Retention::Diagnostic,
        );
        let e = &b.events[0];
        assert_eq!(e.kind, EventKind::ConnectionFailed);
        assert!(e.message.ends_with("Required."));
        assert_eq!(e.component.as_deref(), Some("SMS_WSUS_SYNC_MANAGER"));
        assert_eq!(e.time.unwrap().to_string(), "2020-06-01T10:00:00.123-05:00");
    }

    #[test]
    fn code_gate() {
        assert!(code_candidate(b"error = 0x87d00215."));
        assert!(code_candidate(b"hr=80070057"));
        assert!(code_candidate(b"(800B0109)"));
        assert!(code_candidate(b"error 2149842967 x"));
        assert!(code_candidate(b"0x8024402c"));
        assert!(!code_candidate(
            b"{A70BBF1F-4768-4A41-AB5B-9ADBBBE009D0} and 1234567 and abcdef"
        ));
        assert!(!code_candidate(
            b"SHA1:A1C5F3C6AC7519F692791960092C07C745C48481"
        ));
    }

    #[test]
    fn paren_codes_only_take_failures() {
        let mut v = Vec::new();
        paren_codes(b"(800B0109) (20190814) (80070005 (8007000E)", |h| {
            v.push(h.to_string());
        });
        assert_eq!(v, ["0x800b0109", "0x8007000e"]);
    }
}
