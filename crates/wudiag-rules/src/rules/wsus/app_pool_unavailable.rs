//! `WSUS003` wsus-app-pool-unavailable: the rule and its documentation.

use wudiag_evidence::{Event, EventKind, HResult};

use super::helpers::{is_configmgr, scan_again, wsus_url};
use crate::remedies::{self, Fill};
use crate::text::{contains_ci, plural};
use crate::{
    Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// Clients getting HTTP 503 (Service Unavailable) from WSUS: `0x80244022`
    /// (WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL), often with `0x80240438` in ConfigMgr's WUAHandler.log, and IIS
    /// log lines with status 503 on the WSUS web services as corroboration. When the client log also says its
    /// cached cookie had expired, the failing request is the cookie renewal and that is named.
    ///
    /// ## Why updates fail
    /// The WSUS web services run in the IIS application pool `WsusPool`. When the pool is stopped (rapid-fail
    /// protection after crashes), recycling because it hit its private memory limit, or its queue is full
    /// during a scan storm, IIS answers 503 and every client scan fails. The pool's default limits are too
    /// small for large catalogues.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log, WUAHandler.log and event records with `0x80244022`/`503`.
    /// - WSUS IIS logs (HTTP 503 on `/ClientWebService`, `/SimpleAuthWebService`, …).
    ///
    /// ## How to fix
    /// Start the WSUS service, IIS and the WsusPool application pool; apply the recommended WsusPool settings
    /// (queue length 2000, no private memory limit, no periodic recycle) and decline superseded updates so the
    /// pool stays up. On a client whose cached cookie expired, clearing the client's cache makes it request a
    /// new one once the server answers.
    ///
    /// ## Fix safety
    /// Starting stopped services and the pool is safe; changing pool settings and declining updates is unsafe.
    ///
    /// ## References
    /// - Windows Server Update Services best practices (KB4490414)
    /// - Patch My PC, WUAHandler.log errors 0x80244022 / 0x80240438
    pub WsusAppPoolUnavailable,
    id = "WSUS003", name = "wsus-app-pool-unavailable", area = Wsus, severity = Error,
    explains = [0x8024_4022, 0x8024_0438],
}

fn is_wsus_uri(uri: &str) -> bool {
    [
        "clientwebservice",
        "simpleauthwebservice",
        "reportingwebservice",
        "dssauthwebservice",
        "serversyncwebservice",
        "apiremoting30",
        "selfupdate",
        "content",
    ]
    .iter()
    .any(|p| contains_ci(uri, p))
}

impl Rule for WsusAppPoolUnavailable {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                (e.codes.iter().any(|c| c.value() == 0x8024_4022) && is_error_context(e))
                    || (is_error_context(e) && contains_ci(&e.message, "HTTP status code = 503"))
            })
            .collect();
        let iis: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::HttpRequest { status: 503, uri, .. } if is_wsus_uri(uri)))
            .collect();
        if failures.is_empty() && iis.is_empty() {
            return;
        }
        let extra: Vec<&Event> = cx
            .with_code(0x8024_0438)
            .filter(|e| is_error_context(e))
            .collect();
        let cookie: Vec<&Event> = cx.mentioning("cookie has expired").collect();
        let mut message = String::new();
        if !failures.is_empty() {
            message.push_str(&format!(
                "The WSUS server answered HTTP 503 Service Unavailable ({}; 0x80244022). ",
                plural(failures.len(), "client record", "client records")
            ));
        }
        if !iis.is_empty() {
            message.push_str(&format!(
                "The server's IIS log shows {} with status 503 on the WSUS web services. ",
                plural(iis.len(), "request", "requests")
            ));
        }
        if !extra.is_empty() {
            message.push_str("ConfigMgr also reports 0x80240438 (the endpoint could not be reached) for the same scans. ");
        }
        message.push_str(
            "IIS answers 503 when the WsusPool application pool is stopped, recycling (often at its private memory limit) or \
             its queue is full. ",
        );
        if !cookie.is_empty() {
            message.push_str(
                "Before the failure the client noted that its cached WSUS cookie had expired: the request that got the 503 was \
                 the cookie renewal (GetCookie), and the client keeps failing until a renewal succeeds.",
            );
        }
        let confidence =
            if !iis.is_empty() || failures.iter().any(|e| contains_ci(&e.message, "503")) {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            };
        let mut f = Finding::new(
            &Self::META,
            confidence,
            "WSUS answers 503 Service Unavailable: WsusPool is stopped or overloaded",
            message.trim().to_owned(),
        )
        .events(cookie.iter().copied(), 1)
        .events(failures.iter().copied(), 4)
        .events(iis.iter().copied(), 3)
        .events(extra.iter().copied(), 1);
        if !failures.is_empty() {
            f = f.code(HResult::new(0x8024_4022));
        }
        if !extra.is_empty() {
            f = f.code(HResult::new(0x8024_0438));
        }
        let fill = Fill {
            kb: None,
            wsus_url: wsus_url(cx),
        };
        f = f.fixes(remedies::fixes(
            &[
                "start-wsus-app-pool",
                "wsus-tune-app-pool",
                "wsus-decline-superseded",
            ],
            &cx.os,
            &fill,
        ));
        if !cookie.is_empty() {
            f = f.fix(
                Fix::new("Clear the client's cached WSUS cookie", Applicability::Unsafe)
                    .text(
                        "Once the server answers again, make the client drop its expired cookie: on old clients (Vista / 2008) \
                         deleting Temporary Internet Files was enough; on any client, resetting the update client cache forces \
                         a new cookie.",
                    )
                    .cmd("net stop wuauserv")
                    .cmd("ren %windir%\\SoftwareDistribution\\DataStore DataStore.old")
                    .cmd("net start wuauserv"),
            );
        }
        f = f.fix(scan_again(cx, is_configmgr(cx)));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
