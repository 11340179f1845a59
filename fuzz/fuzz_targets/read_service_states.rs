//! Arbitrary bytes through the service-state listing reader (`Services/services.json` as `wudiag collect`
//! writes it): sniffing and the whole-document reader under both retention policies. Random bytes rarely
//! contain the format marker the reader insists on, so the input is read as it is and once more with the
//! marker line put in front of it. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::{Sniff, service_states, text};

fuzz_target!(|data: &[u8]| {
    let decoded = text::decode_bytes(data);
    let marked = format!("{{\n\"format\": {},\n{decoded}", service_states::MARKER);
    for doc in [decoded.as_str(), marked.as_str()] {
        let _ = service_states::sniff(&Sniff {
            name: "services.json",
            head: doc.as_bytes(),
            text: doc,
        });
        for retention in [Retention::Diagnostic, Retention::All] {
            let mut batch = EvidenceBatch::new(SourceId(0), retention);
            service_states::read(doc, &mut batch);
        }
    }
});
