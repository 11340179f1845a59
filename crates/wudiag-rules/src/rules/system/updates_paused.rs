//! `SYS051` updates-paused: the rule and its documentation.

use jiff::civil::DateTime;
use wudiag_evidence::{Located, PolicyValue, RegData, Severity};

use super::machine_state::{Origin, add_days, day, newest_time, number, reg_time, value};
use crate::rules::wsus::helpers::scan_again;
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// Quality or feature updates paused on the machine, and until when: the client's pause state
    /// (`PausedQualityStatus` / `PausedFeatureStatus` = 1 under `WindowsUpdate\UpdatePolicy\Settings`), pause
    /// start dates set by Group Policy or MDM (`PauseQualityUpdatesStartTime`,
    /// `PauseFeatureUpdatesStartTime`), and pauses set in Settings (`WindowsUpdate\UX\Settings`:
    /// `PauseUpdatesExpiryTime`, `Pause…UpdatesEndTime`). A pause whose end lies before the newest record of
    /// the evidence is reported as expired, for information.
    ///
    /// ## Why updates fail
    /// While a category is paused the device installs none of its updates, whatever is approved or deployed
    /// for it: the first check Microsoft lists for "the device isn't receiving an update that you deployed".
    /// A policy pause lasts 35 days from its start date; a pause from Settings lasts until its expiry time.
    /// Tweak tools write far-away expiry dates (and raise `FlightSettingsMaxPauseDays`) to pause updates for
    /// years.
    ///
    /// ## Evidence used
    /// - Registry exports of `HKLM\SOFTWARE\Microsoft\WindowsUpdate\UpdatePolicy`,
    ///   `HKLM\SOFTWARE\Microsoft\WindowsUpdate\UX\Settings`,
    ///   `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate` and
    ///   `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update`.
    /// - The newest timestamp of any log in the evidence, to tell whether the pause has ended.
    ///
    /// ## How to fix
    /// Resume updates where the pause was set: the Group Policy or Intune update ring for policy pauses,
    /// Settings > Windows Update > Resume updates (or deleting the values a tool wrote) for local pauses. Then
    /// scan again.
    ///
    /// ## Fix safety
    /// Unsafe: resuming changes the machine's update configuration, and updates start installing (and may
    /// restart the machine) right after.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance, issue 3 "The device isn't receiving an update that
    ///   you deployed" (Microsoft Learn)
    /// - Configure Windows Update for Business: pause feature updates / pause quality updates (Microsoft Learn)
    pub UpdatesPaused,
    id = "SYS051", name = "updates-paused", area = System, severity = Warning,
}

/// How long a pause set by a start date lasts.
const PAUSE_DAYS: i64 = 35;

/// The values Settings writes for a pause (and deletes on resume).
const LOCAL_PAUSE_VALUES: &[&str] = &[
    "PauseFeatureUpdatesStartTime",
    "PauseFeatureUpdatesEndTime",
    "PauseQualityUpdatesStartTime",
    "PauseQualityUpdatesEndTime",
    "PauseUpdatesStartTime",
    "PauseUpdatesExpiryTime",
];

/// Every origin except the MDM defaults, which nobody set.
const SET: &[Origin] = &[
    Origin::GroupPolicy,
    Origin::Mdm,
    Origin::EffectiveState,
    Origin::UserSettings,
    Origin::Other,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Quality,
    Feature,
}

impl Category {
    const fn label(self) -> &'static str {
        match self {
            Self::Quality => "quality",
            Self::Feature => "feature",
        }
    }
    const fn status(self) -> &'static str {
        match self {
            Self::Quality => "PausedQualityStatus",
            Self::Feature => "PausedFeatureStatus",
        }
    }
    /// Start values, most specific first; the last one is shared by both categories.
    const fn starts(self) -> [&'static str; 3] {
        match self {
            Self::Quality => [
                "PauseQualityUpdatesStartTime",
                "PausedQualityDate",
                "PauseUpdatesStartTime",
            ],
            Self::Feature => [
                "PauseFeatureUpdatesStartTime",
                "PausedFeatureDate",
                "PauseUpdatesStartTime",
            ],
        }
    }
    /// End values, most specific first; the last one is shared by both categories.
    const fn ends(self) -> [&'static str; 2] {
        match self {
            Self::Quality => ["PauseQualityUpdatesEndTime", "PauseUpdatesExpiryTime"],
            Self::Feature => ["PauseFeatureUpdatesEndTime", "PauseUpdatesExpiryTime"],
        }
    }
    /// On/off values: the Windows 10 1607 policy and the client's policy state.
    const fn flags(self) -> [&'static str; 2] {
        match self {
            Self::Quality => ["PauseQualityUpdates", "QualityUpdatesPaused"],
            Self::Feature => ["PauseFeatureUpdates", "FeatureUpdatesPaused"],
        }
    }
}

/// Whether a pause still holds at the reference time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// It holds at the newest time of the evidence.
    Active,
    /// It ended before the newest time of the evidence (or the client says it auto-resumed).
    Expired,
    /// It is set, but the evidence has no time to compare its end with.
    Undated,
}

/// One category's pause as the evidence shows it.
#[derive(Debug)]
struct Pause<'a> {
    category: Category,
    state: State,
    start: Option<DateTime>,
    end: Option<DateTime>,
    /// The end is the start + 35 days, not a written value.
    end_derived: bool,
    /// The client reports it auto-resumed (status 2).
    auto_resumed: bool,
    cited: Vec<&'a Located<PolicyValue>>,
}

impl Pause<'_> {
    fn origins(&self) -> impl Iterator<Item = Origin> + '_ {
        self.cited.iter().map(|p| Origin::of(&p.value.key))
    }

    /// Longer than Windows itself allows: written by a script or a tweak tool.
    fn overlong(&self) -> bool {
        match (self.start, self.end) {
            (Some(s), Some(e)) if !self.end_derived => {
                add_days(s, PAUSE_DAYS + 1).is_some_and(|limit| e > limit)
            }
            _ => false,
        }
    }
}

/// Reads one category's pause; `None` when nothing says it is paused.
fn pause<'a>(cx: &Context<'a>, category: Category, now: Option<DateTime>) -> Option<Pause<'a>> {
    let status = value(cx, category.status(), SET);
    let status_n = status.and_then(number);
    if status_n == Some(0) {
        // The client's own state says "not paused"; leftover dates do not override it.
        return None;
    }
    let dated = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| value(cx, n, SET).and_then(|p| reg_time(&p.value.data).map(|t| (t, p))))
    };
    let start = dated(&category.starts());
    let end = dated(&category.ends());
    let flag = category
        .flags()
        .iter()
        .filter_map(|n| value(cx, n, SET))
        .find(|p| number(p) == Some(1));
    if status_n != Some(1)
        && status_n != Some(2)
        && start.is_none()
        && end.is_none()
        && flag.is_none()
    {
        return None;
    }
    let mut cited: Vec<&Located<PolicyValue>> = Vec::new();
    for p in [status, start.map(|s| s.1), end.map(|e| e.1), flag]
        .into_iter()
        .flatten()
    {
        if !cited.iter().any(|c| c.location == p.location) {
            cited.push(p);
        }
    }
    let (end_time, end_derived) = match (end, start) {
        (Some((e, _)), _) => (Some(e), false),
        (None, Some((s, _))) => (add_days(s, PAUSE_DAYS), true),
        (None, None) => (None, false),
    };
    let auto_resumed = status_n == Some(2);
    let state = if auto_resumed {
        State::Expired
    } else {
        match (end_time, now) {
            (Some(e), Some(n)) if e < n => State::Expired,
            (Some(_), Some(_)) => State::Active,
            // Paused by status or flag with no end date: it holds as far as the evidence tells.
            (None, _) if status_n == Some(1) || flag.is_some() => State::Active,
            _ => State::Undated,
        }
    };
    Some(Pause {
        category,
        state,
        start: start.map(|s| s.0),
        end: end_time,
        end_derived,
        auto_resumed,
        cited,
    })
}

fn origin_words(p: &Pause<'_>) -> &'static str {
    let origins: Vec<Origin> = p.origins().collect();
    if origins.contains(&Origin::GroupPolicy) {
        "set by Group Policy"
    } else if origins.contains(&Origin::Mdm) {
        "set by an MDM (Intune) policy"
    } else if origins.contains(&Origin::UserSettings) {
        "set in Settings, or by a tool writing the same values"
    } else {
        "as the client's policy state records it"
    }
}

/// One sentence about one category's pause.
fn describe(p: &Pause<'_>, now: Option<DateTime>) -> String {
    let what = match p.category {
        Category::Quality => "Quality updates (monthly security and cumulative updates)",
        Category::Feature => "Feature updates (new Windows versions)",
    };
    let since = p
        .start
        .map(|s| format!(" since {}", day(s)))
        .unwrap_or_default();
    let until = match (p.end, p.end_derived) {
        (Some(e), false) => format!(" until {}", day(e)),
        (Some(e), true) => format!(
            " until {} ({PAUSE_DAYS} days after the start; no end date in the evidence)",
            day(e)
        ),
        (None, _) => " with no end date in the evidence".to_owned(),
    };
    let mut s = match p.state {
        State::Active | State::Undated => {
            format!("{what} are paused{since}{until}, {}.", origin_words(p))
        }
        State::Expired => format!("{what} were paused{since}{until}, {}.", origin_words(p)),
    };
    if p.state == State::Expired {
        if p.auto_resumed {
            s.push_str(" The client reports the pause ended and updates resumed by themselves.");
        } else if let Some(n) = now {
            s.push_str(&format!(
                " That is before the newest record of the evidence ({}), so the pause is over.",
                day(n)
            ));
        }
    }
    if p.overlong() {
        s.push_str(&format!(
            " That is far longer than the {PAUSE_DAYS} days Windows allows: a script or tweak tool wrote it."
        ));
    }
    s
}

fn categories(pauses: &[&Pause<'_>]) -> &'static str {
    let q = pauses.iter().any(|p| p.category == Category::Quality);
    let f = pauses.iter().any(|p| p.category == Category::Feature);
    match (q, f) {
        (true, true) => "Quality and feature updates",
        (true, false) => "Quality updates",
        _ => "Feature updates",
    }
}

impl Rule for UpdatesPaused {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let now = newest_time(cx);
        let pauses: Vec<Pause<'_>> = [Category::Quality, Category::Feature]
            .into_iter()
            .filter_map(|c| pause(cx, c, now))
            .collect();
        if pauses.is_empty() {
            return;
        }
        let holding: Vec<&Pause<'_>> = pauses
            .iter()
            .filter(|p| p.state != State::Expired)
            .collect();
        let title = if holding.is_empty() {
            let all: Vec<&Pause<'_>> = pauses.iter().collect();
            format!("{} were paused; the pause has ended", categories(&all))
        } else {
            let ends: Vec<Option<DateTime>> = holding.iter().map(|p| p.end).collect();
            let same_end = ends.windows(2).all(|w| w.first() == w.last());
            match (same_end, ends.first().copied().flatten()) {
                (true, Some(e)) => format!("{} are paused until {}", categories(&holding), day(e)),
                _ => format!("{} are paused", categories(&holding)),
            }
        };
        let mut message = pauses
            .iter()
            .map(|p| describe(p, now))
            .collect::<Vec<_>>()
            .join(" ");
        if !holding.is_empty() {
            message.push_str(&format!(
                " While paused, the device installs no {} updates, whatever is approved or deployed for it.",
                match categories(&holding) {
                    "Quality updates" => "quality",
                    "Feature updates" => "feature",
                    _ => "quality or feature",
                }
            ));
            if holding.iter().any(|p| p.state == State::Undated) {
                message.push_str(
                    " The evidence has no log with a timestamp, so whether that date has passed cannot be told.",
                );
            }
        }
        let max_days = value(cx, "FlightSettingsMaxPauseDays", SET).and_then(number);
        if let Some(d) = max_days.filter(|d| *d > 35) {
            message.push_str(&format!(
                " FlightSettingsMaxPauseDays is {d}: the pause limit in Settings was raised by hand."
            ));
        }
        let confirmed = pauses.iter().any(|p| !p.end_derived && p.end.is_some())
            || pauses.iter().any(|p| {
                p.cited
                    .iter()
                    .any(|c| c.value.name.starts_with("Paused") && number(c) == Some(1))
            });
        let mut f = Finding::new(
            &Self::META,
            if confirmed {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            },
            title,
            message,
        )
        .severity(if holding.is_empty() {
            Severity::Info
        } else {
            Severity::Warning
        });
        for p in &pauses {
            for c in &p.cited {
                f = f.evidence(
                    EvidenceRef::fact(c).note(format!("{} update pause", p.category.label())),
                );
            }
        }
        if !holding.is_empty() {
            f = f.fix(resume_fix(cx, &holding)).fix(scan_again(cx, false));
        }
        out.push(f);
    }
}

fn resume_fix(cx: &Context<'_>, holding: &[&Pause<'_>]) -> Fix {
    let origins: Vec<Origin> = holding.iter().flat_map(|p| p.origins()).collect();
    let mut f = Fix::new(
        "Resume updates where the pause was set",
        Applicability::Unsafe,
    );
    if origins.contains(&Origin::GroupPolicy) {
        f = f
            .text(
                "The pause comes from Group Policy: clear the pause start date in \"Select when Quality Updates \
                 are received\" and \"Select when Preview Builds and Feature Updates are received\" (Computer \
                 Configuration > Administrative Templates > Windows Components > Windows Update), then refresh \
                 the policy. Editing the registry alone is undone at the next refresh.",
            )
            .cmd("gpupdate /target:computer /force");
    }
    if origins.contains(&Origin::Mdm) {
        f = f.text(
            "The pause comes from an MDM policy: resume the update ring assigned to this device in Intune (or \
             the MDM in use); the device picks it up at its next check-in.",
        );
    }
    // Every pause value Settings (or a tool) wrote, not only the ones cited: one left behind keeps the pause.
    let local: Vec<&Located<PolicyValue>> = cx
        .evidence
        .facts()
        .policy
        .iter()
        .filter(|p| {
            Origin::of(&p.value.key) == Origin::UserSettings
                && p.value.data != RegData::Deleted
                && LOCAL_PAUSE_VALUES
                    .iter()
                    .any(|n| p.value.name.eq_ignore_ascii_case(n))
        })
        .fold(Vec::new(), |mut v, c| {
            if !v
                .iter()
                .any(|x: &&Located<PolicyValue>| x.value.name == c.value.name)
            {
                v.push(c);
            }
            v
        });
    if !local.is_empty() {
        f = f.text(
            "The pause was set locally: select Resume updates in Settings > Windows Update, or delete the values \
             a tool wrote.",
        );
        for c in local {
            f = f.cmd(format!(
                "reg delete \"{}\" /v {} /f",
                c.value.key, c.value.name
            ));
        }
    }
    if !origins
        .iter()
        .any(|o| o.is_policy() || *o == Origin::UserSettings)
    {
        f = f.text(
            "Only the client's policy state shows the pause: select Resume updates in Settings > Windows Update, \
             and check Group Policy (gpresult) and the MDM for a pause setting.",
        );
        f = f.cmd("gpresult /scope computer /v");
    }
    f.text("Resumed updates may install and restart the machine soon after: plan for it.")
}

#[cfg(test)]
mod tests {
    use wudiag_evidence::{
        Event, EventKind, EventTime, EvidenceBuilder, Fact, PolicyValue, RegData, Retention,
        Severity, SourceInfo, SourceKind, Span,
    };

    use crate::rules::system::machine_state::parse_time;

    const UX: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\WindowsUpdate\\UX\\Settings";
    const GP: &str = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate";
    const STATE: &str =
        "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\WindowsUpdate\\UpdatePolicy\\Settings";

    /// Runs SYS051 over policy values and, optionally, one log record at `log_time`.
    fn run(values: &[(&str, &str, RegData)], log_time: Option<&str>) -> Vec<crate::Finding> {
        let mut b = EvidenceBuilder::new(Retention::Diagnostic);
        let src = b.add_source(SourceInfo::new("policy.reg", SourceKind::RegistryExport, 0));
        let mut batch = b.batch(src);
        for (i, (key, name, data)) in values.iter().enumerate() {
            batch.fact(
                Fact::Policy(PolicyValue {
                    key: (*key).to_owned(),
                    name: (*name).to_owned(),
                    data: data.clone(),
                }),
                Span::line(u64::try_from(i).unwrap() + 3),
                &format!("\"{name}\"=…"),
            );
        }
        b.merge(batch);
        if let Some(t) = log_time {
            let log = b.add_source(SourceInfo::new(
                "WindowsUpdate.log",
                SourceKind::WindowsUpdateLog,
                0,
            ));
            let mut batch = b.batch(log);
            let mut e = Event {
                severity: Severity::Warning,
                kind: EventKind::ScanFailed,
                time: Some(EventTime::local(parse_time(t).unwrap())),
                ..Event::default()
            };
            e.location = batch.at(Span::line(1));
            e.set_message("Agent  * END * Finding updates");
            batch.record(e);
            b.merge(batch);
        }
        let ev = b.finish();
        let cx = crate::Context::new(&ev);
        let mut out = Vec::new();
        crate::Rule::check(&super::UpdatesPaused, &cx, &mut out);
        out
    }

    fn s(v: &str) -> RegData {
        RegData::String(v.to_owned())
    }

    #[test]
    fn policy_start_date_lasts_35_days() {
        let f = run(
            &[(GP, "PauseQualityUpdatesStartTime", s("2024-03-05"))],
            Some("2024-03-20"),
        );
        let f = f.first().expect("a finding");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.title, "Quality updates are paused until 2024-04-09");
        assert!(
            f.message.contains("35 days after the start"),
            "{}",
            f.message
        );
        assert!(f.message.contains("Group Policy"), "{}", f.message);
    }

    #[test]
    fn a_pause_ended_before_the_newest_record_is_expired() {
        let f = run(
            &[(GP, "PauseQualityUpdatesStartTime", s("2024-03-05"))],
            Some("2024-04-10 08:00:00"),
        );
        let f = f.first().expect("a finding");
        assert_eq!(f.severity, Severity::Info);
        assert!(f.title.contains("has ended"), "{}", f.title);
        assert!(f.fixes.is_empty());
    }

    #[test]
    fn settings_expiry_wins_over_the_35_days_and_long_pauses_are_named() {
        let f = run(
            &[
                (UX, "PauseUpdatesStartTime", s("2024-03-05T06:20:03Z")),
                (UX, "PauseUpdatesExpiryTime", s("2080-03-31T06:20:25Z")),
                (UX, "FlightSettingsMaxPauseDays", RegData::Dword(20_480)),
            ],
            Some("2024-06-01"),
        );
        let f = f.first().expect("a finding");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.title,
            "Quality and feature updates are paused until 2080-03-31"
        );
        assert!(f.message.contains("tweak tool"), "{}", f.message);
        assert!(
            f.message.contains("FlightSettingsMaxPauseDays is 20480"),
            "{}",
            f.message
        );
        let steps = f.fixes.first().expect("resume fix").steps.join("\n");
        assert!(steps.contains("/v PauseUpdatesExpiryTime /f"), "{steps}");
    }

    #[test]
    fn status_zero_and_deleted_values_mean_not_paused() {
        assert!(
            run(
                &[
                    (STATE, "PausedQualityStatus", RegData::Dword(0)),
                    (STATE, "PausedQualityDate", s("2024-03-05 10:00:00")),
                    (UX, "PauseUpdatesExpiryTime", RegData::Deleted),
                ],
                None
            )
            .is_empty()
        );
        assert!(run(&[(GP, "PauseQualityUpdatesStartTime", s(""))], None).is_empty());
    }

    #[test]
    fn undated_evidence_says_so() {
        let f = run(
            &[
                (STATE, "PausedFeatureStatus", RegData::Dword(1)),
                (STATE, "PausedFeatureDate", s("2024-03-05 10:00:00")),
            ],
            None,
        );
        let f = f.first().expect("a finding");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.title, "Feature updates are paused until 2024-04-09");
        assert!(f.message.contains("cannot be told"), "{}", f.message);
        let auto = run(&[(STATE, "PausedFeatureStatus", RegData::Dword(2))], None);
        assert_eq!(auto.first().map(|f| f.severity), Some(Severity::Info));
    }
}
