//! `WSUS008` wsus-sync-retired-endpoint: the rule and its documentation.

use wudiag_evidence::{Event, Severity};

use crate::text::plural;
use crate::{
    Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// A WSUS server synchronising against `fe2.update.microsoft.com`, an endpoint Microsoft retired for
    /// WSUS synchronisation (failed connections, or a configuration that names it).
    ///
    /// ## Why updates fail
    /// WSUS on Windows Server 2012 and later must synchronise from `https://sws.update.microsoft.com` over
    /// TLS 1.2. Servers left on the old `fe2` endpoint (upgraded from old versions, or set by a script) fail
    /// every synchronisation, so no new updates reach the clients.
    ///
    /// ## Evidence used
    /// - WSUS SoftwareDistribution.log, Change.log, ConfigMgr WSyncMgr.log and event records naming the
    ///   endpoint.
    ///
    /// ## How to fix
    /// Set the server's Microsoft Update URL to `https://sws.update.microsoft.com` with the WSUS API, restart
    /// IIS and the WSUS service, and synchronise again. WSUS 3.0 SP2 (Server 2008 R2) no longer synchronises
    /// from Microsoft at all: it must sync from an upstream WSUS on a supported OS.
    ///
    /// ## Fix safety
    /// Unsafe: it changes the WSUS server configuration and restarts its services.
    ///
    /// ## References
    /// - Troubleshoot WSUS synchronization and import issues (Microsoft Learn)
    /// - End of synchronization for WSUS 3.0 SP2 (Windows IT Pro blog, 2021)
    pub WsusSyncRetiredEndpoint,
    id = "WSUS008", name = "wsus-sync-retired-endpoint", area = Wsus, severity = Error,
}

impl Rule for WsusSyncRetiredEndpoint {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let events: Vec<&Event> = cx.mentioning("fe2.update.microsoft.com").collect();
        if events.is_empty() {
            return;
        }
        let failing: Vec<&Event> = events
            .iter()
            .copied()
            .filter(|e| is_error_context(e))
            .collect();
        let wsus3 = cx
            .evidence
            .facts()
            .wsus_server
            .iter()
            .filter_map(|l| l.value.version)
            .any(|v| v.major() == 3);
        let mut message = format!(
            "The WSUS server synchronises with fe2.update.microsoft.com ({}{}), an endpoint retired for WSUS \
             synchronisation; connections to it fail. WSUS must use https://sws.update.microsoft.com.",
            plural(events.len(), "record", "records"),
            if failing.is_empty() {
                String::new()
            } else {
                format!(", {} of them failures", failing.len())
            }
        );
        if wsus3 {
            message.push_str(" This is WSUS 3.x: it can no longer synchronise from Microsoft and must sync from an upstream WSUS on a supported OS.");
        }
        let f = Finding::new(
            &Self::META,
            if failing.is_empty() { Confidence::Likely } else { Confidence::Confirmed },
            "WSUS synchronises with the retired fe2.update.microsoft.com endpoint",
            message,
        )
        .severity(if failing.is_empty() { Severity::Warning } else { Severity::Error })
        .events(failing.iter().copied(), 3)
        .events(events.iter().copied(), 2)
        .fix(
            Fix::new("Point WSUS at https://sws.update.microsoft.com", Applicability::Unsafe)
                .text("On the WSUS server, in an elevated PowerShell, show the current Microsoft Update URL.")
                .ps("$config = (Get-WsusServer).GetConfiguration(); $config.MUUrl")
                .text("Set the supported endpoint, save, restart IIS and the WSUS service, then synchronise again.")
                .ps("$config.MUUrl = 'https://sws.update.microsoft.com'; $config.RedirectorChangeNumber = 4002; $config.Save()")
                .cmd("IISReset")
                .ps("Restart-Service WsusService")
                .ps("(Get-WsusServer).GetSubscription().StartSynchronization()"),
        );
        out.push(f);
    }
}
