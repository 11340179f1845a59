//! # wudiag-rules: from evidence to findings
//!
//! ```text
//! Evidence ──▶ Context (OS summary, update attempts) ──▶ every rule in registry::RULES ──▶ supersession ──▶ Diagnosis
//! ```
//!
//! * **A rule is one file.** `rules/<area>/<rule_name>.rs` holds a [`declare_rule!`] whose doc comment
//!   (What it detects / Why updates fail / Evidence used / How to fix / Fix safety / References) is the
//!   rule's documentation, and an `impl Rule` whose `check` reports [`Finding`]s. Adding a rule = that file,
//!   one line in [`registry::RULES`], and a fixture folder under `tests/fixtures/<RULE_ID>/`.
//! * **Correlation first.** [`Context`] groups events into update attempts (per KB, update id or package,
//!   across every source) so rules reason about an update's history, not single lines. A failure followed
//!   by a later success is reported as resolved.
//! * **Specific beats generic.** The generic catalogue rule turns any known code seen in an error context
//!   into a finding; a specific rule that explains the same code supersedes it ([`engine::supersede`]).
//! * **Fixes are graded** by [`Applicability`] (`safe`, `unsafe`, `display-only`); remedies come from the
//!   catalogue by id, so one text serves every rule.
#![forbid(unsafe_code)]
// Finding messages are built sentence by sentence from observed values; `push_str(&format!(..))` reads better
// there than `write!` with an ignored `fmt::Result`.
#![allow(clippy::format_push_string)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod codes;
mod context;
pub mod engine;
mod finding;
pub mod registry;
pub mod remedies;
mod rule;
pub mod rules;
pub mod signatures;
pub mod text;

pub use context::{
    AttemptOutcome, AttemptStep, Context, OsSummary, UpdateAttempt, event_kbs, is_error_context,
};
pub use engine::diagnose;
pub use finding::{
    Applicability, CMD_PROMPT, Confidence, EvidenceRef, Finding, FindingStatus, Fix, MAX_EXCERPT,
    PS_PROMPT, StepPart,
};
pub use rule::{Area, Rule, RuleMeta, RuleRole, RuleStatus};

/// The result of a diagnosis.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Diagnosis {
    /// What the evidence says about the OS.
    pub os: OsSummary,
    /// Update attempts reconstructed from the evidence.
    pub attempts: Vec<UpdateAttempt>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
}

impl FindingStatus {
    fn cmp_open_first(self, other: Self) -> std::cmp::Ordering {
        (self == Self::Resolved).cmp(&(other == Self::Resolved))
    }
}
