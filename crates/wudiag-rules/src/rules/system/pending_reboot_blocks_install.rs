//! `SYS001` pending-reboot-blocks-install: the rule and its documentation.

use wudiag_evidence::{Event, EventKind, HResult, PendingRebootIndicator, Severity};

use crate::context::AttemptOutcome;
use crate::remedies::{self, Fill};
use crate::text::{contains_ci, join_and, plural};
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, codes,
    declare_rule, event_kbs, is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// Servicing that cannot proceed because earlier work waits for a restart: `0x80070bc9`
    /// (ERROR_FAIL_REBOOT_REQUIRED), `0x800f082f` (CBS_E_PENDING), CBS/CSI lines such as "reboot is still
    /// pending", "A pending repair transaction already exists", "Pending transaction content must be
    /// resolved", errors from `poqexec` (the program that runs pending operations at boot), and the
    /// pending-restart indicators of a registry export (`RebootPending`, `PackagesPending`,
    /// `RebootRequired`, `pending.xml`, `PendingFileRenameOperations`…), each named.
    ///
    /// ## Why updates fail
    /// An update that replaces files in use queues the rest of its work for the next restart (pending.xml,
    /// run by poqexec during boot). Until then CBS refuses to start another transaction, so later installs,
    /// DISM repairs and SFC fail or only report "restart required". If the machine was restarted and the
    /// state comes back, the pending transaction itself is stuck: a policy forcing the TrustedInstaller
    /// start type, or damaged transaction records that only a repair upgrade clears.
    ///
    /// ## Evidence used
    /// - CBS.log, DISM.log, WindowsUpdate.log and event records with the codes and texts above.
    /// - Pending-restart facts from registry exports and logs.
    ///
    /// ## How to fix
    /// Restart the machine, let "Working on updates" finish, then retry. If the pending state survives the
    /// restart, look for a stuck `%windir%\WinSxS\pending.xml` (never delete it by hand), check that
    /// TrustedInstaller is not forced to automatic by policy, then consider a repair (in-place) upgrade.
    ///
    /// ## Fix safety
    /// A restart is display-only (it interrupts users and services), and so is the pending.xml check (what
    /// to do about a stuck transaction is a judgement). Changing the TrustedInstaller start type is unsafe.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance: "Pending Reboot"
    /// - roplatforms blog, "Installation failures, CBS store corruptions: uncommon issues" (2011)
    pub PendingRebootBlocksInstall,
    id = "SYS001", name = "pending-reboot-blocks-install", area = System, severity = Error,
    explains = [0x8007_0BC9, 0x800F_082F],
}

const CODES: &[u32] = &[0x8007_0BC9, 0x800F_082F];
const TEXTS: &[&str] = &[
    "reboot is still pending",
    "pending repair transaction already exists",
    "pending transaction content must be resolved",
    "because of pending operations",
    "reboot is pending, skip",
];

fn is_blocking(e: &Event) -> bool {
    (e.codes.iter().any(|c| CODES.contains(&c.value()))
        && (is_error_context(e) || contains_ci(&e.message, "fail")))
        || TEXTS.iter().any(|t| contains_ci(&e.message, t))
        || (is_error_context(e) && contains_ci(&e.message, "poqexec"))
}

impl Rule for PendingRebootBlocksInstall {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let blocking: Vec<&Event> = cx.events().iter().filter(|e| is_blocking(e)).collect();
        // A log line saying a restart is needed is normal after every install; only registry or file
        // indicators tell that one is pending now.
        let indicators: Vec<_> = cx
            .evidence
            .facts()
            .pending_reboot
            .iter()
            .filter(|i| i.value != PendingRebootIndicator::LoggedRebootPending)
            .collect();
        let strong: Vec<_> = indicators.iter().filter(|i| !i.value.is_weak()).collect();
        if blocking.is_empty() && indicators.is_empty() {
            return;
        }
        let mut names: Vec<&str> = Vec::new();
        for i in &indicators {
            let d = i.value.describe();
            if !names.contains(&d) {
                names.push(d);
            }
        }
        let seen: Vec<HResult> = blocking
            .iter()
            .flat_map(|e| e.codes.iter().copied())
            .filter(|c| CODES.contains(&c.value()))
            .fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            });
        let mut kbs = Vec::new();
        for e in &blocking {
            for kb in event_kbs(e) {
                if !kbs.contains(&kb) {
                    kbs.push(kb);
                }
            }
        }
        let failed_updates = cx
            .attempts
            .iter()
            .any(|a| a.outcome == AttemptOutcome::Failed);
        let (severity, confidence, title) = if !blocking.is_empty() {
            (
                Severity::Error,
                Confidence::Confirmed,
                "A pending restart blocks servicing".to_owned(),
            )
        } else if !strong.is_empty() {
            // A CBS or Windows Update restart indicator blocks the next install by itself.
            (
                Severity::Error,
                Confidence::Likely,
                "Windows is waiting for a restart".to_owned(),
            )
        } else {
            (
                Severity::Warning,
                Confidence::Possible,
                "A restart may be pending".to_owned(),
            )
        };
        let mut message = String::new();
        if !blocking.is_empty() {
            message.push_str(&format!(
                "The servicing stack refused work because an earlier transaction waits for a restart ({}{}).",
                plural(blocking.len(), "record", "records"),
                if seen.is_empty() {
                    String::new()
                } else {
                    format!(", {}", join_and(&seen.iter().map(|c| codes::label(*c)).collect::<Vec<_>>()))
                }
            ));
            let first = blocking.first().and_then(|e| e.time);
            let last = blocking.last().and_then(|e| e.time);
            if let (Some(a), Some(b)) = (first, last)
                && a.written.date() != b.written.date()
            {
                message.push_str(
                        " It is reported on several days: if the machine was restarted in between, the pending \
                         transaction is stuck rather than merely waiting.",
                    );
            }
        }
        if !names.is_empty() {
            message.push_str(&format!(
                " Pending-restart indicators found: {}.",
                names.join("; ")
            ));
            if strong.is_empty() {
                message.push_str(" These are weak signals: other software sets them too.");
            } else if blocking.is_empty() && failed_updates {
                message.push_str(
                    " An update install failed in this evidence while the restart was pending.",
                );
            }
        }
        message.push_str(
            " Restart, let Windows finish the pending work, then retry the update or repair.",
        );
        let mut f = Finding::new(&Self::META, confidence, title, message.trim().to_owned())
            .severity(severity)
            .codes(seen)
            .updates(kbs)
            .events(blocking.iter().copied(), 4);
        for i in indicators.iter().copied().take(6) {
            f = f.evidence(EvidenceRef::fact(i).note(i.value.describe()));
        }
        f = f.fixes(remedies::fixes(
            &["restart-pending-reboot"],
            &cx.os,
            &Fill::none(),
        ));
        if !blocking.is_empty() || !strong.is_empty() {
            f = f.fix(stuck_pending_xml());
        }
        if !blocking.is_empty() {
            f = f.fixes(remedies::fixes(
                &["fix-trustedinstaller-start-type"],
                &cx.os,
                &Fill::none(),
            ));
        }
        let last = blocking
            .iter()
            .filter_map(|e| e.time)
            .map(|t| t.sort_key())
            .max();
        let worked_later = last.is_some_and(|last| {
            cx.events().iter().any(|e| {
                e.time.is_some_and(|t| t.sort_key() > last)
                    && match &e.kind {
                        EventKind::InstallSucceeded | EventKind::UninstallSucceeded => true,
                        EventKind::CorruptionSummary { detected, .. } => {
                            detected.is_some() && !e.codes.iter().any(|c| c.is_failure())
                        }
                        _ => false,
                    }
            })
        });
        if worked_later && strong.is_empty() {
            f.message.push_str(
                " A servicing operation completed after these records, so the restart has happened since and the block is over.",
            );
            out.push(f.resolved());
            return;
        }
        out.push(if blocking.is_empty() {
            f
        } else {
            cx.settle(f, blocking.iter().copied())
        });
    }
}

/// If the restart does not clear the pending state: look for the transaction CBS could not finish.
fn stuck_pending_xml() -> Fix {
    Fix::new(
        "If the restart does not clear it, check for a stuck pending.xml",
        Applicability::DisplayOnly,
    )
    .text(
        "After a restart that completed (\"Working on updates\" reached 100%), a pending.xml that is still there \
         means CBS could not finish the transaction: poqexec errors in CBS.log and the Setup event log say why.",
    )
    .ps("Test-Path \"$env:windir\\WinSxS\\pending.xml\"")
    .cmd("dir /a %windir%\\WinSxS\\pending*.xml")
    .text(
        "Do not delete or rename pending.xml: that leaves the component store half-updated. Restart once more; if \
         it survives, check that TrustedInstaller is not forced to automatic start by policy, then repair with an \
         in-place upgrade from media of the same build.",
    )
}
