//! `WSUS006` wsus-certificate-expired: the rule and its documentation.

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
    /// Scans failing with `0x800B0101` (CERT_E_EXPIRED), for example ConfigMgr WUAHandler.log
    /// "OnSearchComplete - Failed to end search job. Error = 0x800b0101".
    ///
    /// ## Why updates fail
    /// With WSUS over SSL the client checks the certificate bound to the WSUS site. Once it has expired (or
    /// the client's clock is far off), every scan fails at the TLS handshake.
    ///
    /// ## Evidence used
    /// - Scan failures and WindowsUpdate.log / WUAHandler.log records with `0x800B0101`.
    /// - The WUServer policy value (an `https://` URL confirms SSL), when present.
    ///
    /// ## How to fix
    /// Renew the WSUS server's SSL certificate (it must name the server's short name, FQDN and aliases),
    /// bind it to the WSUS site in IIS, then scan again; check the client's clock if the certificate is valid.
    ///
    /// ## Fix safety
    /// Renewing and binding a certificate is display-only (a human requests it from the CA).
    ///
    /// ## References
    /// - Patch My PC, WUAHandler.log error 0x800b0101
    pub WsusCertificateExpired,
    id = "WSUS006", name = "wsus-certificate-expired", area = Wsus, severity = Error,
    explains = [0x800B_0101],
}

fn is_scan(e: &Event) -> bool {
    matches!(e.kind, EventKind::ScanFailed)
        || ["search", "scan", "syncupdates", "getcookie", "wsus"]
            .iter()
            .any(|w| contains_ci(&e.message, w))
}

impl Rule for WsusCertificateExpired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let url = wsus_url(cx);
        let ssl = url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https"));
        let failures: Vec<&Event> = cx
            .with_code(0x800B_0101)
            .filter(|e| is_error_context(e) && (ssl || is_scan(e)))
            .collect();
        if failures.is_empty() {
            return;
        }
        let message = format!(
            "Scans failed because a certificate is outside its validity period (0x800B0101 CERT_E_EXPIRED, {}). With WSUS over \
             SSL this is the certificate bound to the WSUS site{}; if that certificate is still valid, the client's clock is wrong.",
            plural(failures.len(), "record", "records"),
            url.as_deref()
                .map(|u| format!(" ({u})"))
                .unwrap_or_default()
        );
        let fill = Fill {
            kb: None,
            wsus_url: url,
        };
        let f = Finding::new(
            &Self::META,
            if ssl { Confidence::Confirmed } else { Confidence::Likely },
            "WSUS SSL certificate expired (0x800B0101)",
            message,
        )
        .code(HResult::new(0x800B_0101))
        .events(failures.iter().copied(), 4)
        .fix(
            Fix::new("Renew the WSUS server's SSL certificate and bind it to the WSUS site", Applicability::DisplayOnly)
                .text("On the WSUS server, list the certificates and their expiry dates.")
                .ps("Get-ChildItem Cert:\\LocalMachine\\My | Select-Object Subject, NotAfter, Thumbprint")
                .text(
                    "Request a new certificate naming the server's short name, FQDN and aliases, bind it to the WSUS site (port \
                     8531) in IIS Manager > Bindings, then restart IIS.",
                )
                .cmd("IISReset"),
        )
        .fixes(remedies::fixes(&["check-tls-certificates", "check-time-sync"], &cx.os, &fill))
        .fix(scan_again(cx, is_configmgr(cx)));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
