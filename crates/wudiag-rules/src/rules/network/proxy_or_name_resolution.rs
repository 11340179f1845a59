//! `NET002` proxy-or-name-resolution: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use crate::remedies::{self, Fill};
use crate::text::join_and;
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, codes, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// Scans or downloads failing because of the proxy or of name resolution:
    /// `0x8024401B` (HTTP 407, proxy authentication required), `0x80244021` (HTTP 502, bad gateway),
    /// `0x80240030` (the proxy list is malformed), `0x8024402C` (the proxy or server name cannot be
    /// resolved) and `0x80072EE7` (WinHTTP: name not resolved).
    ///
    /// ## Why updates fail
    /// The update agent runs as SYSTEM and uses the WinHTTP proxy, not the browser's. A proxy that demands
    /// authentication the machine account cannot give, that cannot reach the WSUS server, or a proxy list
    /// written in a format WinHTTP rejects, stops every scan; so does a WSUS name or proxy name that DNS
    /// cannot resolve.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log, ConfigMgr WUAHandler.log and event records with the codes.
    /// - The WUServer policy value, when a registry export is present.
    ///
    /// ## How to fix
    /// Show the WinHTTP proxy (`netsh winhttp show proxy`), compare with the user's proxy, make the intranet
    /// WSUS server bypass the proxy (or set the right proxy with `netsh winhttp import proxy source=ie`),
    /// and check the server name resolves.
    ///
    /// ## Fix safety
    /// Showing settings is safe; changing the WinHTTP proxy is unsafe (it affects every SYSTEM service).
    ///
    /// ## References
    /// - Troubleshoot software update scan failures in Configuration Manager (KB3090184)
    pub ProxyOrNameResolution,
    id = "NET002", name = "proxy-or-name-resolution", area = Network, severity = Error,
    explains = [0x8024_401B, 0x8024_4021, 0x8024_0030, 0x8024_402C, 0x8007_2EE7],
}

const CODES: &[(u32, &str)] = &[
    (
        0x8024_401B,
        "the proxy asks for authentication (HTTP 407) that the SYSTEM account cannot provide",
    ),
    (
        0x8024_4021,
        "the proxy or gateway could not reach the server (HTTP 502 Bad Gateway)",
    ),
    (
        0x8024_0030,
        "the proxy list is written in a format WinHTTP does not accept",
    ),
    (
        0x8024_402C,
        "the name of the proxy or of the update server could not be resolved",
    ),
    (
        0x8007_2EE7,
        "the server name could not be resolved (WinHTTP)",
    ),
];

impl Rule for ProxyOrNameResolution {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let codes_only: Vec<u32> = CODES.iter().map(|(c, _)| *c).collect();
        let failures: Vec<&Event> = cx
            .with_any_code(&codes_only)
            .filter(|e| is_error_context(e))
            .collect();
        if failures.is_empty() {
            return;
        }
        let mut seen: Vec<HResult> = Vec::new();
        for e in &failures {
            for c in &e.codes {
                if codes_only.contains(&c.value()) && !seen.contains(c) {
                    seen.push(*c);
                }
            }
        }
        let reasons: Vec<String> = seen
            .iter()
            .filter_map(|c| {
                CODES
                    .iter()
                    .find(|(v, _)| *v == c.value())
                    .map(|(_, r)| format!("{} — {r}", codes::label(*c)))
            })
            .collect();
        let policy = cx.evidence.facts().policy_value("WUServer");
        let server = policy.and_then(|p| p.value.data.as_str().map(str::to_owned));
        let proxy_side = seen
            .iter()
            .any(|c| matches!(c.value(), 0x8024_401B | 0x8024_4021 | 0x8024_0030));
        let mut message = format!(
            "Scans or downloads failed at the proxy or at name resolution: {}. ",
            reasons.join("; ")
        );
        match &server {
            Some(s) => {
                message.push_str(&format!("The client is set to use the update server {s}. "));
            }
            None => message.push_str(
                "The update server the client uses is not in the evidence (WUServer policy). ",
            ),
        }
        message.push_str(
            "The update agent uses the WinHTTP proxy of the SYSTEM account, not the browser's; an intranet WSUS server should \
             normally bypass the proxy.",
        );
        let title = if proxy_side {
            format!(
                "Proxy problem between the client and the update server ({})",
                join_and(&seen.iter().map(ToString::to_string).collect::<Vec<_>>())
            )
        } else {
            format!(
                "Update server or proxy name cannot be resolved ({})",
                join_and(&seen.iter().map(ToString::to_string).collect::<Vec<_>>())
            )
        };
        let fill = Fill {
            kb: None,
            wsus_url: server,
        };
        let mut f = Finding::new(&Self::META, Confidence::Confirmed, title, message)
            .codes(seen)
            .events(failures.iter().copied(), 4);
        if let Some(p) = policy {
            f = f.evidence(EvidenceRef::fact(p).note("update server from policy"));
        }
        f = f.fixes(remedies::fixes(
            &[
                "check-proxy-settings",
                "check-wsus-reachability",
                "configure-winhttp-proxy",
            ],
            &cx.os,
            &fill,
        ));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
