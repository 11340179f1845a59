//! Arbitrary bytes through the WindowsUpdate.log reader: sniffing, the line parser, the extractor under
//! both retention policies, and the same bytes decoded as UTF-16 the way the text engine would. Nothing
//! may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, text, windows_update_log};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = windows_update_log::sniff(&Sniff {
        name: "windowsupdate.log",
        head: data,
        text: &decoded,
    });
    for r in windows_update_log::parse::records(data) {
        let _ = r.map_err(|e| e.to_string());
    }
    for input in [data, decoded.as_bytes()] {
        for retention in [Retention::Diagnostic, Retention::All] {
            let mut batch = EvidenceBatch::new(SourceId(0), retention);
            windows_update_log::READER.read_block(input, &mut batch);
        }
    }
});
