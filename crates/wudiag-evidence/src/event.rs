//! Events: things that happened, at a time, seen in a record.

use crate::{EventTime, HResult, KbNumber, Location, UpdateId};

/// How bad a record says it is (the record's own level, not wudiag's verdict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational, verbose, success.
    #[default]
    Info,
    /// A warning or a soft failure.
    Warning,
    /// An error or failure.
    Error,
}

impl Severity {
    /// Index 0..3, for per-severity counters.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// `info`, `warning`, `error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// What a record means, as far as its reader can tell on its own (correlation across records is the
/// rules' job).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A record with no more specific meaning; its codes and KBs are still extracted.
    #[default]
    LogLine,
    /// A search for updates began.
    ScanStarted,
    /// A search for updates finished.
    ScanSucceeded {
        /// How many updates the search found, when the record says.
        updates_found: Option<u32>,
    },
    /// A search for updates failed (the code is in [`Event::codes`]).
    ScanFailed,
    /// Download of an update began.
    DownloadStarted,
    /// Download of an update finished.
    DownloadSucceeded,
    /// Download of an update failed.
    DownloadFailed,
    /// Installation of an update or package began.
    InstallStarted,
    /// Installation finished successfully.
    InstallSucceeded,
    /// Installation failed.
    InstallFailed,
    /// Uninstallation finished successfully.
    UninstallSucceeded,
    /// Uninstallation failed.
    UninstallFailed,
    /// A restart is needed before servicing can go on.
    RebootRequired,
    /// The servicing stack was loaded; its version is also recorded as a fact.
    ServicingStackLoaded,
    /// A component store, manifest or payload problem (CheckSUR `(f)`, DISM/SFC `(p)`, CSI corruption).
    StoreCorruption {
        /// `CSI Payload Corrupt`, `CBS MUM Missing`, `Cannot repair member file`, …
        category: String,
        /// The file, package or component concerned.
        item: String,
    },
    /// A corruption scan summary (DISM /ScanHealth, /RestoreHealth, SFC, CheckSUR).
    CorruptionSummary {
        /// `Total Detected Corruption` / CheckSUR `Found N errors`.
        detected: Option<u32>,
        /// `Total Repaired Corruption` / CheckSUR fixed count.
        repaired: Option<u32>,
    },
    /// A connection to an update service, proxy or Mux failed.
    ConnectionFailed,
    /// An HTTP request in an IIS log.
    HttpRequest {
        /// HTTP verb.
        method: String,
        /// Path of the request (`/ClientWebService/client.asmx`).
        uri: String,
        /// HTTP status.
        status: u16,
        /// IIS sub-status.
        substatus: u16,
        /// Win32 status of the request.
        win32_status: u32,
    },
    /// A feature update or Windows Setup failure as summarised by SetupDiag.
    SetupFailure {
        /// The SetupDiag rule that matched (`FindSPFatalError`).
        rule: String,
    },
    /// A policy or configuration change noticed in a log (ConfigMgr "overwritten by a higher authority").
    PolicyChanged,
    /// A servicing tool was started; the message carries its command line (DISM `Executing command line:`),
    /// so rules can tell which repair was tried and with which source.
    ToolStarted,
    /// A record from a known event-log provider whose event id wudiag does not map: kept, never dropped.
    Unclassified {
        /// Provider name.
        provider: String,
        /// Event id.
        event_id: u32,
    },
}

impl EventKind {
    /// A short stable name (`scan_failed`), as used in JSON and for grouping.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::LogLine => "log_line",
            Self::ScanStarted => "scan_started",
            Self::ScanSucceeded { .. } => "scan_succeeded",
            Self::ScanFailed => "scan_failed",
            Self::DownloadStarted => "download_started",
            Self::DownloadSucceeded => "download_succeeded",
            Self::DownloadFailed => "download_failed",
            Self::InstallStarted => "install_started",
            Self::InstallSucceeded => "install_succeeded",
            Self::InstallFailed => "install_failed",
            Self::UninstallSucceeded => "uninstall_succeeded",
            Self::UninstallFailed => "uninstall_failed",
            Self::RebootRequired => "reboot_required",
            Self::ServicingStackLoaded => "servicing_stack_loaded",
            Self::StoreCorruption { .. } => "store_corruption",
            Self::CorruptionSummary { .. } => "corruption_summary",
            Self::ConnectionFailed => "connection_failed",
            Self::HttpRequest { .. } => "http_request",
            Self::SetupFailure { .. } => "setup_failure",
            Self::PolicyChanged => "policy_changed",
            Self::ToolStarted => "tool_started",
            Self::Unclassified { .. } => "unclassified",
        }
    }

    /// True for kinds that report a failed operation.
    pub const fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::ScanFailed
                | Self::DownloadFailed
                | Self::InstallFailed
                | Self::UninstallFailed
                | Self::ConnectionFailed
                | Self::SetupFailure { .. }
                | Self::StoreCorruption { .. }
        )
    }
}

/// One thing that happened, as one record told it.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Event {
    /// When, if the record says.
    pub time: Option<EventTime>,
    /// Where it was read.
    pub location: Location,
    /// The record's own level.
    pub severity: Severity,
    /// The writer: CBS/CSI/DISM component, WindowsUpdate.log component, CMTrace component, EVTX provider.
    pub component: Option<String>,
    /// What it means.
    pub kind: EventKind,
    /// Event-log event id or ReportingEvents event id, where the format has one.
    pub event_id: Option<u32>,
    /// The message text of the record (timestamp and level columns removed), whitespace-trimmed and capped
    /// at [`Event::MAX_MESSAGE`] bytes.
    pub message: String,
    /// Failure codes found in the record, in the order written, without duplicates.
    pub codes: Vec<HResult>,
    /// KB numbers found in the record.
    pub kbs: Vec<KbNumber>,
    /// CBS package identity named in the record, if any.
    pub package: Option<String>,
    /// Windows Update update id named in the record, if any.
    pub update_id: Option<UpdateId>,
    /// Update title, where the record gives one (ReportingEvents, EVTX).
    pub title: Option<String>,
}

impl Event {
    /// Longest message kept, in bytes; longer messages are cut at a character boundary and marked `…`.
    pub const MAX_MESSAGE: usize = 4096;

    /// Sets the message, trimming whitespace and capping its length.
    pub fn set_message(&mut self, text: &str) {
        self.message = cap_text(text.trim(), Self::MAX_MESSAGE);
    }

    /// Adds a code unless already present.
    pub fn add_code(&mut self, code: HResult) {
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
    }

    /// Adds a KB unless already present.
    pub fn add_kb(&mut self, kb: KbNumber) {
        if !self.kbs.contains(&kb) {
            self.kbs.push(kb);
        }
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut with `…`.
pub(crate) fn cap_text(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut s = text.get(..end).unwrap_or_default().to_owned();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_capped_on_char_boundaries() {
        let mut e = Event::default();
        e.set_message(&"é".repeat(5000));
        assert!(e.message.len() <= Event::MAX_MESSAGE + '…'.len_utf8());
        assert!(e.message.ends_with('…'));
    }
}
