//! Arbitrary bytes through the EVTX reader (the `evtx` crate, the JSON field reader and the extractor),
//! under both retention policies. Nothing may panic, abort or allocate without bound.
//!
//! An input that starts with the file magic is used as it is (seed with real logs:
//! `cargo +nightly fuzz run read_evtx fuzz/corpus/read_evtx ../shared/corpus/evtx`). Random bytes rarely
//! get past the file header, so for any other input the first byte picks a mode:
//! * even: the rest is used as it is;
//! * odd: the rest is wrapped in a valid file header and cut into 64 KiB chunks that each start with the
//!   chunk magic, so the fuzzer spends its time inside chunks, templates and records.
//!
//! The bytes are also fed to the JSON record reader and the extractor as one rendered record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::evtx_log;

const CHUNK: usize = 65536;

fn wrap(body: &[u8]) -> Vec<u8> {
    let chunks = body.len().div_ceil(CHUNK).clamp(1, 8);
    let mut v = vec![0u8; 4096 + chunks * CHUNK];
    v[..8].copy_from_slice(b"ElfFile\0");
    v[16..24].copy_from_slice(&(chunks as u64 - 1).to_le_bytes()); // current chunk
    v[24..32].copy_from_slice(&1000u64.to_le_bytes()); // next record id
    v[32..36].copy_from_slice(&128u32.to_le_bytes()); // header size
    v[36..38].copy_from_slice(&1u16.to_le_bytes()); // minor version
    v[38..40].copy_from_slice(&3u16.to_le_bytes()); // major version
    v[40..42].copy_from_slice(&4096u16.to_le_bytes()); // header block size
    v[42..44].copy_from_slice(&(chunks as u16).to_le_bytes());
    v[120..124].copy_from_slice(&1u32.to_le_bytes()); // dirty
    for (i, part) in body.chunks(CHUNK).take(chunks).enumerate() {
        let at = 4096 + i * CHUNK;
        v[at..at + part.len()].copy_from_slice(part);
        v[at..at + 8].copy_from_slice(b"ElfChnk\0");
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let (image, rest) = if data.starts_with(b"ElfFile\0") {
        (data.to_vec(), data)
    } else {
        let Some((&mode, rest)) = data.split_first() else {
            return;
        };
        let image = if mode % 2 == 0 {
            rest.to_vec()
        } else {
            wrap(rest)
        };
        (image, rest)
    };
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        let _ = evtx_log::read_bytes(image.clone(), &mut batch);
    }
    if let Ok(text) = std::str::from_utf8(rest) {
        let mut batch = EvidenceBatch::new(SourceId(0), Retention::All);
        let _ = evtx_log::read_json_record(text, 1, &mut batch);
    }
});
