//! `WSUS005` wsus-client-certificate-required: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use super::helpers::wsus_url;
use crate::remedies::{self, Fill};
use crate::text::plural;
use crate::{Confidence, Context, Finding, Rule, RuleMeta, declare_rule, is_error_context};

declare_rule! {
    /// ## What it detects
    /// Scans failing with `0x80072F0C` (ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED: a certificate is required to
    /// complete client authentication).
    ///
    /// ## Why updates fail
    /// WSUS over SSL encrypts its web services with a server certificate only. When the WSUS site or its
    /// virtual directories are set to accept or require client certificates, the server asks clients for a
    /// certificate they do not have and the TLS handshake fails.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log, ReportingEvents.log, ConfigMgr logs and event records with `0x80072F0C`.
    ///
    /// ## How to fix
    /// In IIS, set SSL Settings > Client certificates to Ignore on the WSUS site's web service virtual
    /// directories (ApiRemoting30, ClientWebService, DssAuthWebService, ServerSyncWebService,
    /// SimpleAuthWebService).
    ///
    /// ## Fix safety
    /// Unsafe: it changes the IIS configuration of the WSUS site.
    ///
    /// ## References
    /// - Troubleshoot software update scan failures in Configuration Manager (KB3090184)
    pub WsusClientCertificateRequired,
    id = "WSUS005", name = "wsus-client-certificate-required", area = Wsus, severity = Error,
    explains = [0x8007_2F0C],
}

impl Rule for WsusClientCertificateRequired {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures: Vec<&Event> = cx
            .with_code(0x8007_2F0C)
            .filter(|e| is_error_context(e))
            .collect();
        if failures.is_empty() {
            return;
        }
        let url = wsus_url(cx);
        let message = format!(
            "The update server asked this client for a client certificate (0x80072F0C, {}){}. With WSUS over SSL this means the \
             WSUS site or its web service virtual directories accept or require client certificates; they must ignore them.",
            plural(failures.len(), "record", "records"),
            url.as_deref()
                .map(|u| format!("; the server is {u}"))
                .unwrap_or_default()
        );
        let f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            "WSUS site requires client certificates (0x80072F0C)",
            message,
        )
        .code(HResult::new(0x8007_2F0C))
        .events(failures.iter().copied(), 4)
        .fixes(remedies::fixes(
            &["wsus-fix-ssl-client-certificates"],
            &cx.os,
            &Fill {
                kb: None,
                wsus_url: url,
            },
        ));
        out.push(cx.settle(f, failures.iter().copied()));
    }
}
