//! Arbitrary bytes through the WSUS SoftwareDistribution.log and Change.log readers. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::TextFormat;
use wudiag_readers::{Sniff, text, wsus_server_log};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let sniff = Sniff {
        name: "softwaredistribution.log",
        head: data,
        text: &decoded,
    };
    let _ = wsus_server_log::sniff_software_distribution(&sniff);
    let _ = wsus_server_log::sniff_change_log(&sniff);
    for format in [
        &wsus_server_log::SOFTWARE_DISTRIBUTION,
        &wsus_server_log::CHANGE_LOG,
    ] {
        for retention in [Retention::Diagnostic, Retention::All] {
            let mut batch = EvidenceBatch::new(SourceId(0), retention);
            format.read_block(data, &mut batch);
        }
    }
});
