//! # wudiag-evidence: the shared vocabulary
//!
//! Every other wudiag crate speaks in the types defined here. Readers *write* evidence, rules *read* it,
//! reports *show* it; none of them needs to know about the others.
//!
//! ```text
//! sources ──▶ readers ──▶ EvidenceBatch ──▶ EvidenceBuilder ──▶ Evidence ──▶ rules ──▶ findings ──▶ reports
//! ```
//!
//! * [`HResult`], [`KbNumber`], [`Arch`], [`Version`], [`PackageIdentity`]: the identifiers that appear in
//!   Windows Update evidence, each with a forgiving parser for the ways logs write them.
//! * [`Location`] and [`Span`]: where something was seen (file + line range, EVTX record, registry value,
//!   XML path). Every event, fact and read issue carries one, so every claim can cite its line.
//! * [`Event`]: something that happened at a time (a scan failed, a package failed to install), typed by
//!   [`EventKind`], with the codes, KB numbers and excerpt found in the record.
//! * [`Facts`]: the state of the machine at collection time (OS, servicing stack, installed updates,
//!   pending-reboot indicators, policy, services).
//! * [`ReadIssue`]: a non-fatal problem reading a source. Bad input is normal input: it becomes data.
//! * [`Evidence`]: everything above, indexed and time-ordered, built by [`EvidenceBuilder`] from per-source
//!   [`EvidenceBatch`]es with bounded memory ([`Retention`]).
//!
//! This crate parses identifiers but no file formats, and it holds no diagnosis logic.
//!
//! ```
//! use wudiag_evidence::{HResult, KbNumber};
//! let hr: HResult = "0x80244007".parse().unwrap();
//! assert_eq!(hr.facility(), 0x24);
//! assert_eq!(hr.to_string(), "0x80244007");
//! assert_eq!("kb5034441".parse::<KbNumber>().unwrap().to_string(), "KB5034441");
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod codes;
mod event;
mod evidence;
mod facts;
mod identity;
mod issue;
mod location;
mod time;

pub use codes::{FACILITY_WIN32, HResult, ParseCodeError};
pub use event::{Event, EventKind, Severity};
pub use evidence::{
    Evidence, EvidenceBatch, EvidenceBuilder, Retention, SourceInfo, SourceKind, SourceStats,
    keep_also,
};
pub use facts::{
    Fact, Facts, InstallationType, InstalledUpdate, Located, OsFact, PendingRebootIndicator,
    PolicyValue, RegData, ServiceFact, ServiceStartType, ServiceState, WsusServerFact,
};
pub use identity::{Arch, KbNumber, PackageIdentity, UpdateId, Version};
pub use issue::ReadIssue;
pub use location::{Location, SourceId, Span};
pub use time::{EventTime, TimeZoneHint};
