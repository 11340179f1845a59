//! What every rule gets: the evidence, a summary of the OS, and the update attempts.

use std::collections::BTreeMap;

use wudiag_evidence::{
    Arch, Event, EventKind, EventTime, Evidence, HResult, InstalledUpdate, KbNumber, Located,
    Location, PackageIdentity, Severity, Version,
};

use crate::Finding;
use crate::text::contains_ci;

/// What the evidence says about the operating system.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OsSummary {
    /// Product name, when a source names it.
    pub product: Option<String>,
    /// NT version (`6.1.7601`, `10.0.19045.4291`).
    pub version: Option<Version>,
    /// Architecture.
    pub arch: Option<Arch>,
    /// Servicing stack version in use (newest seen).
    pub servicing_stack: Option<Version>,
    /// Where the version came from.
    pub version_source: Option<Location>,
}

impl OsSummary {
    /// Builds the summary from the facts: explicit OS facts first, then the servicing stack version, whose
    /// major.minor.build matches the OS it services.
    pub fn from_evidence(evidence: &Evidence) -> Self {
        let facts = evidence.facts();
        let mut s = Self::default();
        for os in &facts.os {
            if s.product.is_none() {
                s.product.clone_from(&os.value.product);
            }
            if let Some(v) = os.value.version
                && s.version.is_none_or(|cur| v > cur)
            {
                s.version = Some(v);
                s.version_source = Some(os.location.clone());
            }
            if s.arch.is_none() {
                s.arch = os.value.arch;
            }
        }
        s.servicing_stack = facts.servicing_stack.iter().map(|l| l.value).max();
        if s.version.is_none()
            && let Some(ssu) = facts.servicing_stack.iter().max_by_key(|l| l.value)
        {
            let v = ssu.value;
            s.version = Some(Version([v.major(), v.minor(), v.build(), 0]));
            s.version_source = Some(ssu.location.clone());
        }
        if s.version.is_none()
            && let Some((v, location)) = version_from_packages(evidence)
        {
            s.version = Some(v);
            s.version_source = Some(location);
        }
        s
    }

    /// True for Windows 7 / Server 2008 R2 / Vista / 2008 (NT 6.0 and 6.1), where CheckSUR replaces
    /// `DISM /RestoreHealth`.
    pub fn is_nt6_legacy(&self) -> Option<bool> {
        self.version.map(|v| v.major() == 6 && v.minor() <= 1)
    }

    /// `Windows 10 (10.0.19045.2965), x64, servicing stack 10.0.19041.2905`, or what is known of it; says
    /// so when the version is unknown.
    pub fn sentence(&self) -> String {
        let mut s = self.describe();
        if let Some(a) = self.arch {
            s.push_str(&format!(", {a}"));
        }
        if let Some(ssu) = self.servicing_stack {
            s.push_str(&format!(", servicing stack {ssu}"));
        }
        s
    }

    /// True when the version is known to be NT 6.2 (Windows 8 / Server 2012) or later.
    pub fn is_nt62_or_later(&self) -> Option<bool> {
        self.version.map(|v| (v.major(), v.minor()) >= (6, 2))
    }

    /// The version as people write it: `6.1` when only the family is known (from package identities),
    /// `10.0.19045` without a zero revision, `10.0.19045.2965` in full.
    pub fn version_text(&self) -> Option<String> {
        self.version.map(|v| match (v.build(), v.revision()) {
            (0, 0) => format!("{}.{}", v.major(), v.minor()),
            (_, 0) => format!("{}.{}.{}", v.major(), v.minor(), v.build()),
            _ => v.to_string(),
        })
    }

    /// A short human name for the NT version.
    pub fn describe(&self) -> String {
        let Some(v) = self.version else {
            return "unknown Windows version".to_owned();
        };
        let name = match (v.major(), v.minor(), v.build()) {
            (6, 0, _) => "Windows Vista / Server 2008",
            (6, 1, _) => "Windows 7 / Server 2008 R2",
            (6, 2, _) => "Windows 8 / Server 2012",
            (6, 3, _) => "Windows 8.1 / Server 2012 R2",
            (10, 0, b) if b >= 22000 => "Windows 11 / Server 2022+",
            (10, 0, 20348) => "Windows Server 2022",
            (10, 0, 17763) => "Windows 10 1809 / Server 2019",
            (10, 0, 14393) => "Windows 10 1607 / Server 2016",
            (10, 0, _) => "Windows 10",
            _ => "Windows",
        };
        let shown = self.version_text().unwrap_or_default();
        match &self.product {
            Some(p) => format!("{p} ({shown})"),
            None => format!("{name} ({shown})"),
        }
    }
}

/// The NT version that CBS package identities imply, for evidence with no OS line: packages of NT 6.x carry
/// the OS version (`Package_for_KB3172605~…~amd64~~6.1.1.4` → 6.1), packages of Windows 10 and later the
/// build (`…~~19041.1220.1.0` → 10.0.19041). The most frequent answer wins; the location is its first package.
fn version_from_packages(evidence: &Evidence) -> Option<(Version, Location)> {
    let mut seen: Vec<(Version, u32, Location)> = Vec::new();
    for e in evidence.events() {
        let Some(pv) = e
            .package
            .as_deref()
            .and_then(PackageIdentity::parse)
            .and_then(|p| p.version)
        else {
            continue;
        };
        let nt = match (pv.major(), pv.minor()) {
            (6, minor @ 0..=3) => Version([6, minor, 0, 0]),
            (build, _) if build >= 10_240 => Version([10, 0, build, 0]),
            _ => continue,
        };
        match seen.iter_mut().find(|(v, ..)| *v == nt) {
            Some(entry) => entry.1 += 1,
            None => seen.push((nt, 1, e.location.clone())),
        }
    }
    seen.into_iter()
        .max_by_key(|(_, n, _)| *n)
        .map(|(v, _, location)| (v, location))
}

/// What happened to one update across all sources.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UpdateAttempt {
    /// The update: a KB, or an update id when no KB is known.
    pub update: String,
    /// Its KB, when known.
    pub kb: Option<KbNumber>,
    /// Failure codes, in order of first appearance.
    pub codes: Vec<HResult>,
    /// Steps, in time order: (time, kind, location).
    pub steps: Vec<AttemptStep>,
    /// The last outcome seen.
    pub outcome: AttemptOutcome,
}

/// One step of an update attempt.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttemptStep {
    /// When.
    pub time: Option<EventTime>,
    /// What (`install_failed`).
    pub kind: &'static str,
    /// The code, when the step failed.
    pub code: Option<HResult>,
    /// Where it was seen.
    pub location: Location,
}

/// How an update attempt ended, as far as the evidence shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The last step was a success.
    Succeeded,
    /// The last step was a failure.
    Failed,
    /// A failure was followed by a later success.
    RecoveredAfterFailure,
    /// Started, no outcome seen.
    Unknown,
}

fn is_attempt_step(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::DownloadStarted
            | EventKind::DownloadSucceeded
            | EventKind::DownloadFailed
            | EventKind::InstallStarted
            | EventKind::InstallSucceeded
            | EventKind::InstallFailed
            | EventKind::UninstallSucceeded
            | EventKind::UninstallFailed
    )
}

fn is_success(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::InstallSucceeded | EventKind::DownloadSucceeded | EventKind::UninstallSucceeded
    )
}

/// Groups download/install events into attempts per update (KB first, then update id).
pub(crate) fn attempts(evidence: &Evidence) -> Vec<UpdateAttempt> {
    let mut by_update: BTreeMap<String, UpdateAttempt> = BTreeMap::new();
    for e in evidence
        .events()
        .iter()
        .filter(|e| is_attempt_step(&e.kind))
    {
        let kbs = event_kbs(e);
        let (key, kb) = match (kbs.first(), &e.update_id) {
            (Some(kb), _) => (kb.to_string(), Some(*kb)),
            (None, Some(id)) => (id.to_string(), None),
            (None, None) => continue,
        };
        let a = by_update
            .entry(key.clone())
            .or_insert_with(|| UpdateAttempt {
                update: key,
                kb,
                codes: Vec::new(),
                steps: Vec::new(),
                outcome: AttemptOutcome::Unknown,
            });
        push_step(a, e);
    }
    let mut out: Vec<UpdateAttempt> = by_update.into_values().collect();
    for a in &mut out {
        // A step that "failed" only with a code the catalogue calls routine (a Delivery Optimization job
        // paused for lack of network) is a pause, not a failure: it neither fails nor taints the attempt.
        let failed = |s: &AttemptStep| {
            (s.code.is_some() || s.kind.ends_with("failed")) && !s.code.is_some_and(is_routine)
        };
        let failed_before = a.steps.iter().any(failed);
        a.outcome = match a.steps.last() {
            Some(s) if s.kind.ends_with("succeeded") && failed_before => {
                AttemptOutcome::RecoveredAfterFailure
            }
            Some(s) if s.kind.ends_with("succeeded") => AttemptOutcome::Succeeded,
            Some(s) if s.kind.ends_with("failed") && failed_before => AttemptOutcome::Failed,
            _ => AttemptOutcome::Unknown,
        };
    }
    out
}

/// Whether the catalogue marks the code as routine (logged by healthy machines).
fn is_routine(code: HResult) -> bool {
    wudiag_catalog::Catalog::embedded()
        .lookup(code)
        .is_some_and(|e| e.routine)
}

fn push_step(a: &mut UpdateAttempt, e: &Event) {
    let code = if is_success(&e.kind) {
        None
    } else {
        e.codes.first().copied()
    };
    if let Some(c) = code
        && !a.codes.contains(&c)
    {
        a.codes.push(c);
    }
    a.steps.push(AttemptStep {
        time: e.time,
        kind: e.kind.name(),
        code,
        location: e.location.clone(),
    });
}

/// What every rule gets.
pub struct Context<'a> {
    /// All evidence.
    pub evidence: &'a Evidence,
    /// The OS, as far as the evidence tells.
    pub os: OsSummary,
    /// Update attempts.
    pub attempts: Vec<UpdateAttempt>,
}

impl<'a> Context<'a> {
    /// Prepares the context (OS summary, attempts) once for all rules.
    pub fn new(evidence: &'a Evidence) -> Self {
        Self {
            evidence,
            os: OsSummary::from_evidence(evidence),
            attempts: attempts(evidence),
        }
    }

    /// The attempt of an update, by KB.
    pub fn attempt(&self, kb: KbNumber) -> Option<&UpdateAttempt> {
        self.attempts.iter().find(|a| a.kb == Some(kb))
    }

    /// The kind of source an event was read from.
    pub fn source_kind(&self, e: &Event) -> Option<wudiag_evidence::SourceKind> {
        self.evidence.source(e.location.source).map(|s| s.kind)
    }

    /// Marks `finding` resolved when every one of `failures` was overcome by a later success of the same
    /// update; leaves it open otherwise (or when `failures` is empty).
    pub fn settle<'e>(
        &self,
        finding: Finding,
        failures: impl IntoIterator<Item = &'e Event>,
    ) -> Finding {
        let mut any = false;
        for e in failures {
            any = true;
            if !self.overcome(e) {
                return finding;
            }
        }
        if any { finding.resolved() } else { finding }
    }

    /// Every event, in time order.
    pub fn events(&self) -> &'a [Event] {
        self.evidence.events()
    }

    /// Events in an error context: the record is a warning or an error, or its kind is a failure.
    pub fn failures(&self) -> impl Iterator<Item = &'a Event> + use<'a> {
        self.evidence
            .events()
            .iter()
            .filter(|e| is_error_context(e))
    }

    /// Events that carry `code`.
    pub fn with_code(&self, code: u32) -> impl Iterator<Item = &'a Event> + use<'a> {
        let code = HResult::new(code);
        self.evidence
            .events()
            .iter()
            .filter(move |e| e.codes.contains(&code))
    }

    /// Events that carry any of `codes`.
    pub fn with_any_code<'c>(
        &self,
        codes: &'c [u32],
    ) -> impl Iterator<Item = &'a Event> + use<'a, 'c> {
        self.evidence
            .events()
            .iter()
            .filter(move |e| e.codes.iter().any(|c| codes.contains(&c.value())))
    }

    /// Events whose message contains `needle` (ASCII case-insensitive).
    pub fn mentioning<'n>(&self, needle: &'n str) -> impl Iterator<Item = &'a Event> + use<'a, 'n> {
        self.evidence
            .events()
            .iter()
            .filter(move |e| contains_ci(&e.message, needle))
    }

    /// The installed-update fact for `kb`, if the evidence lists it as installed.
    pub fn installed(&self, kb: KbNumber) -> Option<&'a Located<InstalledUpdate>> {
        self.evidence.facts().installed_updates.iter().find(|u| {
            u.value.kb == Some(kb)
                && u.value.cbs_state.is_none_or(|s| s >= 112)
                && u.value
                    .package
                    .as_deref()
                    .and_then(PackageIdentity::parse)
                    .is_none_or(|p| p.kb() == Some(kb))
        })
    }

    /// True when a later success of an update named by `e` shows that the failure in `e` was overcome.
    pub fn overcome(&self, e: &Event) -> bool {
        let kbs = event_kbs(e);
        if !kbs.is_empty() {
            return kbs.iter().any(|kb| self.succeeded_later(*kb, e.time));
        }
        e.update_id.as_ref().is_some_and(|id| {
            let key = id.to_string();
            self.attempts
                .iter()
                .find(|a| a.update == key)
                .is_some_and(|a| later_success(a, e.time))
        })
    }

    /// True when, after `time`, the same update succeeded (so a failure at `time` was overcome).
    pub fn succeeded_later(&self, kb: KbNumber, time: Option<EventTime>) -> bool {
        let Some(a) = self.attempt(kb) else {
            return false;
        };
        later_success(a, time)
    }
}

fn later_success(a: &UpdateAttempt, time: Option<EventTime>) -> bool {
    a.steps.iter().any(|s| {
        s.kind.ends_with("succeeded")
            && matches!((s.time, time), (Some(st), Some(t)) if st.sort_key() > t.sort_key())
    })
}

/// True when an event is a warning or an error, or reports a failed operation.
pub fn is_error_context(e: &Event) -> bool {
    e.severity >= Severity::Warning || e.kind.is_failure()
}

/// KB numbers named by an event: its KBs, and the KB in its CBS package identity.
pub fn event_kbs(e: &Event) -> Vec<KbNumber> {
    let mut out = e.kbs.clone();
    if let Some(kb) = e
        .package
        .as_deref()
        .and_then(PackageIdentity::parse)
        .and_then(|p| p.kb())
        && !out.contains(&kb)
    {
        out.push(kb);
    }
    out
}

#[cfg(test)]
mod tests {
    use wudiag_evidence::{EvidenceBuilder, Retention, SourceInfo, SourceKind};

    use super::*;

    fn with_packages(packages: &[&str]) -> Evidence {
        let mut b = EvidenceBuilder::new(Retention::All);
        let source = b.add_source(SourceInfo::new("CBS.log", SourceKind::CbsLog, 0));
        let mut batch = b.batch(source);
        for p in packages {
            batch.record(Event {
                package: Some((*p).to_owned()),
                ..Event::default()
            });
        }
        b.merge(batch);
        b.finish()
    }

    #[test]
    fn the_os_family_comes_from_package_identities_when_nothing_else_says() {
        let win7 = OsSummary::from_evidence(&with_packages(&[
            "Package_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4",
        ]));
        assert_eq!(win7.version_text().as_deref(), Some("6.1"));
        assert_eq!(win7.is_nt6_legacy(), Some(true));
        assert_eq!(win7.describe(), "Windows 7 / Server 2008 R2 (6.1)");

        let win10 = OsSummary::from_evidence(&with_packages(&[
            "Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.2965.1.7",
            "Package_for_KB5005716~31bf3856ad364e35~amd64~~19041.1220.1.0",
            "Package_for_KB947821~31bf3856ad364e35~amd64~~6.1.1.0",
        ]));
        assert_eq!(win10.version_text().as_deref(), Some("10.0.19041"));

        // Versions that name no OS (a driver package at 1.0) say nothing.
        let none = OsSummary::from_evidence(&with_packages(&[
            "Package_for_Driver~31bf3856ad364e35~amd64~~1.0.0.0",
        ]));
        assert_eq!(none.version, None);
    }
}
