//! `WSUS011` configmgr-update-not-found: the rule and its documentation.

use wudiag_evidence::{Event, EventKind, HResult, Severity};

use super::helpers::{last_scan, scan_again};
use crate::text::{plural, when};
use crate::{Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// The Configuration Manager client failing to find an update a deployment targets:
    /// `0x87d00215` (item not found), for example UpdatesDeployment.log "GetUpdateInfo - failed to get
    /// targeted update, error = 0x87d00215", together with the state of the client's software update scans
    /// (the last scan result in WUAHandler.log / ScanAgent.log).
    ///
    /// ## Why updates fail
    /// A deployment names updates by their configuration item. The client looks them up in its local update
    /// store, which the software update scan fills. Before a scan has completed (new client, new deployment,
    /// scan failing), or when the update is not in the catalogue the SUP synchronised, the lookup fails and
    /// the update is neither evaluated nor installed. When a scan completes afterwards and the deployment
    /// evaluates, the error was transient.
    ///
    /// ## Evidence used
    /// - UpdatesDeployment.log / UpdatesHandler.log / UpdatesStore.log records with `0x87d00215`.
    /// - Scan results (`Successfully completed scan`, `Scan failed with error`) in WUAHandler.log.
    ///
    /// ## How to fix
    /// Run the Software Updates Scan Cycle and then the Software Updates Deployment Evaluation Cycle; if the
    /// scan fails, fix the scan first (see the scan findings); if it succeeds and the error stays, check that
    /// the SUP synchronised the update and that the deployment package content is distributed.
    ///
    /// ## Fix safety
    /// Triggering the scan and evaluation cycles is safe.
    ///
    /// ## References
    /// - Troubleshoot software update scan failures in Configuration Manager (KB3090184)
    pub ConfigMgrUpdateNotFound,
    id = "WSUS011", name = "configmgr-update-not-found", area = Wsus, severity = Warning,
    explains = [0x87D0_0215],
}

impl Rule for ConfigMgrUpdateNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx.with_code(0x87D0_0215).collect();
        let Some(first) = failures.first() else {
            return;
        };
        let scans: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::ScanSucceeded { .. } | EventKind::ScanFailed
                )
            })
            .collect();
        let last = last_scan(cx);
        let last_failure_time = failures.last().and_then(|e| e.time);
        let scan_ok_after = scans.iter().any(|s| {
            matches!(s.kind, EventKind::ScanSucceeded { .. })
                && matches!((s.time, last_failure_time), (Some(a), Some(b)) if a.sort_key() > b.sort_key())
        });
        let evaluated_after = cx.mentioning("ASSIGNMENT_EVALUATE_SUCCESS").any(|e| {
            matches!((e.time, last_failure_time), (Some(a), Some(b)) if a.sort_key() > b.sort_key())
        });
        let scan_text = match last {
            Some(s) if matches!(s.kind, EventKind::ScanSucceeded { .. }) => format!(
                "The last software update scan completed successfully {} ({} in the evidence)",
                when(s.time),
                plural(
                    scans
                        .iter()
                        .filter(|e| matches!(e.kind, EventKind::ScanSucceeded { .. }))
                        .count(),
                    "successful scan",
                    "successful scans"
                )
            ),
            Some(s) => format!(
                "The last software update scan failed {}{}",
                when(s.time),
                s.codes
                    .first()
                    .map(|c| format!(" with {c}"))
                    .unwrap_or_default()
            ),
            None => "No software update scan result is in the evidence (WUAHandler.log shows them)"
                .to_owned(),
        };
        let mut message = format!(
            "The Configuration Manager client could not find an update its deployment targets (0x87d00215, item not found; {} {}, \
             first {}). {scan_text}. ",
            failures.len(),
            if failures.len() == 1 {
                "record"
            } else {
                "records"
            },
            when(first.time)
        );
        let resolved = scan_ok_after && (evaluated_after || failures.len() == 1);
        if resolved {
            message.push_str(
                "A scan completed after the failure and the deployment was evaluated, so the lookup failed only because the \
                 update store was not filled yet.",
            );
        } else if last.is_some_and(|s| matches!(s.kind, EventKind::ScanFailed)) {
            message.push_str("Fix the failing scan first: the targeted update cannot be found until a scan completes.");
        } else {
            message.push_str(
                "If it persists after a successful scan, check the software update point synchronised the update and the \
                 deployment's content is distributed.",
            );
        }
        let mut f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            "ConfigMgr could not find a targeted update (0x87d00215)",
            message,
        )
        .code(HResult::new(0x87D0_0215))
        .events(failures.iter().copied(), 3);
        if let Some(s) = last {
            f = f.evidence(EvidenceRef::event(s).note("last software update scan"));
        }
        f = f.fix(
            scan_again(cx, true)
                .text("Then run the Software Updates Deployment Evaluation Cycle and watch UpdatesDeployment.log.")
                .ps("Invoke-WmiMethod -Namespace root\\ccm -Class SMS_Client -Name TriggerSchedule -ArgumentList '{00000000-0000-0000-0000-000000000108}'"),
        );
        if last.is_some_and(|s| matches!(s.kind, EventKind::ScanFailed)) {
            f = f.severity(Severity::Error);
        }
        out.push(if resolved { f.resolved() } else { f });
    }
}
