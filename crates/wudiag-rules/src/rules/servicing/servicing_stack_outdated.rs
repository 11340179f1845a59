//! `CBS003` servicing-stack-outdated: the rule and its documentation.

use wudiag_evidence::{Event, HResult, Severity};

use crate::context::AttemptOutcome;
use crate::remedies::{self, Fill};
use crate::text::{contains_ci, join_and};
use crate::{
    Confidence, Context, EvidenceRef, Finding, Rule, RuleMeta, codes, declare_rule,
    is_error_context,
};

declare_rule! {
    /// ## What it detects
    /// An update that needs a newer servicing stack than the one installed: `0x800f0823`
    /// (CBS_E_NEW_SERVICING_STACK_REQUIRED) or `0x80242017` (WU_E_UH_NEW_SERVICING_STACK_REQUIRED). When
    /// updates failed for other reasons and the servicing stack version is known, it is reported as
    /// information with the advice to check it is the latest.
    ///
    /// ## Why updates fail
    /// The servicing stack (CBS, TrustedInstaller) installs every other update. Cumulative updates are built
    /// for a minimum servicing stack; on an older one they fail, or Windows Update does not offer them at
    /// all and manual installs report "not applicable". Servicing stack updates (SSU) are listed per OS in
    /// advisory ADV990001; from Windows 10 2004 on they ship inside the cumulative update.
    ///
    /// ## Evidence used
    /// - CBS.log `Loaded Servicing Stack v…` lines (the servicing stack version in use) and OS facts.
    /// - The two codes above in any source; failed update attempts.
    ///
    /// ## How to fix
    /// Install the latest servicing stack update for this OS build (ADV990001), then the update.
    ///
    /// ## Fix safety
    /// Display-only: SSUs cannot be uninstalled, so a human picks the right one.
    ///
    /// ## References
    /// - ADV990001 Latest Servicing Stack Updates (MSRC)
    /// - Servicing stack updates (Microsoft Learn)
    pub ServicingStackOutdated,
    id = "CBS003", name = "servicing-stack-outdated", area = Servicing, severity = Warning,
    explains = [0x800F_0823, 0x8024_2017],
}

const CODES: &[u32] = &[0x800F_0823, 0x8024_2017];

static REQUIRES: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)requires Servicing Stack v?(\d+(?:\.\d+)+) but current Servicing Stack is v?(\d+(?:\.\d+)+)").ok()
});

impl Rule for ServicingStackOutdated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let facts = cx.evidence.facts();
        let ssu_fact = facts.servicing_stack.iter().max_by_key(|l| l.value);
        let ssu_text = match (cx.os.servicing_stack, ssu_fact) {
            (Some(v), _) => format!("The servicing stack in use is {v}"),
            (None, _) => "The servicing stack version is not in the evidence (CBS.log names it in 'Loaded Servicing Stack v…')".to_owned(),
        };
        let needs: Vec<&Event> = cx
            .with_any_code(CODES)
            .filter(|e| is_error_context(e) || contains_ci(&e.message, "servicing stack"))
            .collect();
        if !needs.is_empty() {
            let seen: Vec<HResult> = needs
                .iter()
                .flat_map(|e| e.codes.iter().copied())
                .filter(|c| CODES.contains(&c.value()))
                .fold(Vec::new(), |mut v, c| {
                    if !v.contains(&c) {
                        v.push(c);
                    }
                    v
                });
            // CBS names both versions: `Package "…KB5012170…" requires Servicing Stack v10.0.14393.5285 but
            // current Servicing Stack is v10.0.14393.4349`.
            let versions = needs.iter().find_map(|e| {
                let c = REQUIRES.as_ref()?.captures(&e.message)?;
                Some((c.get(1)?.as_str().to_owned(), c.get(2)?.as_str().to_owned()))
            });
            let kbs = super::helpers::kbs_of(needs.iter().copied());
            let ssu_text = match &versions {
                Some((required, current)) => {
                    format!("It needs servicing stack {required}; the machine has {current}")
                }
                None => ssu_text,
            };
            let message = format!(
                "{} asked for a newer servicing stack ({}). {ssu_text} on {}. Install the latest servicing \
                 stack update for this OS build (ADV990001), then the update again.",
                kbs.first()
                    .map_or_else(|| "An update".to_owned(), ToString::to_string),
                join_and(&seen.iter().map(|c| codes::label(*c)).collect::<Vec<_>>()),
                cx.os.describe()
            );
            let title = match (kbs.first(), &versions) {
                (Some(kb), Some((required, current))) => {
                    format!("{kb} needs servicing stack {required} (installed: {current})")
                }
                (Some(kb), None) => format!("{kb} needs a newer servicing stack"),
                _ => "A newer servicing stack is required".to_owned(),
            };
            let mut f = Finding::new(&Self::META, Confidence::Confirmed, title, message)
                .severity(Severity::Error)
                .codes(seen)
                .events(needs.iter().copied(), 3);
            for kb in &kbs {
                f = f.update(*kb);
            }
            if let Some((required, current)) = versions {
                f = f.details([
                    ("required".to_owned(), required),
                    ("current".to_owned(), current),
                ]);
            }
            if let Some(l) = ssu_fact {
                f = f.evidence(EvidenceRef::fact(l).note("servicing stack in use"));
            }
            f = f.fixes(remedies::fixes(
                &["install-latest-ssu"],
                &cx.os,
                &Fill::none(),
            ));
            out.push(cx.settle(f, needs.iter().copied()));
            return;
        }
        // Advisory: installs failed and the servicing stack is known.
        let failed = cx
            .attempts
            .iter()
            .any(|a| a.outcome == AttemptOutcome::Failed && a.kb.is_some());
        if let (true, Some(v), Some(l)) = (failed, cx.os.servicing_stack, ssu_fact) {
            let message = format!(
                "Updates failed on this machine and the servicing stack in use is {v} ({}). An outdated servicing stack \
                 makes newer updates fail or show as not applicable; check it is the latest one ADV990001 lists for this \
                 OS build before retrying.",
                cx.os.describe()
            );
            let f = Finding::new(
                &Self::META,
                Confidence::Possible,
                format!("Check the servicing stack {v} is the latest for this OS"),
                message,
            )
            .severity(Severity::Info)
            .evidence(EvidenceRef::fact(l).note("servicing stack in use"))
            .fixes(remedies::fixes(
                &["install-latest-ssu"],
                &cx.os,
                &Fill::none(),
            ));
            out.push(f);
        }
    }
}
