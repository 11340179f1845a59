//! Arbitrary bytes through the WSUS ClientWebService web.config reader. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::{Sniff, text, wsus_web_config};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = wsus_web_config::sniff(&Sniff {
        name: "web.config",
        head: data,
        text: &decoded,
    });
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        wsus_web_config::read(&decoded, &mut batch);
    }
});
