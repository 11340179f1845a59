//! Event Viewer's XML export read like the `.evtx` file it came from: every `.evtx` of the corpus is
//! rendered to XML with the `evtx` crate (what `wevtutil qe /f:xml` and "Save as XML" write), and the XML is
//! read by the text-export reader. The update events (provider, event id, kind, codes, KBs, update ids) must
//! be the same as those the `.evtx` reader extracts.

use std::path::PathBuf;

use wudiag_evidence::{Event, Evidence, Retention};
use wudiag_readers::{ReadOptions, read_paths};

fn read(path: PathBuf) -> Evidence {
    read_paths(
        &[path],
        &ReadOptions {
            retention: Retention::All,
            ..ReadOptions::default()
        },
    )
}

fn shape(e: &Event) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        e.component,
        e.event_id,
        e.kind,
        e.severity,
        e.codes,
        e.kbs,
        e.update_id.as_ref().map(ToString::to_string)
    )
}

#[test]
fn xml_exports_yield_the_events_of_their_evtx() {
    let dir = tempfile::tempdir().unwrap();
    let files = wudiag_testdata::corpus_folder_files("evtx");
    assert!(files.len() >= 3, "the corpus has .evtx files");
    for evtx in files {
        let mut parser = evtx::EvtxParser::from_path(&evtx).unwrap();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Events>\n");
        for record in parser.records().flatten() {
            let body = record.data;
            let body = body
                .strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
                .unwrap_or(&body);
            xml.push_str(body.trim());
            xml.push('\n');
        }
        xml.push_str("</Events>\n");
        let export = dir.path().join("export.xml");
        std::fs::write(&export, &xml).unwrap();

        let from_evtx: Vec<String> = read(evtx.clone()).events().iter().map(shape).collect();
        let from_xml: Vec<String> = read(export).events().iter().map(shape).collect();
        assert!(!from_evtx.is_empty(), "{}", evtx.display());
        assert_eq!(from_xml, from_evtx, "{}", evtx.display());
    }
}
