//! [`Evidence`]: every event, fact and read issue of one run, and the builder that gathers it with bounded
//! memory.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use crate::{
    Event, EventKind, Fact, Facts, HResult, Location, ReadIssue, Severity, SourceId, Span,
};

/// What a source is. Decided by content, not only by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SourceKind {
    /// `%windir%\Logs\CBS\CBS.log`, `CbsPersist_*.log`, and `findstr [SR]` extracts of them.
    CbsLog,
    /// `%windir%\Logs\DISM\dism.log`.
    DismLog,
    /// `CheckSUR.log` of the System Update Readiness Tool.
    CheckSurLog,
    /// WindowsUpdate.log in any of its layouts.
    WindowsUpdateLog,
    /// `SoftwareDistribution\ReportingEvents.log`.
    ReportingEvents,
    /// SetupDiag results (text, XML or JSON).
    SetupDiag,
    /// A ConfigMgr log (CMTrace or plain text).
    ConfigMgrLog,
    /// WSUS server `SoftwareDistribution.log`.
    WsusSoftwareDistributionLog,
    /// WSUS server `Change.log`.
    WsusChangeLog,
    /// An IIS W3C log.
    IisLog,
    /// A Windows event log file.
    Evtx,
    /// A `reg export` / regedit `.reg` file.
    RegistryExport,
    /// `systeminfo` output.
    SystemInfo,
    /// `wmic qfe list` output.
    WmicQfe,
    /// `Get-HotFix` table.
    GetHotFix,
    /// A list of installed updates as the Windows Update Agent API gives it (`KB…: title` lines).
    WuaUpdateList,
    /// A WSUS `web.config`.
    WsusWebConfig,
    /// A services listing written by `wudiag collect`.
    ServiceStates,
    /// A zip archive (its members are sources of their own).
    Zip,
    /// A cabinet archive (its members are sources of their own).
    Cab,
    /// Windows Setup's Panther logs of a feature update (`setupact.log`, `setuperr.log`).
    PantherLog,
    /// `setupapi.dev.log` / `setupapi.app.log`: device and driver installs.
    SetupApiLog,
    /// Microsoft Defender update logs (`MpCmdRun.log`, `MpSigStub.log`).
    DefenderLog,
    /// Azure Update Manager / Arc `WindowsPatchExtension` logs.
    AzurePatchLog,
    /// Events copied out of Event Viewer or `wevtutil` / `Get-WinEvent` as text.
    EventLogText,
    /// Pasted or excerpted log text whose layout is not one of the formats above.
    Excerpt,
    /// Nothing wudiag reads.
    Unknown,
}

impl SourceKind {
    /// The snake-case name used in JSON (`cbs_log`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CbsLog => "cbs_log",
            Self::DismLog => "dism_log",
            Self::CheckSurLog => "checksur_log",
            Self::WindowsUpdateLog => "windowsupdate_log",
            Self::ReportingEvents => "reporting_events",
            Self::SetupDiag => "setupdiag",
            Self::ConfigMgrLog => "configmgr_log",
            Self::WsusSoftwareDistributionLog => "wsus_softwaredistribution_log",
            Self::WsusChangeLog => "wsus_change_log",
            Self::IisLog => "iis_log",
            Self::Evtx => "evtx",
            Self::RegistryExport => "registry_export",
            Self::SystemInfo => "systeminfo",
            Self::WmicQfe => "wmic_qfe",
            Self::GetHotFix => "get_hotfix",
            Self::WuaUpdateList => "wua_update_list",
            Self::WsusWebConfig => "wsus_web_config",
            Self::ServiceStates => "service_states",
            Self::Zip => "zip",
            Self::Cab => "cab",
            Self::PantherLog => "panther_log",
            Self::SetupApiLog => "setupapi_log",
            Self::DefenderLog => "defender_log",
            Self::AzurePatchLog => "azure_patch_log",
            Self::EventLogText => "event_log_text",
            Self::Excerpt => "excerpt",
            Self::Unknown => "unknown",
        }
    }
}

impl serde::Serialize for SourceKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Counters kept for every source, over *all* its records (whether or not their events were kept).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceStats {
    /// Records read and understood.
    pub records_ok: u64,
    /// Records that could not be parsed (each also produced a [`ReadIssue`], up to a cap).
    pub records_failed: u64,
    /// Records per severity: info, warning, error.
    pub by_severity: [u64; 3],
    /// Every distinct failure code seen, with its count.
    pub codes: BTreeMap<HResult, u64>,
    /// Events kept in the evidence.
    pub events_kept: u64,
    /// Events counted but not kept, because of the [`Retention`] policy.
    pub events_dropped: u64,
}

impl SourceStats {
    /// Adds `other` to `self`.
    pub fn absorb(&mut self, other: &Self) {
        self.records_ok += other.records_ok;
        self.records_failed += other.records_failed;
        for (a, b) in self.by_severity.iter_mut().zip(other.by_severity) {
            *a += b;
        }
        for (code, n) in &other.codes {
            *self.codes.entry(*code).or_default() += n;
        }
        self.events_kept += other.events_kept;
        self.events_dropped += other.events_dropped;
    }
}

/// One input as found: a file, a zip member, a cab member.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceInfo {
    /// Its id.
    pub id: SourceId,
    /// How it is shown: a file path, or `bundle.zip!Logs/CBS/CBS.log` for archive members.
    pub path: String,
    /// What it is.
    pub kind: SourceKind,
    /// Size in bytes, as stored (before decoding).
    pub size: u64,
    /// The text encoding detected (`utf-8`, `utf-16le`), for text sources.
    pub encoding: Option<String>,
    /// For event logs: the channel (`System`, `Setup`, `Microsoft-Windows-WindowsUpdateClient/Operational`).
    pub channel: Option<String>,
    /// Why the source was not read, when it was not.
    pub skipped: Option<String>,
    /// The archive it came out of.
    pub container: Option<SourceId>,
    /// Record counters.
    pub stats: SourceStats,
}

impl SourceInfo {
    /// A new, not yet read source.
    pub fn new(path: impl Into<String>, kind: SourceKind, size: u64) -> Self {
        Self {
            id: SourceId(0),
            path: path.into(),
            kind,
            size,
            encoding: None,
            channel: None,
            skipped: None,
            container: None,
            stats: SourceStats::default(),
        }
    }
}

/// Which events to keep. Counters always cover every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Retention {
    /// Keep every record as an event (the `events` timeline).
    All,
    /// Keep what a diagnosis can use: warnings, errors, records with a failure code and records of a
    /// specific kind; and of one shape per source only the first [`Retention::MAX_PER_KEY`] events and the
    /// latest, so memory stays bounded on gigabyte logs.
    #[default]
    Diagnostic,
}

impl Retention {
    /// Events kept from the start per (source, kind, first code, severity, component) in
    /// [`Retention::Diagnostic`]; one more place holds the latest.
    pub const MAX_PER_KEY: u32 = 64;
    /// Read issues kept per source; the rest are counted in one summary issue.
    pub const MAX_ISSUES_PER_SOURCE: u32 = 100;

    /// Whether a record of this shape must be materialised as an [`Event`] at all.
    pub fn keeps(self, severity: Severity, kind: &EventKind, has_codes: bool) -> bool {
        match self {
            Self::All => true,
            Self::Diagnostic => {
                severity > Severity::Info || has_codes || *kind != EventKind::LogLine
            }
        }
    }
}

/// A test, set once by the readers, for records kept whatever their level: those that mention a failure
/// signature's keyword (the signatures match on kept events, so they must see them).
static KEEP_ALSO: std::sync::OnceLock<fn(&str) -> bool> = std::sync::OnceLock::new();

/// Sets the test of [`KEEP_ALSO`]; the first call wins.
pub fn keep_also(test: fn(&str) -> bool) {
    let _ = KEEP_ALSO.set(test);
}

/// What a reader produces for one source or one block of it. Readers fill batches independently (often on
/// several threads); the [`EvidenceBuilder`] merges them in order.
#[derive(Debug)]
pub struct EvidenceBatch {
    /// The source being read.
    pub source: SourceId,
    /// The retention policy in force.
    pub retention: Retention,
    /// Events kept.
    pub events: Vec<Event>,
    /// Facts seen.
    pub facts: Facts,
    /// Read issues.
    pub issues: Vec<ReadIssue>,
    /// Counters.
    pub stats: SourceStats,
    /// Lines in the block (for placing the next block); readers that number lines set it.
    pub lines: u64,
    /// Under [`Retention::Diagnostic`]: per shape (kind, first code, severity, component hash), how many
    /// events this batch keeps and where its latest extra one is. Bounds a block's memory the way the
    /// builder bounds the run's: the first [`Retention::MAX_PER_KEY`] of a shape, then only the latest.
    shapes: HashMap<BatchShape, ShapeSlot>,
}

/// A batch-local event shape; the component is hashed so that counting allocates nothing.
type BatchShape = (&'static str, HResult, Severity, u64);

/// Retention's cap on one shape of event: the first [`Retention::MAX_PER_KEY`] are kept, then one more
/// place always holds the latest, so rules see how a problem started and how it stands.
#[derive(Debug, Default)]
struct ShapeSlot {
    kept: u32,
    latest: Option<usize>,
}

impl ShapeSlot {
    /// Adds `event` to `events` under the cap; true when it took the place of an earlier latest one.
    fn admit(&mut self, events: &mut Vec<Event>, event: Event) -> bool {
        if self.kept < Retention::MAX_PER_KEY {
            self.kept += 1;
            events.push(event);
            return false;
        }
        if let Some(latest) = self.latest.and_then(|i| events.get_mut(i)) {
            *latest = event;
            return true;
        }
        self.latest = Some(events.len());
        events.push(event);
        false
    }
}

impl EvidenceBatch {
    /// An empty batch for `source`.
    pub fn new(source: SourceId, retention: Retention) -> Self {
        Self {
            source,
            retention,
            events: Vec::new(),
            facts: Facts::default(),
            issues: Vec::new(),
            stats: SourceStats::default(),
            lines: 0,
            shapes: HashMap::new(),
        }
    }

    /// True when a record with these properties would be kept; readers call it to avoid building events
    /// that would be thrown away.
    pub fn wants(&self, severity: Severity, kind: &EventKind, has_codes: bool) -> bool {
        self.retention.keeps(severity, kind, has_codes)
    }

    /// [`EvidenceBatch::wants`], or the record's `text` names a failure signature's keyword (the
    /// signatures match on kept events, so such records are kept whatever their level).
    pub fn wants_record(
        &self,
        severity: Severity,
        kind: &EventKind,
        has_codes: bool,
        text: &[u8],
    ) -> bool {
        self.wants(severity, kind, has_codes)
            || KEEP_ALSO
                .get()
                .is_some_and(|keep| keep(&String::from_utf8_lossy(text)))
    }

    /// Counts a record that was read fine but not materialised (see [`EvidenceBatch::wants`]).
    pub fn count_plain(&mut self, severity: Severity) {
        self.stats.records_ok += 1;
        if let Some(n) = self.stats.by_severity.get_mut(severity.index()) {
            *n += 1;
        }
        self.stats.events_dropped += 1;
    }

    /// Counts a record and keeps its event if the retention policy wants it. The event's location is
    /// placed in this batch's source (readers only set the span).
    pub fn record(&mut self, event: Event) {
        let keep = self
            .retention
            .keeps(event.severity, &event.kind, !event.codes.is_empty())
            || KEEP_ALSO.get().is_some_and(|keep| keep(&event.message));
        self.record_as(event, keep);
    }

    /// Counts a record and keeps its event whatever its level: a reader knows that a rule needs this
    /// routine record (SFC's closing verdict, say) to judge the records around it.
    pub fn record_always(&mut self, event: Event) {
        self.record_as(event, true);
    }

    fn record_as(&mut self, mut event: Event, keep: bool) {
        event.location.source = self.source;
        self.stats.records_ok += 1;
        if let Some(n) = self.stats.by_severity.get_mut(event.severity.index()) {
            *n += 1;
        }
        for code in &event.codes {
            *self.stats.codes.entry(*code).or_default() += 1;
        }
        if !keep {
            self.stats.events_dropped += 1;
            return;
        }
        if self.retention == Retention::Diagnostic {
            let mut hasher = std::hash::DefaultHasher::new();
            event.component.hash(&mut hasher);
            let shape = (
                event.kind.name(),
                event.codes.first().copied().unwrap_or_default(),
                event.severity,
                hasher.finish(),
            );
            if self
                .shapes
                .entry(shape)
                .or_default()
                .admit(&mut self.events, event)
            {
                self.stats.events_dropped += 1;
            } else {
                self.stats.events_kept += 1;
            }
            return;
        }
        self.stats.events_kept += 1;
        self.events.push(event);
    }

    /// Counts a record that could not be parsed, and says why. The span carries the place: a leading
    /// `line N: ` in the message (parsers number lines within the block they were given, which is not the
    /// line in the file) is dropped so that reports never show two different line numbers.
    pub fn failed(&mut self, span: Span, message: impl Into<String>) {
        self.stats.records_failed += 1;
        let message = message.into();
        let message = strip_block_line(&message).map_or(message.clone(), str::to_owned);
        self.issues.push(ReadIssue::at(self.source, span, message));
    }

    /// Reports a problem that is not a failed record (a truncated file, an unreadable member).
    pub fn issue(&mut self, span: Option<Span>, message: impl Into<String>) {
        self.issues.push(ReadIssue {
            source: self.source,
            span,
            message: message.into(),
        });
    }

    /// Records a fact seen at `span`.
    pub fn fact(&mut self, fact: Fact, span: Span, excerpt: &str) {
        let excerpt = crate::event::cap_text(excerpt.trim(), 1024);
        self.facts
            .add(fact, Location::new(self.source, span), excerpt);
    }

    /// A location in this batch's source.
    pub const fn at(&self, span: Span) -> Location {
        Location::new(self.source, span)
    }

    /// Moves every line-based location down by `delta` lines.
    pub fn shift_lines(&mut self, delta: u64) {
        if delta == 0 {
            return;
        }
        for e in &mut self.events {
            e.location.span = e.location.span.clone().shifted(delta);
        }
        for i in &mut self.issues {
            i.span = i.span.take().map(|s| s.shifted(delta));
        }
        self.facts.shift_lines(delta);
    }
}

/// `line 12: what` → `what`.
fn strip_block_line(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("line ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then_some(())?;
    rest.get(digits..)?.strip_prefix(": ")
}

/// What makes two events "the same" for retention: source, kind, first code, severity, component.
type EventShape = (SourceId, &'static str, HResult, Severity, Option<String>);

/// Gathers batches into [`Evidence`].
#[derive(Debug, Default)]
pub struct EvidenceBuilder {
    sources: Vec<SourceInfo>,
    events: Vec<Event>,
    facts: Facts,
    issues: Vec<ReadIssue>,
    retention: Retention,
    /// The cap of each shape across the run.
    shapes: HashMap<EventShape, ShapeSlot>,
    issues_per_source: HashMap<SourceId, u32>,
}

impl EvidenceBuilder {
    /// A builder with the given retention policy.
    pub fn new(retention: Retention) -> Self {
        Self {
            retention,
            ..Self::default()
        }
    }

    /// The retention policy.
    pub const fn retention(&self) -> Retention {
        self.retention
    }

    /// Registers a source and returns its id.
    pub fn add_source(&mut self, mut info: SourceInfo) -> SourceId {
        let id = SourceId(self.sources.len() as u32);
        info.id = id;
        self.sources.push(info);
        id
    }

    /// The registered source.
    pub fn source_mut(&mut self, id: SourceId) -> Option<&mut SourceInfo> {
        self.sources.get_mut(id.0 as usize)
    }

    /// All sources registered so far.
    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    /// A new batch for `source` with this builder's retention.
    pub fn batch(&self, source: SourceId) -> EvidenceBatch {
        EvidenceBatch::new(source, self.retention)
    }

    /// Adds an issue about a source as a whole.
    pub fn issue(&mut self, issue: ReadIssue) {
        self.push_issue(issue);
    }

    fn push_issue(&mut self, issue: ReadIssue) {
        let n = self.issues_per_source.entry(issue.source).or_default();
        *n += 1;
        if *n <= Retention::MAX_ISSUES_PER_SOURCE {
            self.issues.push(issue);
        }
    }

    /// Merges a batch (batches of one source must be merged in reading order).
    pub fn merge(&mut self, mut batch: EvidenceBatch) {
        let source = batch.source;
        if let Some(info) = self.sources.get_mut(source.0 as usize) {
            info.stats.absorb(&batch.stats);
        }
        for issue in batch.issues.drain(..) {
            self.push_issue(issue);
        }
        self.facts.append(&mut batch.facts);
        for event in batch.events {
            if self.retention == Retention::All {
                self.events.push(event);
                continue;
            }
            let key = (
                source,
                event.kind.name(),
                event.codes.first().copied().unwrap_or_default(),
                event.severity,
                event.component.clone(),
            );
            if self
                .shapes
                .entry(key)
                .or_default()
                .admit(&mut self.events, event)
                && let Some(info) = self.sources.get_mut(source.0 as usize)
            {
                info.stats.events_kept = info.stats.events_kept.saturating_sub(1);
                info.stats.events_dropped += 1;
            }
        }
    }

    /// Finishes: sorts events into one timeline (time, then source, then place) and summarises capped
    /// read issues.
    pub fn finish(mut self) -> Evidence {
        for (source, n) in &self.issues_per_source {
            if *n > Retention::MAX_ISSUES_PER_SOURCE {
                self.issues.push(ReadIssue::whole(
                    *source,
                    format!(
                        "{} more read issues in this source were not listed",
                        n - Retention::MAX_ISSUES_PER_SOURCE
                    ),
                ));
            }
        }
        self.issues
            .sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.span.cmp(&b.span)));
        self.events.sort_by(|a, b| {
            a.time
                .map(|t| t.sort_key())
                .cmp(&b.time.map(|t| t.sort_key()))
                .then_with(|| a.location.cmp(&b.location))
        });
        Evidence {
            sources: self.sources,
            events: self.events,
            facts: self.facts,
            issues: self.issues,
        }
    }
}

/// Everything read in one run: sources, a time-ordered list of events, facts and read issues.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Evidence {
    sources: Vec<SourceInfo>,
    events: Vec<Event>,
    facts: Facts,
    issues: Vec<ReadIssue>,
}

impl Evidence {
    /// Every source found, read or skipped.
    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    /// One source.
    pub fn source(&self, id: SourceId) -> Option<&SourceInfo> {
        self.sources.get(id.0 as usize)
    }

    /// Events, ordered by time (events without a time first, in reading order).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Facts.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// Read issues, by source and place.
    pub fn read_issues(&self) -> &[ReadIssue] {
        &self.issues
    }

    /// `path:line` (or `path (record 12)`) for a location, as reports print it.
    pub fn describe(&self, location: &Location) -> String {
        let path = self
            .source(location.source)
            .map_or("?", |s| s.path.as_str());
        match &location.span {
            Span::Lines { .. } => format!("{path}:{}", location.span),
            Span::File => path.to_owned(),
            other => format!("{path} ({other})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(n: usize) -> Event {
        Event {
            severity: Severity::Error,
            message: format!("request {n} failed"),
            component: Some("W3SVC".into()),
            ..Event::default()
        }
    }

    #[test]
    fn a_diagnostic_batch_keeps_the_first_of_a_shape_and_the_latest() {
        let mut b = EvidenceBatch::new(SourceId(0), Retention::Diagnostic);
        for n in 0..200 {
            b.record(error(n));
        }
        let cap = Retention::MAX_PER_KEY as usize;
        assert_eq!(b.events.len(), cap + 1);
        assert_eq!(b.events[0].message, "request 0 failed");
        assert_eq!(
            b.events[cap - 1].message,
            format!("request {} failed", cap - 1)
        );
        assert_eq!(b.events[cap].message, "request 199 failed");
        assert_eq!(b.stats.records_ok, 200);
        assert_eq!(b.stats.events_kept, cap as u64 + 1);
        assert_eq!(b.stats.events_dropped, 200 - cap as u64 - 1);

        // A different component is another shape.
        b.record(Event {
            component: Some("HTTP.sys".into()),
            ..error(200)
        });
        assert_eq!(b.events.len(), cap + 2);

        let mut all = EvidenceBatch::new(SourceId(0), Retention::All);
        for n in 0..200 {
            all.record(error(n));
        }
        assert_eq!(all.events.len(), 200);
    }
}
