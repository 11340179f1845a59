//! `SYS052` scans-wsus-not-windows-update: the rule and its documentation.

use wudiag_evidence::{Event, HResult, Located, PolicyValue, Severity};

use super::machine_state::{Origin, key_ends_with, number, text, value, wufb_policies};
use crate::remedies::{self, Fill};
use crate::rules::wsus::helpers::scan_again;
use crate::text::join_and;
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// A machine told by policy to scan a WSUS server (`WUServer` set and `UseWUServer` = 1, made stronger by
    /// `DoNotConnectToWindowsUpdateInternetLocations` = 1), so updates deployed through Windows Update for
    /// Business, Intune or the deployment service do not reach it; and the inconsistent halves of that
    /// policy: `WUServer` without `UseWUServer` (the server is ignored), and `UseWUServer` = 1 without
    /// `WUServer` (every scan fails with `0x80244011`).
    ///
    /// ## Why updates fail
    /// The Windows Update client scans one service. With a WSUS server in policy it gets what is approved on
    /// that server and nothing else: a feature, expedited or driver deployment made in the cloud never
    /// arrives ("the device isn't receiving an update that you deployed"), while updates approved on WSUS
    /// arrive without any deployment ("the device is receiving an update that you didn't deploy"). The
    /// per-class source policy of Windows 10 2004 and later (`SetPolicyDrivenUpdateSourceFor…Updates` = 0)
    /// sends chosen classes back to Windows Update. With `UseWUServer` = 1 and no server, the client has
    /// nowhere to scan.
    ///
    /// ## Evidence used
    /// - Registry exports of `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate` and its `AU` subkey.
    /// - Windows Update for Business policy values (deferrals, target version, MDM policies), to show the
    ///   two management paths side by side.
    /// - Records with `0x80244011` (WU_E_PT_SUS_SERVER_NOT_SET) or `0x8024002E` (WU_E_WU_DISABLED).
    ///
    /// ## How to fix
    /// Decide which service delivers this machine's updates. To stay on WSUS, approve the update on the WSUS
    /// server. To receive cloud deployments, remove the intranet update service policy (or, on Windows 10 2004
    /// and later, point only the cloud-managed classes at Windows Update), refresh policy and scan. A
    /// half-set policy must be completed or removed.
    ///
    /// ## Fix safety
    /// Checking the policy is safe. Changing the update source is display-only: it changes which updates the
    /// machine installs, and on Configuration Manager clients the agent writes this policy itself.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance, issues 3 and 4 (Microsoft Learn)
    /// - Manage additional Windows Update settings: specify intranet Microsoft update service location
    ///   (Microsoft Learn)
    /// - Use Windows Update for Business and WSUS together (Microsoft Learn)
    pub ScansWsusNotWindowsUpdate,
    id = "SYS052", name = "scans-wsus-not-windows-update", area = System, severity = Warning,
}

/// The per-class update source policies (0 = Windows Update, 1 = WSUS) and the class each names.
const CLASS_SOURCES: &[(&str, &str)] = &[
    ("SetPolicyDrivenUpdateSourceForFeatureUpdates", "feature"),
    ("SetPolicyDrivenUpdateSourceForQualityUpdates", "quality"),
    ("SetPolicyDrivenUpdateSourceForDriverUpdates", "driver"),
    ("SetPolicyDrivenUpdateSourceForOtherUpdates", "other"),
];

const GP: &[Origin] = &[Origin::GroupPolicy];

fn in_au_key(p: &Located<PolicyValue>) -> bool {
    key_ends_with(&p.value.key, "Windows\\WindowsUpdate\\AU")
}

fn in_parent_key(p: &Located<PolicyValue>) -> bool {
    key_ends_with(&p.value.key, "Windows\\WindowsUpdate")
}

impl Rule for ScansWsusNotWindowsUpdate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let server_value = value(cx, "WUServer", GP);
        let server = server_value.and_then(text);
        let use_value = value(cx, "UseWUServer", GP);
        let use_on = use_value.and_then(number) == Some(1);
        match (server, use_on) {
            (Some(url), true) => out.push(scans_wsus(cx, url)),
            (Some(url), false) => out.push(server_ignored(cx, url, use_value)),
            (None, true) => out.push(no_server(cx, server_value, use_value)),
            (None, false) => {}
        }
    }
}

/// `WUServer` set and `UseWUServer` = 1: the machine scans WSUS.
fn scans_wsus(cx: &Context<'_>, url: &str) -> Finding {
    let meta = &ScansWsusNotWindowsUpdate::META;
    let server = value(cx, "WUServer", GP);
    let use_value = value(cx, "UseWUServer", GP);
    let status = value(cx, "WUStatusServer", GP).and_then(text);
    let no_internet = value(cx, "DoNotConnectToWindowsUpdateInternetLocations", GP)
        .filter(|p| number(p) == Some(1));
    let class_sources: Vec<(&Located<PolicyValue>, &str, bool)> = CLASS_SOURCES
        .iter()
        .filter_map(|(name, class)| {
            value(cx, name, GP).and_then(|p| number(p).map(|n| (p, *class, n == 0)))
        })
        .collect();
    let to_wu: Vec<&str> = class_sources
        .iter()
        .filter(|(_, _, wu)| *wu)
        .map(|(_, c, _)| *c)
        .collect();
    let wufb = wufb_policies(cx);
    let blocked_codes: Vec<&Event> = cx
        .with_code(0x8024_002E)
        .filter(|e| is_error_context(e))
        .collect();

    let mut message = format!(
        "This machine scans the WSUS server {url} for updates (WUServer, with UseWUServer=1){}. ",
        if no_internet.is_some() {
            ", and policy forbids it to contact Windows Update at all (DoNotConnectToWindowsUpdateInternetLocations=1)"
        } else {
            ""
        }
    );
    message.push_str(
        "It gets what is approved on that server and nothing else: updates deployed through Windows Update for \
         Business, Intune or the deployment service (feature, expedited quality and driver deployments) do not \
         reach it, and updates approved on WSUS install even where no cloud deployment targets it. When a device \
         does not receive an update you deployed, or receives one you did not deploy, this is the first thing to \
         check.",
    );
    if let Some(s) = status.filter(|s| !s.eq_ignore_ascii_case(url)) {
        message.push_str(&format!(
            " It reports its status to a different server ({s}), so the WSUS console may not show this machine's results."
        ));
    }
    let all_to_wu = to_wu.len() == CLASS_SOURCES.len();
    if !to_wu.is_empty() {
        message.push_str(&format!(
            " The per-class source policy sends {} updates to Windows Update instead (SetPolicyDrivenUpdateSourceFor…=0), so {} come from the cloud.",
            join_and(&to_wu),
            if to_wu.len() == 1 { "that class does" } else { "those classes do" }
        ));
        if no_internet.is_some() {
            message.push_str(
                " DoNotConnectToWindowsUpdateInternetLocations=1 blocks exactly those Windows Update scans: remove one of the two.",
            );
        }
    } else if !wufb.is_empty() {
        let names: Vec<&str> = wufb.iter().map(|p| p.value.name.as_str()).collect();
        message.push_str(&format!(
            " Windows Update for Business settings are set as well ({}); while WSUS is the update source they do \
             not decide what this machine installs.",
            join_and(&names)
        ));
    }
    if !blocked_codes.is_empty() {
        message.push_str(
            " The client already reported 0x8024002E (WU_E_WU_DISABLED): something asked it to use Windows Update, which policy forbids.",
        );
    }
    let mut f = Finding::new(
        meta,
        Confidence::Confirmed,
        format!("Updates come from the WSUS server {url}, not from Windows Update"),
        message,
    )
    // A machine that simply uses WSUS is not a problem: say so as information. It becomes a warning when
    // something else expects Windows Update to deliver (WUfB settings, a blocked cloud scan, or a policy
    // that forbids the cloud while deployments are expected).
    .severity(
        if !all_to_wu && (!wufb.is_empty() || !blocked_codes.is_empty() || no_internet.is_some()) {
            Severity::Warning
        } else {
            Severity::Info
        },
    );
    for (p, note) in [
        (server, "intranet update server"),
        (use_value, "UseWUServer=1: scan the intranet server"),
        (no_internet, "no contact with Windows Update"),
    ] {
        if let Some(p) = p {
            f = f.evidence(EvidenceRef::fact(p).note(note));
        }
    }
    for (p, class, wu) in &class_sources {
        f = f.evidence(EvidenceRef::fact(*p).note(format!(
            "{class} updates from {}",
            if *wu { "Windows Update" } else { "WSUS" }
        )));
    }
    for p in wufb.iter().take(4) {
        f = f.evidence(EvidenceRef::fact(*p).note("Windows Update for Business setting"));
    }
    if !blocked_codes.is_empty() {
        f = f
            .code(HResult::new(0x8024_002E))
            .events(blocked_codes.iter().copied(), 2);
    }
    let fill = Fill {
        kb: None,
        wsus_url: Some(url.to_owned()),
    };
    f.fixes(remedies::fixes(&["wsus-check-client-policy"], &cx.os, &fill))
        .fix(
            Fix::new(
                "Choose which service delivers this machine's updates",
                Applicability::DisplayOnly,
            )
            .text(format!(
                "To keep WSUS in charge: approve the missing update on {url} for this computer's group, and decline \
                 what it should not install; cloud deployments will not reach it."
            ))
            .text(
                "To receive Windows Update for Business or deployment service updates: set \"Specify intranet \
                 Microsoft update service location\" and \"Do not connect to any Windows Update Internet \
                 locations\" to Not Configured, or, on Windows 10 2004 and later, keep WSUS and send only the \
                 cloud-managed classes to Windows Update with \"Specify source service for specific classes of \
                 Windows Updates\". On a Configuration Manager client, change the software update client settings \
                 instead: the agent writes this policy itself.",
            )
            .text("Refresh the policy, then scan again.")
            .cmd("gpupdate /target:computer /force"),
        )
        .fix(scan_again(cx, false))
}

/// `WUServer` set but `UseWUServer` not 1: the server is ignored.
fn server_ignored(
    cx: &Context<'_>,
    url: &str,
    use_value: Option<&Located<PolicyValue>>,
) -> Finding {
    let meta = &ScansWsusNotWindowsUpdate::META;
    let server = value(cx, "WUServer", GP);
    let au_seen = cx
        .evidence
        .facts()
        .policy
        .iter()
        .any(|p| Origin::of(&p.value.key) == Origin::GroupPolicy && in_au_key(p));
    let (severity, confidence, why) = match use_value.and_then(number) {
        Some(n) => (
            Severity::Info,
            Confidence::Confirmed,
            format!(
                "UseWUServer is {n}, so the client ignores it and scans Windows Update. Someone may have switched \
                 WSUS off on purpose (a common way to let one machine reach Windows Update)"
            ),
        ),
        None if au_seen => (
            Severity::Warning,
            Confidence::Likely,
            "the AU policy key has no UseWUServer value, so the client ignores the server and scans Windows \
             Update. The policy is only half applied: \"Specify intranet Microsoft update service location\" \
             writes both values"
                .to_owned(),
        ),
        None => (
            Severity::Info,
            Confidence::Possible,
            "UseWUServer (in the AU subkey) is not in the evidence; unless it is 1, the client ignores the server \
             and scans Windows Update"
                .to_owned(),
        ),
    };
    let mut f = Finding::new(
        meta,
        confidence,
        format!("The WSUS server {url} is configured but not used"),
        format!(
            "Policy names the WSUS server {url} (WUServer), but {why}. Updates you approve on WSUS are not what \
             this machine installs, and it may receive updates nobody approved there."
        ),
    )
    .severity(severity);
    if let Some(p) = server {
        f = f.evidence(EvidenceRef::fact(p).note("intranet update server"));
    }
    if let Some(p) = use_value {
        f = f.evidence(EvidenceRef::fact(p).note("UseWUServer is not 1: the server is not used"));
    }
    let fill = Fill {
        kb: None,
        wsus_url: Some(url.to_owned()),
    };
    f.fixes(remedies::fixes(&["wsus-check-client-policy"], &cx.os, &fill))
        .fix(
            Fix::new("Complete or remove the WSUS policy", Applicability::DisplayOnly)
                .text(
                    "If WSUS should manage this machine, enable \"Specify intranet Microsoft update service \
                     location\" with the server URL and port, which also sets UseWUServer=1; if it should not, set \
                     the policy to Not Configured so no stale server is left behind. Then refresh the policy.",
                )
                .cmd("gpupdate /target:computer /force"),
        )
}

/// `UseWUServer` = 1 and no `WUServer`: every scan fails.
fn no_server(
    cx: &Context<'_>,
    server_value: Option<&Located<PolicyValue>>,
    use_value: Option<&Located<PolicyValue>>,
) -> Finding {
    let meta = &ScansWsusNotWindowsUpdate::META;
    let failures: Vec<&Event> = cx
        .with_code(0x8024_4011)
        .filter(|e| is_error_context(e))
        .collect();
    let parent_seen = cx
        .evidence
        .facts()
        .policy
        .iter()
        .any(|p| Origin::of(&p.value.key) == Origin::GroupPolicy && in_parent_key(p));
    let known = !failures.is_empty() || parent_seen || server_value.is_some();
    let mut message =
        String::from("Policy tells the client to scan an intranet server (UseWUServer=1) but ");
    message.push_str(if server_value.is_some() {
        "WUServer is empty, "
    } else if parent_seen {
        "the WindowsUpdate policy key has no WUServer value, "
    } else {
        "no WUServer value is in the evidence, "
    });
    message.push_str(
        "so it has nowhere to scan: scans fail with 0x80244011 (WU_E_PT_SUS_SERVER_NOT_SET) and the machine gets \
         no updates from anywhere.",
    );
    if !failures.is_empty() {
        message.push_str(&format!(
            " The evidence shows it: {} record{} with 0x80244011.",
            failures.len(),
            if failures.len() == 1 { "" } else { "s" }
        ));
    } else if !known {
        message.push_str(
            " The export may simply not include the WindowsUpdate key itself: check it on the machine.",
        );
    }
    let mut f = Finding::new(
        meta,
        if failures.is_empty() {
            if known {
                Confidence::Likely
            } else {
                Confidence::Possible
            }
        } else {
            Confidence::Confirmed
        },
        "The policy says to use a WSUS server (UseWUServer=1) but names none",
        message,
    )
    .severity(if known {
        Severity::Error
    } else {
        Severity::Warning
    });
    if let Some(p) = use_value {
        f = f.evidence(EvidenceRef::fact(p).note("UseWUServer=1: scan the intranet server"));
    }
    if let Some(p) = server_value {
        f = f.evidence(EvidenceRef::fact(p).note("WUServer is empty"));
    }
    if !failures.is_empty() {
        f = f
            .code(HResult::new(0x8024_4011))
            .events(failures.iter().copied(), 3);
    }
    f.fixes(remedies::fixes(
        &["wsus-check-client-policy"],
        &cx.os,
        &Fill::none(),
    ))
    .fix(
        Fix::new(
            "Give the policy a WSUS server, or turn it off",
            Applicability::DisplayOnly,
        )
        .text(
            "In \"Specify intranet Microsoft update service location\", set the update service and the statistics \
             server to the WSUS URL with its port (http://server:8530 or https://server:8531); if the machine \
             should use Windows Update, set the policy to Not Configured instead. Then refresh the policy and \
             scan again.",
        )
        .cmd("gpupdate /target:computer /force"),
    )
    .fix(scan_again(cx, false))
}
