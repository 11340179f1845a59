//! `AGT001` update-install-failed: the rule and its documentation.

use wudiag_evidence::{Arch, KbNumber, PackageIdentity};

use crate::context::AttemptOutcome;
use crate::remedies::{self, Fill};
use crate::text::{arch_of_title, join_and, when};
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, UpdateAttempt, codes, declare_rule,
    event_kbs,
};

declare_rule! {
    /// ## What it detects
    /// An update (named by its KB) whose download or installation failed, reconstructed across every source
    /// (WindowsUpdate.log, ReportingEvents.log, CBS.log, event logs, ConfigMgr logs) into one timeline:
    /// when it failed, with which code, how often it was retried, and how it ended.
    ///
    /// ## Why updates fail
    /// This rule does not decide why; other rules do. It states the outcome the administrator asked about
    /// ("did KB5035853 install?"), and when the same update succeeded later it reports the failure as
    /// resolved instead of open.
    ///
    /// ## Evidence used
    /// - Download and install events (started, succeeded, failed) with their KB, update id and code.
    /// - The architecture from the update's CBS package identity, or the OS architecture.
    ///
    /// ## How to fix
    /// Read the findings that explain the failure code. Installing the package by hand from the Microsoft
    /// Update Catalog takes the download path out of the picture and shows the installer's own error; the
    /// finding gives the exact catalogue search link for the KB and architecture.
    ///
    /// ## Fix safety
    /// Installing an update by hand is display-only: a human picks the right package and a maintenance window.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance: "Install the update package manually"
    pub UpdateInstallFailed,
    id = "AGT001", name = "update-install-failed", area = Agent, severity = Error, role = Outcome,
}

const NOT_AN_INSTALL_FAILURE: &[u32] = &[0x8024_0017, 0x800F_081E, 0x800F_0831];

/// The architecture of an update: from a CBS package identity naming the KB, else the OS.
pub(crate) fn update_arch(cx: &Context<'_>, kb: KbNumber) -> Option<Arch> {
    cx.events()
        .iter()
        .filter(|e| event_kbs(e).contains(&kb))
        .filter_map(|e| e.package.as_deref().and_then(PackageIdentity::parse))
        .filter_map(|p| p.arch)
        .find(|a| !matches!(a, Arch::Neutral | Arch::Msil | Arch::Wow64))
        .or_else(|| {
            cx.events()
                .iter()
                .filter(|e| event_kbs(e).contains(&kb))
                .find_map(|e| {
                    e.title
                        .as_deref()
                        .or(Some(e.message.as_str()))
                        .and_then(arch_of_title)
                })
        })
        .or(cx.os.arch)
}

fn timeline(a: &UpdateAttempt) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut failures = 0usize;
    let mut hidden = 0usize;
    for s in &a.steps {
        let (stage, failed) = match s.kind.rsplit_once('_') {
            Some((stage, "failed")) => (stage, true),
            Some((stage, "succeeded")) => (stage, false),
            _ => continue,
        };
        let code = s.code.map(|c| format!(" with {c}")).unwrap_or_default();
        if failed {
            failures += 1;
            if failures > 3 {
                hidden += 1;
                continue;
            }
            let verb = if failures == 1 {
                "failed"
            } else {
                "was retried and failed again"
            };
            parts.push(format!("{stage} {verb}{code} {}", when(s.time)));
        } else {
            parts.push(format!("{stage} succeeded {}", when(s.time)));
        }
    }
    if hidden > 0 {
        parts.push(format!("{hidden} more failures"));
    }
    parts.join(", ")
}

impl Rule for UpdateInstallFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for a in &cx.attempts {
            let Some(kb) = a.kb else { continue };
            if !matches!(
                a.outcome,
                AttemptOutcome::Failed | AttemptOutcome::RecoveredAfterFailure
            ) {
                continue;
            }
            // Codes that do not mean "this KB failed to install": not applicable (PKG001 reports it) and CBS
            // failing to resolve an earlier package that it names (CBS001 reports the missing package).
            let failed_steps: Vec<_> = a
                .steps
                .iter()
                .filter(|s| {
                    s.kind.ends_with("failed")
                        && !s
                            .code
                            .is_some_and(|c| NOT_AN_INSTALL_FAILURE.contains(&c.value()))
                })
                .collect();
            if failed_steps.is_empty() || cx.installed(kb).is_some() {
                continue;
            }
            let stage = if failed_steps.iter().all(|s| s.kind == "download_failed") {
                "download"
            } else {
                "install"
            };
            let arch = update_arch(cx, kb);
            let code_text = join_and(&a.codes.iter().map(|c| codes::label(*c)).collect::<Vec<_>>());
            let recovered = a.outcome == AttemptOutcome::RecoveredAfterFailure;
            let title = if recovered {
                format!("{kb} failed to {stage} at first, then succeeded")
            } else if a.codes.is_empty() {
                format!("{kb} failed to {stage}")
            } else {
                format!("{kb} failed to {stage} ({code_text})")
            };
            let mut message = format!("{kb}: {}.", timeline(a));
            if let Some(c) = a.codes.last() {
                message.push_str(&format!(" Last code: {}.", codes::explain(*c)));
            }
            if recovered {
                message.push_str(
                    " A later attempt succeeded, so nothing is left to fix for this update.",
                );
            } else {
                message.push_str(
                    " Other findings explain the code when a rule recognises the cause; installing the package by \
                     hand shows the installer's own error.",
                );
            }
            let mut f = Finding::new(&Self::META, Confidence::Confirmed, title, message)
                .update(kb)
                .codes(a.codes.iter().copied());
            for s in failed_steps.iter().take(4) {
                let ev = cx.events().iter().find(|e| e.location == s.location);
                f = match ev {
                    Some(e) => f.evidence(EvidenceRef::event(e)),
                    None => f,
                };
            }
            if failed_steps.len() > 4
                && let Some(e) = failed_steps
                    .last()
                    .and_then(|s| cx.events().iter().find(|e| e.location == s.location))
            {
                f = f.evidence(
                    EvidenceRef::event(e)
                        .note(format!("latest of {} failures", failed_steps.len())),
                );
            }
            if recovered {
                f = f.resolved();
            } else {
                f = f.fix(remedies::manual_install(kb, arch, &cx.os));
                if let Some(entry) = a.codes.last().and_then(|c| codes::entry(*c)) {
                    let ids: Vec<&str> = entry
                        .remedies
                        .iter()
                        .copied()
                        .filter(|id| *id != "manual-install-from-catalog")
                        .take(2)
                        .collect();
                    f = f.fixes(remedies::fixes(&ids, &cx.os, &Fill::kb(kb)));
                }
            }
            out.push(f);
        }
    }
}
