//! `CBS007` sxs-assembly-missing: the rule and its documentation.

use wudiag_evidence::HResult;

use super::helpers::{failures_with, kbs_of, repaired_after};
use crate::remedies::{self, Fill};
use crate::text::{contains_ci, join_and};
use crate::{Confidence, Context, Finding, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// An update or feature install that failed with `0x800736b3` (ERROR_SXS_ASSEMBLY_NOT_FOUND).
    ///
    /// ## Why updates fail
    /// The install refers to a side-by-side assembly (often a .NET Framework or Visual C++ component) that the
    /// component store should hold but does not: it was removed, or its manifest is damaged. Every update
    /// that depends on it fails until the store is repaired.
    ///
    /// ## Evidence used
    /// - CBS.log, DISM.log, WindowsUpdate.log and event records with `0x800736b3`.
    ///
    /// ## How to fix
    /// Repair the component store (DISM /RestoreHealth on NT 6.2+, CheckSUR on 6.0/6.1), then `sfc /scannow`;
    /// when the failure concerns .NET Framework 3.5, enable it from installation media.
    ///
    /// ## Fix safety
    /// `DISM /RestoreHealth` and `sfc /scannow` are safe; the others are display-only.
    ///
    /// ## References
    /// - KB947821 (Fix Windows Update corruptions and installation failures)
    pub SxsAssemblyMissing,
    id = "CBS007", name = "sxs-assembly-missing", area = Servicing, severity = Error,
    explains = [0x8007_36B3],
}

impl Rule for SxsAssemblyMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures = failures_with(cx, 0x8007_36B3);
        if failures.is_empty() {
            return;
        }
        let kbs = kbs_of(failures.iter().copied());
        let netfx = failures
            .iter()
            .any(|e| contains_ci(&e.message, "netfx") || contains_ci(&e.message, ".net"));
        let updates = if kbs.is_empty() {
            "An install".to_owned()
        } else {
            join_and(&kbs.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let message = format!(
            "{updates} failed with 0x800736b3 (ERROR_SXS_ASSEMBLY_NOT_FOUND): a side-by-side assembly it depends on is \
             missing from the component store{}. OS found: {}.",
            if netfx {
                " (the records mention .NET Framework)"
            } else {
                ""
            },
            cx.os.sentence()
        );
        let mut f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            "A side-by-side assembly is missing from the store (0x800736b3)",
            message,
        )
        .code(HResult::new(0x8007_36B3))
        .updates(kbs.iter().copied())
        .events(failures.iter().copied(), 4)
        .fixes(remedies::store_repair(&cx.os));
        if netfx {
            f = f.fixes(remedies::fixes(
                &["enable-feature-from-source"],
                &cx.os,
                &Fill::none(),
            ));
        }
        let f = if failures
            .iter()
            .all(|e| repaired_after(cx, e) || cx.overcome(e))
        {
            f.resolved()
        } else {
            f
        };
        out.push(f);
    }
}
