//! `CBS006` psfx-matching-binary-missing: the rule and its documentation.

use wudiag_evidence::HResult;

use super::helpers::{failures_with, kbs_of, repaired_after};
use crate::remedies;
use crate::rules::agent::update_install_failed::update_arch;
use crate::text::join_and;
use crate::{Confidence, Context, Finding, Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it detects
    /// An update that failed with `0x800f0984` (PSFX_E_MATCHING_BINARY_MISSING).
    ///
    /// ## Why updates fail
    /// Cumulative updates ship most files as deltas (PSFX format) that the servicing stack applies to a base
    /// binary kept in the component store. When a component's folder exists but that base binary is missing,
    /// no delta can be applied and the update fails. It is a form of component store corruption, often left
    /// by an interrupted earlier update or an aggressive cleanup.
    ///
    /// ## Evidence used
    /// - CBS.log, DISM.log, WindowsUpdate.log and event records with `0x800f0984`.
    ///
    /// ## How to fix
    /// Repair the store (`DISM /RestoreHealth`, with a `/Source` of the same build when the default source
    /// fails), then install the cumulative update by hand from the Microsoft Update Catalog. If it keeps
    /// failing, a repair (in-place) upgrade restores the base binaries.
    ///
    /// ## Fix safety
    /// `DISM /RestoreHealth` is safe; repairing from media and installing by hand are display-only.
    ///
    /// ## References
    /// - KB947821 (Fix Windows Update corruptions and installation failures)
    pub PsfxMatchingBinaryMissing,
    id = "CBS006", name = "psfx-matching-binary-missing", area = Servicing, severity = Error,
    explains = [0x800F_0984],
}

impl Rule for PsfxMatchingBinaryMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let failures = failures_with(cx, 0x800F_0984);
        if failures.is_empty() {
            return;
        }
        let kbs = kbs_of(failures.iter().copied());
        let updates = if kbs.is_empty() {
            "An update".to_owned()
        } else {
            join_and(&kbs.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let message = format!(
            "{updates} failed with 0x800f0984 (PSFX_E_MATCHING_BINARY_MISSING): the component store has the folder of a \
             component but not the base file the update's deltas apply to, so the store is damaged. OS found: {}.",
            cx.os.sentence()
        );
        let mut f = Finding::new(
            &Self::META,
            Confidence::Confirmed,
            "Component store lacks a base binary the update needs (0x800f0984)",
            message,
        )
        .code(HResult::new(0x800F_0984))
        .updates(kbs.iter().copied())
        .events(failures.iter().copied(), 4)
        .fixes(remedies::store_repair(&cx.os));
        if cx.os.is_nt6_legacy() != Some(true) {
            f = f.fix(remedies::restore_health_with_source(&cx.os, None));
        }
        if let Some(kb) = kbs.first() {
            f = f.fix(remedies::manual_install(*kb, update_arch(cx, *kb), &cx.os));
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
