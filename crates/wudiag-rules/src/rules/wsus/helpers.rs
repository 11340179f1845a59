//! What the WSUS rules share: the client's server from policy, scans, re-scanning.

use wudiag_evidence::{Event, EventKind, Located, PolicyValue};

use crate::{Applicability, Context, Fix};

/// The `WUServer` policy value, when a registry export or policy listing shows it.
pub(crate) fn wsus_server<'a>(cx: &Context<'a>) -> Option<&'a Located<PolicyValue>> {
    cx.evidence.facts().policy_value("WUServer")
}

/// The `WUServer` URL as text.
pub(crate) fn wsus_url(cx: &Context<'_>) -> Option<String> {
    wsus_server(cx).and_then(|p| p.value.data.as_str().map(str::to_owned))
}

/// The last scan result in the evidence (success or failure).
pub(crate) fn last_scan<'a>(cx: &Context<'a>) -> Option<&'a Event> {
    cx.events().iter().rev().find(|e| {
        matches!(
            e.kind,
            EventKind::ScanSucceeded { .. } | EventKind::ScanFailed
        )
    })
}

/// Start a new scan: the Windows Update client's own trigger and, on ConfigMgr clients, the Software Updates
/// Scan Cycle.
pub(crate) fn scan_again(cx: &Context<'_>, configmgr: bool) -> Fix {
    let mut f = Fix::new("Scan for updates again", Applicability::Safe).text(
        "Start a new scan once the cause is fixed; a scan only reads the server's catalogue and changes nothing.",
    );
    f = match cx.os.version.map(|v| v.major() >= 10) {
        Some(true) => f.cmd("usoclient StartScan"),
        Some(false) => f.cmd("wuauclt /detectnow"),
        None => f
            .text("Windows 10 / Server 2016 and later:")
            .cmd("usoclient StartScan")
            .text("Older systems:")
            .cmd("wuauclt /detectnow"),
    };
    if configmgr {
        f = f
            .text("On a Configuration Manager client, trigger the Software Updates Scan Cycle instead and watch WUAHandler.log.")
            .ps("Invoke-WmiMethod -Namespace root\\ccm -Class SMS_Client -Name TriggerSchedule -ArgumentList '{00000000-0000-0000-0000-000000000113}'");
    }
    f
}

/// True when the evidence comes from a Configuration Manager client.
pub(crate) fn is_configmgr(cx: &Context<'_>) -> bool {
    cx.evidence
        .sources()
        .iter()
        .any(|s| s.kind == wudiag_evidence::SourceKind::ConfigMgrLog)
}
