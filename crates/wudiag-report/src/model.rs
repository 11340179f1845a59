//! The report model: one owned view of a diagnosis that every format renders.
//!
//! [`Report::new`] resolves everything a renderer needs once (source paths and lines for every location,
//! the verdict, the counts), so the four renderers only lay it out. The serde form of [`Report`] *is* the
//! JSON wire format documented in [`crate::json`]; change a field here and the schema test fails until
//! `docs/report.schema.json` says the same.

use std::collections::BTreeMap;

use jiff::civil::DateTime;
use serde::Serialize;
use std::fmt::Write as _;

use wudiag_evidence::{Evidence, Location, Severity, SourceInfo, Span};
use wudiag_rules::{
    Applicability, AttemptOutcome, Confidence, Diagnosis, FindingStatus, RuleMeta, StepPart,
    UpdateAttempt,
};

/// The `schema` value of every v1 report.
pub const SCHEMA: &str = "wudiag/report/v1";

/// How a report is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// The version of the tool that made the report (`tool.version` in JSON).
    pub tool_version: String,
    /// Findings at or above this severity make the run fail (exit 1) and are named in the verdict; findings
    /// below it are still listed.
    pub min_severity: Severity,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            min_severity: Severity::Warning,
        }
    }
}

impl ReportOptions {
    /// Sets the tool version shown in the report.
    #[must_use]
    pub fn tool_version(mut self, version: impl Into<String>) -> Self {
        self.tool_version = version.into();
        self
    }

    /// Sets the severity threshold.
    #[must_use]
    pub fn min_severity(mut self, severity: Severity) -> Self {
        self.min_severity = severity;
        self
    }
}

/// A whole report. Its JSON form is `wudiag/report/v1`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The tool that wrote it.
    pub tool: Tool,
    /// Counts and the one-line verdict.
    pub summary: Summary,
    /// The machine, as far as the evidence tells.
    pub machine: Machine,
    /// Every input found, read or skipped.
    pub sources: Vec<SourceEntry>,
    /// Problems met while reading.
    pub read_issues: Vec<IssueEntry>,
    /// Findings, most severe first, open before resolved.
    pub findings: Vec<FindingEntry>,
    /// Update attempts reconstructed from the evidence, in order of first appearance.
    pub attempts: Vec<AttemptEntry>,
}

/// The tool that wrote a report.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `wudiag`.
    pub name: &'static str,
    /// Its version.
    pub version: String,
}

/// Counts and the verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// One line that says what is wrong (or that nothing is), as the text report's first line.
    pub verdict: String,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity info (resolved findings included).
    pub info: usize,
    /// Findings still open.
    pub open: usize,
    /// Findings overcome by a later success.
    pub resolved: usize,
    /// The threshold the run was judged by.
    pub min_severity: Severity,
    /// Findings at or above the threshold: non-zero means exit code 1.
    pub at_or_above_min_severity: usize,
    /// Inputs found.
    pub sources: usize,
    /// Inputs read by a reader.
    pub sources_read: usize,
    /// Inputs skipped (with a reason in `sources[].skipped`).
    pub sources_skipped: usize,
    /// Records read across all sources.
    pub records_ok: u64,
    /// Records that could not be parsed.
    pub records_failed: u64,
}

/// What the evidence says about the machine. Every field is null when no source told.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Machine {
    /// Product or family name (`Windows Server 2008 R2`, `Windows 10`).
    pub os: Option<String>,
    /// NT version (`6.1.7601`, `10.0.19045.4291`).
    pub version: Option<String>,
    /// Architecture (`x64`, `x86`, `arm64`).
    pub arch: Option<String>,
    /// Servicing stack version in use.
    pub servicing_stack: Option<String>,
    /// `path:line` of the observation the version comes from.
    pub version_source: Option<String>,
}

impl Machine {
    /// `Windows 10 (10.0.19045)`, or `an unknown Windows version`.
    pub fn describe(&self) -> String {
        match (&self.os, &self.version) {
            (Some(os), Some(v)) => format!("{os} ({v})"),
            (Some(os), None) => os.clone(),
            (None, Some(v)) => format!("Windows {v}"),
            (None, None) => "an unknown Windows version".to_owned(),
        }
    }
}

/// Records per severity of one source.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BySeverity {
    /// Informational records.
    pub info: u64,
    /// Warnings.
    pub warning: u64,
    /// Errors.
    pub error: u64,
}

/// One input.
#[derive(Clone, Debug, Serialize)]
pub struct SourceEntry {
    /// Its path as shown (`bundle.zip!Logs/CBS/CBS.log` for archive members).
    pub path: String,
    /// What it is (`cbs_log`, `evtx`, `unknown`).
    pub kind: &'static str,
    /// Size in bytes, as stored.
    pub size: u64,
    /// The text encoding detected.
    pub encoding: Option<String>,
    /// The event-log channel.
    pub channel: Option<String>,
    /// Why it was not read, when it was not.
    pub skipped: Option<String>,
    /// The path of the archive it came out of.
    pub container: Option<String>,
    /// Records read and understood.
    pub records_ok: u64,
    /// Records that could not be parsed.
    pub records_failed: u64,
    /// Events kept for the diagnosis.
    pub events_kept: u64,
    /// Events counted but not kept (bounded memory).
    pub events_dropped: u64,
    /// Records per severity.
    pub by_severity: BySeverity,
    /// Every distinct failure code seen, with its count.
    pub codes: BTreeMap<String, u64>,
}

impl SourceEntry {
    /// True when a reader went through it (not skipped, not a mere container).
    pub fn was_read(&self) -> bool {
        self.skipped.is_none() && !matches!(self.kind, "zip" | "cab" | "unknown")
    }
}

/// A problem met while reading.
#[derive(Clone, Debug, Serialize)]
pub struct IssueEntry {
    /// The source's path.
    pub path: String,
    /// The line, when the problem has one.
    pub line: Option<u64>,
    /// Where, as printed (`CBS.log:12`, `System.evtx (record 7)`).
    pub location: String,
    /// What went wrong.
    pub message: String,
}

/// A cited piece of evidence.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceEntry {
    /// The source's path.
    pub path: String,
    /// The first line, for line-based sources.
    pub line: Option<u64>,
    /// Where, as printed (`CBS.log:12`, `System.evtx (record 7)`, a registry value).
    pub location: String,
    /// The line or value as written.
    pub excerpt: String,
    /// Why it is cited, when not obvious.
    pub note: Option<String>,
}

/// A graded fix.
#[derive(Clone, Debug, Serialize)]
pub struct FixEntry {
    /// What it does.
    pub title: String,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: Applicability,
    /// Steps in order. A step starting with `cmd> ` or `PS> ` is a command for that elevated shell; any
    /// other step is prose.
    pub steps: Vec<String>,
    /// The catalogue remedy it comes from.
    pub remedy: Option<String>,
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
pub struct FindingEntry {
    /// Rule id (`WSUS001`).
    pub rule: &'static str,
    /// Rule name (`wsus-max-installed-prerequisites-too-low`).
    pub name: &'static str,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// `confirmed`, `likely` or `possible`.
    pub confidence: Confidence,
    /// `open` or `resolved`.
    pub status: FindingStatus,
    /// One line: what is wrong.
    pub title: String,
    /// The specific explanation, from observed values.
    pub message: String,
    /// Why this fails updates: the first paragraph of the rule's "Why updates fail" section, or its
    /// summary (`wudiag rule ID` prints the whole doc).
    pub why: String,
    /// Codes the finding accounts for.
    pub codes: Vec<String>,
    /// Updates concerned (`KB5035853`).
    pub updates: Vec<String>,
    /// What the evidence names, by role (`installer`, `service`, `driver`, `proxy`, `kb`, …), as the
    /// record wrote it.
    pub details: std::collections::BTreeMap<String, String>,
    /// Evidence, primary first.
    pub evidence: Vec<EvidenceEntry>,
    /// Fixes, safest first.
    pub fixes: Vec<FixEntry>,
}

impl FindingEntry {
    /// True when still open.
    pub fn is_open(&self) -> bool {
        self.status == FindingStatus::Open
    }
}

/// One step of an update attempt.
#[derive(Clone, Debug, Serialize)]
pub struct StepEntry {
    /// When, as written (ISO 8601, with a zone when known).
    pub time: Option<String>,
    /// What (`download_failed`).
    pub kind: &'static str,
    /// The code, for a failed step.
    pub code: Option<String>,
    /// The source's path.
    pub path: String,
    /// The line, for line-based sources.
    pub line: Option<u64>,
    /// Where, as printed.
    pub location: String,
    /// The time as a value, for placing the step on a timeline.
    #[serde(skip)]
    pub at: Option<DateTime>,
}

impl StepEntry {
    /// True for a failed step.
    pub fn is_failure(&self) -> bool {
        self.kind.ends_with("failed")
    }

    /// True for a successful step.
    pub fn is_success(&self) -> bool {
        self.kind.ends_with("succeeded")
    }
}

/// What happened to one update.
#[derive(Clone, Debug, Serialize)]
pub struct AttemptEntry {
    /// The update: a KB, or an update id.
    pub update: String,
    /// Its KB, when known.
    pub kb: Option<String>,
    /// `succeeded`, `failed`, `recovered_after_failure` or `unknown`.
    pub outcome: String,
    /// Failure codes, in order of first appearance.
    pub codes: Vec<String>,
    /// Time of the first step.
    pub first_seen: Option<String>,
    /// Time of the last step.
    pub last_seen: Option<String>,
    /// Steps in time order.
    pub steps: Vec<StepEntry>,
}

impl AttemptEntry {
    /// True when the last outcome is a failure.
    pub fn failed(&self) -> bool {
        self.outcome == "failed"
    }

    /// True when a failure was followed by a success.
    pub fn recovered(&self) -> bool {
        self.outcome == "recovered_after_failure"
    }

    /// True when it went through without a failure.
    pub fn succeeded(&self) -> bool {
        self.outcome == "succeeded"
    }
}

impl Report {
    /// Shows every path relative to `base`: paths under it lose the `base/` prefix, `base` itself becomes
    /// `.`. Reports of one folder read better this way, and test snapshots stop depending on where the
    /// checkout lives (the text report wraps lines by their length, so the prefix must go before rendering).
    pub fn relative_to(&mut self, base: &str) {
        let base = base.trim_end_matches(['/', '\\']);
        if base.is_empty() {
            return;
        }
        let strip = |text: &mut String| {
            if text.contains(base) {
                *text = text
                    .replace(&format!("{base}/"), "")
                    .replace(&format!("{base}\\"), "")
                    .replace(base, ".");
            }
        };
        for s in &mut self.sources {
            strip(&mut s.path);
            if let Some(c) = &mut s.container {
                strip(c);
            }
        }
        for i in &mut self.read_issues {
            strip(&mut i.path);
            strip(&mut i.location);
            strip(&mut i.message);
        }
        for f in &mut self.findings {
            strip(&mut f.message);
            for e in &mut f.evidence {
                strip(&mut e.path);
                strip(&mut e.location);
            }
        }
        for a in &mut self.attempts {
            for step in &mut a.steps {
                strip(&mut step.path);
                strip(&mut step.location);
            }
        }
    }

    /// Builds the report of a diagnosis over its evidence.
    pub fn new(evidence: &Evidence, diagnosis: &Diagnosis, options: &ReportOptions) -> Self {
        let sources: Vec<SourceEntry> = evidence
            .sources()
            .iter()
            .map(|s| source_entry(evidence, s))
            .collect();
        let read_issues = evidence
            .read_issues()
            .iter()
            .map(|i| {
                let location = match &i.span {
                    Some(span) => evidence.describe(&Location::new(i.source, span.clone())),
                    None => path_of(evidence, &Location::new(i.source, Span::File)),
                };
                IssueEntry {
                    path: path_of(evidence, &Location::new(i.source, Span::File)),
                    line: i.span.as_ref().and_then(Span::first_line),
                    location,
                    message: i.message.clone(),
                }
            })
            .collect();
        let findings: Vec<FindingEntry> = diagnosis
            .findings
            .iter()
            .map(|f| FindingEntry {
                rule: f.rule.id,
                name: f.rule.name,
                severity: f.severity,
                confidence: f.confidence,
                status: f.status,
                title: f.title.clone(),
                message: f.message.clone(),
                why: rule_why(f.rule),
                codes: f.codes.iter().map(ToString::to_string).collect(),
                updates: f.updates.iter().map(ToString::to_string).collect(),
                details: f.details.clone(),
                evidence: f
                    .evidence
                    .iter()
                    .map(|e| EvidenceEntry {
                        path: path_of(evidence, &e.location),
                        line: e.location.span.first_line(),
                        location: evidence.describe(&e.location),
                        excerpt: e.excerpt.clone(),
                        note: e.note.clone(),
                    })
                    .collect(),
                fixes: f
                    .fixes
                    .iter()
                    .map(|x| FixEntry {
                        title: x.title.clone(),
                        applicability: x.applicability,
                        steps: x.steps.clone(),
                        remedy: x.remedy.clone(),
                    })
                    .collect(),
            })
            .collect();
        let attempts = diagnosis
            .attempts
            .iter()
            .map(|a| attempt_entry(evidence, a))
            .collect();
        let machine = machine(diagnosis, evidence);
        let summary = summary(&findings, &sources, &machine, options.min_severity);
        Self {
            schema: SCHEMA,
            tool: Tool {
                name: "wudiag",
                version: options.tool_version.clone(),
            },
            summary,
            machine,
            sources,
            read_issues,
            findings,
            attempts,
        }
    }

    /// Findings still open.
    pub fn open_findings(&self) -> impl Iterator<Item = &FindingEntry> {
        self.findings.iter().filter(|f| f.is_open())
    }

    /// Findings overcome by a later success.
    pub fn resolved_findings(&self) -> impl Iterator<Item = &FindingEntry> {
        self.findings.iter().filter(|f| !f.is_open())
    }

    /// Sources skipped, and sources with records that could not be parsed.
    pub fn unread(&self) -> impl Iterator<Item = &SourceEntry> {
        self.sources
            .iter()
            .filter(|s| s.skipped.is_some() || s.records_failed > 0)
    }

    /// True when something could not be read (a skipped source, a read issue, a failed record).
    pub fn has_unread(&self) -> bool {
        self.unread().next().is_some() || !self.read_issues.is_empty()
    }

    /// The exit status the report calls for: true when a finding is at or above the threshold.
    pub fn fails(&self) -> bool {
        self.summary.at_or_above_min_severity > 0
    }
}

/// The first paragraph of a section (`## What it detects`) of a rule's documentation, as one line. The
/// paragraph ends at a blank line, a heading, or the start of a list.
pub fn doc_paragraph(doc: &str, heading: &str) -> Option<String> {
    let mut lines = doc.lines().map(str::trim);
    lines.find(|l| {
        l.strip_prefix("## ")
            .is_some_and(|h| h.trim().eq_ignore_ascii_case(heading))
    })?;
    let mut words: Vec<&str> = Vec::new();
    for l in lines {
        if l.is_empty() {
            if words.is_empty() {
                continue;
            }
            break;
        }
        if l.starts_with('#') || (!words.is_empty() && (l.starts_with("- ") || l.starts_with("* ")))
        {
            break;
        }
        words.push(l);
    }
    (!words.is_empty()).then(|| words.join(" "))
}

/// Why a rule's findings block updates: the first paragraph of its "Why updates fail" section, or its
/// summary when the doc has no such section.
pub fn rule_why(rule: &RuleMeta) -> String {
    doc_paragraph(rule.doc, "Why updates fail").unwrap_or_else(|| rule_summary(rule))
}

/// What a rule detects, in one sentence: the first sentence of its "What it detects" section.
pub fn rule_summary(rule: &RuleMeta) -> String {
    let Some(p) = doc_paragraph(rule.doc, "What it detects") else {
        return rule.summary().to_owned();
    };
    let sentence = match p.find(". ") {
        Some(i) => p.get(..=i).unwrap_or(&p),
        None => &p,
    };
    let sentence = sentence.trim_end();
    match sentence.strip_suffix(':') {
        Some(s) => format!("{s}."),
        None => sentence.to_owned(),
    }
}

fn path_of(evidence: &Evidence, location: &Location) -> String {
    evidence
        .source(location.source)
        .map_or_else(|| "?".to_owned(), |s| s.path.clone())
}

fn source_entry(evidence: &Evidence, s: &SourceInfo) -> SourceEntry {
    let [info, warning, error] = s.stats.by_severity;
    SourceEntry {
        path: s.path.clone(),
        kind: s.kind.as_str(),
        size: s.size,
        encoding: s.encoding.clone(),
        channel: s.channel.clone(),
        skipped: s.skipped.clone(),
        container: s
            .container
            .and_then(|c| evidence.source(c))
            .map(|c| c.path.clone()),
        records_ok: s.stats.records_ok,
        records_failed: s.stats.records_failed,
        events_kept: s.stats.events_kept,
        events_dropped: s.stats.events_dropped,
        by_severity: BySeverity {
            info,
            warning,
            error,
        },
        codes: s
            .stats
            .codes
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
    }
}

/// `succeeded`, `failed`, `recovered_after_failure`, `unknown`: the outcome as JSON names it.
const fn outcome_name(a: &UpdateAttempt) -> &'static str {
    match a.outcome {
        AttemptOutcome::Succeeded => "succeeded",
        AttemptOutcome::Failed => "failed",
        AttemptOutcome::RecoveredAfterFailure => "recovered_after_failure",
        AttemptOutcome::Unknown => "unknown",
    }
}

fn attempt_entry(evidence: &Evidence, a: &UpdateAttempt) -> AttemptEntry {
    let steps: Vec<StepEntry> = a
        .steps
        .iter()
        .map(|s| StepEntry {
            time: s.time.map(|t| t.to_string()),
            kind: s.kind,
            code: s.code.map(|c| c.to_string()),
            path: path_of(evidence, &s.location),
            line: s.location.span.first_line(),
            location: evidence.describe(&s.location),
            at: s.time.map(|t| t.written),
        })
        .collect();
    AttemptEntry {
        update: a.update.clone(),
        kb: a.kb.map(|k| k.to_string()),
        outcome: outcome_name(a).to_owned(),
        codes: a.codes.iter().map(ToString::to_string).collect(),
        first_seen: steps.iter().find_map(|s| s.time.clone()),
        last_seen: steps.iter().rev().find_map(|s| s.time.clone()),
        steps,
    }
}

/// What the diagnosis knows of the machine, in the report's words.
fn machine(diagnosis: &Diagnosis, evidence: &Evidence) -> Machine {
    let os = &diagnosis.os;
    let name = match (&os.product, os.version) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(_)) => {
            // `describe` is "<family> (<version>)"; keep the family.
            let full = os.describe();
            let suffix = format!(" ({})", os.version_text().unwrap_or_default());
            Some(full.strip_suffix(&suffix).unwrap_or(&full).to_owned())
        }
        (None, None) => None,
    };
    Machine {
        os: name,
        version: os.version_text(),
        arch: os.arch.map(|a| a.to_string()),
        servicing_stack: os.servicing_stack.map(|v| v.to_string()),
        version_source: os.version_source.as_ref().map(|l| evidence.describe(l)),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Names that keep their capital inside a sentence (products and features, not common words).
const PROPER_NOUNS: &[&str] = &[
    "Microsoft",
    "Windows",
    "Delivery",
    "Configuration",
    "Internet",
    "Defender",
];

/// A finding title as it reads inside a sentence: first letter lowered unless the first word is an
/// acronym, an identifier (`DISM`, `KB5025221`), a camel-cased name (`ConfigMgr`) or a product name
/// (`Microsoft`, `Windows`).
fn in_sentence(title: &str) -> String {
    let first_word = title.split_whitespace().next().unwrap_or_default();
    let mut chars = first_word.chars();
    // Lower only an ordinary capitalised word: one capital, then lowercase letters (`The`, `Component`),
    // not an acronym (`DISM`), a camel-cased name (`ConfigMgr`) or an identifier (`KB5025221`).
    let lower = !PROPER_NOUNS.contains(&first_word)
        && chars.next().is_some_and(char::is_uppercase)
        && chars.all(|c| !c.is_alphabetic() || c.is_lowercase());
    match title.chars().next() {
        Some(a) if lower => {
            let mut s: String = a.to_lowercase().collect();
            s.push_str(title.get(a.len_utf8()..).unwrap_or_default());
            s
        }
        _ => title.to_owned(),
    }
}

/// Longest verdict, in characters, before it names fewer findings.
const VERDICT_WIDTH: usize = 120;

fn summary(
    findings: &[FindingEntry],
    sources: &[SourceEntry],
    machine: &Machine,
    min: Severity,
) -> Summary {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let open = findings.iter().filter(|f| f.is_open()).count();
    let resolved = findings.len() - open;
    let at_or_above = findings.iter().filter(|f| f.severity >= min).count();
    let sources_read = sources.iter().filter(|s| s.was_read()).count();
    let sources_skipped = sources.iter().filter(|s| s.skipped.is_some()).count();
    let records_ok = sources.iter().map(|s| s.records_ok).sum();
    let records_failed = sources.iter().map(|s| s.records_failed).sum();

    let on = machine.describe();
    let verdict = if at_or_above > 0 {
        let flagged: Vec<&FindingEntry> = findings
            .iter()
            .filter(|f| f.is_open() && f.severity >= min)
            .collect();
        let mut counts = Vec::new();
        for (sev, one, many) in [
            (Severity::Error, "error", "errors"),
            (Severity::Warning, "warning", "warnings"),
            (Severity::Info, "note", "notes"),
        ] {
            let n = findings
                .iter()
                .filter(|f| f.severity == sev && f.severity >= min && f.is_open())
                .count();
            if n > 0 {
                counts.push(plural(n, one, many));
            }
        }
        if resolved > 0 && min == Severity::Info {
            counts.push(format!("{resolved} resolved"));
        }
        let head = format!("wudiag: {} on {on}", counts.join(", "));
        // Name up to two findings (the counts say how many there are), fewer when the line would not
        // fit a terminal.
        let mut verdict = head.clone();
        for named in (1..=flagged.len().min(2)).rev() {
            let titles: Vec<String> = flagged
                .iter()
                .take(named)
                .map(|f| in_sentence(&f.title))
                .collect();
            verdict = format!("{head} — {}", titles.join("; "));
            if verdict.chars().count() <= VERDICT_WIDTH {
                break;
            }
        }
        verdict
    } else if sources_read == 0 {
        if sources.is_empty() {
            "wudiag: nothing to diagnose — no input files were found".to_owned()
        } else {
            format!(
                "wudiag: nothing to diagnose — none of the {} found is in a format wudiag reads (see what we could not read)",
                plural(sources.len(), "input", "inputs")
            )
        }
    } else {
        let mut s = format!(
            "wudiag: no problem found at or above {} on {on} — {} read from {}",
            min.as_str(),
            plural(
                usize::try_from(records_ok).unwrap_or(usize::MAX),
                "record",
                "records"
            ),
            plural(sources_read, "source", "sources"),
        );
        if resolved > 0 {
            let _ = write!(
                s,
                "; {} since resolved",
                plural(resolved, "earlier failure", "earlier failures")
            );
        }
        let below = findings.iter().filter(|f| f.is_open()).count();
        if below > 0 {
            let _ = write!(
                s,
                "; {} below {}",
                plural(below, "finding", "findings"),
                min.as_str()
            );
        }
        s
    };
    Summary {
        verdict,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        info: count(Severity::Info),
        open,
        resolved,
        min_severity: min,
        at_or_above_min_severity: at_or_above,
        sources: sources.len(),
        sources_read,
        sources_skipped,
        records_ok,
        records_failed,
    }
}

/// One step of a fix, read for display: prose, or a command and its shell. The `cmd> ` / `PS> ` convention
/// is parsed by [`wudiag_rules::StepPart`]; this view adds what the renderers ask of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixStep<'a> {
    /// Prose for a human.
    Text(&'a str),
    /// A command for an elevated `cmd.exe`.
    Cmd(&'a str),
    /// A command for an elevated Windows PowerShell.
    PowerShell(&'a str),
}

impl<'a> FixStep<'a> {
    /// Reads a step string: `cmd> …` and `PS> …` are commands, anything else is prose.
    pub fn parse(step: &'a str) -> Self {
        match StepPart::parse(step) {
            StepPart::Text(t) => Self::Text(t),
            StepPart::Cmd(c) => Self::Cmd(c),
            StepPart::PowerShell(c) => Self::PowerShell(c),
        }
    }

    /// The shell of a command step (`cmd`, `powershell`).
    pub const fn shell(self) -> Option<&'static str> {
        match self {
            Self::Text(_) => None,
            Self::Cmd(_) => Some("cmd"),
            Self::PowerShell(_) => Some("powershell"),
        }
    }

    /// The text or command.
    pub const fn text(self) -> &'a str {
        match self {
            Self::Text(s) | Self::Cmd(s) | Self::PowerShell(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::in_sentence;

    #[test]
    fn titles_read_inside_a_sentence() {
        assert_eq!(
            in_sentence("The update is not applicable"),
            "the update is not applicable"
        );
        assert_eq!(in_sentence("WSUS sync failed"), "WSUS sync failed");
        assert_eq!(in_sentence("KB5034441 failed"), "KB5034441 failed");
        assert_eq!(in_sentence("A reboot is pending"), "a reboot is pending");
        assert_eq!(
            in_sentence("ConfigMgr cannot save"),
            "ConfigMgr cannot save"
        );
        assert_eq!(in_sentence("Sign-in failed"), "sign-in failed");
        assert_eq!(
            in_sentence("Microsoft Account Sign-in Assistant (wlidsvc) is disabled"),
            "Microsoft Account Sign-in Assistant (wlidsvc) is disabled"
        );
        assert_eq!(
            in_sentence("Windows Firewall service is stopped"),
            "Windows Firewall service is stopped"
        );
        assert_eq!(in_sentence(""), "");
    }
}
