//! `WSUS012` wsus-sync-certificate-untrusted: the rule and its documentation.

use wudiag_evidence::{Event, HResult, SourceKind};

use crate::remedies::{self, Fill};
use crate::text::{contains_ci, plural};
use crate::{Applicability, Confidence, Context, Finding, Fix, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// WSUS (or the ConfigMgr software update point) failing to synchronise because the TLS certificate
    /// chain of the Microsoft Update endpoint is not trusted: `0x800B0109` (CERT_E_UNTRUSTEDROOT, "The given
    /// certificate chain has not Microsoft Root CA signed root") or "Could not establish trust relationship
    /// for the SSL/TLS secure channel" in the WSUS SoftwareDistribution.log or WSyncMgr.log.
    ///
    /// ## Why updates fail
    /// WSUS checks that the update metadata endpoint's certificate chains to a Microsoft root. WSUS 3.0 SP2
    /// on Windows Server 2008 R2 without SHA-2 support (KB4484071, and the SHA-2 prerequisites of the OS)
    /// cannot validate the current SHA-2 chain; on newer servers, missing root certificates or a proxy that
    /// inspects TLS break the chain. No synchronisation means no new updates for any client.
    ///
    /// ## Evidence used
    /// - WSUS SoftwareDistribution.log, ConfigMgr WSyncMgr.log lines with the code or the secure-channel error.
    /// - The WSUS version and OS, when present.
    ///
    /// ## How to fix
    /// WSUS 3.0 SP2 / Server 2008 R2: install KB4484071 (SHA-2 support for WSUS 3.0 SP2) after its
    /// prerequisites, restart, and synchronise again top-down. Newer servers: refresh the trusted roots and
    /// exclude the Microsoft Update endpoints from TLS inspection.
    ///
    /// ## Fix safety
    /// Display-only: installing server updates and changing proxy inspection are human decisions.
    ///
    /// ## References
    /// - KB4535405, WSUS does not synchronize with certificate error 0x800B0109 (Microsoft Learn)
    /// - KB4484071, SHA-2 support for WSUS 3.0 SP2
    pub WsusSyncCertificateUntrusted,
    id = "WSUS012", name = "wsus-sync-certificate-untrusted", area = Wsus, severity = Error,
    explains = [0x800B_0109],
}

fn is_sync_source(cx: &Context<'_>, e: &Event) -> bool {
    matches!(
        cx.source_kind(e),
        Some(
            SourceKind::WsusSoftwareDistributionLog
                | SourceKind::WsusChangeLog
                | SourceKind::ConfigMgrLog
        )
    ) || contains_ci(&e.message, "sync")
}

impl Rule for WsusSyncCertificateUntrusted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let events: Vec<&Event> = cx
            .events()
            .iter()
            .filter(|e| {
                (e.codes.iter().any(|c| c.value() == 0x800B_0109) && is_sync_source(cx, e))
                    || contains_ci(&e.message, "Microsoft Root CA signed root")
                    || (contains_ci(
                        &e.message,
                        "trust relationship for the SSL/TLS secure channel",
                    ) && is_sync_source(cx, e))
            })
            .collect();
        if events.is_empty() {
            return;
        }
        let facts = cx.evidence.facts();
        let wsus3 = facts
            .wsus_server
            .iter()
            .filter_map(|l| l.value.version)
            .any(|v| v.major() == 3);
        let legacy = cx.os.is_nt6_legacy();
        let message = format!(
            "WSUS synchronisation failed because the certificate chain of the Microsoft Update endpoint was not trusted ({}). {}",
            plural(events.len(), "record", "records"),
            match (wsus3, legacy) {
                (true, _) | (_, Some(true)) => "This is WSUS 3.0 SP2 on Windows Server 2008 / 2008 R2: it lacks SHA-2 support. Install \
                    KB4484071 (after the OS SHA-2 prerequisites), restart, and synchronise again."
                    .to_owned(),
                (false, Some(false)) => "On this WSUS version the usual causes are missing trusted root certificates or a proxy that \
                    inspects TLS for the Microsoft Update endpoints."
                    .to_owned(),
                (false, None) => "On WSUS 3.0 SP2 (Windows Server 2008 R2) the cause is missing SHA-2 support: install KB4484071. On \
                    newer WSUS versions, check the trusted root certificates and any TLS-inspecting proxy."
                    .to_owned(),
            }
        );
        let mut f = Finding::new(
            &Self::META,
            if wsus3 || legacy == Some(true) { Confidence::Confirmed } else { Confidence::Likely },
            "WSUS cannot synchronise: Microsoft Update certificate chain not trusted (SHA-2 / KB4484071)",
            message,
        )
        .events(events.iter().copied(), 4);
        if events
            .iter()
            .any(|e| e.codes.iter().any(|c| c.value() == 0x800B_0109))
        {
            f = f.code(HResult::new(0x800B_0109));
        }
        if legacy != Some(false) || wsus3 {
            f = f.fix(
                Fix::new("Install SHA-2 support for WSUS 3.0 SP2 (KB4484071)", Applicability::DisplayOnly)
                    .text("On the Windows Server 2008 R2 WSUS server, check the OS SHA-2 prerequisites (the March 2019 or later monthly rollup and KB4474419) and KB4484071.")
                    .ps("Get-HotFix KB4474419, KB4484071 -ErrorAction SilentlyContinue")
                    .text("Install what is missing from the Microsoft Update Catalog, restart, then synchronise the top-level server first and its downstream servers after it."),
            );
        }
        if legacy != Some(true) && !wsus3 {
            f = f.fixes(remedies::fixes(
                &["update-root-certificates", "check-tls-certificates"],
                &cx.os,
                &Fill::none(),
            ));
        }
        out.push(f);
    }
}
