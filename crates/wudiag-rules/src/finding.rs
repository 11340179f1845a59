//! What rules produce: findings with their evidence and graded fixes.

use wudiag_evidence::{HResult, KbNumber, Location, Severity};

use crate::RuleMeta;

/// How safe a fix is to apply. Ordered from the weakest promise to the strongest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Instructions a human must judge before acting: restart the machine, reinstall, call the vendor.
    DisplayOnly,
    /// Probably right, but it changes configuration or discards state (resetting the update cache, editing
    /// WSUS web.config). Never applied without an explicit request.
    Unsafe,
    /// Idempotent and reversible; changes no policy, deletes no data, needs no restart beyond a service
    /// restart (starting a stopped service, re-running a scan). The only grade that may ever be automated.
    Safe,
}

impl Applicability {
    /// `safe`, `unsafe`, `display-only`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DisplayOnly => "display-only",
            Self::Unsafe => "unsafe",
            Self::Safe => "safe",
        }
    }
}

/// How sure a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Consistent with the evidence, but other explanations remain.
    Possible,
    /// The evidence points this way and nothing contradicts it.
    Likely,
    /// The evidence states it outright.
    Confirmed,
}

/// Whether the problem still stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    /// Nothing later in the evidence shows it was overcome.
    #[default]
    Open,
    /// A later success of the same update or operation shows it was overcome.
    Resolved,
}

/// A fix: a title, the steps, and how safe it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// What the fix does, in a few words.
    pub title: String,
    /// How safe it is.
    pub applicability: Applicability,
    /// Steps in order; commands are written exactly as an admin pastes them into an elevated prompt.
    pub steps: Vec<String>,
    /// The catalogue remedy it comes from, when it does.
    pub remedy: Option<String>,
}

/// A piece of evidence cited by a finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceRef {
    /// Where.
    pub location: Location,
    /// The line or value, as written (trimmed, capped).
    pub excerpt: String,
    /// Why it is cited, when not obvious.
    pub note: Option<String>,
}

/// One diagnosis: what failed, why, on which evidence, and what to do.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Finding {
    /// The rule that made it.
    #[serde(skip)]
    pub rule: &'static RuleMeta,
    /// How bad it is for the machine's updates (Resolved findings are lowered to Info).
    pub severity: Severity,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// Open or resolved.
    pub status: FindingStatus,
    /// One line: what is wrong.
    pub title: String,
    /// The specific explanation, built from observed values.
    pub message: String,
    /// Codes this finding accounts for (drives supersession of the generic code finding).
    pub codes: Vec<HResult>,
    /// Updates concerned.
    pub updates: Vec<KbNumber>,
    /// Evidence, primary first.
    pub evidence: Vec<EvidenceRef>,
    /// Fixes, safest first.
    pub fixes: Vec<Fix>,
}

impl Finding {
    /// A new finding with the rule's default severity and no evidence yet.
    pub fn new(
        rule: &'static RuleMeta,
        confidence: Confidence,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: rule.severity,
            confidence,
            status: FindingStatus::Open,
            title: title.into(),
            message: message.into(),
            codes: Vec::new(),
            updates: Vec::new(),
            evidence: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// Marks the finding as overcome by later evidence: severity drops to Info.
    #[must_use]
    pub fn resolved(mut self) -> Self {
        self.status = FindingStatus::Resolved;
        self.severity = Severity::Info;
        self
    }
}
