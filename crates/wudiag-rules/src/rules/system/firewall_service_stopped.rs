//! `SYS003` firewall-service-stopped: the rule and its documentation.

use wudiag_evidence::{Event, HResult, ServiceStartType, ServiceState};

use crate::remedies::{self, Fill};
use crate::text::contains_ci;
use crate::{Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// Downloads failing with `0x800706d9` (EPT_S_NOT_REGISTERED, "no more endpoints available from the
    /// endpoint mapper"), often next to Delivery Optimization's transient `0x80d0000a`, or the Windows
    /// Firewall service (`mpssvc`) stopped or disabled in the evidence.
    ///
    /// ## Why updates fail
    /// BITS and Delivery Optimization register with the Windows Firewall service. When that service is
    /// stopped or disabled, their RPC endpoints are missing and every download fails. Turning the firewall
    /// off is supported (by profile); stopping its service is not.
    ///
    /// ## Evidence used
    /// - WindowsUpdate.log DownloadManager / BITS / DO lines with `0x800706d9` or `0x80d0000a`.
    /// - The `mpssvc` service fact, when present.
    ///
    /// ## How to fix
    /// Set the Windows Defender Firewall service back to automatic and start it; if the firewall must be off,
    /// turn its profiles off instead of stopping the service.
    ///
    /// ## Fix safety
    /// Unsafe: it changes a service start type and may re-enable filtering rules.
    ///
    /// ## References
    /// - Windows Update troubleshooting: "Issues related to firewall configuration" (Microsoft Learn)
    pub FirewallServiceStopped,
    id = "SYS003", name = "firewall-service-stopped", area = System, severity = Error,
    explains = [0x8007_06D9],
}

fn is_download(e: &Event) -> bool {
    ["download", "bits", "do job", "dnldmgr"].iter().any(|w| {
        contains_ci(&e.message, w) || e.component.as_deref().is_some_and(|c| contains_ci(c, w))
    }) || matches!(e.kind, wudiag_evidence::EventKind::DownloadFailed)
}

impl Rule for FirewallServiceStopped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let rpc: Vec<&Event> = cx
            .with_code(0x8007_06D9)
            .filter(|e| is_download(e))
            .collect();
        let service = cx.evidence.facts().service("mpssvc").filter(|s| {
            s.value.start_type == Some(ServiceStartType::Disabled)
                || s.value.state == Some(ServiceState::Stopped)
        });
        if rpc.is_empty() && service.is_none() {
            return;
        }
        let dooh: Vec<&Event> = cx.with_code(0x80D0_000A).collect();
        let mut message = String::new();
        if !rpc.is_empty() {
            message.push_str(
                "Downloads failed with 0x800706d9 (EPT_S_NOT_REGISTERED): BITS or Delivery Optimization found no RPC endpoint, \
                 which is what happens when the Windows Firewall service is stopped or disabled. ",
            );
        }
        if !dooh.is_empty() {
            message.push_str("Delivery Optimization also reports transient errors 0x80d0000a for the same downloads. ");
        }
        if service.is_some() {
            message.push_str("The Windows Defender Firewall service (mpssvc) is stopped or disabled in the evidence. ");
        }
        message.push_str("Stopping the firewall service is not supported; turn profiles off instead if the firewall is not wanted.");
        let mut f = Finding::new(
            &Self::META,
            if service.is_some() && !rpc.is_empty() {
                Confidence::Confirmed
            } else {
                Confidence::Likely
            },
            "Windows Firewall service stopped: update downloads fail",
            message,
        )
        .events(rpc.iter().copied(), 3)
        .events(dooh.iter().copied(), 2);
        if !rpc.is_empty() {
            f = f.code(HResult::new(0x8007_06D9));
        }
        if !dooh.is_empty() {
            f = f.code(HResult::new(0x80D0_000A));
        }
        if let Some(s) = service {
            f = f.evidence(EvidenceRef::fact(s).note("mpssvc"));
        }
        f = f.fixes(remedies::fixes(
            &["start-firewall-service"],
            &cx.os,
            &Fill::none(),
        ));
        out.push(if rpc.is_empty() {
            f
        } else {
            cx.settle(f, rpc.iter().copied())
        });
    }
}
