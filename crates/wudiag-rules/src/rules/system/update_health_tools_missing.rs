//! `SYS054` update-health-tools-missing: the rule and its documentation.

use wudiag_evidence::{Located, OsFact, Severity, SourceKind};

use super::machine_state::{is_client, wufb_policies};
use crate::text::join_and;
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// A Windows 10 (1809 or later) or Windows 11 client managed by Windows Update for Business or an MDM
    /// (deferral, target-version or Intune update policies in the evidence) on which the Microsoft Update
    /// Health Tools do not appear: no `uhssvc` service, no uninstall entry, no `UpdateHealthTools` key.
    ///
    /// ## Why updates fail
    /// Expedited quality updates, the ones an administrator pushes ahead of the deferral schedule from
    /// Intune or the deployment service, are delivered through the Update Health Tools
    /// (`C:\Program Files\Microsoft Update Health Tools`, installed by KB4023057 or a recent quality
    /// update). A device without them does not receive the expedited update: "the device isn't receiving an
    /// update that you deployed".
    ///
    /// ## Evidence used
    /// - OS facts (version, build, installation type) from registry exports, systeminfo or logs.
    /// - Windows Update for Business policy values (Group Policy deferrals and target version, any MDM
    ///   Update policy).
    /// - Update Health Tools facts: the `uhssvc` service key, the uninstall entry or the program's key.
    ///   Their absence is only conclusive when the evidence includes a service listing or the Windows Update
    ///   service keys; otherwise the finding is informational.
    ///
    /// ## How to fix
    /// Check on the device whether the tools are installed; if not, install the latest quality update (or
    /// KB4023057 on Windows 10) from Windows Update and check again.
    ///
    /// ## Fix safety
    /// The check is safe (it only reads). Installing updates is display-only.
    ///
    /// ## References
    /// - Windows Server update troubleshooting guidance, issue 3 step 6 (Microsoft Learn)
    /// - KB4023057: update for Windows 10 Update Service components
    pub UpdateHealthToolsMissing,
    id = "SYS054", name = "update-health-tools-missing", area = System, severity = Warning,
}

/// First Windows 10 build (1809) for which Microsoft ships the Update Health Tools.
const MIN_BUILD: u32 = 17_763;

/// The OS fact that shows the version, and the version.
fn windows_client<'a>(cx: &Context<'a>) -> Option<&'a Located<OsFact>> {
    if is_client(cx) != Some(true) {
        return None;
    }
    cx.evidence
        .facts()
        .os
        .iter()
        .filter(|o| o.value.version.is_some())
        .max_by_key(|o| o.value.version)
        .filter(|o| {
            o.value
                .version
                .is_some_and(|v| v.major() == 10 && v.minor() == 0 && v.build() >= MIN_BUILD)
        })
}

/// True when the evidence would show the tools if they were installed: a service listing, or registry
/// exports of the Windows 10 update services that sit next to `uhssvc`.
fn services_covered(cx: &Context<'_>) -> bool {
    cx.evidence
        .sources()
        .iter()
        .any(|s| s.kind == SourceKind::ServiceStates)
        || cx.evidence.facts().services.iter().any(|s| {
            ["usosvc", "waasmedicsvc", "dosvc"]
                .iter()
                .any(|n| s.value.name.eq_ignore_ascii_case(n))
        })
}

impl Rule for UpdateHealthToolsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if !cx.evidence.facts().update_health_tools.is_empty() {
            return;
        }
        let Some(os) = windows_client(cx) else {
            return;
        };
        let managed = wufb_policies(cx);
        if managed.is_empty() {
            return;
        }
        let covered = services_covered(cx);
        let version = os.value.version.unwrap_or_default();
        let name = if version.build() >= 22_000 {
            "Windows 11"
        } else {
            "Windows 10"
        };
        let names: Vec<&str> = managed
            .iter()
            .take(4)
            .map(|p| p.value.name.as_str())
            .collect();
        let mut message = format!(
            "This {name} client ({version}) is managed by Windows Update for Business ({}{}), but the Microsoft \
             Update Health Tools do not appear in the evidence (no uhssvc service, no uninstall entry). Expedited \
             quality updates, pushed ahead of the deferral schedule from Intune or the deployment service, need \
             them: without them the device does not receive an expedited update.",
            join_and(&names),
            if managed.len() > names.len() {
                format!(" and {} more", managed.len() - names.len())
            } else {
                String::new()
            }
        );
        if !covered {
            message.push_str(
                " The evidence has no service listing, so they may be installed and simply not shown: check on \
                 the device.",
            );
        }
        let mut f = Finding::new(
            &Self::META,
            if covered {
                Confidence::Likely
            } else {
                Confidence::Possible
            },
            "The Update Health Tools are missing on a device managed by Windows Update for Business",
            message,
        )
        .severity(if covered {
            Severity::Warning
        } else {
            Severity::Info
        })
        .evidence(EvidenceRef::fact(os).note(format!("{name} client, build {}", version.build())));
        for p in managed.iter().take(3) {
            f = f.evidence(EvidenceRef::fact(*p).note("Windows Update for Business policy"));
        }
        f = f
            .fix(
                Fix::new(
                    "Check whether the Update Health Tools are installed",
                    Applicability::Safe,
                )
                .text("Look for the service, the program folder and the uninstall entry; all three are present when installed.")
                .ps("Get-Service uhssvc -ErrorAction SilentlyContinue")
                .ps("Test-Path 'C:\\Program Files\\Microsoft Update Health Tools'")
                .ps("Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*' | Where-Object DisplayName -eq 'Microsoft Update Health Tools' | Select-Object DisplayName, DisplayVersion"),
            )
            .fix(
                Fix::new(
                    "Install the Update Health Tools",
                    Applicability::DisplayOnly,
                )
                .text(
                    "Install the latest quality update from Windows Update; on Windows 10 the tools also come as \
                     KB4023057 (\"Update for Windows 10 Update Service components\"), offered by Windows Update. \
                     Then run the check above again before expediting an update to this device.",
                ),
            );
        out.push(f);
    }
}
