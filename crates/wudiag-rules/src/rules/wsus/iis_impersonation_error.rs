//! `WSUS009` wsus-iis-impersonation-error: the rule and its documentation.

use wudiag_evidence::{Event, EventKind};

use crate::text::{contains_ci, join_and};
use crate::{Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// IIS answering WSUS requests with HTTP 500.24.50 (status 500, sub-status 24, Win32 status 50): an ASP.NET
    /// setting that does not apply in integrated pipeline mode, in practice ASP.NET impersonation enabled on
    /// the WSUS virtual directories.
    ///
    /// ## Why updates fail
    /// WSUS web services run in integrated mode in `WsusPool`. When `system.web/identity impersonate="true"`
    /// is set on the WSUS site or its virtual directories (often inherited from a server-wide change), IIS
    /// refuses every request with 500.24.50: clients cannot scan or report and the console cannot connect.
    ///
    /// ## Evidence used
    /// - WSUS IIS W3C logs (status, sub-status and Win32 status of requests to the WSUS virtual directories).
    ///
    /// ## How to fix
    /// Disable ASP.NET impersonation on the WSUS site and its web service virtual directories (IIS Manager >
    /// Authentication > ASP.NET Impersonation: Disabled, or `impersonate="false"`), then restart IIS.
    ///
    /// ## Fix safety
    /// Unsafe: it changes the IIS configuration of the WSUS site.
    ///
    /// ## References
    /// - HTTP 500.24 – Internal Server Error (IIS documentation)
    pub WsusIisImpersonationError,
    id = "WSUS009", name = "wsus-iis-impersonation-error", area = Wsus, severity = Error,
}

const VDIRS: &[&str] = &[
    "ClientWebService",
    "SimpleAuthWebService",
    "ReportingWebService",
    "DssAuthWebService",
    "ServerSyncWebService",
    "ApiRemoting30",
];

impl Rule for WsusIisImpersonationError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let hits: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    &e.kind,
                    EventKind::HttpRequest {
                        status: 500,
                        substatus: 24,
                        win32_status: 50,
                        ..
                    }
                ) || contains_ci(&e.message, "500.24.50")
            })
            .collect();
        if hits.is_empty() {
            return;
        }
        let mut dirs: Vec<&str> = Vec::new();
        for e in &hits {
            let uri = match &e.kind {
                EventKind::HttpRequest { uri, .. } => uri.as_str(),
                _ => e.message.as_str(),
            };
            for d in VDIRS {
                if contains_ci(uri, d) && !dirs.contains(d) {
                    dirs.push(d);
                }
            }
        }
        let message = format!(
            "IIS refused {} WSUS requests with HTTP 500.24.50{}: an ASP.NET setting that is invalid in integrated pipeline mode \
             is active, in practice ASP.NET impersonation enabled on the WSUS site or its virtual directories. Clients cannot \
             scan or report until it is disabled.",
            hits.len(),
            if dirs.is_empty() {
                String::new()
            } else {
                format!(" on {}", join_and(&dirs))
            }
        );
        let f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            "WSUS web services fail with HTTP 500.24.50 (ASP.NET impersonation enabled)",
            message,
        )
        .events(hits.iter().copied(), 4)
        .fix(
            Fix::new("Disable ASP.NET impersonation on the WSUS virtual directories", Applicability::Unsafe)
                .text("On the WSUS server, show the setting for each WSUS web service (True is the problem).")
                .ps("Import-Module WebAdministration; foreach ($v in 'ClientWebService','SimpleAuthWebService','ReportingWebService','DssAuthWebService','ServerSyncWebService','ApiRemoting30') { '{0}: {1}' -f $v, (Get-WebConfigurationProperty -PSPath IIS:\\ -Location \"WSUS Administration/$v\" -Filter system.web/identity -Name impersonate).Value }")
                .text("Turn it off (IIS Manager > the virtual directory > Authentication > ASP.NET Impersonation > Disable does the same), then restart IIS.")
                .ps("Import-Module WebAdministration; foreach ($v in 'ClientWebService','SimpleAuthWebService','ReportingWebService','DssAuthWebService','ServerSyncWebService','ApiRemoting30') { Set-WebConfigurationProperty -PSPath IIS:\\ -Location \"WSUS Administration/$v\" -Filter system.web/identity -Name impersonate -Value False }")
                .cmd("IISReset"),
        );
        out.push(f);
    }
}
