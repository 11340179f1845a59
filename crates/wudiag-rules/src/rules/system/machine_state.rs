//! What the machine-state rules share: Windows Update policy values told apart by where they were set,
//! times as the registry stores them, and the newest time the evidence shows.

use jiff::civil::DateTime;
use wudiag_evidence::{EventTime, InstallationType, Located, PolicyValue, RegData};

use crate::Context;
use crate::text::contains_ci;

/// Where a Windows Update policy or setting value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate` (and `\AU`): Group Policy or local policy.
    GroupPolicy,
    /// `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update`: an MDM (Intune) policy in force.
    Mdm,
    /// `HKLM\SOFTWARE\Microsoft\PolicyManager\default\Update`: the defaults every device has; nobody set them.
    MdmDefault,
    /// `HKLM\SOFTWARE\Microsoft\WindowsUpdate\UpdatePolicy`: the state the client computed from all policies.
    EffectiveState,
    /// `HKLM\SOFTWARE\Microsoft\WindowsUpdate\UX\Settings`: what a user (or a tool) set in Settings.
    UserSettings,
    /// Anywhere else.
    Other,
}

impl Origin {
    /// Where a value under `key` comes from.
    pub(crate) fn of(key: &str) -> Self {
        if contains_ci(key, "\\Policies\\Microsoft\\Windows\\WindowsUpdate") {
            Self::GroupPolicy
        } else if contains_ci(key, "\\PolicyManager\\current\\device\\Update") {
            Self::Mdm
        } else if contains_ci(key, "\\PolicyManager\\default\\Update") {
            Self::MdmDefault
        } else if contains_ci(key, "\\WindowsUpdate\\UpdatePolicy") {
            Self::EffectiveState
        } else if contains_ci(key, "\\WindowsUpdate\\UX\\Settings") {
            Self::UserSettings
        } else {
            Self::Other
        }
    }

    /// True for values an administrator's policy set (Group Policy or MDM).
    pub(crate) const fn is_policy(self) -> bool {
        matches!(self, Self::GroupPolicy | Self::Mdm)
    }
}

/// The last observation of a value named `name` (case-insensitive) written in one of `origins`, leaving out
/// values the export deletes (`"name"=-`).
pub(crate) fn value<'a>(
    cx: &Context<'a>,
    name: &str,
    origins: &[Origin],
) -> Option<&'a Located<PolicyValue>> {
    cx.evidence.facts().policy.iter().rev().find(|p| {
        p.value.name.eq_ignore_ascii_case(name)
            && p.value.data != RegData::Deleted
            && origins.contains(&Origin::of(&p.value.key))
    })
}

/// The value as a number, when it is one.
pub(crate) fn number(p: &Located<PolicyValue>) -> Option<u64> {
    p.value.data.as_u64()
}

/// The value as non-empty text.
pub(crate) fn text(p: &Located<PolicyValue>) -> Option<&str> {
    p.value
        .data
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// True when the key path ends with `\suffix` (ASCII case-insensitive).
pub(crate) fn key_ends_with(key: &str, suffix: &str) -> bool {
    let (k, s) = (key.trim_end_matches('\\'), suffix.trim_start_matches('\\'));
    k.len() > s.len()
        && k.get(k.len() - s.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(s))
        && k.get(..k.len() - s.len())
            .is_some_and(|h| h.ends_with('\\'))
}

/// Windows Update for Business policy values (Group Policy names; MDM uses the same names under
/// `PolicyManager\current\device\Update`).
pub(crate) const WUFB_POLICIES: &[&str] = &[
    "DeferFeatureUpdates",
    "DeferFeatureUpdatesPeriodInDays",
    "DeferQualityUpdates",
    "DeferQualityUpdatesPeriodInDays",
    "BranchReadinessLevel",
    "TargetReleaseVersion",
    "TargetReleaseVersionInfo",
    "ProductVersion",
    "PauseFeatureUpdatesStartTime",
    "PauseQualityUpdatesStartTime",
    "ConfigureDeadlineForQualityUpdates",
    "ConfigureDeadlineForFeatureUpdates",
    "ManagePreviewBuilds",
    "DeferUpgrade",
    "DeferUpgradePeriod",
    "DeferUpdatePeriod",
];

/// Policy values showing the machine is managed by Windows Update for Business: any Windows Update value an
/// MDM set, and the Group Policy values of [`WUFB_POLICIES`] that are switched on (non-zero, non-empty).
pub(crate) fn wufb_policies<'a>(cx: &Context<'a>) -> Vec<&'a Located<PolicyValue>> {
    let mut out: Vec<&'a Located<PolicyValue>> = Vec::new();
    for p in &cx.evidence.facts().policy {
        let origin = Origin::of(&p.value.key);
        let on = match &p.value.data {
            RegData::Deleted => false,
            d => d.as_u64().map_or_else(
                || d.as_str().is_some_and(|s| !s.trim().is_empty()),
                |n| n != 0,
            ),
        };
        // MDM bookkeeping values (`…_ProviderSet`, `…_WinningProvider`) describe a setting, not one of their own.
        let counts = match origin {
            Origin::Mdm => on && !p.value.name.contains('_'),
            Origin::GroupPolicy => {
                on && WUFB_POLICIES
                    .iter()
                    .any(|n| p.value.name.eq_ignore_ascii_case(n))
            }
            _ => false,
        };
        if counts
            && !out
                .iter()
                .any(|o| o.value.name.eq_ignore_ascii_case(&p.value.name))
        {
            out.push(p);
        }
    }
    out
}

/// A time as Windows Update writes it in the registry: `2024-03-05T06:20:03Z` (Settings pauses),
/// `2019-07-28 10:38:56` (UpdatePolicy), `2024-03-05` (Group Policy pause start dates), or a FILETIME in a
/// QWORD. Times are taken as written (the `Z` ones are UTC).
pub(crate) fn reg_time(data: &RegData) -> Option<DateTime> {
    match data {
        RegData::String(s) | RegData::ExpandString(s) => parse_time(s),
        RegData::Qword(ft) => filetime(*ft),
        _ => None,
    }
}

/// Parses `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fraction]]`, and an optional
/// trailing `Z`.
pub(crate) fn parse_time(written: &str) -> Option<DateTime> {
    let written = written.trim().trim_end_matches(['Z', 'z']);
    let (date, clock) = match written.split_once(['T', ' ']) {
        Some((date, clock)) => (date, Some(clock.trim())),
        None => (written, None),
    };
    let mut ymd = date.split('-');
    let year: i16 = ymd.next()?.parse().ok()?;
    let month: i8 = ymd.next()?.parse().ok()?;
    let day: i8 = ymd.next()?.parse().ok()?;
    if ymd.next().is_some() {
        return None;
    }
    let (hour, minute, second) = match clock {
        None | Some("") => (0, 0, 0),
        Some(clock) => {
            let whole = clock.split('.').next()?;
            let mut hms = whole.split(':');
            let hour: i8 = hms.next()?.parse().ok()?;
            let minute: i8 = hms.next()?.parse().ok()?;
            let second: i8 = hms.next().map_or(Some(0), |x| x.parse().ok())?;
            if hms.next().is_some() {
                return None;
            }
            (hour, minute, second)
        }
    };
    EventTime::civil(year, month, day, hour, minute, second, 0)
}

/// A Windows FILETIME (100 ns ticks since 1601-01-01 UTC) as a UTC civil time; `None` for 0 or nonsense.
pub(crate) fn filetime(ticks: u64) -> Option<DateTime> {
    const UNIX_EPOCH_AS_FILETIME_SECONDS: i64 = 11_644_473_600;
    if ticks == 0 {
        return None;
    }
    let secs = i64::try_from(ticks / 10_000_000).ok()? - UNIX_EPOCH_AS_FILETIME_SECONDS;
    let ts = jiff::Timestamp::from_second(secs).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).datetime())
}

/// `time + days`, or `None` past the calendar's end.
pub(crate) fn add_days(time: DateTime, days: i64) -> Option<DateTime> {
    time.checked_add(jiff::Span::new().days(days)).ok()
}

/// A date for messages: `2024-03-05`.
pub(crate) fn day(time: DateTime) -> String {
    time.strftime("%Y-%m-%d").to_string()
}

/// The newest time any record of the evidence carries: the best guess at when the evidence was collected.
pub(crate) fn newest_time(cx: &Context<'_>) -> Option<DateTime> {
    cx.events()
        .iter()
        .filter_map(|e| e.time)
        .map(|t| t.written)
        .max()
}

/// True when the OS facts say this is a client edition of Windows 10 or 11 (not a server); `None` when the
/// evidence does not tell.
pub(crate) fn is_client(cx: &Context<'_>) -> Option<bool> {
    let facts = cx.evidence.facts();
    if let Some(t) = facts.os.iter().find_map(|o| o.value.installation_type) {
        return Some(t == InstallationType::Client);
    }
    let product = facts.os.iter().find_map(|o| o.value.product.as_deref())?;
    if contains_ci(product, "server") {
        Some(false)
    } else if contains_ci(product, "windows 10") || contains_ci(product, "windows 11") {
        Some(true)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_registry_times() {
        let t = parse_time("2024-03-05T06:20:03Z").unwrap();
        assert_eq!(t.to_string(), "2024-03-05T06:20:03");
        assert_eq!(
            parse_time("2019-07-28 10:38:56").unwrap().to_string(),
            "2019-07-28T10:38:56"
        );
        assert_eq!(
            parse_time("2024-03-05").unwrap().to_string(),
            "2024-03-05T00:00:00"
        );
        assert_eq!(
            parse_time("9999-08-24T07:02:47Z").unwrap().to_string(),
            "9999-08-24T07:02:47"
        );
        assert!(parse_time("").is_none());
        assert!(parse_time("2024-02-30").is_none());
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("2024-03-05T25:00").is_none());
        // 2024-01-01T00:00:00Z as a FILETIME.
        assert_eq!(
            filetime(133_485_408_000_000_000).unwrap().to_string(),
            "2024-01-01T00:00:00"
        );
        assert!(filetime(0).is_none());
        assert!(filetime(u64::MAX).is_none());
    }

    #[test]
    fn pause_arithmetic_crosses_months_and_years() {
        let start = parse_time("2024-12-10").unwrap();
        assert_eq!(day(add_days(start, 35).unwrap()), "2025-01-14");
        let leap = parse_time("2024-02-01").unwrap();
        assert_eq!(day(add_days(leap, 35).unwrap()), "2024-03-07");
        assert!(add_days(parse_time("9999-12-30").unwrap(), 35).is_none());
    }

    #[test]
    fn tells_origins_and_key_ends() {
        assert_eq!(
            Origin::of(
                "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"
            ),
            Origin::GroupPolicy
        );
        assert_eq!(
            Origin::of(
                "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\Update"
            ),
            Origin::Mdm
        );
        assert_eq!(
            Origin::of(
                "HKLM\\SOFTWARE\\Microsoft\\PolicyManager\\default\\Update\\PauseQualityUpdates"
            ),
            Origin::MdmDefault
        );
        assert_eq!(
            Origin::of("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\WindowsUpdate\\UX\\Settings"),
            Origin::UserSettings
        );
        assert!(key_ends_with(
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU",
            "WindowsUpdate\\AU"
        ));
        assert!(!key_ends_with(
            "X\\MyWindowsUpdate\\AU",
            "WindowsUpdate\\AU"
        ));
        assert!(!key_ends_with("AU", "AU"));
    }
}
