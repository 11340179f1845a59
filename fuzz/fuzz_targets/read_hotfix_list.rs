//! Arbitrary bytes through the installed-update table readers (`wmic qfe list`, `Get-HotFix`, WUA update
//! lists): every sniffer, and both whole-document readers under both retention policies, on the bytes
//! decoded the way the engine decodes whole documents (wmic output is usually UTF-16LE). Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::{Reading, Sniff, hotfix_list, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let sniff = Sniff {
        name: "qfe.txt",
        head: data,
        text: &decoded,
    };
    for format in [
        &hotfix_list::WMIC_QFE,
        &hotfix_list::GET_HOTFIX,
        &hotfix_list::WUA_LIST,
    ] {
        let _ = (format.sniff)(&sniff);
        let Reading::Whole(read) = format.read else {
            unreachable!("the hotfix readers read whole documents");
        };
        for retention in [Retention::Diagnostic, Retention::All] {
            let mut batch = EvidenceBatch::new(SourceId(0), retention);
            read(&decoded, &mut batch);
        }
    }
});
