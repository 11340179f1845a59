//! `SYS053` safeguard-holds-disabled: the rule and its documentation.

use super::machine_state::{Origin, number, value};
use crate::{
    Applicability, Confidence, Context, EvidenceRef, Finding, Fix, Rule, RuleMeta, declare_rule,
};

declare_rule! {
    /// ## What it detects
    /// The opt-out from safeguard holds: `DisableWUfBSafeguards` = 1, set by Group Policy ("Disable
    /// safeguards for Feature Updates") or by MDM (`Update/DisableWUfBSafeguards`).
    ///
    /// ## Why updates fail
    /// Microsoft holds a feature update back from devices with a known compatibility problem (a driver, an
    /// application, a hardware feature) until it is fixed: a safeguard hold. With the opt-out set, the
    /// device is offered the new Windows version anyway and can hit exactly the problem the hold was there
    /// for: failed upgrades, rollbacks, or a broken device after the upgrade. The setting is meant for
    /// testing; it is reset to not configured after each feature update installs, so a device that keeps it
    /// has a policy that sets it again.
    ///
    /// ## Evidence used
    /// - Registry exports of `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate` and
    ///   `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update`.
    ///
    /// ## How to fix
    /// Unless the device is a test machine for a known hold, set the policy back to Not Configured (Group
    /// Policy or Intune) and let holds apply again.
    ///
    /// ## Fix safety
    /// Display-only: whether a device may bypass holds is an administrator's decision.
    ///
    /// ## References
    /// - Opt out of safeguard holds (Microsoft Learn)
    /// - Windows Server update troubleshooting guidance, issue 3: safeguard holds (Microsoft Learn)
    pub SafeguardHoldsDisabled,
    id = "SYS053", name = "safeguard-holds-disabled", area = System, severity = Warning,
}

impl Rule for SafeguardHoldsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(p) = value(
            cx,
            "DisableWUfBSafeguards",
            &[Origin::GroupPolicy, Origin::Mdm],
        )
        .filter(|p| number(p) == Some(1)) else {
            return;
        };
        let by = if Origin::of(&p.value.key) == Origin::Mdm {
            "an MDM (Intune) policy"
        } else {
            "Group Policy (\"Disable safeguards for Feature Updates\")"
        };
        let message = format!(
            "Safeguard holds are switched off by {by}: DisableWUfBSafeguards=1. Feature updates are offered to this \
             device even when Microsoft holds them back from devices like it because of a known compatibility \
             problem, so an upgrade may fail, roll back or leave a driver or application broken. Windows resets \
             the setting after each feature update installs; if it is back, a policy keeps setting it."
        );
        let fix = Fix::new(
            "Let safeguard holds apply again",
            Applicability::DisplayOnly,
        )
        .text(
            "Unless this is a test device validating a feature update despite a known hold, set \"Disable \
             safeguards for Feature Updates\" (under Windows Update > Windows Update for Business, or Manage \
             updates offered from Windows Update on Windows 11) or the Intune setting behind Update/DisableWUfBSafeguards back to Not Configured.",
        )
        .text("Refresh the policy and confirm the value is gone.")
        .cmd("gpupdate /target:computer /force")
        .cmd(format!(
            "reg query \"{}\" /v DisableWUfBSafeguards",
            p.value.key
        ))
        .text(
            "Before upgrading a device that bypassed a hold, check the Windows release health page for the open \
             issues of the target version.",
        );
        out.push(
            Finding::new(
                &Self::META,
                Confidence::Confirmed,
                "Safeguard holds are disabled (DisableWUfBSafeguards=1)",
                message,
            )
            .evidence(EvidenceRef::fact(p).note("opt-out from safeguard holds"))
            .fix(fix),
        );
    }
}
