//! The rule contract: metadata declared once next to its documentation, and a check over the evidence.

use wudiag_evidence::Severity;

use crate::{Context, Finding};

/// The area a rule belongs to; its id prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// `CBS`: servicing stack and component store.
    Servicing,
    /// `AGT`: the Windows Update client (scan, download, install).
    Agent,
    /// `WSUS`: WSUS server and WSUS/ConfigMgr client side.
    Wsus,
    /// `NET`: proxy, TLS, DNS, Mux, Delivery Optimization.
    Network,
    /// `PKG`: applicability, architecture, supersedence, prerequisites.
    Package,
    /// `SYS`: reboot, services, policy, machine state.
    System,
    /// `SETUP`: feature upgrades.
    Setup,
    /// `DEF`: Microsoft Defender platform and definition updates.
    Defender,
    /// `AUM`: Azure Update Manager and Arc patching.
    Azure,
    /// `ERR`: the generic catalogue rule.
    Catalog,
}

/// Lifecycle of a rule (ids are never reused: a removed rule keeps its id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Stable.
    Stable,
    /// New; output may change.
    Preview,
}

/// What a rule's findings are in the story of a failure; the verdict is the deepest explained cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleRole {
    /// Explains why something failed and names what to fix (most rules, every signature).
    Cause,
    /// A cause read from the failure code alone (a timeout code means the connection timed out): right,
    /// but a finding that read the record's words names the context better and ranks first.
    Inferred,
    /// States what failed ("KB5035853 failed to install") without saying why.
    Outcome,
    /// Explains a code on its own, without its context (the catalogue rule).
    Generic,
}

/// Everything known about a rule without running it. Built by [`declare_rule!`](crate::declare_rule).
#[derive(Debug, serde::Serialize)]
pub struct RuleMeta {
    /// Stable id: area prefix + 3 digits (`WSUS001`).
    pub id: &'static str,
    /// Kebab-case name describing the failure (`wsus-max-installed-prerequisites-too-low`).
    pub name: &'static str,
    /// Area.
    pub area: Area,
    /// Default severity of its findings.
    pub severity: Severity,
    /// Lifecycle.
    pub status: RuleStatus,
    /// Cause, outcome or generic: how its findings rank for the verdict.
    pub role: RuleRole,
    /// Codes whose generic finding this rule's findings replace.
    #[serde(skip)]
    pub explains: &'static [u32],
    /// The rule's documentation (its doc comment).
    pub doc: &'static str,
    /// Source file that defines it.
    pub file: &'static str,
    /// Line of the declaration.
    pub line: u32,
}

impl RuleMeta {
    /// The first line of the doc's "What it detects" section, as a summary.
    pub fn summary(&self) -> &'static str {
        let mut lines = self.doc.lines().map(str::trim);
        for l in lines.by_ref() {
            if l.starts_with("## What it detects") {
                break;
            }
        }
        lines.find(|l| !l.is_empty()).unwrap_or(self.name)
    }
}

/// A diagnosis rule.
pub trait Rule: Sync {
    /// Its metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Looks at the evidence and reports findings.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Declares a rule: its doc comment is its documentation, and the metadata sits next to it.
///
/// ```
/// wudiag_rules::declare_rule! {
///     /// ## What it detects
///     /// A reboot that Windows is still waiting for.
///     pub PendingRebootExample,
///     id = "SYS999", name = "pending-reboot-example", area = System, severity = Error,
///     explains = [0x8007_0BC9],
/// }
/// assert_eq!(PendingRebootExample::META.id, "SYS999");
/// assert_eq!(PendingRebootExample::META.explains, &[0x8007_0BC9]);
/// assert!(PendingRebootExample::META.doc.contains("## What it detects"));
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis $name:ident,
        id = $id:literal, name = $kebab:literal, area = $area:ident, severity = $sev:ident
        $(, status = $status:ident)?
        $(, role = $role:ident)?
        $(, explains = [$($code:expr),* $(,)?])?
        $(,)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $name {
            /// This rule's metadata.
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                id: $id,
                name: $kebab,
                area: $crate::Area::$area,
                severity: ::wudiag_evidence::Severity::$sev,
                status: $crate::declare_rule!(@status $($status)?),
                role: $crate::declare_rule!(@role $($role)?),
                explains: &[$($($code),*)?],
                doc: concat!($($doc, "\n"),*),
                file: file!(),
                line: line!(),
            };
        }
    };
    (@status) => { $crate::RuleStatus::Stable };
    (@role) => { $crate::RuleRole::Cause };
    (@role $r:ident) => { $crate::RuleRole::$r };
    (@status $s:ident) => { $crate::RuleStatus::$s };
}
