//! Arbitrary bytes through the SetupDiag result reader (text, XML, JSON), decoded the way the engine
//! decodes whole documents. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::{Sniff, setupdiag, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = setupdiag::sniff(&Sniff {
        name: "setupdiagresults.xml",
        head: data,
        text: &decoded,
    });
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        setupdiag::read(&decoded, &mut batch);
    }
});
