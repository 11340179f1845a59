//! Arbitrary bytes as a bundle handed to `wudiag_readers::read_paths`: the input is written to
//! `input.zip` in a fresh temporary folder and read with the default options, so the whole input-walking
//! layer runs on it — zip parsing, nested zips held in memory, `..`/absolute/symlink/encrypted members,
//! the size, ratio and nesting limits, then sniffing and reading whatever members come out. (An input that
//! is not a zip is read as a plain file, which runs every sniffer.)
//!
//! Nothing may panic, and nothing may be written anywhere: the file sits in `<tmp>/bundle/input.zip`, and
//! after the read `<tmp>` must still hold exactly `bundle/` and `bundle/` exactly `input.zip` (a member
//! like `../evil.txt` extracted next to the archive, or one level up, would show there).
//!
//! Random bytes rarely make a zip; seed with `python3 fuzz/seeds.py` (see the README).
#![no_main]

use std::fs;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use wudiag_readers::{ReadOptions, read_paths};

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("the temporary folder can be listed")
        .map(|e| {
            e.expect("a folder entry can be read")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fuzz_target!(|data: &[u8]| {
    let tmp = tempfile::tempdir().expect("a temporary folder can be created");
    let bundle = tmp.path().join("bundle");
    fs::create_dir(&bundle).expect("the bundle folder can be created");
    let path = bundle.join("input.zip");
    fs::write(&path, data).expect("the input can be written");

    let evidence = read_paths(&[path.clone()], &ReadOptions::default());
    // A top-level member whose name climbs out of the archive or is absolute is listed, never read.
    let prefix = format!("{}!", path.display());
    for source in evidence.sources() {
        let Some(name) = source.path.strip_prefix(&prefix) else {
            continue;
        };
        let escapes = name.starts_with(['/', '\\']) || name.split(['/', '\\']).any(|p| p == "..");
        if escapes && !name.contains('!') {
            assert!(source.skipped.is_some(), "unsafe member {name:?} was read");
        }
    }

    assert_eq!(
        entries(tmp.path()),
        ["bundle"],
        "something was written next to the bundle folder"
    );
    assert_eq!(
        entries(&bundle),
        ["input.zip"],
        "something was written next to the input"
    );
    assert_eq!(
        fs::read(&path).expect("the input can be read back"),
        data,
        "the input was modified"
    );
});
