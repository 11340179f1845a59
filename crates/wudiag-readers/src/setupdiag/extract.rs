//! Turns a SetupDiag result into events (one `SetupFailure` per matched profile) and an OS fact.

use jiff::civil::DateTime;
use wudiag_evidence::{
    Arch, Event, EventKind, EventTime, EvidenceBatch, Fact, HResult, OsFact, Severity, Span,
    Version,
};

use super::parse::{Document, Profile};
use crate::{scan, timestamps};

/// Names of the phases in an extend code (its first hex digit).
const PHASES: &[&str] = &[
    "unknown",
    "downlevel",
    "safe OS",
    "first boot",
    "OOBE boot (second boot)",
    "uninstall",
];

/// Names of the operations in an extend code (its last two hex digits).
const OPERATIONS: &[&str] = &[
    "unknown",
    "copy payload",
    "download updates",
    "install updates",
    "install recovery environment",
    "install recovery image",
    "replicate optional components",
    "install drivers",
    "prepare safe OS",
    "prepare rollback",
    "prepare first boot",
    "prepare OOBE boot",
    "apply image",
    "migrate data",
    "set product key",
    "add unattend",
    "add driver",
    "enable feature",
    "disable feature",
    "register asynchronous process",
    "register synchronous process",
    "create file",
    "create registry",
    "boot",
    "sysprep",
    "OOBE",
    "begin first boot",
    "end first boot",
    "begin OOBE boot",
    "end OOBE boot",
    "pre-OOBE",
    "post-OOBE",
    "add provisioning package",
];

/// Explains a Windows Setup extend code (`0x4000D` → phase 4, operation 0x0D), per the upgrade error
/// code scheme: the first hex digit is the phase, the last two the operation.
pub fn describe_extend_code(code: u32) -> String {
    let phase = (code >> 16) & 0xF;
    let op = code & 0xFF;
    let phase_name = PHASES
        .get(phase as usize)
        .copied()
        .unwrap_or("unlisted phase");
    let op_name = OPERATIONS
        .get(op as usize)
        .copied()
        .unwrap_or("unlisted operation");
    format!(
        "extend code 0x{code:X}: phase {phase} ({phase_name}), operation 0x{op:02X} ({op_name})"
    )
}

/// Finds `0xRESULT - 0xEXTEND` pairs (`0xC1900101 - 0x4000D`, `0x8007001F - 0x50015`) and returns the
/// extend codes.
pub fn extend_codes(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find(" - 0x")) {
        let at = from + rel;
        from = at + 5;
        // The result code before: `0x` + 8 hex digits ending right at `at`.
        let before_ok = at >= 10
            && b.get(at - 10..at - 8)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"0x"))
            && b.get(at - 8..at)
                .is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit));
        if !before_ok {
            continue;
        }
        let digits: Vec<u8> = b
            .get(at + 5..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(u8::is_ascii_hexdigit)
            .take(9)
            .collect();
        if digits.is_empty() || digits.len() > 8 {
            continue;
        }
        if let Some(h) = HResult::from_hex_digits(&digits)
            && h.value() != 0
            && !out.contains(&h.value())
        {
            out.push(h.value());
        }
    }
    out
}

/// Win32 errors SetupDiag prints as `Error: 0x00000057`, `Err = 0x…` or `[gle=0x…]`, as HRESULTs.
fn win32_codes(text: &str, mut found: impl FnMut(HResult)) {
    for marker in ["Error: 0x", "Err = 0x", "gle=0x", "Error = 0x"] {
        let mut from = 0;
        while let Some(rel) = text.get(from..).and_then(|t| t.find(marker)) {
            let at = from + rel + marker.len();
            from = at;
            let digits: Vec<u8> = text
                .as_bytes()
                .get(at..)
                .unwrap_or_default()
                .iter()
                .copied()
                .take_while(u8::is_ascii_hexdigit)
                .take(9)
                .collect();
            if digits.len() != 8 {
                continue;
            }
            if let Some(h) = HResult::from_hex_digits(&digits)
                && h.value() != 0
                && h.value() <= 0xFFFF
            {
                found(HResult::from_win32(h.value()));
            }
        }
    }
}

/// `3/21/2018 9:47:16 PM` (the culture SetupDiag ran under; day-first when the first number cannot be a
/// month).
fn us_time(text: &str) -> Option<DateTime> {
    let (date, rest) = text.trim().split_once(' ')?;
    let mut parts = date.split('/');
    let first: i8 = parts.next()?.parse().ok()?;
    let second: i8 = parts.next()?.parse().ok()?;
    let year: i16 = parts.next()?.parse().ok()?;
    let (month, day) = if first > 12 {
        (second, first)
    } else {
        (first, second)
    };
    let (hour, minute, sec, nanos, used) = timestamps::hms(rest.as_bytes())?;
    let ampm = rest.get(used..).unwrap_or_default().trim();
    let hour = match (ampm.to_ascii_uppercase().as_str(), hour) {
        ("PM", h) if h < 12 => h + 12,
        ("AM", 12) => 0,
        (_, h) => h,
    };
    EventTime::civil(year, month, day, hour, minute, sec, nanos)
}

/// A written SetupDiag time (`2019-06-06T22:21:49`, `2019-06-06 21:47:11,`, `3/21/2018 9:47:16 PM`);
/// `0001-01-01` means "never".
fn any_time(s: &str) -> Option<DateTime> {
    let s = s.trim();
    let t = timestamps::ymd_hms(s.as_bytes())
        .map(|(t, _)| t)
        .or_else(|| us_time(s))?;
    (t.year() > 1).then_some(t)
}

fn profile_time(doc: &Document, p: &Profile) -> Option<EventTime> {
    let from_log = p
        .log_error_line
        .iter()
        .chain(p.failure_data.iter())
        .find_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("LogEntry:").unwrap_or(l).trim();
            timestamps::ymd_hms(l.as_bytes()).map(|(t, _)| t)
        });
    from_log
        .or_else(|| doc.system_value("UpgradeEndTime").and_then(any_time))
        .or_else(|| doc.system_value("UpgradeStartTime").and_then(any_time))
        .map(EventTime::local)
}

/// The OS fact of the System Information block.
fn os_fact(doc: &Document) -> Option<(OsFact, String)> {
    let version = doc.system_value("HostOSVersion");
    let build = doc.system_value("HostOSBuildString");
    let arch_text = doc
        .system_value("HostOSArchitecture")
        .or_else(|| doc.system_value("Architecture"));
    let edition = doc.system_value("HostOSEdition");
    if version.is_none() && build.is_none() && edition.is_none() {
        return None;
    }
    let mut v = version.and_then(Version::parse);
    // `15063.0.amd64fre.rs2_release…`: build, revision, architecture.
    let mut build_parts = build.map(|b| b.split('.')).into_iter().flatten();
    let b_build = build_parts.next().and_then(|x| x.parse::<u32>().ok());
    let b_rev = build_parts.next().and_then(|x| x.parse::<u32>().ok());
    let b_arch = build_parts
        .next()
        .and_then(|x| x.strip_suffix("fre").or_else(|| x.strip_suffix("chk")))
        .and_then(Arch::from_text);
    if let (Some(ver), Some(bb), Some(br)) = (v.as_mut(), b_build, b_rev)
        && ver.build() == bb
        && ver.revision() == 0
    {
        ver.0[3] = br;
    }
    let fact = OsFact {
        version: v,
        arch: arch_text.and_then(Arch::from_text).or(b_arch),
        edition: edition.map(str::to_owned),
        ..OsFact::default()
    };
    let excerpt = [
        "HostOSVersion",
        "HostOSBuildString",
        "HostOSArchitecture",
        "HostOSEdition",
    ]
    .iter()
    .filter_map(|k| doc.system_value(k).map(|v| format!("{k} = {v}")))
    .collect::<Vec<_>>()
    .join("; ");
    Some((fact, excerpt))
}

/// The event of one matched profile.
fn profile_event(doc: &Document, p: &Profile, batch: &EvidenceBatch) -> Event {
    let mut lines: Vec<String> = Vec::new();
    if let Some(l) = &p.log_error_line {
        lines.push(format!("Log error line: {l}"));
    }
    for f in &p.failure_data {
        lines.push(f.trim().to_owned());
    }
    if let Some(d) = p.details.as_ref().filter(|d| !d.is_empty()) {
        lines.push(format!("Details: {d}"));
    }
    let all: String = lines.join("\n");
    let mut codes: Vec<HResult> = Vec::new();
    scan::each_code(all.as_bytes(), |h| {
        if !codes.contains(&h) {
            codes.push(h);
        }
    });
    win32_codes(&all, |h| {
        if !codes.contains(&h) {
            codes.push(h);
        }
    });
    let extends = extend_codes(&all);
    for e in &extends {
        let h = HResult::new(*e);
        if !codes.contains(&h) {
            codes.push(h);
        }
        lines.push(describe_extend_code(*e));
    }
    if let Some(target) = doc.system_value("TargetOSBuildString") {
        lines.push(format!("Target OS build: {target}"));
    }
    if !p.remediation.is_empty() {
        lines.push(format!("Remediation: {}", p.remediation.join(" ")));
    }
    let mut event = Event {
        time: profile_time(doc, p),
        location: batch.at(p.span.clone()),
        severity: Severity::Error,
        component: Some("SetupDiag".into()),
        kind: EventKind::SetupFailure {
            rule: p.name.clone(),
        },
        codes,
        ..Event::default()
    };
    let message = format!(
        "SetupDiag matched profile {}{}\n{}",
        p.name,
        p.guid
            .as_deref()
            .map(|g| format!(" ({g})"))
            .unwrap_or_default(),
        lines.join("\n")
    );
    event.set_message(&message);
    for kb in scan::kbs(message.as_bytes()) {
        event.add_kb(kb);
    }
    event
}

/// Maps a parsed document into `batch`.
pub fn extract(doc: &Document, batch: &mut EvidenceBatch) {
    if let Some((fact, excerpt)) = os_fact(doc) {
        batch.fact(Fact::Os(fact), doc.system_span.clone(), &excerpt);
    }
    for p in &doc.profiles {
        let mut p = p.clone();
        if p.name.is_empty() {
            p.name = "(unnamed profile)".into();
        }
        let event = profile_event(doc, &p, batch);
        batch.record(event);
    }
    if doc.profiles.is_empty() && !doc.unmatched.is_empty() {
        // No profile matched: keep what SetupDiag said as one record.
        let text: Vec<&str> = doc.unmatched.iter().map(|(t, _)| t.as_str()).collect();
        let text = text.join("\n");
        let first = doc.unmatched.first().map(|(_, s)| s.clone());
        let last = doc.unmatched.last().map(|(_, s)| s.clone());
        let span = match (first, last) {
            (Some(Span::Lines { first, .. }), Some(Span::Lines { last, .. })) => {
                Span::Lines { first, last }
            }
            (Some(s), _) => s,
            _ => Span::File,
        };
        let codes = scan::codes(text.as_bytes());
        let mut event = Event {
            time: None,
            location: batch.at(span),
            severity: if codes.is_empty() {
                Severity::Info
            } else {
                Severity::Error
            },
            component: Some("SetupDiag".into()),
            kind: EventKind::LogLine,
            codes,
            ..Event::default()
        };
        event.set_message(&text);
        batch.record(event);
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse;
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    #[test]
    fn extend_codes_are_decoded() {
        assert_eq!(extend_codes("Error: 0xC1900101 - 0x4000D"), [0x4000D]);
        assert_eq!(extend_codes("Error: 0x8007001F - 0x50015"), [0x50015]);
        assert!(extend_codes("a - 0x1 without result").is_empty());
        assert_eq!(
            describe_extend_code(0x4000D),
            "extend code 0x4000D: phase 4 (OOBE boot (second boot)), operation 0x0D (migrate data)"
        );
        assert!(describe_extend_code(0xF00FF).contains("unlisted phase"));
    }

    #[test]
    fn times() {
        assert_eq!(
            us_time("3/21/2018 10:02:40 PM").unwrap().to_string(),
            "2018-03-21T22:02:40"
        );
        assert_eq!(
            us_time("21/3/2018 12:02:40 AM").unwrap().to_string(),
            "2018-03-21T00:02:40"
        );
        assert!(any_time("0001-01-01T00:00:00").is_none());
        assert!(any_time("garbage").is_none());
    }

    #[test]
    fn json_feature_update_failure() {
        let json = r#"{"ProfileName":"FindMigApplyUnitFailure","FailureData":["Error: 0xC1900101 - 0x4000D"],
          "SystemInfo":{"HostOSVersion":"10.0.19045","HostOSBuildString":"19045.4291.amd64fre.vb_release.191206-1406","HostOSArchitecture":"x64","HostOSEdition":"Professional","UpgradeEndTime":"2024-05-01T10:00:00"},
          "Remediation":"Free disk space."}"#;
        let (doc, _) = parse(json);
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        extract(&doc, &mut b);
        let e = &b.events[0];
        assert_eq!(
            e.kind,
            EventKind::SetupFailure {
                rule: "FindMigApplyUnitFailure".into()
            }
        );
        let codes: Vec<String> = e.codes.iter().map(ToString::to_string).collect();
        assert_eq!(codes, ["0xc1900101", "0x0004000d"]);
        assert!(e.message.contains("phase 4"));
        assert!(e.message.contains("Remediation: Free disk space."));
        assert_eq!(e.time.unwrap().to_string(), "2024-05-01T10:00:00");
        let os = &b.facts.os[0].value;
        assert_eq!(os.version.unwrap().to_string(), "10.0.19045.4291");
        assert_eq!(os.arch, Some(Arch::Amd64));
        assert_eq!(os.edition.as_deref(), Some("Professional"));
    }

    #[test]
    fn win32_errors_become_hresults() {
        let mut v = Vec::new();
        win32_codes("Error: 0x00000057 [gle=0x00000057] Err = 0x00000005", |h| {
            v.push(h.to_string());
        });
        assert_eq!(v, ["0x80070057", "0x80070005", "0x80070057"]);
    }
}
