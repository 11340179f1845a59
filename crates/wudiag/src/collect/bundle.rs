//! The zip a collect run writes: every member under a stable name, and `manifest.json` last.
//!
//! Platform-neutral. The zip is written to `<output>.partial` and moved into place only when complete, so a
//! half-written bundle never carries the final name.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::manifest::{Item, MANIFEST_NAME, Manifest, Outcome};

/// A zip being written, with its manifest.
pub(crate) struct BundleWriter {
    zip: ZipWriter<BufWriter<File>>,
    partial: PathBuf,
    output: PathBuf,
    names: HashSet<String>,
    manifest: Manifest,
}

impl BundleWriter {
    /// Starts `output` (written as `output.partial` until [`finish`](Self::finish)).
    pub(crate) fn create(output: &Path, manifest: Manifest) -> io::Result<Self> {
        let mut partial = output.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = File::create(&partial)?;
        Ok(Self {
            zip: ZipWriter::new(BufWriter::new(file)),
            partial,
            output: output.to_path_buf(),
            names: HashSet::new(),
            manifest,
        })
    }

    /// The last item recorded, to correct its description.
    pub(crate) fn last_item_mut(&mut self) -> Option<&mut Item> {
        self.manifest.items.last_mut()
    }

    /// Records an item that is not in the zip (absent, denied, failed).
    pub(crate) fn record(&mut self, what: &str, source: &str, outcome: Outcome) {
        self.manifest.items.push(Item {
            what: what.to_owned(),
            source: source.to_owned(),
            outcome,
        });
    }

    /// Copies the file `source` into the zip as `zip_path`, opening it with shared read (a log held open
    /// by its writer is still copied), and records the item either way. Returns whether it was collected.
    pub(crate) fn add_file(&mut self, what: &str, source: &Path, zip_path: &str) -> bool {
        let shown = source.display().to_string();
        let opened = open_shared(source).map(|f| {
            let modified = f.metadata().ok().and_then(|m| m.modified().ok());
            (f, modified)
        });
        let outcome = match opened {
            Ok((mut f, modified)) => match self.add_reader(zip_path, &mut f, modified) {
                Ok((path, size)) => Outcome::Collected { path, size },
                Err(e) => Outcome::from_io(&e),
            },
            Err(e) => Outcome::from_io(&e),
        };
        let ok = matches!(outcome, Outcome::Collected { .. });
        self.record(what, &shown, outcome);
        ok
    }

    /// Adds bytes made by wudiag or a tool (a listing, a decoded log) as `zip_path`, and records the item.
    pub(crate) fn add_bytes(&mut self, what: &str, source: &str, zip_path: &str, bytes: &[u8]) {
        let outcome = match self.add_reader(zip_path, &mut &*bytes, Some(SystemTime::now())) {
            Ok((path, size)) => Outcome::Collected { path, size },
            Err(e) => Outcome::Failed {
                detail: format!("could not write to the zip: {e}"),
            },
        };
        self.record(what, source, outcome);
    }

    /// Writes one member. Its name is made safe and unique; returns (name used, bytes written).
    fn add_reader(
        &mut self,
        zip_path: &str,
        reader: &mut dyn Read,
        modified: Option<SystemTime>,
    ) -> io::Result<(String, u64)> {
        let name = self.unique_name(&sanitize_zip_path(zip_path));
        let mut options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(true);
        if let Some(t) = modified.and_then(zip_time) {
            options = options.last_modified_time(t);
        }
        self.zip
            .start_file(name.as_str(), options)
            .map_err(io::Error::other)?;
        match io::copy(reader, &mut self.zip) {
            Ok(n) => {
                self.names.insert(name.to_ascii_lowercase());
                Ok((name, n))
            }
            Err(e) => {
                // Drop the half-written member; the zip stays valid.
                let _ = self.zip.abort_file();
                Err(e)
            }
        }
    }

    /// `name`, or `name~2`, `name~3`… (before the extension) when taken. Zip names compare case-insensitively
    /// here, as they will on the Windows machine that unpacks them.
    fn unique_name(&self, name: &str) -> String {
        if !self.names.contains(&name.to_ascii_lowercase()) && name != MANIFEST_NAME {
            return name.to_owned();
        }
        let (stem, ext) = match name.rfind('.') {
            Some(dot) if dot > name.rfind('/').map_or(0, |s| s + 1) => name.split_at(dot),
            _ => (name, ""),
        };
        (2..100_000u32)
            .map(|n| format!("{stem}~{n}{ext}"))
            .find(|c| !self.names.contains(&c.to_ascii_lowercase()))
            .unwrap_or_else(|| name.to_owned())
    }

    /// Writes `manifest.json` (with `finished` set), closes the zip and moves it to its final name.
    pub(crate) fn finish(mut self, finished: String) -> io::Result<Manifest> {
        self.manifest.finished = finished;
        let json = serde_json::to_vec_pretty(&self.manifest).map_err(io::Error::other)?;
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(zip_time(SystemTime::now()).unwrap_or_default());
        self.zip
            .start_file(MANIFEST_NAME, options)
            .map_err(io::Error::other)?;
        self.zip.write_all(&json)?;
        let mut inner = self.zip.finish().map_err(io::Error::other)?;
        inner.flush()?;
        drop(inner);
        std::fs::rename(&self.partial, &self.output)?;
        Ok(self.manifest)
    }
}

/// Opens a file for reading with shared read, write and delete: a log its writer holds open is still read
/// (what Rust's std does by default on Windows, spelled out because it matters here).
pub(crate) fn open_shared(path: &Path) -> io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
        o.share_mode(0x1 | 0x2 | 0x4);
    }
    o.open(path)
}

/// A zip member name: `/`-separated, relative, no `.`/`..` parts, no drive, no control characters.
pub(crate) fn sanitize_zip_path(path: &str) -> String {
    let parts: Vec<String> = path
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect()
        })
        .collect();
    if parts.is_empty() {
        "unnamed".to_owned()
    } else {
        parts.join("/")
    }
}

/// A zip timestamp (UTC) for `t`, when it fits the zip range (1980–2107).
fn zip_time(t: SystemTime) -> Option<zip::DateTime> {
    let ts = jiff::Timestamp::try_from(t).ok()?;
    let dt = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    zip::DateTime::from_date_and_time(
        u16::try_from(dt.year()).ok()?,
        u8::try_from(dt.month()).ok()?,
        u8::try_from(dt.day()).ok()?,
        u8::try_from(dt.hour()).ok()?,
        u8::try_from(dt.minute()).ok()?,
        u8::try_from(dt.second()).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::super::manifest::MANIFEST_FORMAT;
    use super::*;

    fn empty_manifest() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            tool_version: "0.1.0".into(),
            computer: "PC1".into(),
            started: "2024-01-01T00:00:00Z".into(),
            finished: String::new(),
            elevated: Some(false),
            items: Vec::new(),
        }
    }

    fn read_member(zip: &Path, name: &str) -> Vec<u8> {
        let mut a = zip::ZipArchive::new(File::open(zip).unwrap()).unwrap();
        let mut f = a.by_name(name).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn writes_members_and_manifest_last() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("CBS.log");
        std::fs::write(&src, "2024-01-01 00:00:00, Info CBS hello\r\n").unwrap();
        let out = dir.path().join("bundle.zip");

        let mut b = BundleWriter::create(&out, empty_manifest()).unwrap();
        assert!(b.add_file("CBS log", &src, "Logs/CBS/CBS.log"));
        assert!(!b.add_file(
            "DISM log",
            &dir.path().join("nope.log"),
            "Logs/DISM/dism.log"
        ));
        b.add_bytes(
            "service states",
            "sc.exe queryex",
            "Services/services.json",
            b"{}",
        );
        b.record(
            "event log System",
            "wevtutil epl System",
            Outcome::Failed {
                detail: "wevtutil.exe exited with code 1".into(),
            },
        );
        assert!(out.with_extension("zip.partial").exists());
        let m = b.finish("2024-01-01T00:00:05Z".into()).unwrap();
        assert!(!out.with_extension("zip.partial").exists());

        assert_eq!(m.counts(), (2, 1, 0, 1));
        let mut a = zip::ZipArchive::new(File::open(&out).unwrap()).unwrap();
        let names: Vec<String> = (0..a.len())
            .map(|i| a.by_index(i).unwrap().name().unwrap().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "Logs/CBS/CBS.log",
                "Services/services.json",
                "manifest.json"
            ]
        );
        assert_eq!(
            a.by_name("Logs/CBS/CBS.log").unwrap().compression(),
            CompressionMethod::Deflated
        );
        drop(a);
        assert_eq!(
            read_member(&out, "Logs/CBS/CBS.log"),
            b"2024-01-01 00:00:00, Info CBS hello\r\n"
        );
        let back: Manifest = serde_json::from_slice(&read_member(&out, "manifest.json")).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.finished, "2024-01-01T00:00:05Z");
        let first = &back.items[0];
        assert_eq!(first.source, src.display().to_string());
        assert_eq!(
            first.outcome,
            Outcome::Collected {
                path: "Logs/CBS/CBS.log".into(),
                size: 37
            }
        );
        assert_eq!(back.items[1].outcome.status(), "absent");
    }

    #[test]
    fn names_are_made_safe_and_unique() {
        assert_eq!(
            sanitize_zip_path(r"..\..\C:\Windows\x.log"),
            "C_/Windows/x.log"
        );
        assert_eq!(sanitize_zip_path("/a/./b//c"), "a/b/c");
        assert_eq!(sanitize_zip_path(".."), "unnamed");
        assert_eq!(
            sanitize_zip_path("Event\u{1}Logs/a?b.evtx"),
            "Event_Logs/a_b.evtx"
        );

        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.zip");
        let mut b = BundleWriter::create(&out, empty_manifest()).unwrap();
        b.add_bytes("a", "a", "Logs/x.log", b"1");
        b.add_bytes("b", "b", "logs/X.log", b"2");
        b.add_bytes("c", "c", "manifest.json", b"3");
        b.add_bytes("d", "d", "Logs/noext", b"4");
        b.add_bytes("e", "e", "Logs/noext", b"5");
        let m = b.finish("t".into()).unwrap();
        let paths: Vec<&str> = m
            .items
            .iter()
            .map(|i| match &i.outcome {
                Outcome::Collected { path, .. } => path.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(
            paths,
            [
                "Logs/x.log",
                "logs/X~2.log",
                "manifest~2.json",
                "Logs/noext",
                "Logs/noext~2"
            ]
        );
        assert_eq!(read_member(&out, "logs/X~2.log"), b"2");
    }

    #[test]
    fn old_and_future_times_do_not_fail() {
        assert!(zip_time(SystemTime::UNIX_EPOCH).is_none());
        assert!(zip_time(SystemTime::now()).is_some());
    }
}
