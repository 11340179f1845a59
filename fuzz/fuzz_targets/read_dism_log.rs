//! Arbitrary bytes through the DISM.log reader: sniffing, the record parser, the extractor under both
//! retention policies, and the record-start test the text engine cuts blocks with. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, dism_log, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = dism_log::sniff(&Sniff {
        name: "dism.log",
        head: data,
        text: &decoded,
    });
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        dism_log::READER.read_block(data, &mut batch);
    }
    for line in data.split(|b| *b == b'\n') {
        let _ = dism_log::READER.starts_record(line);
    }
});
