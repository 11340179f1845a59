//! `CBS005` advanced-installer-failed: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use super::helpers::{failures_with, kbs_of};
use crate::remedies::{self, Fill};
use crate::rules::agent::update_install_failed::update_arch;
use crate::text::{contains_ci, join_and};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// An update that reached the commit phase and was rolled back with `0x800f0922`
    /// (CBS_E_INSTALLERS_FAILED): "We couldn't complete the updates. Undoing changes."
    ///
    /// ## Why updates fail
    /// While an update is committed, advanced installers run for some components: they register event-log
    /// channels and providers, update .NET, write boot files to the System Reserved (or EFI) partition.
    /// When one of them fails, CBS undoes the whole update. Known triggers: a full System Reserved
    /// partition; an event-log provider or channel left registered by removed software (on Server 2016 an
    /// orphaned `Microsoft-Windows-Store-Client-UI` provider owning `Microsoft-Windows-Store/Operational` made
    /// cumulative updates roll back); an outdated servicing stack.
    ///
    /// ## Evidence used
    /// - CBS.log, WindowsUpdate.log, ReportingEvents.log and event records with `0x800f0922`, and nearby CBS
    ///   lines naming the advanced installer, a channel or the system partition.
    ///
    /// ## How to fix
    /// Find the first failing advanced installer in CBS.log (search `Failed` near the rollback); free the
    /// system partition if it is full; remove the orphaned event-log provider or channel registration the
    /// log names; install the latest servicing stack; then install the update again.
    ///
    /// ## Fix safety
    /// Display-only or safe (reading CBS.log); removing registry keys of event-log providers is a human
    /// decision.
    ///
    /// ## References
    /// - Windows Update error 0x800f0922 (Microsoft Learn, "Common Windows Update errors")
    /// - trichromic.co.uk, "Windows Server 2016 updates failing to install" (event channel conflict)
    pub AdvancedInstallerFailed,
    id = "CBS005", name = "advanced-installer-failed", area = Servicing, severity = Error,
    explains = [0x800F_0922],
}

fn hint(events: &[&Event], words: &[&str]) -> bool {
    events
        .iter()
        .any(|e| words.iter().any(|w| contains_ci(&e.message, w)))
}

impl Rule for AdvancedInstallerFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures = failures_with(cx, 0x800F_0922);
        if failures.is_empty() {
            return;
        }
        let context: Vec<&Event> = cx
            .failures()
            .filter(|e| {
                contains_ci(&e.message, "advanced installer")
                    || contains_ci(&e.message, "channel")
                    || contains_ci(&e.message, "system reserved")
                    || contains_ci(&e.message, "EFI")
            })
            .collect();
        let all: Vec<&Event> = failures.iter().chain(context.iter()).copied().collect();
        let kbs = kbs_of(failures.iter().copied());
        let mut causes: Vec<&str> = Vec::new();
        let partition = hint(
            &all,
            &["system reserved", "EFI system partition", "boot partition"],
        );
        let channel = hint(&all, &["channel", "event provider", "publisher"]);
        let server2016 = cx
            .os
            .version
            .is_some_and(|v| v.major() == 10 && v.build() == 14393);
        if partition {
            causes.push("the System Reserved / EFI partition is full (the log mentions it)");
        }
        if channel || server2016 {
            causes.push(
                "an event-log provider or channel registered by removed software blocks the update's event manifest \
                 (seen on Server 2016 with the orphaned Microsoft-Windows-Store-Client-UI provider owning \
                 Microsoft-Windows-Store/Operational)",
            );
        }
        if causes.is_empty() {
            causes.push("an advanced installer of one component failed (the first error in CBS.log before the rollback names it)");
            causes.push("a full System Reserved / EFI partition");
            causes.push("an outdated servicing stack");
        }
        let updates = if kbs.is_empty() {
            "An update".to_owned()
        } else {
            join_and(&kbs.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let message = format!(
            "{updates} was rolled back during commit with 0x800f0922 (CBS_E_INSTALLERS_FAILED): an installer that runs while \
             the update is committed failed, so CBS undid the whole update. Likely causes: {}. OS found: {}.",
            join_and(&causes),
            cx.os.sentence()
        );
        let mut f = Finding::new(
            &Self::META,
            if context.is_empty() {
                Confidence::Likely
            } else {
                Confidence::Confirmed
            },
            "Update rolled back: an advanced installer failed (0x800f0922)",
            message,
        )
        .code(HResult::new(0x800F_0922))
        .updates(kbs.iter().copied())
        .events(failures.iter().copied(), 3)
        .events(context.iter().copied(), 3);
        let mut ids = vec!["review-cbs-log"];
        if partition || causes.len() > 2 {
            ids.push("free-system-reserved-partition");
        }
        ids.push("install-latest-ssu");
        f = f.fixes(remedies::fixes(&ids, &cx.os, &Fill::none()));
        if let Some(kb) = kbs.first() {
            f = f.fix(remedies::manual_install(*kb, update_arch(cx, *kb), &cx.os));
        }
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
