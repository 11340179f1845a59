//! Arbitrary bytes through the ConfigMgr (CMTrace / SMS / plain) reader: sniffing, parsing and
//! extraction, under both retention policies. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, configmgr_log, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = configmgr_log::sniff(&Sniff {
        name: "wuahandler.log",
        head: data,
        text: &decoded,
    });
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        configmgr_log::FORMAT.read_block(data, &mut batch);
    }
    for line in data.split(|b| *b == b'\n') {
        let _ = configmgr_log::FORMAT.starts_record(line);
    }
});
