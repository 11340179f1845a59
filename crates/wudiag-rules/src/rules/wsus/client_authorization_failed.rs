//! `WSUS002` wsus-client-authorization-failed: the rule and its documentation.

use wudiag_evidence::{Event, HResult};

use super::helpers::{is_configmgr, scan_again, wsus_url};
use super::max_installed_prerequisites_too_low::is_simpleauth;
use crate::remedies::{self, Fill};
use crate::text::contains_ci;
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, declare_rule, is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// The WSUS SimpleAuth web service answering `GetAuthorizationCookie` with an internal server error
    /// (SOAP fault `InternalServerError`, usually surfacing as `0x80244007` or `0x8024400E`).
    ///
    /// ## Why updates fail
    /// Before scanning, a client asks SimpleAuth for an authorisation cookie with its WSUS identity
    /// (`SusClientId`). When the server cannot handle that identity (machines cloned without sysprep share
    /// one id; the computer's record on the server is damaged or missing) it fails with an internal error,
    /// and the client never gets to scan.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log `WS`/`PT` lines naming SimpleAuth / GetAuthorizationCookie, with the fault and code.
    /// - The client's `SusClientId` from a registry export, when present.
    ///
    /// ## How to fix
    /// Give the client a new WSUS identity (delete `SusClientId` and `SusClientIdValidation`, restart
    /// wuauserv, scan again); if many clients fail the same way, check the SimpleAuthWebService on the server.
    ///
    /// ## Fix safety
    /// Unsafe: the client registers as a new computer on the WSUS server (its old record and history stay
    /// behind until cleaned up).
    ///
    /// ## References
    /// - Troubleshoot Windows Update error 0x80244007 (Microsoft Learn)
    pub WsusClientAuthorizationFailed,
    id = "WSUS002", name = "wsus-client-authorization-failed", area = Wsus, severity = Error,
    explains = [0x8024_4007, 0x8024_400E],
}

impl Rule for WsusClientAuthorizationFailed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let auth: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                is_simpleauth(e)
                    && (is_error_context(e) || contains_ci(&e.message, "InternalServerError"))
            })
            .collect();
        if auth.is_empty() {
            return;
        }
        let internal = cx
            .events()
            .iter()
            .any(|e| contains_ci(&e.message, "InternalServerError"));
        let codes: Vec<&Event> = cx
            .with_any_code(&[0x8024_4007, 0x8024_400E])
            .filter(|e| is_error_context(e))
            .collect();
        let identity = cx
            .evidence
            .facts()
            .wsus_client_identity
            .iter()
            .find(|l| l.value.0.eq_ignore_ascii_case("SusClientId"));
        let mut message = format!(
            "The WSUS SimpleAuth service failed to issue this client an authorisation cookie (GetAuthorizationCookie{}), so \
             the scan could not start. The server could not handle the client's WSUS identity: cloned machines sharing one \
             SusClientId and a damaged computer record on the server are the usual causes. ",
            if internal {
                ", InternalServerError"
            } else {
                ""
            }
        );
        match identity {
            Some(l) => message.push_str(&format!("The client's SusClientId is {}. ", l.value.1)),
            None => message.push_str("The client's SusClientId is not in the evidence (HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate). "),
        }
        message.push_str("If many clients fail the same way, look at the SimpleAuthWebService on the server instead.");
        let mut f = Finding::new(
            &Self::META,
            if internal {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            },
            "WSUS cannot authorise this client (SimpleAuth GetAuthorizationCookie failed)",
            message,
        )
        .events(auth.iter().copied(), 4)
        .events(codes.iter().copied(), 2);
        for e in &codes {
            for c in &e.codes {
                if matches!(c.value(), 0x8024_4007 | 0x8024_400E) {
                    f = f.code(*c);
                }
            }
        }
        if f.codes.is_empty() {
            f = f.code(HResult::new(0x8024_4007));
        }
        if let Some(l) = identity {
            f = f.evidence(EvidenceRef::fact(l).note("client WSUS identity"));
        }
        let fill = Fill {
            kb: None,
            wsus_url: wsus_url(cx),
        };
        f = f
            .fixes(remedies::fixes(
                &["reset-sus-client-id", "check-wsus-reachability"],
                &cx.os,
                &fill,
            ))
            .fix(scan_again(cx, is_configmgr(cx)));
        out.push(cx.settle(f, auth.iter().copied()));
    }
}
