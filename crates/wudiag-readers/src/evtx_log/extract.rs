//! Turns EVTX records into [`Event`]s: which providers matter, what their event ids mean, and where the
//! codes, KBs, update ids and package names are in their event data.
//!
//! | Provider | Materialised | Kinds |
//! |---|---|---|
//! | Microsoft-Windows-WindowsUpdateClient (and the classic source "Windows Update Agent") | every record | 16/32/33 connection failed, 19/20 install ok/failed, 21/22 reboot required, 23/24 uninstall ok/failed, 25/26 scan failed/ok, 31 download failed, 41 download ok, 43 install started, 44 download started, others `Unclassified` |
//! | Microsoft-Windows-Servicing | every record | 1/7/8 started, 2/9 succeeded (failed when ErrorCode fails), 3/5/6/11/16 failed, 4/13/14 reboot, 10/15 uninstalled, 12 uninstall failed; a removal (`Absent`) turns install kinds into uninstall kinds |
//! | Service Control Manager | records about wuauserv, bits, TrustedInstaller, UsoSvc, WaaSMedicSvc, WsusService, W3SVC, wlidsvc, cryptsvc, DoSvc | 7040 `PolicyChanged` (start type), others `Unclassified` |
//! | Windows Server Update Services (Application log) | every record | 364/10032 download failed, 12002…12072 (web service not working) connection failed, others `Unclassified` |
//! | Microsoft-Windows-WUSA | every record | failure code → install failed, else `Unclassified` |
//! | Microsoft-Windows-SetupPlatform / -Setup | every record | `Unclassified` |
//! | Microsoft-Windows-Bits-Client | every record; warnings, errors and failure codes are `Unclassified` (kept), the rest `LogLine` (only listed by `events`) | |
//! | any other provider | counted only (records_ok and severity), never materialised | |
//!
//! Other providers are only counted: a System log is mostly drivers, DCOM and kernel records, and turning
//! them into events would bury the update evidence and cost memory without helping a diagnosis.

use jiff::civil::DateTime;
use std::borrow::Cow;

use wudiag_evidence::{
    Event, EventKind, EventTime, EvidenceBatch, HResult, Location, Severity, Span, UpdateId,
};

use super::parse::{RawRecord, Record, Value};
use crate::scan;

/// Providers whose records mean something for Windows Update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    /// Microsoft-Windows-WindowsUpdateClient.
    WindowsUpdateClient,
    /// Microsoft-Windows-Servicing (CBS, in Setup.evtx).
    Servicing,
    /// Service Control Manager (only records about update services are kept).
    ServiceControl,
    /// WSUS server events in the Application log.
    Wsus,
    /// Microsoft-Windows-Bits-Client.
    Bits,
    /// Microsoft-Windows-WUSA (standalone .msu installs).
    Wusa,
    /// Microsoft-Windows-SetupPlatform / Microsoft-Windows-Setup (feature updates).
    Setup,
    /// Anything else: counted only.
    Other,
}

/// Which kind of provider wrote a record.
pub fn interest(provider: &str) -> Interest {
    let p = provider.trim();
    let eq = |s: &str| p.eq_ignore_ascii_case(s);
    if eq("Microsoft-Windows-WindowsUpdateClient") || eq("Windows Update Agent") {
        Interest::WindowsUpdateClient
    } else if eq("Microsoft-Windows-Servicing") {
        Interest::Servicing
    } else if eq("Service Control Manager") {
        Interest::ServiceControl
    } else if eq("Microsoft-Windows-Bits-Client") {
        Interest::Bits
    } else if eq("Microsoft-Windows-WUSA") || eq("WUSA") {
        Interest::Wusa
    } else if eq("Microsoft-Windows-SetupPlatform") || eq("Microsoft-Windows-Setup") {
        Interest::Setup
    } else if eq("Windows Server Update Services")
        || eq("WSUS")
        || eq("WsusService")
        || eq("Microsoft-Windows-UpdateServices")
        || eq("Update Services")
    {
        Interest::Wsus
    } else {
        Interest::Other
    }
}

/// True when the event data of this provider's records is needed.
pub fn wants_data(provider: &str) -> bool {
    interest(provider) != Interest::Other
}

/// Severity from the record's `Level`: 1 critical and 2 error are errors, 3 is a warning, the rest
/// (0 log-always, 4 information, 5 verbose, none) are information.
pub const fn severity(level: Option<u8>) -> Severity {
    match level {
        Some(1 | 2) => Severity::Error,
        Some(3) => Severity::Warning,
        _ => Severity::Info,
    }
}

/// Services whose Service Control Manager records matter for Windows Update: key names (lowercase) and
/// English display names.
const UPDATE_SERVICES: &[(&str, &str)] = &[
    ("wuauserv", "Windows Update"),
    ("bits", "Background Intelligent Transfer Service"),
    ("trustedinstaller", "Windows Modules Installer"),
    ("usosvc", "Update Orchestrator Service"),
    ("waasmedicsvc", "Windows Update Medic Service"),
    ("wsusservice", "WSUS Service"),
    ("w3svc", "World Wide Web Publishing Service"),
    ("wlidsvc", "Microsoft Account Sign-in Assistant"),
    ("cryptsvc", "Cryptographic Services"),
    ("dosvc", "Delivery Optimization"),
];

/// The update service a Service Control Manager record is about, as its lowercase key name: from a
/// field holding the key (`param4` of 7040), the UTF-16 `Binary` blob (`wuauserv/4`), a display name
/// ending in `(key)`, or an English display name. Localised display names alone are not recognised.
pub fn update_service(rec: &Record<'_>) -> Option<&'static str> {
    for (name, value) in &rec.data {
        let Value::Str(v) = value else { continue };
        let v = v.trim();
        if name.eq_ignore_ascii_case("Binary") {
            if let Some(key) = decode_utf16_hex(v)
                .as_deref()
                .and_then(|s| known_key(s.split('/').next().unwrap_or_default()))
            {
                return Some(key);
            }
            continue;
        }
        if let Some(key) = known_key(v) {
            return Some(key);
        }
        if let Some(key) = v
            .strip_suffix(')')
            .and_then(|s| s.rsplit_once('('))
            .and_then(|(_, k)| known_key(k))
        {
            return Some(key);
        }
        if let Some((key, _)) = UPDATE_SERVICES
            .iter()
            .find(|(_, display)| display.eq_ignore_ascii_case(v))
        {
            return Some(key);
        }
    }
    None
}

fn known_key(s: &str) -> Option<&'static str> {
    let s = s.trim();
    UPDATE_SERVICES
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(s))
        .map(|(key, _)| *key)
}

/// Decodes the hex dump of a UTF-16LE string (`770075006100...`), stopping at its NUL.
fn decode_utf16_hex(hex: &str) -> Option<String> {
    let b = hex.as_bytes();
    if b.len() < 4 || !b.len().is_multiple_of(4) || b.len() > 1024 {
        return None;
    }
    let units: Option<Vec<u16>> = b
        .chunks_exact(4)
        .map(|c| {
            let byte = |i: usize| -> Option<u16> {
                let hi = hex_nibble(*c.get(i)?)?;
                let lo = hex_nibble(*c.get(i + 1)?)?;
                Some(u16::from(hi << 4 | lo))
            };
            Some(byte(0)? | (byte(2)? << 8))
        })
        .collect();
    let units = units?;
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16(units.get(..end)?).ok()
}

const fn hex_nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Field names whose value is a status code.
fn is_code_field(name: &str) -> bool {
    [
        "errorcode",
        "error",
        "hr",
        "hresult",
        "resultcode",
        "exitcode",
        "statuscode",
        "failurecode",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
}

/// A failure code written as a field value: `0x80073cf9`, `80244007`, `2149842967`, `-2145107961`.
pub fn code_of(value: &Value<'_>) -> Option<HResult> {
    let h = match value {
        Value::Str(s) => s.trim().parse::<HResult>().ok()?,
        Value::U64(n) => HResult::new(u32::try_from(*n).ok()?),
        Value::I64(n) => HResult::new(i32::try_from(*n).ok()?.cast_unsigned()),
        _ => return None,
    };
    h.is_failure().then_some(h)
}

/// The time of the record: `TimeCreated/@SystemTime`, else the record header's time; both UTC.
fn time_of(rec: &Record<'_>, raw: &RawRecord) -> EventTime {
    let ts = rec
        .time_created
        .as_deref()
        .and_then(|t| t.trim().parse::<jiff::Timestamp>().ok())
        .unwrap_or(raw.written);
    let dt: DateTime = jiff::tz::Offset::UTC.to_datetime(ts);
    EventTime::utc(dt)
}

/// A one-line rendering of the event data: `name=value; name=value`, control characters blanked, the
/// `Binary` hex blob left out.
pub fn render_message(rec: &Record<'_>) -> String {
    let mut s = String::new();
    for (name, value) in &rec.data {
        if name.eq_ignore_ascii_case("Binary") {
            continue;
        }
        let Some(text) = value.text() else { continue };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(name);
        s.push('=');
        for c in text.chars() {
            s.push(if c.is_control() { ' ' } else { c });
        }
        if s.len() > Event::MAX_MESSAGE {
            break;
        }
    }
    s
}

fn is_removal(state: Option<&str>) -> bool {
    state.is_some_and(|s| {
        let s = s.trim();
        s.eq_ignore_ascii_case("Absent")
            || s.eq_ignore_ascii_case("Uninstalled")
            || s.eq_ignore_ascii_case("UninstallPending")
            || s == "0"
            || s == "5"
    })
}

/// The kind of a record of an interesting provider.
fn kind_of(
    interest: Interest,
    provider: &str,
    id: Option<u32>,
    rec: &Record<'_>,
    severity: Severity,
    has_codes: bool,
) -> EventKind {
    let unclassified = || EventKind::Unclassified {
        provider: provider.to_owned(),
        event_id: id.unwrap_or_default(),
    };
    match interest {
        Interest::WindowsUpdateClient => match id {
            Some(16 | 32 | 33) => EventKind::ConnectionFailed,
            Some(19) => EventKind::InstallSucceeded,
            Some(20) => EventKind::InstallFailed,
            Some(21 | 22) => EventKind::RebootRequired,
            Some(23) => EventKind::UninstallSucceeded,
            Some(24) => EventKind::UninstallFailed,
            Some(25) => EventKind::ScanFailed,
            Some(26) => EventKind::ScanSucceeded {
                updates_found: rec
                    .field("updateCount")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok()),
            },
            Some(31) => EventKind::DownloadFailed,
            Some(41) => EventKind::DownloadSucceeded,
            Some(43) => EventKind::InstallStarted,
            Some(44) => EventKind::DownloadStarted,
            _ => unclassified(),
        },
        Interest::Servicing => {
            let state = rec
                .field_text("IntendedPackageStateTextized")
                .or_else(|| rec.field_text("IntendedPackageState"));
            let removal = is_removal(state.as_deref());
            let failed = || {
                if removal {
                    EventKind::UninstallFailed
                } else {
                    EventKind::InstallFailed
                }
            };
            match id {
                Some(1 | 7 | 8) => EventKind::InstallStarted,
                Some(2 | 9) if has_codes => failed(),
                Some(2 | 9) if removal => EventKind::UninstallSucceeded,
                Some(2 | 9 | 4383) => EventKind::InstallSucceeded,
                Some(3 | 5 | 6 | 11 | 16 | 4385) => failed(),
                Some(4 | 13 | 14 | 4386) => EventKind::RebootRequired,
                Some(10 | 15) => EventKind::UninstallSucceeded,
                Some(12) => EventKind::UninstallFailed,
                _ => unclassified(),
            }
        }
        Interest::ServiceControl => match id {
            Some(7040) => EventKind::PolicyChanged,
            _ => unclassified(),
        },
        Interest::Wsus => match id {
            Some(364 | 10032) => EventKind::DownloadFailed,
            Some(12002 | 12012 | 12022 | 12032 | 12042 | 12052 | 12072) => {
                EventKind::ConnectionFailed
            }
            _ => unclassified(),
        },
        Interest::Wusa if has_codes => EventKind::InstallFailed,
        Interest::Bits if severity == Severity::Info && !has_codes => EventKind::LogLine,
        Interest::Wusa | Interest::Setup | Interest::Bits | Interest::Other => unclassified(),
    }
}

/// Reads one record into `batch`: an event for the providers that matter, a count for the others.
pub fn extract(rec: &Record<'_>, raw: &RawRecord, batch: &mut EvidenceBatch) {
    let location = batch.at(Span::Record { id: raw.id });
    extract_at(rec, Some(time_of(rec, raw)), location, batch);
}

/// [`extract`] for a record found elsewhere than in an `.evtx` file (an XML export), at `location`.
pub fn extract_at(
    rec: &Record<'_>,
    time: Option<EventTime>,
    location: Location,
    batch: &mut EvidenceBatch,
) {
    let severity = severity(rec.level);
    let interest = interest(&rec.provider);
    if interest == Interest::Other
        || (interest == Interest::ServiceControl && update_service(rec).is_none())
    {
        batch.count_plain(severity);
        return;
    }

    let mut codes: Vec<HResult> = Vec::new();
    for (name, value) in &rec.data {
        if is_code_field(name)
            && let Some(h) = code_of(value)
            && !codes.contains(&h)
        {
            codes.push(h);
        }
    }
    if codes.is_empty() {
        // Codes written inside text (`… because of error 2149842967`, `hr=0x80070005`).
        for (_, value) in &rec.data {
            if let Value::Str(text) = value
                && scan::may_contain_code(text.as_bytes())
            {
                scan::each_code(text.as_bytes(), |h| {
                    if !codes.contains(&h) {
                        codes.push(h);
                    }
                });
            }
        }
    }

    let provider: &str = &rec.provider;
    let kind = kind_of(
        interest,
        provider,
        rec.event_id,
        rec,
        severity,
        !codes.is_empty(),
    );
    if !batch.wants(severity, &kind, !codes.is_empty()) {
        batch.count_plain(severity);
        return;
    }

    let mut event = Event {
        time,
        location,
        severity,
        component: Some(provider.to_owned()),
        kind,
        event_id: rec.event_id,
        codes,
        ..Event::default()
    };
    event.set_message(&render_message(rec));
    event.title = rec
        .field_text("updateTitle")
        .map(|t| short(&t))
        .filter(|t| !t.is_empty());
    if let Some(guid) = rec.field_text("updateGuid")
        && let Some(mut id) = UpdateId::parse(&guid).filter(|u| !u.is_nil())
    {
        if id.revision.is_none() {
            id.revision = rec
                .field("updateRevisionNumber")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok());
        }
        event.update_id = Some(id);
    }
    if interest == Interest::Servicing {
        event.package = rec
            .field_text("PackageIdentifier")
            .map(|p| short(&p))
            .filter(|p| !p.is_empty());
    }
    let message = std::mem::take(&mut event.message);
    scan::annotate(&mut event, message.as_bytes());
    event.message = message;
    if event.kbs.is_empty()
        && let Some(p) = &event.package
    {
        for kb in scan::kbs(p.as_bytes()) {
            event.add_kb(kb);
        }
    }
    batch.record(event);
}

/// An event as Event Viewer or PowerShell printed it: what a text export keeps of a record.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// Provider (`Source`), full (`Microsoft-Windows-WindowsUpdateClient`) or as Event Viewer shows it
    /// (`WindowsUpdateClient`).
    pub provider: String,
    /// Event id.
    pub event_id: Option<u32>,
    /// Level number (1 critical … 5 verbose).
    pub level: Option<u8>,
    /// When, if the export's time could be read.
    pub time: Option<EventTime>,
    /// The rendered message.
    pub message: String,
    /// Event data fields the export kept beside the message (`ErrorCode` = `0x80073712` from the "Event
    /// Xml" part of a "Copy details as text" block).
    pub data: Vec<(String, String)>,
}

/// The provider's full name when Event Viewer shows it without its `Microsoft-Windows-` prefix.
fn full_provider(name: &str) -> Cow<'_, str> {
    let name = name.trim();
    if interest(name) == Interest::Other {
        let full = format!("Microsoft-Windows-{name}");
        if interest(&full) != Interest::Other {
            return Cow::Owned(full);
        }
    }
    Cow::Borrowed(name)
}

/// The update service a Service Control Manager message is about (`The Windows Update service entered
/// the stopped state`, `… wuauserv …`), as its lowercase key name. English display names only.
fn update_service_in_text(message: &str) -> Option<&'static str> {
    let lower = message.to_ascii_lowercase();
    UPDATE_SERVICES
        .iter()
        .map(|(key, display)| (*key, display.to_ascii_lowercase()))
        .find_map(|(key, display)| {
            let named = lower.contains(&format!("the {display} service"))
                || lower.contains(&format!("({key})"))
                || lower
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == key);
            named.then_some(key)
        })
}

/// The update title of a Windows Update client message (`… with error 0x80070643: <title>.`).
fn title_in_message(message: &str) -> Option<String> {
    let (_, title) = message.rsplit_once(": ")?;
    let title = title.trim().trim_end_matches('.');
    (title.contains("(KB") || title.contains("Update")).then(|| short(title))
}

/// Reads one event of a text export into `batch`, the way [`extract`] reads the record it was printed
/// from: the same providers, kinds and severities; codes and KBs come from the rendered message. Records
/// of other providers (and Service Control Manager records about other services) are kept (as
/// `Unclassified`) when they are warnings or errors or carry a code — someone chose to paste them.
pub fn extract_rendered(r: &Rendered, location: Location, batch: &mut EvidenceBatch) {
    let provider = full_provider(&r.provider);
    let rec = Record {
        provider: Cow::Borrowed(&provider),
        event_id: r.event_id,
        level: r.level,
        ..Record::default()
    };
    let severity = severity(r.level);
    let interest = interest(&provider);
    // Service Control Manager records about other services: someone chose to paste this one (the WSUS
    // database service, a dependency that did not start), so it is read like any other provider's.
    let interest =
        if interest == Interest::ServiceControl && update_service_in_text(&r.message).is_none() {
            Interest::Other
        } else {
            interest
        };
    let mut codes: Vec<HResult> = Vec::new();
    for (name, value) in &r.data {
        if is_code_field(name)
            && let Some(h) = scan::codes(value.as_bytes())
                .into_iter()
                .next()
                .or_else(|| code_of(&Value::Str(Cow::Borrowed(value.trim()))))
            && !codes.contains(&h)
        {
            codes.push(h);
        }
    }
    scan::each_code(r.message.as_bytes(), |h| {
        if !codes.contains(&h) {
            codes.push(h);
        }
    });
    // Routine records of other providers are plain lines: kept only when they name a signature keyword.
    let kind = if interest == Interest::Other && severity == Severity::Info && codes.is_empty() {
        EventKind::LogLine
    } else {
        kind_of(
            interest,
            &provider,
            r.event_id,
            &rec,
            severity,
            !codes.is_empty(),
        )
    };
    if kind != EventKind::LogLine && !batch.wants(severity, &kind, !codes.is_empty()) {
        batch.count_plain(severity);
        return;
    }
    // Format-List and Format-Table leave the level out unless asked: a failure kind is an error then.
    let severity = if r.level.is_none() && kind.is_failure() {
        Severity::Error
    } else {
        severity
    };
    let mut event = Event {
        time: r.time,
        location,
        severity,
        component: Some(provider.clone().into_owned()),
        kind,
        event_id: r.event_id,
        codes,
        ..Event::default()
    };
    if interest == Interest::WindowsUpdateClient {
        event.title = title_in_message(&r.message);
    }
    if let Some((_, p)) = r
        .data
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("PackageIdentifier"))
    {
        event.package = Some(short(p));
    }
    event.set_message(&r.message);
    let message = std::mem::take(&mut event.message);
    scan::annotate(&mut event, message.as_bytes());
    event.message = message;
    batch.record(event);
}

/// Longest title or package name kept, in bytes.
const MAX_NAME: usize = 512;

/// `text` trimmed and cut to [`MAX_NAME`] bytes on a character boundary.
fn short(text: &str) -> String {
    let t = text.trim();
    let mut end = t.len().min(MAX_NAME);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    t.get(..end).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn raw(id: u64) -> RawRecord {
        RawRecord {
            id,
            written: jiff::Timestamp::UNIX_EPOCH,
            json: String::new(),
        }
    }

    fn run(json: &str, retention: Retention) -> EvidenceBatch {
        let rec = Record::parse(json, &wants_data).unwrap();
        let mut b = EvidenceBatch::new(SourceId(0), retention);
        extract(&rec, &raw(rec.record_id.unwrap_or(1)), &mut b);
        b
    }

    fn one(json: &str) -> Event {
        let b = run(json, Retention::All);
        assert_eq!(b.events.len(), 1, "{json}");
        b.events.into_iter().next().unwrap()
    }

    fn wuc(id: u32, level: u8, data: &str) -> String {
        format!(
            r##"{{"Event":{{"System":{{"Provider":{{"#attributes":{{"Name":"Microsoft-Windows-WindowsUpdateClient"}}}},"EventID":{id},"Level":{level},"TimeCreated":{{"#attributes":{{"SystemTime":"2024-11-11T17:44:35.8934326Z"}}}},"EventRecordID":283,"Channel":"System"}},"EventData":{{{data}}}}}}}"##
        )
    }

    #[test]
    fn install_failure_with_code_title_and_update_id() {
        let e = one(&wuc(
            20,
            2,
            r#""errorCode":"0x80073cf9","updateTitle":"9NZKPSTSNW4P-Microsoft.XboxGamingOverlay","updateGuid":"{0f7629df-f552-4f8c-8f3a-e200a316779d}","updateRevisionNumber":1"#,
        ));
        assert_eq!(e.kind, EventKind::InstallFailed);
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(e.event_id, Some(20));
        assert_eq!(
            e.component.as_deref(),
            Some("Microsoft-Windows-WindowsUpdateClient")
        );
        assert_eq!(e.codes, ["0x80073cf9".parse().unwrap()]);
        assert_eq!(
            e.title.as_deref(),
            Some("9NZKPSTSNW4P-Microsoft.XboxGamingOverlay")
        );
        let id = e.update_id.unwrap();
        assert_eq!(id.guid, "0f7629df-f552-4f8c-8f3a-e200a316779d");
        assert_eq!(id.revision, Some(1));
        assert_eq!(e.location.span, Span::Record { id: 283 });
        assert_eq!(e.time.unwrap().to_string(), "2024-11-11T17:44:35.8934326Z");
        assert!(
            e.message
                .starts_with("errorCode=0x80073cf9; updateTitle=9NZK")
        );
    }

    #[test]
    fn turkish_title_and_kb() {
        let e = one(&wuc(
            19,
            4,
            r#""updateTitle":"x64 Tabanlı Sistemler için Windows 10 Version 22H2 2022-11 Güncelleştirmesi (KB5020683)","updateGuid":"{c19c45e0-21d6-4c12-9093-e17518d14b49}","updateRevisionNumber":203"#,
        ));
        assert_eq!(e.kind, EventKind::InstallSucceeded);
        assert_eq!(e.kbs, ["KB5020683".parse().unwrap()]);
        assert!(e.title.unwrap().contains("Güncelleştirmesi"));
        assert!(e.codes.is_empty());
    }

    #[test]
    fn decimal_and_negative_codes() {
        let e = one(&wuc(25, 2, r#""errorCode":2149842967"#));
        assert_eq!(e.kind, EventKind::ScanFailed);
        assert_eq!(e.codes, ["0x80240017".parse().unwrap()]);
        let e = one(&wuc(31, 2, r#""errorCode":-2145107961"#));
        assert_eq!(e.kind, EventKind::DownloadFailed);
        assert_eq!(e.codes, ["0x80244007".parse().unwrap()]);
        let e = one(&wuc(31, 2, r#""errorCode":"0x0""#));
        assert!(e.codes.is_empty());
    }

    #[test]
    fn scan_success_counts_updates() {
        let e = one(&wuc(
            26,
            4,
            r#""updateCount":3,"serviceGuid":"{9482f4b4-e343-43b6-b170-9a65bc822c77}""#,
        ));
        assert_eq!(
            e.kind,
            EventKind::ScanSucceeded {
                updates_found: Some(3)
            }
        );
        // a service GUID is not an update id
        assert!(e.update_id.is_none());
    }

    #[test]
    fn every_wuc_id_is_kept_even_unknown_ones() {
        for (id, kind) in [
            (16, "connection_failed"),
            (17, "unclassified"),
            (21, "reboot_required"),
            (22, "reboot_required"),
            (23, "uninstall_succeeded"),
            (24, "uninstall_failed"),
            (32, "connection_failed"),
            (33, "connection_failed"),
            (40, "unclassified"),
            (41, "download_succeeded"),
            (43, "install_started"),
            (44, "download_started"),
            (999, "unclassified"),
        ] {
            let b = run(&wuc(id, 4, r#""x":"y""#), Retention::Diagnostic);
            assert_eq!(b.events.len(), 1, "id {id}");
            assert_eq!(b.events[0].kind.name(), kind, "id {id}");
        }
        let b = run(&wuc(17, 4, ""), Retention::Diagnostic);
        assert_eq!(
            b.events[0].kind,
            EventKind::Unclassified {
                provider: "Microsoft-Windows-WindowsUpdateClient".into(),
                event_id: 17
            }
        );
    }

    fn servicing(id: u32, state: &str, code: &str) -> String {
        format!(
            r##"{{"Event":{{"System":{{"Provider":{{"#attributes":{{"Name":"Microsoft-Windows-Servicing"}}}},"EventID":{id},"Level":0,"EventRecordID":2,"Channel":"Setup"}},"UserData":{{"CbsPackageChangeState":{{"PackageIdentifier":"KB3192137","IntendedPackageState":"{state}","ErrorCode":"{code}","Client":"Windows Update Agent"}}}}}}}}"##
        )
    }

    #[test]
    fn servicing_states() {
        let e = one(&servicing(2, "Installed", "0x0"));
        assert_eq!(e.kind, EventKind::InstallSucceeded);
        assert_eq!(e.package.as_deref(), Some("KB3192137"));
        assert_eq!(e.kbs, ["KB3192137".parse().unwrap()]);
        assert_eq!(e.severity, Severity::Info);
        let e = one(&servicing(2, "Installed", "0x800f0922"));
        assert_eq!(e.kind, EventKind::InstallFailed);
        assert_eq!(e.codes, ["0x800f0922".parse().unwrap()]);
        assert_eq!(
            one(&servicing(3, "Installed", "0x80070005")).kind,
            EventKind::InstallFailed
        );
        assert_eq!(
            one(&servicing(3, "Absent", "0x80070005")).kind,
            EventKind::UninstallFailed
        );
        assert_eq!(
            one(&servicing(2, "Absent", "0x0")).kind,
            EventKind::UninstallSucceeded
        );
        assert_eq!(
            one(&servicing(4, "Installed", "0x0")).kind,
            EventKind::RebootRequired
        );
        assert_eq!(
            one(&servicing(1, "Installed", "0x0")).kind,
            EventKind::InstallStarted
        );
        assert_eq!(
            one(&servicing(99, "Installed", "0x0")).kind.name(),
            "unclassified"
        );
    }

    fn scm(id: u32, level: u8, data: &str) -> String {
        format!(
            r##"{{"Event":{{"System":{{"Provider":{{"#attributes":{{"Name":"Service Control Manager","EventSourceName":"Service Control Manager"}}}},"EventID":{{"#attributes":{{"Qualifiers":16384}},"#text":{id}}},"Level":{level},"EventRecordID":5,"Channel":"System"}},"EventData":{{{data}}}}}}}"##
        )
    }

    #[test]
    fn service_control_manager_only_for_update_services() {
        // 7040 with the key in param4 (Turkish display name)
        let e = one(&scm(
            7040,
            4,
            r#""param1":"Windows Modül Yükleyicisi","param2":"otomatik başlatma","param3":"isteğe bağlı başlatma","param4":"TrustedInstaller""#,
        ));
        assert_eq!(e.kind, EventKind::PolicyChanged);
        // 7036 with the key only in the UTF-16 binary blob
        let e = one(&scm(
            7036,
            4,
            r#""param1":"Windows Güncelleştirme","param2":"çalışıyor","Binary":"770075006100750073006500720076002F0034000000""#,
        ));
        assert_eq!(e.kind.name(), "unclassified");
        assert!(!e.message.contains("Binary"));
        // 7031 with an English display name
        let e = one(&scm(7031, 2, r#""param1":"Windows Update","param2":"1""#));
        assert_eq!(e.severity, Severity::Error);
        // not an update service: counted, not kept
        let b = run(
            &scm(
                7031,
                2,
                r#""param1":"AppX Deployment Service (AppXSVC)","Binary":"41007000700058005300760063000000""#,
            ),
            Retention::All,
        );
        assert!(b.events.is_empty());
        assert_eq!(b.stats.records_ok, 1);
        assert_eq!(b.stats.by_severity, [0, 0, 1]);
        // a display name with the key in brackets
        let e = one(&scm(7034, 2, r#""param1":"Some name (wuauserv)""#));
        assert_eq!(e.event_id, Some(7034));
    }

    fn provider(name: &str, id: u32, level: u8, data: &str) -> String {
        format!(
            r##"{{"Event":{{"System":{{"Provider":{{"#attributes":{{"Name":"{name}"}}}},"EventID":{id},"Level":{level},"EventRecordID":5,"Channel":"Application"}},"EventData":{{{data}}}}}}}"##
        )
    }

    #[test]
    fn wsus_wusa_setup_bits() {
        let e = one(&provider(
            "Windows Server Update Services",
            364,
            2,
            r#""Data":"Content file download failed""#,
        ));
        assert_eq!(e.kind, EventKind::DownloadFailed);
        let e = one(&provider(
            "Windows Server Update Services",
            12072,
            2,
            r#""Data":"x""#,
        ));
        assert_eq!(e.kind, EventKind::ConnectionFailed);
        let e = one(&provider(
            "Windows Server Update Services",
            7053,
            2,
            r#""Data":"x""#,
        ));
        assert_eq!(e.kind.name(), "unclassified");
        let e = one(&provider(
            "Microsoft-Windows-WUSA",
            3,
            2,
            r#""Data":["Windows update \"KB1\" could not be installed because of error 2149842967 \"\""]"#,
        ));
        assert_eq!(e.kind, EventKind::InstallFailed);
        assert_eq!(e.codes, ["0x80240017".parse().unwrap()]);
        let e = one(&provider(
            "Microsoft-Windows-SetupPlatform",
            2005,
            4,
            r#""Installation choice":1"#,
        ));
        assert_eq!(e.kind.name(), "unclassified");
        // BITS: errors kept, info only listed in All mode
        let b = run(
            &provider("Microsoft-Windows-Bits-Client", 61, 3, r#""hr":2149580817"#),
            Retention::Diagnostic,
        );
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].codes, ["0x80200011".parse().unwrap()]);
        let info = provider("Microsoft-Windows-Bits-Client", 60, 4, r#""hr":0"#);
        assert!(run(&info, Retention::Diagnostic).events.is_empty());
        assert_eq!(run(&info, Retention::Diagnostic).stats.records_ok, 1);
        assert_eq!(
            run(&info, Retention::All).events[0].kind,
            EventKind::LogLine
        );
    }

    #[test]
    fn other_providers_are_counted_only() {
        let b = run(
            &provider(
                "Microsoft-Windows-Kernel-General",
                16,
                2,
                r#""x":"0x80070005""#,
            ),
            Retention::All,
        );
        assert!(b.events.is_empty());
        assert_eq!(b.stats.records_ok, 1);
        assert_eq!(b.stats.by_severity, [0, 0, 1]);
        assert!(b.stats.codes.is_empty());
    }

    #[test]
    fn severities() {
        assert_eq!(severity(Some(1)), Severity::Error);
        assert_eq!(severity(Some(2)), Severity::Error);
        assert_eq!(severity(Some(3)), Severity::Warning);
        assert_eq!(severity(Some(0)), Severity::Info);
        assert_eq!(severity(Some(5)), Severity::Info);
        assert_eq!(severity(None), Severity::Info);
    }

    #[test]
    fn utf16_hex() {
        assert_eq!(
            decode_utf16_hex("770075006100750073006500720076002F0034000000").as_deref(),
            Some("wuauserv/4")
        );
        assert_eq!(decode_utf16_hex("zz00"), None);
        assert_eq!(decode_utf16_hex("123"), None);
        assert_eq!(decode_utf16_hex("00D8").as_deref(), None); // lone surrogate
    }

    #[test]
    fn messages_are_one_line() {
        let json = provider(
            "Microsoft-Windows-WUSA",
            1,
            4,
            r#""a":"x\r\ny","b":"","c":7,"Binary":"00""#,
        );
        let rec = Record::parse(&json, &wants_data).unwrap();
        assert_eq!(render_message(&rec), "a=x  y; c=7");
    }

    #[test]
    fn a_10_mb_value_is_capped() {
        let big = "é".repeat(5 << 20);
        let e = one(&wuc(
            20,
            2,
            &format!(r#""errorCode":"0x80240017","updateTitle":"{big}""#),
        ));
        assert!(e.message.len() <= Event::MAX_MESSAGE + 4);
        assert!(e.title.unwrap().len() <= MAX_NAME);
        assert_eq!(e.codes, ["0x80240017".parse().unwrap()]);
    }

    #[test]
    fn time_falls_back_to_record_header() {
        let json = provider("Microsoft-Windows-WUSA", 1, 4, "");
        let rec = Record::parse(&json, &wants_data).unwrap();
        let t = time_of(&rec, &raw(1));
        assert_eq!(t.to_string(), "1970-01-01T00:00:00Z");
    }
}
