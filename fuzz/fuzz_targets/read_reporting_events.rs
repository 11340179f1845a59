//! Arbitrary bytes through the ReportingEvents.log reader: sniffing, the row parser and the extractor
//! under both retention policies, raw and decoded (the files are often UTF-16LE). Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, reporting_events, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = reporting_events::sniff(&Sniff {
        name: "reportingevents.log",
        head: data,
        text: &decoded,
    });
    for r in reporting_events::parse::records(data) {
        let _ = r.map_err(|e| e.to_string());
    }
    for input in [data, decoded.as_bytes()] {
        for retention in [Retention::Diagnostic, Retention::All] {
            let mut batch = EvidenceBatch::new(SourceId(0), retention);
            reporting_events::READER.read_block(input, &mut batch);
        }
    }
});
