//! `NET004` delivery-optimization-failed: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use crate::remedies::{self, Fill};
use crate::text::{contains_ci, join_and};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, codes, declare_rule, is_error_context};

declare_rule! {
    /// ## What it detects
    /// Delivery Optimization downloads that failed: `0x80190193` (HTTP 403 Forbidden, "DO job 403'd"),
    /// `0x80D02002` (DO_E_DOWNLOAD_NO_PROGRESS: no progress for too long) and `0x80D05001`
    /// (DO_E_HTTP_BLOCKSIZE_MISMATCH: a proxy that does not honour HTTP range requests).
    ///
    /// ## Why updates fail
    /// Windows 10 and later download most update and Store content through Delivery Optimization, in byte
    /// ranges over HTTP. A proxy or web filter that forbids the download hosts (403), strips range
    /// requests, or a network that stalls the transfer makes the job fail or time out.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log DownloadManager / DO lines and event records with the codes.
    ///
    /// ## How to fix
    /// Check the Delivery Optimization status and log, make `*.dl.delivery.mp.microsoft.com` and
    /// `*.windowsupdate.com` reachable on port 80, allow HTTP range requests on the proxy, and exempt the
    /// hosts from content filtering.
    ///
    /// ## Fix safety
    /// The checks are safe; changing filters is a human decision.
    ///
    /// ## References
    /// - Windows Update troubleshooting: Delivery Optimization (Microsoft Learn)
    pub DeliveryOptimizationFailed,
    id = "NET004", name = "delivery-optimization-failed", area = Network, severity = Warning,
    explains = [0x8019_0193, 0x80D0_2002, 0x80D0_5001],
}

const CODES: &[u32] = &[0x8019_0193, 0x80D0_2002, 0x80D0_5001];

impl Rule for DeliveryOptimizationFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_any_code(CODES)
            .filter(|e| {
                is_error_context(e)
                    || contains_ci(&e.message, "403")
                    || contains_ci(&e.message, "error")
            })
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
        let store = failures
            .iter()
            .any(|e| contains_ci(&e.message, "appx") || contains_ci(&e.message, "store"));
        let mut reasons: Vec<&str> = Vec::new();
        for c in &seen {
            reasons.push(match c.value() {
                0x8019_0193 => "a server or proxy refused the download with HTTP 403",
                0x80D0_2002 => "a download made no progress for too long and was stopped",
                _ => "a proxy answered range requests with the wrong block size (no HTTP range support)",
            });
        }
        let message = format!(
            "Delivery Optimization downloads failed ({}, {} records): {}.{} Content filtering or a proxy between the machine and \
             the Microsoft download hosts is the usual cause.",
            join_and(&seen.iter().map(|c| codes::label(*c)).collect::<Vec<_>>()),
            failures.len(),
            join_and(&reasons),
            if store {
                " Some of them are Store/AppX downloads."
            } else {
                ""
            }
        );
        let f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            format!(
                "Delivery Optimization downloads failed ({})",
                join_and(&seen.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            message,
        )
        .codes(seen)
        .events(failures.iter().copied(), 4)
        .fixes(remedies::fixes(
            &[
                "check-delivery-optimization",
                "check-proxy-settings",
                "allow-update-traffic-through-filters",
            ],
            &cx.os,
            &Fill::none(),
        ));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
