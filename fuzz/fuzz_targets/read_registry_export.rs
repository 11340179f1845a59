//! Arbitrary bytes through the registry export (`.reg`) reader: sniffing, the key/value parser, the
//! extractor under both retention policies, and the record-start test the text engine cuts blocks with.
//! `reg export` writes UTF-16LE with a BOM, so every input is also tried with `FF FE` in front of it; each
//! variant is fed to the reader raw and decoded to UTF-8 the way the text engine would. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, registry_export, text};

fuzz_target!(|data: &[u8]| {
    let mut utf16 = Vec::with_capacity(data.len() + 2);
    utf16.extend_from_slice(&[0xFF, 0xFE]);
    utf16.extend_from_slice(data);
    for bytes in [data, utf16.as_slice()] {
        let decoded = text::decode_bytes(bytes);
        let _ = (registry_export::FORMAT.sniff)(&Sniff {
            name: "wu.reg",
            head: bytes,
            text: &decoded,
        });
        for input in [bytes, decoded.as_bytes()] {
            for retention in [Retention::Diagnostic, Retention::All] {
                let mut batch = EvidenceBatch::new(SourceId(0), retention);
                registry_export::RegistryExport.read_block(input, &mut batch);
            }
            for line in input.split(|b| *b == b'\n') {
                let _ = registry_export::RegistryExport.starts_record(line);
            }
        }
        for line in decoded.lines() {
            let _ = registry_export::parse::parse_value(line.trim());
        }
    }
});
