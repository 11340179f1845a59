//! `SETUP001` feature-update-failed: the rule and its documentation.

use std::sync::LazyLock;

use regex::Regex;
use wudiag_evidence::{Event, EventKind, HResult};

use crate::remedies::{self, Fill};
use crate::text::{contains_ci, join_and};
use crate::{
    Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, codes, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// A feature update (Windows upgrade) that failed or rolled back, as summarised by SetupDiag: the SetupDiag
    /// rule that matched (`FindSPFatalError`, `OptionalComponentOpenPackageFailed`, …), the setup phase and
    /// the error codes.
    ///
    /// ## Why updates fail
    /// Windows Setup runs in phases (down-level, SafeOS, first boot, second boot). A failure in any phase
    /// rolls the machine back to the old version. SetupDiag reads the setup logs and names the known failure
    /// pattern; its rule name points at the cause: an optional component package that cannot be opened (the
    /// Windows Modules Installer service is not available, or a component is damaged), a fatal error while
    /// gathering data, a driver or application that blocks the upgrade, too little disk space.
    ///
    /// ## Evidence used
    /// - SetupDiag results (text, XML or JSON): rule, failure data, codes, host and target OS builds.
    ///
    /// ## How to fix
    /// Follow the advice for the rule SetupDiag found (below), then run the upgrade again. For
    /// `OptionalComponentOpenPackageFailed`: make sure the Windows Modules Installer (TrustedInstaller) service
    /// can start, restart, and remove optional components that are not needed. For other rules, read the
    /// failure data SetupDiag quotes and `%windir%\Panther\setupact.log` around it.
    ///
    /// ## Fix safety
    /// Display-only: the fixes involve restarts, removing features or third-party software.
    ///
    /// ## References
    /// - SetupDiag (Microsoft Learn)
    /// - Resolve Windows upgrade errors (Microsoft Learn)
    pub FeatureUpdateFailed,
    id = "SETUP001", name = "feature-update-failed", area = Setup, severity = Error,
}

fn advice(rule: &str) -> Option<Fix> {
    let r = rule.to_ascii_lowercase();
    if r.contains("optionalcomponent") {
        return Some(
            Fix::new("Make the Windows Modules Installer available, then retry the upgrade", Applicability::DisplayOnly)
                .text("Check the Windows Modules Installer (TrustedInstaller) service can start; set it to automatic for the upgrade if SetupDiag recommends it, and restart.")
                .cmd("sc qc TrustedInstaller")
                .cmd("sc config TrustedInstaller start= auto")
                .text("List installed optional features and remove the ones not needed, restart, then run the upgrade again.")
                .ps("Get-WindowsOptionalFeature -Online | Where-Object State -eq Enabled | Select-Object FeatureName"),
        );
    }
    if r.contains("spfatalerror") || r.contains("fatal") {
        return Some(
            Fix::new("Read the setup log around the fatal error", Applicability::Safe)
                .text("The failure data names the phase and operation; find the first error before it in the setup log.")
                .cmd("findstr /i /c:\", Error\" %windir%\\Panther\\setupact.log")
                .text("Fix what it names (a value setup could not parse, a driver, a locked file) and run the upgrade again."),
        );
    }
    if r.contains("disk") || r.contains("space") {
        return remedies::fix(
            "check-disk-space",
            &crate::OsSummary::default(),
            &Fill::none(),
        );
    }
    if r.contains("driver") || r.contains("block") || r.contains("compat") {
        return remedies::fix(
            "contact-vendor",
            &crate::OsSummary::default(),
            &Fill::none(),
        );
    }
    None
}

impl Rule for FeatureUpdateFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<(&Event, &str)> = cx
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::SetupFailure { rule } => Some((e, rule.as_str())),
                _ => None,
            })
            .collect();
        let mut rules: Vec<&str> = Vec::new();
        for (_, r) in &failures {
            if !r.is_empty() && !rules.contains(r) {
                rules.push(r);
            }
        }
        for rule in rules.iter().copied().chain(
            failures
                .is_empty()
                .then_some("")
                .into_iter()
                .filter(|_| false),
        ) {
            let events: Vec<&Event> = failures
                .iter()
                .filter(|(_, r)| *r == rule)
                .map(|(e, _)| *e)
                .collect();
            let mut found: Vec<HResult> = Vec::new();
            for e in &events {
                for c in &e.codes {
                    if (c.is_failure() || c.value() < 0x1_0000 && c.value() != 0)
                        && !found.contains(c)
                    {
                        found.push(*c);
                    }
                }
            }
            let rollback = events.iter().any(|e| {
                contains_ci(&e.message, "rollback") || contains_ci(&e.message, "roll back")
            });
            let mut message = format!(
                "SetupDiag found the failure pattern {rule}{}. ",
                if rollback {
                    "; the upgrade was rolled back"
                } else {
                    ""
                }
            );
            if !found.is_empty() {
                message.push_str(&format!(
                    "Codes: {}. ",
                    join_and(&found.iter().map(|c| codes::explain(*c)).collect::<Vec<_>>())
                ));
            }
            let lower = rule.to_ascii_lowercase();
            if lower.contains("optionalcomponent") {
                message.push_str(
                    "Setup could not open an optional component package: the Windows Modules Installer (TrustedInstaller) service \
                     was not available to it, or the component is damaged.",
                );
            } else if lower.contains("spfatalerror") {
                message.push_str(
                    "Setup stopped on a fatal error in the phase and operation SetupDiag quotes.",
                );
            }
            let named = named_in(&events);
            if let Some(p) = named.get("package") {
                message.push_str(&format!(" The package SetupDiag names is {p}."));
            }
            if let Some(mb) = named.get("free_mb") {
                message.push_str(&format!(
                    " Setup needs at least {mb} MB more free space on the system drive."
                ));
            }
            if let Some(v) = cx.os.version {
                message.push_str(&format!(" Host OS: {v}."));
            }
            let mut f = Finding::new(
                &Self::META,
                Confidence::Confirmed,
                format!("Feature update failed: SetupDiag {rule}"),
                message.trim().to_owned(),
            )
            .codes(found)
            .details(named)
            .events(events.iter().copied(), 4);
            if let Some(fix) = advice(rule) {
                f = f.fix(fix);
            }
            f = f.fixes(remedies::fixes(
                &["check-disk-space"],
                &cx.os,
                &Fill::none(),
            ));
            out.push(f);
        }
    }
}

/// What SetupDiag's result text names: `Package Name: Foundation`, `free up at least "6603" MB`.
static NAMED: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("package", r"(?i)Package Name:\s*([^,\s]+)"),
        ("free_mb", r#"(?i)free up at least\s*"?(\d+)"?\s*MB"#),
    ]
    .into_iter()
    .filter_map(|(k, p)| Regex::new(p).ok().map(|r| (k, r)))
    .collect()
});

fn named_in(events: &[&Event]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (key, re) in NAMED.iter() {
        if let Some(v) = events
            .iter()
            .find_map(|e| re.captures(&e.message).and_then(|c| c.get(1)))
        {
            out.insert(
                (*key).to_owned(),
                v.as_str().trim_end_matches('.').to_owned(),
            );
        }
    }
    out
}
