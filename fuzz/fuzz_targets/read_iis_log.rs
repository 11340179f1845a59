//! Arbitrary bytes through the IIS W3C / HTTP.sys error log reader. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, iis_log, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = iis_log::sniff(&Sniff {
        name: "u_ex240312.log",
        head: data,
        text: &decoded,
    });
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        iis_log::FORMAT.read_block(data, &mut batch);
    }
});
