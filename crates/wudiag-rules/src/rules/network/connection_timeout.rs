//! `NET003` connection-timeout: the rule and its documentation.

use std::sync::LazyLock;

use regex::Regex;
use wudiag_evidence::{Event, HResult};

use crate::remedies::{self, Fill};
use crate::text::join_and;
use crate::{Confidence, Context, Finding, Rule, RuleMeta, codes, declare_rule, is_error_context};

declare_rule! {
    /// ## What it detects
    /// Connections to the update server that timed out: `0x80072EE2` (ERROR_WINHTTP_TIMEOUT),
    /// `0x8024401C` (HTTP 408 request timeout) and `0x80244023` (HTTP 504 gateway timeout).
    ///
    /// ## Why updates fail
    /// The client sent its request and nothing came back in time: a firewall silently drops the WSUS ports
    /// (8530/8531) or the Microsoft endpoints, a proxy hangs, or the WSUS server is too busy to answer
    /// (its WsusPool recycling under a scan storm, a huge catalogue of superseded updates).
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log, ConfigMgr logs and event records with the codes.
    /// - The proxy the agent says it used (`Proxy list used = host:port`) in the same log: the finding
    ///   names it, and the proxy checks come first.
    /// - The WUServer policy value, when present.
    ///
    /// ## How to fix
    /// Test the connection to the server and port from the client; check proxies and firewalls in between;
    /// on the WSUS server, check WsusPool health and decline superseded updates.
    ///
    /// ## Fix safety
    /// The checks are safe.
    ///
    /// ## References
    /// - Troubleshoot software update scan failures in Configuration Manager (KB3090184)
    pub ConnectionTimeout,
    id = "NET003", name = "connection-timeout", area = Network, severity = Error, role = Inferred,
    explains = [0x8007_2EE2, 0x8024_401C, 0x8024_4023],
}

const CODES: &[u32] = &[0x8007_2EE2, 0x8024_401C, 0x8024_4023];

/// `Proxy list used = host:80` (protocol talker) or `Proxy List used: <host:80>` (WinHTTP warning).
static PROXY_USED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)proxy list used\s*[=:]\s*<?([^<>\s;]+)").ok());

/// The proxy the failing requests went through, as the agent logged it in the same source.
fn proxy_used(cx: &Context<'_>, failures: &[&Event]) -> Option<String> {
    let re = PROXY_USED.as_ref()?;
    cx.events()
        .iter()
        .filter(|e| {
            failures
                .iter()
                .any(|f| f.location.source == e.location.source)
        })
        .find_map(|e| {
            re.captures(&e.message)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str())
                .filter(|p| !p.eq_ignore_ascii_case("(null)"))
                .map(str::to_owned)
        })
}

impl Rule for ConnectionTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_any_code(CODES)
            .filter(|e| is_error_context(e))
            .collect();
        if failures.is_empty() {
            return;
        }
        let seen: Vec<HResult> = failures
            .iter()
            .flat_map(|e| e.codes.iter().copied())
            .filter(|c| CODES.contains(&c.value()))
            .fold(Vec::new(), |mut v, c| {
                if !v.contains(&c) {
                    v.push(c);
                }
                v
            });
        let server = cx
            .evidence
            .facts()
            .policy_value("WUServer")
            .and_then(|p| p.value.data.as_str().map(str::to_owned));
        let proxy = proxy_used(cx, &failures);
        let message = format!(
            "Requests to the update server timed out ({}, {} records){}. {}",
            join_and(&seen.iter().map(|c| codes::label(*c)).collect::<Vec<_>>()),
            failures.len(),
            server
                .as_deref()
                .map(|s| format!("; the server is {s}"))
                .unwrap_or_default(),
            proxy.as_deref().map_or_else(
                || {
                    "A firewall dropping the port, a hanging proxy or an overloaded WSUS server are the usual causes."
                        .to_owned()
                },
                |p| {
                    format!(
                        "The requests went through the proxy {p}: a proxy that cannot reach the server (an intranet \
                         WSUS server missing from the proxy's bypass list, a WPAD script sending everything to the \
                         proxy) is the first suspect."
                    )
                }
            )
        );
        let wsus = server.is_some();
        let fill = Fill {
            kb: None,
            wsus_url: server,
        };
        let mut ids = if proxy.is_some() {
            vec!["check-proxy-settings", "check-wsus-reachability"]
        } else {
            vec!["check-wsus-reachability", "check-proxy-settings"]
        };
        if wsus {
            ids.push("wsus-tune-app-pool");
            ids.push("wsus-decline-superseded");
        }
        let f = Finding::new(
            &Self::META,
            Confidence::Likely,
            format!(
                "Connection to the update server{} timed out ({})",
                proxy
                    .as_deref()
                    .map(|p| format!(" through proxy {p}"))
                    .unwrap_or_default(),
                join_and(&seen.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            message,
        )
        .details(proxy.map(|p| ("proxy".to_owned(), p)))
        .codes(seen)
        .events(failures.iter().copied(), 4)
        .fixes(remedies::fixes(&ids, &cx.os, &fill));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
