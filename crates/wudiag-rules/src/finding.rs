//! What rules produce: findings with their evidence and graded fixes.

use wudiag_evidence::{Event, HResult, KbNumber, Located, Location, Severity};

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
///
/// # How steps are written
/// Each step is one string. A step that is a command starts with the prompt of its shell, `cmd> ` (elevated
/// `cmd.exe`) or `PS> ` (elevated Windows PowerShell), and the rest of the string is the command exactly as
/// it is pasted; any other step is prose for a human. [`Fix::parts`] splits them for renderers.
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

/// The prompt that marks a `cmd.exe` command step.
pub const CMD_PROMPT: &str = "cmd> ";
/// The prompt that marks a PowerShell command step.
pub const PS_PROMPT: &str = "PS> ";

/// One step of a [`Fix`], split by [`Fix::parts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepPart<'a> {
    /// Prose for a human.
    Text(&'a str),
    /// A command for an elevated `cmd.exe`.
    Cmd(&'a str),
    /// A command for an elevated Windows PowerShell.
    PowerShell(&'a str),
}

impl StepPart<'_> {
    /// Reads one step string.
    pub fn parse(step: &str) -> StepPart<'_> {
        if let Some(c) = step.strip_prefix(CMD_PROMPT) {
            StepPart::Cmd(c)
        } else if let Some(c) = step.strip_prefix(PS_PROMPT) {
            StepPart::PowerShell(c)
        } else {
            StepPart::Text(step)
        }
    }
}

impl Fix {
    /// An empty fix.
    pub fn new(title: impl Into<String>, applicability: Applicability) -> Self {
        Self {
            title: title.into(),
            applicability,
            steps: Vec::new(),
            remedy: None,
        }
    }

    /// Adds a prose step.
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.steps.push(text.into());
        self
    }

    /// Adds a `cmd.exe` command step.
    #[must_use]
    pub fn cmd(mut self, line: impl AsRef<str>) -> Self {
        self.steps.push(format!("{CMD_PROMPT}{}", line.as_ref()));
        self
    }

    /// Adds a PowerShell command step.
    #[must_use]
    pub fn ps(mut self, line: impl AsRef<str>) -> Self {
        self.steps.push(format!("{PS_PROMPT}{}", line.as_ref()));
        self
    }

    /// Records the catalogue remedy the fix comes from.
    #[must_use]
    pub fn from_remedy(mut self, id: &str) -> Self {
        self.remedy = Some(id.to_owned());
        self
    }

    /// The steps, split into prose and commands.
    pub fn parts(&self) -> impl Iterator<Item = StepPart<'_>> {
        self.steps.iter().map(|s| StepPart::parse(s))
    }
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

/// Longest excerpt kept in an [`EvidenceRef`], in bytes.
pub const MAX_EXCERPT: usize = 400;

fn cap(text: &str) -> String {
    let text = text.trim();
    if text.len() <= MAX_EXCERPT {
        return text.to_owned();
    }
    let mut end = MAX_EXCERPT;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", text.get(..end).unwrap_or_default())
}

impl EvidenceRef {
    /// Cites an event: its location and its message.
    pub fn event(e: &Event) -> Self {
        Self {
            location: e.location.clone(),
            excerpt: cap(&e.message),
            note: None,
        }
    }

    /// Cites a fact: where it was seen and the text that shows it.
    pub fn fact<T>(f: &Located<T>) -> Self {
        Self {
            location: f.location.clone(),
            excerpt: cap(&f.excerpt),
            note: None,
        }
    }

    /// Adds a note saying why it is cited.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
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
    /// What the evidence names, by role (`installer`, `service`, `server`, `kb`, …): the culprit and its
    /// context, as the matching record wrote them.
    pub details: std::collections::BTreeMap<String, String>,
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
            details: std::collections::BTreeMap::new(),
        }
    }

    /// Records named values (`installer` = `Generic Command`); a role already set keeps its first value.
    #[must_use]
    pub fn details(mut self, values: impl IntoIterator<Item = (String, String)>) -> Self {
        for (k, v) in values {
            self.details.entry(k).or_insert(v);
        }
        self
    }

    /// Overrides the severity.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a code the finding accounts for (once).
    #[must_use]
    pub fn code(mut self, code: HResult) -> Self {
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
        self
    }

    /// Adds codes the finding accounts for.
    #[must_use]
    pub fn codes(mut self, codes: impl IntoIterator<Item = HResult>) -> Self {
        for c in codes {
            self = self.code(c);
        }
        self
    }

    /// Adds an update concerned (once).
    #[must_use]
    pub fn update(mut self, kb: KbNumber) -> Self {
        if !self.updates.contains(&kb) {
            self.updates.push(kb);
        }
        self
    }

    /// Adds updates concerned.
    #[must_use]
    pub fn updates(mut self, kbs: impl IntoIterator<Item = KbNumber>) -> Self {
        for kb in kbs {
            self = self.update(kb);
        }
        self
    }

    /// Adds a piece of evidence (a location is cited once).
    #[must_use]
    pub fn evidence(mut self, e: EvidenceRef) -> Self {
        if !self.evidence.iter().any(|x| x.location == e.location) {
            self.evidence.push(e);
        }
        self
    }

    /// Cites events, at most `max` of them, and notes how many more there were.
    #[must_use]
    pub fn events<'e>(mut self, events: impl IntoIterator<Item = &'e Event>, max: usize) -> Self {
        let mut n = 0usize;
        let mut last: Option<&Event> = None;
        for e in events {
            n += 1;
            if n <= max {
                self = self.evidence(EvidenceRef::event(e));
            }
            last = Some(e);
        }
        if n > max
            && let Some(e) = last
        {
            let more = n - max;
            self = self.evidence(EvidenceRef::event(e).note(format!(
                "latest of {n} such records ({more} not listed above)"
            )));
        }
        self
    }

    /// Adds a fix (a fix with the same title is added once).
    #[must_use]
    pub fn fix(mut self, fix: Fix) -> Self {
        if !self.fixes.iter().any(|f| f.title == fix.title) {
            self.fixes.push(fix);
        }
        self
    }

    /// Adds fixes.
    #[must_use]
    pub fn fixes(mut self, fixes: impl IntoIterator<Item = Fix>) -> Self {
        for f in fixes {
            self = self.fix(f);
        }
        self
    }

    /// Marks the finding as overcome by later evidence: severity drops to Info.
    #[must_use]
    pub fn resolved(mut self) -> Self {
        self.status = FindingStatus::Resolved;
        self.severity = Severity::Info;
        self
    }
}
