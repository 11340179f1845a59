//! # wudiag-readers: every Windows Update evidence format, streamed
//!
//! ```text
//! paths ──▶ bundle::discover ──▶ sniff (content first, name second) ──▶ FORMATS row ──▶ EvidenceBatch ──▶ Evidence
//!           files, folders,        first 64 KiB, decoded                 parse.rs: records
//!           zip / cab members                                            extract.rs: events + facts
//! ```
//!
//! * **One table.** [`FORMATS`] lists every reader as a row: its [`SourceKind`], a `sniff` function that
//!   scores the first bytes of an input, and how to `read` it. Adding a format is one module and one row.
//! * **Two halves per format.** `parse.rs` is a reusable streaming parser (`Iterator<Item = Result<Record,
//!   ParseError>>`) that knows the layout and nothing about Windows Update; `extract.rs` turns records into
//!   typed [`Event`](wudiag_evidence::Event)s and [`Fact`](wudiag_evidence::Fact)s with their
//!   [`Location`](wudiag_evidence::Location) and excerpt.
//! * **Streaming and parallel.** Line-based formats implement [`text::TextFormat`]; the [`text`] engine
//!   decodes, cuts record-aligned blocks and parses them on all cores with bounded memory. Sources are
//!   read in parallel too.
//! * **Bad input is normal input.** A record that does not parse becomes a
//!   [`ReadIssue`](wudiag_evidence::ReadIssue) and reading goes on; a hostile bundle is bounded by
//!   [`Limits`]. Nothing here panics on input: `unwrap`, `expect`, `panic!` and slice indexing are denied.
//!
//! ```no_run
//! use wudiag_readers::{read_paths, ReadOptions};
//! let evidence = read_paths(&["C:/Windows/Logs/CBS".into()], &ReadOptions::default());
//! for source in evidence.sources() {
//!     println!("{} {:?} ok={}", source.path, source.kind, source.stats.records_ok);
//! }
//! ```
#![forbid(unsafe_code)]
// File names are lowercased once (`Sniff::name`, the bundle walker) before any suffix test.
#![allow(clippy::case_sensitive_file_extension_comparisons)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod bundle;
pub mod cbs_log;
pub mod checksur_log;
pub mod configmgr_log;
pub mod dism_log;
pub mod event_text;
pub mod evtx_log;
pub mod hotfix_list;
pub mod iis_log;
pub mod registry_export;
pub mod reporting_events;
pub mod scan;
pub mod service_states;
pub mod setupdiag;
pub mod systeminfo;
pub mod text;
pub mod text_log;
pub mod timestamps;
pub mod windows_update_log;
pub mod wsus_server_log;
pub mod wsus_web_config;
mod xml_text;

use std::path::PathBuf;
use std::sync::Mutex;

use rayon::prelude::*;
use wudiag_evidence::{
    Evidence, EvidenceBatch, EvidenceBuilder, Retention, SourceId, SourceInfo, SourceKind, Span,
};

use bundle::Candidate;
pub use bundle::Limits;
use text::{TextEncoding, TextFormat};

/// Bytes of each input looked at to decide its kind.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What a sniffer sees of an input.
#[derive(Debug)]
pub struct Sniff<'a> {
    /// The file name, lowercase (`cbs.log`, `cbspersist_20240101.log`).
    pub name: &'a str,
    /// The first bytes as stored.
    pub head: &'a [u8],
    /// The first bytes decoded to text (BOM removed, UTF-16 transcoded, invalid bytes replaced).
    pub text: &'a str,
}

impl Sniff<'_> {
    /// The first `n` non-empty lines of the decoded head.
    pub fn first_lines(&self, n: usize) -> impl Iterator<Item = &str> {
        self.text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .take(n)
    }
}

/// How a format is read.
pub enum Reading {
    /// A line-based format read by the streaming [`text`] engine.
    Text(&'static dyn TextFormat),
    /// A small document read whole (decoded to text) — at most [`WHOLE_FILE_LIMIT`] bytes.
    Whole(fn(&str, &mut EvidenceBatch)),
    /// A binary format with its own reader.
    Binary(fn(&Input<'_>, &ReadContext<'_>)),
}

/// The largest document read whole.
pub const WHOLE_FILE_LIMIT: u64 = 64 << 20;

/// One row of the reader table.
pub struct Format {
    /// What it reads.
    pub kind: SourceKind,
    /// A human name (`CBS.log`).
    pub name: &'static str,
    /// Scores an input: 0 = not this format, higher = more certain (content evidence should score above
    /// 50, a file name alone at most 30).
    pub sniff: fn(&Sniff<'_>) -> u8,
    /// How to read it.
    pub read: Reading,
}

/// The reader table. Order only breaks ties between equal sniff scores.
pub static FORMATS: &[Format] = &[
    registry_export::FORMAT,
    service_states::FORMAT,
    systeminfo::FORMAT,
    hotfix_list::WMIC_QFE,
    hotfix_list::GET_HOTFIX,
    hotfix_list::WUA_LIST,
    Format {
        kind: SourceKind::WindowsUpdateLog,
        name: "WindowsUpdate.log",
        sniff: windows_update_log::sniff,
        read: Reading::Text(&windows_update_log::READER),
    },
    Format {
        kind: SourceKind::ReportingEvents,
        name: "ReportingEvents.log",
        sniff: reporting_events::sniff,
        read: Reading::Text(&reporting_events::READER),
    },
    Format {
        kind: SourceKind::ConfigMgrLog,
        name: "ConfigMgr log (CMTrace/SMS)",
        sniff: configmgr_log::sniff,
        read: Reading::Text(&configmgr_log::FORMAT),
    },
    Format {
        kind: SourceKind::SetupDiag,
        name: "SetupDiag result (text/XML/JSON)",
        sniff: setupdiag::sniff,
        read: Reading::Whole(setupdiag::read),
    },
    Format {
        kind: SourceKind::WsusSoftwareDistributionLog,
        name: "WSUS SoftwareDistribution.log",
        sniff: wsus_server_log::sniff_software_distribution,
        read: Reading::Text(&wsus_server_log::SOFTWARE_DISTRIBUTION),
    },
    Format {
        kind: SourceKind::WsusChangeLog,
        name: "WSUS Change.log",
        sniff: wsus_server_log::sniff_change_log,
        read: Reading::Text(&wsus_server_log::CHANGE_LOG),
    },
    Format {
        kind: SourceKind::IisLog,
        name: "IIS W3C / HTTP.sys error log",
        sniff: iis_log::sniff,
        read: Reading::Text(&iis_log::FORMAT),
    },
    Format {
        kind: SourceKind::WsusWebConfig,
        name: "WSUS ClientWebService web.config",
        sniff: wsus_web_config::sniff,
        read: Reading::Whole(wsus_web_config::read),
    },
    Format {
        kind: SourceKind::Evtx,
        name: "Windows event log (.evtx)",
        sniff: evtx_log::sniff,
        read: Reading::Binary(evtx_log::read),
    },
    Format {
        kind: SourceKind::CbsLog,
        name: "CBS.log",
        sniff: cbs_log::sniff,
        read: Reading::Text(&cbs_log::READER),
    },
    Format {
        kind: SourceKind::DismLog,
        name: "DISM.log",
        sniff: dism_log::sniff,
        read: Reading::Text(&dism_log::READER),
    },
    Format {
        kind: SourceKind::CheckSurLog,
        name: "CheckSUR.log",
        sniff: checksur_log::sniff,
        read: Reading::Whole(checksur_log::read),
    },
    Format {
        kind: SourceKind::EventLogText,
        name: "Event Viewer / PowerShell event export (text, CSV, XML, Format-List/Table)",
        sniff: event_text::sniff,
        read: Reading::Text(&event_text::READER),
    },
    text_format(text_log::KINDS, 0),
    text_format(text_log::KINDS, 1),
    text_format(text_log::KINDS, 2),
    text_format(text_log::KINDS, 3),
    text_format(text_log::KINDS, 4),
    text_format(text_log::KINDS, 5),
];

/// The `FORMATS` row of text family `i` of `families` (a constant: a wrong index fails the build).
#[allow(clippy::indexing_slicing)]
const fn text_format(families: &[text_log::Family], i: usize) -> Format {
    let (kind, name, sniff) = families[i];
    Format {
        kind,
        name,
        sniff,
        read: Reading::Text(&text_log::READER),
    }
}

/// An input opened for a binary reader.
pub struct Input<'a> {
    candidate: &'a Candidate,
}

impl Input<'_> {
    /// Shown path.
    pub fn display(&self) -> &str {
        &self.candidate.display
    }

    /// The path on disk, when the input is a plain file.
    pub fn file_path(&self) -> Option<&std::path::Path> {
        self.candidate.file_path()
    }

    /// Reads the whole input into memory, up to `cap` bytes.
    pub fn read_all(&self, cap: u64) -> std::io::Result<Vec<u8>> {
        self.candidate.read_all(cap)
    }
}

/// What a reader needs while reading one source: where to send batches, and how to report.
pub struct ReadContext<'a> {
    source: SourceId,
    retention: Retention,
    sink: &'a (dyn Fn(EvidenceBatch) + Sync),
    progress: &'a (dyn Fn(u64) + Sync),
    channel: Mutex<Option<String>>,
}

impl ReadContext<'_> {
    /// The source being read.
    pub const fn source(&self) -> SourceId {
        self.source
    }

    /// A fresh batch for this source.
    pub fn batch(&self) -> EvidenceBatch {
        EvidenceBatch::new(self.source, self.retention)
    }

    /// Hands a finished batch over (batches of one source must be emitted in reading order).
    pub fn emit(&self, batch: EvidenceBatch) {
        (self.sink)(batch);
    }

    /// Reports a problem with the source.
    pub fn issue(&self, span: Option<Span>, message: impl Into<String>) {
        let mut b = self.batch();
        b.issue(span, message);
        self.emit(b);
    }

    /// Notes that `bytes` more bytes were read (drives the progress bar).
    pub fn progress(&self, bytes: u64) {
        (self.progress)(bytes);
    }

    /// Records the event-log channel of the source.
    pub fn set_channel(&self, channel: String) {
        if let Ok(mut c) = self.channel.lock() {
            *c = Some(channel);
        }
    }
}

/// Options of a read.
#[derive(Default)]
pub struct ReadOptions {
    /// Which events to keep.
    pub retention: Retention,
    /// Bounds for bundles.
    pub limits: Limits,
    /// Called with (bytes read so far in this call, total bytes to read).
    pub progress: Option<Box<dyn Fn(u64, u64) + Sync>>,
}

/// The sniffing verdict for one input.
struct Verdict {
    kind: SourceKind,
    format: Option<&'static Format>,
    encoding: Option<TextEncoding>,
    skipped: Option<String>,
}

fn sniff_candidate(c: &Candidate) -> Verdict {
    if let Some((kind, reason)) = &c.listed_only {
        return Verdict {
            kind: *kind,
            format: None,
            encoding: None,
            skipped: reason.clone(),
        };
    }
    let head = match c.head(SNIFF_BYTES as u64) {
        Ok(h) => h,
        Err(e) => {
            return Verdict {
                kind: SourceKind::Unknown,
                format: None,
                encoding: None,
                skipped: Some(format!("cannot read: {e}")),
            };
        }
    };
    if head.is_empty() {
        return Verdict {
            kind: SourceKind::Unknown,
            format: None,
            encoding: None,
            skipped: Some("empty file".into()),
        };
    }
    let encoding = TextEncoding::sniff(&head);
    let text = text::decode_bytes(&head);
    let name = c.name.to_ascii_lowercase();
    let sniff = Sniff {
        name: &name,
        head: &head,
        text: &text,
    };
    let best = FORMATS
        .iter()
        .map(|f| ((f.sniff)(&sniff), f))
        .filter(|(score, _)| *score > 0)
        .fold(None::<(u8, &Format)>, |best, (s, f)| match best {
            Some((bs, _)) if bs >= s => best,
            _ => Some((s, f)),
        });
    match best {
        Some((_, f)) => Verdict {
            kind: f.kind,
            format: Some(f),
            encoding: matches!(f.read, Reading::Text(_) | Reading::Whole(_)).then_some(encoding),
            skipped: None,
        },
        None => Verdict {
            kind: SourceKind::Unknown,
            format: None,
            encoding: None,
            skipped: Some(unknown_reason(&sniff)),
        },
    }
}

/// Why nobody reads a file, in words an admin can act on.
fn unknown_reason(s: &Sniff<'_>) -> String {
    if s.name.ends_with(".etl") {
        return "binary ETW trace (.etl): decode it on Windows with Get-WindowsUpdateLog, then pass the text".into();
    }
    if s.name.ends_with(".edb") {
        return "ESE database (DataStore.edb): not read".into();
    }
    let binary = s.head.iter().take(4096).filter(|&&b| b == 0).count() > 8 && !s.text.is_empty();
    if binary && TextEncoding::sniff(s.head) == TextEncoding::Utf8 {
        return "binary data of a kind wudiag does not read".into();
    }
    if s.text.trim().is_empty() {
        return "empty file (no text)".into();
    }
    let first = s.first_lines(1).next().unwrap_or_default();
    let first: String = first.chars().take(60).collect();
    format!("text that matches no known evidence format (first line: \"{first}\")")
}

/// Reads every input under `paths` into one [`Evidence`].
pub fn read_paths(paths: &[PathBuf], options: &ReadOptions) -> Evidence {
    wudiag_evidence::keep_also(wudiag_catalog::mentions_signature_keyword);
    let candidates = bundle::discover(paths, &options.limits);
    let verdicts: Vec<Verdict> = candidates.par_iter().map(sniff_candidate).collect();

    let mut builder = EvidenceBuilder::new(options.retention);
    let mut ids: Vec<SourceId> = Vec::with_capacity(candidates.len());
    for (c, v) in candidates.iter().zip(&verdicts) {
        let mut info = SourceInfo::new(c.display.clone(), v.kind, c.size);
        info.skipped.clone_from(&v.skipped);
        info.encoding = v.encoding.map(|e| e.name().to_owned());
        info.container = c.container.and_then(|i| ids.get(i).copied());
        ids.push(builder.add_source(info));
    }

    let total: u64 = candidates
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| v.format.is_some())
        .map(|(c, _)| c.size)
        .sum();
    let done = std::sync::atomic::AtomicU64::new(0);
    let progress = |n: u64| {
        let now = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        if let Some(p) = &options.progress {
            p(now.min(total), total);
        }
    };
    let builder = Mutex::new(builder);
    let sink = |batch: EvidenceBatch| {
        if let Ok(mut b) = builder.lock() {
            b.merge(batch);
        }
    };
    let channels: Vec<(SourceId, Option<String>)> = candidates
        .par_iter()
        .zip(verdicts.par_iter())
        .zip(ids.par_iter())
        .filter_map(|((c, v), id)| {
            let format = v.format?;
            let ctx = ReadContext {
                source: *id,
                retention: options.retention,
                sink: &sink,
                progress: &progress,
                channel: Mutex::new(None),
            };
            read_one(c, format, v.encoding.unwrap_or(TextEncoding::Utf8), &ctx);
            Some((*id, ctx.channel.into_inner().ok().flatten()))
        })
        .collect();
    let mut builder = builder
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (id, channel) in channels {
        if let (Some(info), Some(ch)) = (builder.source_mut(id), channel) {
            info.channel = Some(ch);
        }
    }
    builder.finish()
}

fn read_one(c: &Candidate, format: &'static Format, encoding: TextEncoding, ctx: &ReadContext<'_>) {
    match &format.read {
        Reading::Text(tf) => {
            if let Err(e) = c.open_with(|r| text::read_text(r, encoding, *tf, ctx)) {
                ctx.issue(None, format!("cannot open: {e}"));
            }
        }
        Reading::Whole(read) => match c.read_all(WHOLE_FILE_LIMIT) {
            Ok(bytes) => {
                let text = text::decode_bytes(&bytes);
                let mut batch = ctx.batch();
                read(&text, &mut batch);
                ctx.progress(bytes.len() as u64);
                ctx.emit(batch);
            }
            Err(e) => ctx.issue(None, format!("not read: {e}")),
        },
        Reading::Binary(read) => {
            read(&Input { candidate: c }, ctx);
            ctx.progress(c.size);
        }
    }
}

/// The formats wudiag reads: (kind, name), in table order.
pub fn formats() -> impl Iterator<Item = (SourceKind, &'static str)> {
    FORMATS.iter().map(|f| (f.kind, f.name))
}
