//! # Windows event logs (`.evtx`)
//!
//! **What and where.** The binary event logs of Windows Vista and later, in
//! `%windir%\System32\winevt\Logs`: `System.evtx` (WindowsUpdateClient install/restart outcomes, Service
//! Control Manager), `Setup.evtx` (Microsoft-Windows-Servicing package state changes),
//! `Application.evtx` (WSUS server events), and the Operational channels
//! `Microsoft-Windows-WindowsUpdateClient%4Operational.evtx` (scans, downloads) and
//! `Microsoft-Windows-Bits-Client%4Operational.evtx`. Admins copy them or export them with
//! `wevtutil epl`.
//!
//! **Layout.** A 4 KiB file header (`ElfFile\0`) and 64 KiB chunks (`ElfChnk\0`) of records in binary
//! XML with templates. The [`evtx`] crate decodes them and renders each record to JSON; [`parse`] borrows
//! the few fields needed from that JSON (provider, event id, level, time, channel, event data), and
//! [`extract`] maps the records of the providers that matter to typed events (table in [`extract`]).
//! Every other record is counted (records_ok, severity from `Level`), never materialised.
//!
//! **Quirks seen in the corpus.**
//! * Logs copied from a running machine are *dirty*: the header's chunk count and next record id lag
//!   behind the chunks (the Windows 10 22H2 System.evtx says 2 chunks and record 155, but holds 299
//!   records). All chunks present are read, not just those the header counts; a chunk or record that
//!   cannot be read is one failed record and a read issue with its record id or file offset, and reading
//!   goes on. python-evtx stops at the header's count on such files and misses records.
//! * Codes are written as `0x80073cf9` strings (WindowsUpdateClient `errorCode`, Servicing `ErrorCode`)
//!   or as decimal integers (BITS `hr` 2149580817, `ErrorCode` 2147942450; some providers negative).
//! * Update titles are localised (Turkish in the corpus) and come through as UTF-8.
//! * Service Control Manager display names are localised (`Windows Modül Yükleyicisi`), so the service is
//!   recognised by its key name (`param4` of 7040, the UTF-16 `Binary` blob of 7031/7036, `(key)`
//!   suffixes) or by its English display name.
//! * The 2016 Setup.evtx files use the older Servicing schema: `CbsPackageInitiateChanges` /
//!   `CbsPackageChangeState` with the package state as text, no `…Textized` fields.
//!
//! **Limits.** A file on disk is streamed chunk by chunk; an archive member is read into memory up to
//! [`MAX_IN_MEMORY`]. Each file is parsed on one thread (files are read in parallel already). A panic
//! inside the `evtx` crate on crafted input is caught and reported as a read issue (this needs
//! `panic = "unwind"`, the default, in every profile); allocation failures abort and cannot be caught,
//! which is why the fuzz target exists.

pub mod extract;
pub mod parse;

use std::io::{Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};

use wudiag_evidence::{EvidenceBatch, Span};

use crate::{Input, ReadContext, Sniff};
use parse::{EvtxFile, ParseError, Record, chunk_offset};

/// The largest archive member read into memory (files on disk are streamed whatever their size).
pub const MAX_IN_MEMORY: u64 = 512 << 20;

/// Records per batch handed to the builder.
const BATCH_RECORDS: u64 = 4096;

/// The EVTX file magic.
pub const MAGIC: &[u8; 8] = b"ElfFile\0";

/// Scores an input: the `ElfFile\0` magic is certain; a `.evtx` name alone is a weak hint (the reader
/// then reports why the file cannot be read).
pub fn sniff(s: &Sniff<'_>) -> u8 {
    if s.head.starts_with(MAGIC) {
        100
    } else if std::path::Path::new(s.name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("evtx"))
    {
        20
    } else {
        0
    }
}

/// Reads one event log source.
pub fn read(input: &Input<'_>, ctx: &ReadContext<'_>) {
    let mut batch = ctx.batch();
    let channel = match input.file_path() {
        Some(path) => match EvtxFile::open(path) {
            Ok(mut file) => read_file(&mut file, &mut batch, &mut |b| ctx.emit(b)),
            Err(e) => {
                batch.issue(Some(e.span()), e.to_string());
                None
            }
        },
        None => match input.read_all(MAX_IN_MEMORY) {
            Ok(bytes) => match EvtxFile::from_bytes(bytes) {
                Ok(mut file) => read_file(&mut file, &mut batch, &mut |b| ctx.emit(b)),
                Err(e) => {
                    batch.issue(Some(e.span()), e.to_string());
                    None
                }
            },
            Err(e) => {
                batch.issue(None, format!("event log not read: {e}"));
                None
            }
        },
    };
    if let Some(ch) = channel.or_else(|| channel_from_name(input.display())) {
        ctx.set_channel(ch);
    }
    ctx.emit(batch);
}

/// Reads an EVTX image held in memory into one batch (tests and fuzzing); returns the channel.
pub fn read_bytes(bytes: Vec<u8>, batch: &mut EvidenceBatch) -> Option<String> {
    match EvtxFile::from_bytes(bytes) {
        Ok(mut file) => {
            let mut parts = Vec::new();
            let channel = read_file(&mut file, batch, &mut |b| parts.push(b));
            for mut part in parts {
                absorb(batch, &mut part);
            }
            channel
        }
        Err(e) => {
            batch.issue(Some(e.span()), e.to_string());
            None
        }
    }
}

/// Reads one record rendered as JSON (the `evtx_dump -o jsonl` shape) into `batch`, with record id
/// `id` (tests and fuzzing).
pub fn read_json_record(json: &str, id: u64, batch: &mut EvidenceBatch) -> Result<(), String> {
    let rec = Record::parse(json, &extract::wants_data)?;
    let raw = parse::RawRecord {
        id,
        written: jiff::Timestamp::UNIX_EPOCH,
        json: String::new(),
    };
    extract::extract(&rec, &raw, batch);
    Ok(())
}

/// Moves the contents of `part` (an earlier batch of the same source) in front of `batch`'s.
fn absorb(batch: &mut EvidenceBatch, part: &mut EvidenceBatch) {
    batch.stats.absorb(&part.stats);
    part.events.append(&mut batch.events);
    std::mem::swap(&mut batch.events, &mut part.events);
    part.issues.append(&mut batch.issues);
    std::mem::swap(&mut batch.issues, &mut part.issues);
    batch.facts.append(&mut part.facts);
}

/// The channel a log file name implies: `Microsoft-Windows-WindowsUpdateClient%4Operational.evtx` →
/// `Microsoft-Windows-WindowsUpdateClient/Operational`.
fn channel_from_name(display: &str) -> Option<String> {
    let name = display.rsplit(['/', '\\', '!']).next()?;
    let stem = name
        .strip_suffix(".evtx")
        .or_else(|| name.strip_suffix(".EVTX"))?;
    if stem.is_empty() {
        return None;
    }
    Some(stem.replace("%4", "/"))
}

/// Reads every record of `file` into `batch`, handing full batches to `flush`; returns the channel named
/// by the records.
fn read_file<R: Read + Seek>(
    file: &mut EvtxFile<R>,
    batch: &mut EvidenceBatch,
    flush: &mut dyn FnMut(EvidenceBatch),
) -> Option<String> {
    let info = file.info().clone();
    if info.trailing_bytes > 0 {
        batch.issue(
            Some(Span::Offset {
                offset: chunk_offset(info.chunks),
            }),
            format!(
                "the file ends with {} bytes of an incomplete chunk (a truncated copy?); they were not read",
                info.trailing_bytes
            ),
        );
    }
    let mut channel: Option<String> = None;
    let mut last_id: Option<u64> = None;
    let mut seen: u64 = 0;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        for item in file.records() {
            match item {
                Ok(raw) => {
                    last_id = Some(raw.id);
                    // Once the channel is known, records of providers that are only counted skip parsing.
                    if channel.is_some()
                        && let Some((provider, level)) = parse::quick_provider_level(&raw.json)
                        && extract::interest(provider) == extract::Interest::Other
                    {
                        batch.count_plain(extract::severity(level));
                    } else {
                        match Record::parse(&raw.json, &extract::wants_data) {
                            Ok(rec) => {
                                if channel.is_none() {
                                    channel = rec.channel.as_deref().map(str::to_owned);
                                }
                                extract::extract(&rec, &raw, batch);
                            }
                            Err(message) => {
                                let e = ParseError::Shape {
                                    id: raw.id,
                                    message,
                                };
                                batch.failed(e.span(), e.to_string());
                            }
                        }
                    }
                }
                Err(e) => batch.failed(e.span(), e.to_string()),
            }
            seen += 1;
            if seen.is_multiple_of(BATCH_RECORDS) {
                let fresh = EvidenceBatch::new(batch.source, batch.retention);
                flush(std::mem::replace(batch, fresh));
            }
        }
    }));
    if let Err(panic) = outcome {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        let after = last_id.map_or_else(String::new, |id| format!(" after record {id}"));
        batch.issue(
            last_id.map(|id| Span::Record { id }),
            format!(
                "the EVTX decoder gave up on malformed data{after} ({what}); the records after it were not read"
            ),
        );
    }
    channel
}

#[cfg(test)]
mod tests {
    use super::*;
    use wudiag_evidence::{Retention, SourceId};

    fn batch() -> EvidenceBatch {
        EvidenceBatch::new(SourceId(0), Retention::All)
    }

    #[test]
    fn sniffing() {
        let s = |name: &str, head: &[u8]| {
            sniff(&Sniff {
                name,
                head,
                text: "",
            })
        };
        assert_eq!(s("x.bin", b"ElfFile\0rest"), 100);
        assert_eq!(s("system.evtx", b"garbage"), 20);
        assert_eq!(s("cbs.log", b"2024-01-01 Info CBS"), 0);
        assert_eq!(s("x", b"ElfFile"), 0);
    }

    #[test]
    fn channel_names_from_files() {
        assert_eq!(
            channel_from_name("a/b/Microsoft-Windows-WindowsUpdateClient%4Operational.evtx")
                .as_deref(),
            Some("Microsoft-Windows-WindowsUpdateClient/Operational")
        );
        assert_eq!(
            channel_from_name("bundle.zip!Logs\\System.evtx").as_deref(),
            Some("System")
        );
        assert_eq!(channel_from_name("notes.txt"), None);
        assert_eq!(channel_from_name(".evtx"), None);
    }

    #[test]
    fn garbage_is_an_issue_not_a_panic() {
        for bytes in [Vec::new(), b"ElfFile\0".to_vec(), vec![0xFF; 5000], {
            let mut v = b"ElfFile\0".to_vec();
            v.resize(4096 + 65536 + 100, 0x41);
            v
        }] {
            let mut b = batch();
            let _ = read_bytes(bytes, &mut b);
            assert!(!b.issues.is_empty() || b.stats.records_failed > 0);
            assert!(b.events.is_empty());
        }
    }

    /// The fuzz target's "odd" mode as a quick loop: random chunk bodies behind a valid header.
    #[test]
    fn random_chunks_behind_a_valid_header() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for round in 0..300 {
            let chunks = 1 + round % 3;
            let mut v = vec![0u8; 4096 + chunks * 65536];
            v[..8].copy_from_slice(MAGIC);
            v[32..36].copy_from_slice(&128u32.to_le_bytes());
            v[38..40].copy_from_slice(&3u16.to_le_bytes());
            v[40..42].copy_from_slice(&4096u16.to_le_bytes());
            v[42..44].copy_from_slice(&(chunks as u16).to_le_bytes());
            let fill = next() as usize % 65536;
            for i in 0..chunks {
                let at = 4096 + i * 65536;
                for b in &mut v[at..at + fill] {
                    *b = next() as u8;
                }
                v[at..at + 8].copy_from_slice(b"ElfChnk\0");
                // plausible header fields now and then
                if round % 2 == 0 {
                    v[at + 40..at + 44].copy_from_slice(&128u32.to_le_bytes());
                    v[at + 48..at + 52]
                        .copy_from_slice(&(512 + (next() % 60000) as u32).to_le_bytes());
                    v[at + 512..at + 516].copy_from_slice(&[0x2a, 0x2a, 0, 0]);
                }
            }
            let mut b = EvidenceBatch::new(SourceId(0), Retention::All);
            let _ = read_bytes(v, &mut b);
            assert!(b.events.len() as u64 <= b.stats.records_ok);
        }
    }

    #[test]
    fn a_real_header_with_garbage_chunks() {
        let path = wudiag_testdata::corpus_file("evtx/win10_2016-09_sdkeagle_Setup.evtx");
        let orig = std::fs::read(&path).unwrap();
        // intact: 2 records
        let mut b = batch();
        assert_eq!(read_bytes(orig.clone(), &mut b).as_deref(), Some("Setup"));
        assert_eq!(b.stats.records_ok, 2);
        assert_eq!(b.events.len(), 2);
        // flip bytes all over the chunk: never a panic, every record accounted for
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..200 {
            let mut v = orig.clone();
            for _ in 0..=(round % 20) {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let at = 4096 + (rng as usize % (v.len() - 4096));
                v[at] = (rng >> 32) as u8;
            }
            let mut b = batch();
            let _ = read_bytes(v, &mut b);
        }
        // truncated mid-chunk
        let mut b = batch();
        let _ = read_bytes(orig[..4096 + 30000].to_vec(), &mut b);
        assert!(
            b.issues
                .iter()
                .any(|i| i.message.contains("incomplete chunk"))
        );
        // a second copy of the chunk appended: records read twice, nothing lost
        let mut v = orig.clone();
        v.extend_from_slice(&orig[4096..4096 + 65536]);
        let mut b = batch();
        let _ = read_bytes(v, &mut b);
        assert!(b.stats.records_ok >= 2);
    }
}
