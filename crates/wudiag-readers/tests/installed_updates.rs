//! systeminfo, `wmic qfe list`, `Get-HotFix` and WUA update lists from real machines (XP to Windows 11
//! 24H2, Server 2003 to 2022, eight languages): kind, records, installed updates and OS facts, pinned.

use std::fmt::Write as _;

use wudiag_readers::{ReadOptions, read_paths};
use wudiag_testdata::corpus_dir as corpus;

#[test]
fn every_inventory_file() {
    let dir = corpus().join("systeminfo_qfe");
    let ev = read_paths(std::slice::from_ref(&dir), &ReadOptions::default());
    let mut out = String::new();
    for s in ev.sources() {
        let name = s.path.rsplit(['/', '\\']).next().unwrap_or_default();
        let updates = ev
            .facts()
            .installed_updates
            .iter()
            .filter(|u| u.location.source == s.id)
            .count();
        let os: Vec<String> = ev
            .facts()
            .os
            .iter()
            .filter(|o| o.location.source == s.id)
            .map(|o| {
                format!(
                    "{:?} {:?} {:?}",
                    o.value.product, o.value.version, o.value.arch
                )
            })
            .collect();
        writeln!(
            out,
            "{name}: {} ok={} failed={} updates={updates} {}{}",
            s.kind.as_str(),
            s.stats.records_ok,
            s.stats.records_failed,
            os.join("; "),
            s.skipped
                .as_deref()
                .map(|r| format!(" skipped: {r}"))
                .unwrap_or_default()
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
}
