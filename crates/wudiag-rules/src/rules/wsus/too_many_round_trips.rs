//! `WSUS004` wsus-scan-too-many-round-trips: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use super::helpers::{is_configmgr, scan_again, wsus_url};
use crate::remedies::{self, Fill};
use crate::text::plural;
use crate::{Confidence, Context, Finding, Rule, RuleMeta, declare_rule, is_error_context};

declare_rule! {
    /// ## What it detects
    /// Scans failing with `0x80244010` (WU_E_PT_EXCEEDED_MAX_SERVER_TRIPS).
    ///
    /// ## Why updates fail
    /// A scan downloads the server's update metadata in batches, and the agent allows only a limited number
    /// of round trips per scan. A WSUS server with a very large catalogue (superseded updates never declined,
    /// products and languages nobody needs) needs more trips than allowed, especially for a client's first
    /// scan. The next scan usually continues where this one stopped. Patch My PC also reports this code on
    /// clients that do not trust the WSUS server's SSL certificate.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log and ConfigMgr WUAHandler.log records with `0x80244010`.
    ///
    /// ## How to fix
    /// Scan again (often enough on its own); clean up the WSUS server: decline superseded updates, run the
    /// server cleanup, and sync only the products and classifications you deploy. If the server uses SSL,
    /// check the client trusts its certificate (issuing root CA installed).
    ///
    /// ## Fix safety
    /// Scanning again is safe; declining updates on the server is unsafe (a policy decision).
    ///
    /// ## References
    /// - Windows Server Update Services best practices (KB4490414)
    /// - Patch My PC, WUAHandler.log error 0x80244010
    pub WsusTooManyRoundTrips,
    id = "WSUS004", name = "wsus-scan-too-many-round-trips", area = Wsus, severity = Error,
    explains = [0x8024_4010],
}

impl Rule for WsusTooManyRoundTrips {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_code(0x8024_4010)
            .filter(|e| is_error_context(e))
            .collect();
        if failures.is_empty() {
            return;
        }
        let url = wsus_url(cx);
        let ssl = url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https"));
        let mut message = format!(
            "The scan needed more round trips to the update server than the agent allows (0x80244010, {}): the server offers \
             more metadata than one scan can fetch. Scanning again usually gets further; declining superseded updates and \
             syncing only the products you deploy fixes it for good. ",
            plural(failures.len(), "record", "records")
        );
        message.push_str(if ssl {
            "The client uses WSUS over SSL: Patch My PC reports the same code when the client does not trust the server's \
             certificate, so check its issuing root CA is trusted on the client."
        } else {
            "If the client talks to WSUS over SSL, also check it trusts the server's certificate (Patch My PC reports this code \
             for an untrusted WSUS certificate)."
        });
        let fill = Fill {
            kb: None,
            wsus_url: url,
        };
        let f = Finding::new(
            &Self::META,
            Confidence::Likely,
            "Scan stopped after too many server round trips (0x80244010)",
            message,
        )
        .code(HResult::new(0x8024_4010))
        .events(failures.iter().copied(), 4)
        .fix(scan_again(cx, is_configmgr(cx)))
        .fixes(remedies::fixes(
            &["wsus-decline-superseded", "check-tls-certificates"],
            &cx.os,
            &fill,
        ));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
