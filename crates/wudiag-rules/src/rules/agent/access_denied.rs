//! `AGT002` update-access-denied: the rule and its documentation.

use wudiag_evidence::{Event, EventKind, HResult, SourceKind};

use crate::remedies::{self, Fill};
use crate::rules::servicing::helpers::kbs_of;
use crate::text::{contains_ci, join_and, plural};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, declare_rule, is_error_context};

declare_rule! {
    /// ## What it detects
    /// A scan, download or install refused with `0x80070005` (E_ACCESSDENIED).
    ///
    /// ## Why updates fail
    /// Something denied the update client or the servicing stack access to what it needed. For downloads:
    /// the local download cache (`%windir%\SoftwareDistribution`) with changed permissions, security
    /// software locking the files, or a user without the right to install updates starting the download.
    /// For installs: hardening that removed the TrustedInstaller/SYSTEM access on a file or registry key
    /// (CBS.log names the path), or security software holding a file open.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log, CBS.log, DISM.log, event and ConfigMgr records with `0x80070005`
    ///   in an error context, and whether they belong to a download or an install.
    ///
    /// ## How to fix
    /// Find the path in CBS.log or WindowsUpdate.log next to the error; rule out security software; for a
    /// download cache problem, reset the Windows Update components; for an install, repair the store and
    /// protected files.
    ///
    /// ## Fix safety
    /// Reading logs is safe; resetting the update components is unsafe (it discards the local history);
    /// disabling security software is a human decision.
    ///
    /// ## References
    /// - Windows Update common errors and mitigation: 0x80070005 (Microsoft Learn)
    pub UpdateAccessDenied,
    id = "AGT002", name = "update-access-denied", area = Agent, severity = Error, role = Inferred,
    explains = [0x8007_0005],
}

fn is_download(cx: &Context<'_>, e: &Event) -> bool {
    matches!(e.kind, EventKind::DownloadFailed)
        || ["download", "bits", "dnldmgr", "do job"]
            .iter()
            .any(|w| contains_ci(&e.message, w))
        || e.component
            .as_deref()
            .is_some_and(|c| contains_ci(c, "download") || contains_ci(c, "dnldmgr"))
        || (cx.source_kind(e) == Some(SourceKind::ReportingEvents)
            && contains_ci(&e.message, "content download"))
}

impl Rule for UpdateAccessDenied {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_code(0x8007_0005)
            .filter(|e| is_error_context(e))
            .collect();
        if failures.is_empty() {
            return;
        }
        let downloads = failures.iter().filter(|e| is_download(cx, e)).count();
        let installs = failures.len() - downloads;
        let kbs = kbs_of(failures.iter().copied());
        let stage = match (downloads > 0, installs > 0) {
            (true, false) => "download",
            (false, true) => "install",
            _ => "download and install",
        };
        let subject = if kbs.is_empty() {
            "Updates".to_owned()
        } else {
            join_and(&kbs.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let mut message = format!(
            "{subject} hit access denied (0x80070005, E_ACCESSDENIED) during {stage} ({}). ",
            plural(failures.len(), "record", "records")
        );
        if downloads > 0 {
            message.push_str(
                "For downloads the usual causes are changed permissions on %windir%\\SoftwareDistribution, security software \
                 locking the files, or a user without the right to install updates. ",
            );
        }
        if installs > 0 {
            message.push_str(
                "For installs the usual causes are permissions removed by hardening from a file or registry key that \
                 TrustedInstaller must change (the path is in CBS.log next to the error) and security software holding a file. ",
            );
        }
        let mut f = Finding::new(
            &Self::META,
            Confidence::Likely,
            format!("Access denied during {stage} (0x80070005)"),
            message.trim().to_owned(),
        )
        .code(HResult::new(0x8007_0005))
        .updates(kbs.iter().copied())
        .events(failures.iter().copied(), 4);
        let mut ids: Vec<&str> = vec!["review-cbs-log", "check-security-software"];
        if downloads > 0 {
            ids.push("grant-update-rights");
            ids.push("reset-wu-components");
        }
        if installs > 0 {
            ids.push("restore-health");
            ids.push("sfc-scannow");
        }
        f = f.fixes(remedies::fixes(&ids, &cx.os, &Fill::none()));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
