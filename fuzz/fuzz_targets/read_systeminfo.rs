//! Arbitrary bytes through the `systeminfo` output reader: sniffing and the whole-document reader under
//! both retention policies, on the bytes decoded the way the engine decodes whole documents (OEM code pages
//! and UTF-16 included). Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::{Reading, Sniff, systeminfo, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let _ = (systeminfo::FORMAT.sniff)(&Sniff {
        name: "systeminfo.txt",
        head: data,
        text: &decoded,
    });
    let Reading::Whole(read) = systeminfo::FORMAT.read else {
        unreachable!("systeminfo output is read whole");
    };
    for retention in [Retention::Diagnostic, Retention::All] {
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        read(&decoded, &mut batch);
    }
});
