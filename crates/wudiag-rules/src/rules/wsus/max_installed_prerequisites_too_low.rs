//! `WSUS001` wsus-max-installed-prerequisites-too-low: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use super::helpers::{is_configmgr, scan_again, wsus_url};
use crate::remedies::{self, Fill};
use crate::text::{contains_ci, plural};
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// WSUS scans failing with `0x80244007` (WU_E_PT_SOAPCLIENT_SOAPFAULT, "SyncUpdates_WithRecovery failed")
    /// because the scan request is larger than the server accepts: the SOAP fault names the parameter
    /// `InstalledNonLeafUpdateIDs` (more installed prerequisites than `maxInstalledPrerequisites`) or
    /// `OtherCachedUpdateIDs` (more cached updates than `maxCachedUpdates`). A bare 0x80244007 on
    /// SyncUpdates is reported with lower confidence. The SimpleAuth `GetAuthorizationCookie` variant is
    /// WSUS002.
    ///
    /// ## Why updates fail
    /// During SyncUpdates the client sends the ids of the updates it has installed and cached. The WSUS
    /// ClientWebService rejects requests with more ids than its web.config allows (400 installed
    /// prerequisites by default), so well-patched clients, or clients of a server full of superseded
    /// updates, can no longer scan.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log `WS`/`PT` lines: the SOAP fault detail (parameter, method) and `0x80244007`.
    /// - The current `maxInstalledPrerequisites` from the WSUS ClientWebService web.config, when supplied.
    ///
    /// ## How to fix
    /// On the WSUS server: raise `maxInstalledPrerequisites` from 400 to 800 in
    /// `%ProgramFiles%\Update Services\WebServices\ClientWebService\web.config` and run `IISReset`; decline
    /// superseded updates and run the server cleanup; for `OtherCachedUpdateIDs`, raise `maxCachedUpdates`.
    /// Then scan again.
    ///
    /// ## Fix safety
    /// Unsafe: editing web.config and restarting IIS changes the server and briefly interrupts every client;
    /// declining updates is a policy decision. Scanning again is safe.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance: "Error code: 80244007"
    /// - Troubleshoot Windows Update error 0x80244007 (Microsoft Learn)
    pub WsusMaxInstalledPrerequisitesTooLow,
    id = "WSUS001", name = "wsus-max-installed-prerequisites-too-low", area = Wsus, severity = Error,
    explains = [0x8024_4007, 0x803D_0013],
}

/// A client-side record about the SimpleAuth web service (not an IIS request line).
pub(crate) fn is_simpleauth(e: &Event) -> bool {
    !matches!(e.kind, wudiag_evidence::EventKind::HttpRequest { .. })
        && (contains_ci(&e.message, "GetAuthorizationCookie")
            || (contains_ci(&e.message, "SimpleAuth")
                && (contains_ci(&e.message, "fault")
                    || contains_ci(&e.message, "InternalServerError"))))
}

fn raise_max_cached_updates() -> Fix {
    Fix::new("Raise maxCachedUpdates on the WSUS server (22000 → 44000)", Applicability::Unsafe)
        .from_remedy("wsus-raise-max-installed-prerequisites")
        .text("On the WSUS server, back up the ClientWebService web.config and make it editable (as for maxInstalledPrerequisites).")
        .cmd("cd /d \"%ProgramFiles%\\Update Services\\WebServices\\ClientWebService\"")
        .cmd("copy web.config web.config.bak")
        .cmd("takeown /f web.config")
        .cmd("icacls web.config /grant Administrators:(F)")
        .text("Change <add key=\"maxCachedUpdates\" value=\"22000\"/> to value=\"44000\", save, and restart IIS.")
        .cmd("notepad.exe web.config")
        .cmd("IISReset")
}

impl Rule for WsusMaxInstalledPrerequisitesTooLow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let faults: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                (e.codes.iter().any(|c| c.value() == 0x8024_4007) && is_error_context(e))
                    || (contains_ci(&e.message, "SyncUpdates_WithRecovery failed")
                        && e.codes.iter().all(|c| c.value() == 0x8024_4007))
            })
            .collect();
        let prereq: Vec<&Event> = cx.mentioning("InstalledNonLeafUpdateIDs").collect();
        let cached: Vec<&Event> = cx.mentioning("OtherCachedUpdateIDs").collect();
        if faults.is_empty() && prereq.is_empty() && cached.is_empty() {
            return;
        }
        let simpleauth = cx.events().iter().any(is_simpleauth);
        if simpleauth && prereq.is_empty() && cached.is_empty() {
            return; // WSUS002 explains it.
        }
        let web_config = cx
            .evidence
            .facts()
            .wsus_server
            .iter()
            .rev()
            .find(|l| l.value.max_installed_prerequisites.is_some());
        let current = web_config.and_then(|l| l.value.max_installed_prerequisites);
        let new = match current {
            Some(c) if c >= 800 => c.saturating_mul(2),
            _ => 800,
        };
        let variant = if !prereq.is_empty() {
            "the fault names InstalledNonLeafUpdateIDs: the client reports more installed prerequisite updates than the \
             server's maxInstalledPrerequisites allows"
        } else if !cached.is_empty() {
            "the fault names OtherCachedUpdateIDs: the client sends more cached update ids than the server accepts, which \
             happens when the server offers many superseded updates"
        } else {
            "the fault detail is not in the evidence; the most common cause is the maxInstalledPrerequisites limit"
        };
        let mut message = format!(
            "WSUS rejected this client's scan with a SOAP fault (0x80244007, SyncUpdates_WithRecovery failed, {}): {variant}. ",
            plural(faults.len(), "record", "records")
        );
        let cached_only = !cached.is_empty() && prereq.is_empty();
        match (current, cached_only) {
            (_, true) => message.push_str(
                "Declining superseded updates is the main fix; raising maxCachedUpdates (default 22000) in the server's web.config \
                 gives room meanwhile. ",
            ),
            (Some(c), false) => message.push_str(&format!("The server's web.config sets maxInstalledPrerequisites to {c}; raise it to {new}. ")),
            (None, false) => message.push_str("The server's web.config was not supplied; the default maxInstalledPrerequisites is 400 and Microsoft's fix raises it to 800. "),
        }
        if !cached_only {
            message.push_str("Declining superseded updates shrinks what every client sends.");
        }
        let confidence = if prereq.is_empty() && cached.is_empty() {
            Confidence::Possible
        } else {
            Confidence::Confirmed
        };
        let title = if cached.is_empty() || !prereq.is_empty() {
            "WSUS rejects the scan: too many installed prerequisites (0x80244007)"
        } else {
            "WSUS rejects the scan: too many cached update ids (0x80244007)"
        };
        let mut f = Finding::new(&Self::META, confidence, title, message)
            .code(HResult::new(0x8024_4007))
            .events(prereq.iter().chain(cached.iter()).copied(), 2)
            .events(faults.iter().copied(), 4);
        if cx.with_code(0x803D_0013).next().is_some() {
            f = f.code(HResult::new(0x803D_0013));
        }
        if let Some(l) = web_config {
            f = f.evidence(EvidenceRef::fact(l).note("current maxInstalledPrerequisites"));
        }
        let fill = Fill {
            kb: None,
            wsus_url: wsus_url(cx),
        };
        if !cached.is_empty() && prereq.is_empty() {
            f = f
                .fixes(remedies::fixes(&["wsus-decline-superseded"], &cx.os, &fill))
                .fix(raise_max_cached_updates())
                .fix(remedies::raise_max_installed_prerequisites(current, new));
        } else {
            f = f
                .fix(remedies::raise_max_installed_prerequisites(current, new))
                .fixes(remedies::fixes(&["wsus-decline-superseded"], &cx.os, &fill));
        }
        f = f.fix(scan_again(cx, is_configmgr(cx)));
        out.push(cx.settle(f, faults.iter().copied()));
    }
}
