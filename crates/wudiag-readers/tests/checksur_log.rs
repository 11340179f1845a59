//! The CheckSUR.log excerpt of the corpus: kind, record counts and findings, pinned.

mod servicing_logs;

use servicing_logs::{files, summarise};

#[test]
fn corpus_checksur_logs() {
    for path in files("checksur") {
        let s = summarise(&path);
        assert_eq!(s.kind, "checksur_log", "{}", path.display());
        assert_eq!(s.records_failed, 0, "{}: {:?}", path.display(), s.issues);
        assert!(s.kinds.get("store_corruption").copied().unwrap_or(0) >= 3);
        assert!(s.codes.contains_key("0x800f0900"));
        insta::assert_yaml_snapshot!(s.file.clone(), s);
    }
}
