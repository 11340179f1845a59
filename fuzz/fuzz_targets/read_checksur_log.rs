//! Arbitrary bytes through the CheckSUR.log reader: sniffing, the line parser and the extractor under
//! both retention policies. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::{Sniff, checksur_log, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = checksur_log::sniff(&Sniff {
        name: "checksur.log",
        head: data,
        text: &decoded,
    });
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        checksur_log::read(&decoded, &mut batch);
    }
    let _ = checksur_log::parse::records(&decoded).count();
});
