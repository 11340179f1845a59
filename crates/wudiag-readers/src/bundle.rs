//! Finding the inputs: files, folders walked recursively, archives (zip, cab) opened in place, and single
//! compressed logs (`CBS.log.gz`, `.zst`, `.xz`) decompressed as they are read.
//!
//! Bundles come from strangers, so this module is defensive: symbolic links are never followed, archive
//! member names with `..` or absolute paths are refused, nesting depth, member size, total expansion and
//! compression ratio are bounded, and nothing is ever written to disk: members are streamed (or, for
//! nested archives, held in memory within [`Limits::max_in_memory`]).

use std::fs::File;
use std::io::{self, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wudiag_evidence::SourceKind;

/// Bounds that keep a hostile bundle from exhausting the machine.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Archives inside archives, at most this deep.
    pub max_nesting: u32,
    /// A single archive member is read up to this many bytes.
    pub max_member_bytes: u64,
    /// All archive members together expand to at most this many bytes.
    pub max_total_expanded: u64,
    /// Members whose declared size exceeds `compressed × max_ratio` (and 64 MiB) are refused as bombs.
    pub max_ratio: u64,
    /// Nested archives and binary members are held in memory up to this size.
    pub max_in_memory: u64,
    /// At most this many files are considered.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_nesting: 4,
            max_member_bytes: 8 << 30,
            max_total_expanded: 64 << 30,
            max_ratio: 1000,
            max_in_memory: 512 << 20,
            max_files: 200_000,
        }
    }
}

/// Where an archive's bytes are.
#[derive(Debug)]
pub(crate) enum ArchiveBytes {
    /// A file on disk.
    File(PathBuf),
    /// Bytes held in memory (an archive inside an archive).
    Memory(Arc<Vec<u8>>),
}

impl ArchiveBytes {
    fn open(&self) -> io::Result<Box<dyn ReadSeek>> {
        Ok(match self {
            Self::File(p) => Box::new(File::open(p)?),
            Self::Memory(b) => Box::new(Cursor::new(SharedBytes(Arc::clone(b)))),
        })
    }
}

trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Shared bytes usable as a cursor.
#[derive(Debug, Clone)]
struct SharedBytes(Arc<Vec<u8>>);
impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// How to open one input.
#[derive(Debug, Clone)]
pub(crate) enum Locator {
    /// A plain file.
    File(PathBuf),
    /// Member `index` of a zip archive.
    Zip {
        archive: Arc<ArchiveBytes>,
        index: usize,
    },
    /// Member `name` of a cabinet.
    Cab {
        archive: Arc<ArchiveBytes>,
        name: String,
    },
}

/// One input found: a file or an archive member.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Shown path (`bundle.zip!Logs/CBS.log`).
    pub(crate) display: String,
    /// File name, for sniffing.
    pub(crate) name: String,
    /// Size in bytes (uncompressed size for members).
    pub(crate) size: u64,
    /// How to open it.
    pub(crate) locator: Locator,
    /// Index of the archive candidate it came from, in the discovery list.
    pub(crate) container: Option<usize>,
    /// Set for archives themselves (listed as sources; their members follow) and for refused entries.
    pub(crate) listed_only: Option<(SourceKind, Option<String>)>,
    /// Byte budget for reading this member (members only).
    pub(crate) byte_limit: u64,
    /// Set for a compressed single log: how to decompress it, and how many decompressed bytes to read.
    pub(crate) decode: Option<Decode>,
}

/// Compression formats of single files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
    Xz,
}

impl Compression {
    /// The format a file's first bytes announce.
    fn from_magic(m: [u8; 4]) -> Option<Self> {
        match m {
            [0x1f, 0x8b, _, _] => Some(Self::Gzip),
            [0x28, 0xb5, 0x2f, 0xfd] => Some(Self::Zstd),
            [0xfd, b'7', b'z', b'X'] => Some(Self::Xz),
            _ => None,
        }
    }

    /// The format a name's suffix announces, and the name without it (`CBS.log.gz` → `CBS.log`).
    fn from_name(name: &str) -> Option<(Self, &str)> {
        let lower = name.to_ascii_lowercase();
        [(".gz", Self::Gzip), (".zst", Self::Zstd), (".xz", Self::Xz)]
            .into_iter()
            .find(|(suffix, _)| lower.ends_with(suffix) && lower.len() > suffix.len())
            .map(|(suffix, c)| (c, &name[..name.len() - suffix.len()]))
    }
}

/// How a compressed input is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decode {
    format: Compression,
    /// Decompressed bytes read at most (a bomb is cut off here, not expanded).
    limit: u64,
    /// `.xz` is decompressed into memory: at most this many bytes.
    in_memory: u64,
}

/// A `Write` into memory that refuses to grow past its cap (or, with `truncate`, keeps the first `cap`
/// bytes and then stops the writer).
struct CappedBuffer {
    bytes: Vec<u8>,
    cap: u64,
    truncate: bool,
}

impl io::Write for CappedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.truncate {
            let cap = usize::try_from(self.cap).unwrap_or(usize::MAX);
            let room = cap.saturating_sub(self.bytes.len());
            if room == 0 {
                return Err(io::Error::other("head read"));
            }
            let n = room.min(buf.len());
            self.bytes
                .extend_from_slice(buf.get(..n).unwrap_or_default());
            return Ok(n);
        }
        if (self.bytes.len() + buf.len()) as u64 > self.cap {
            return Err(io::Error::other(format!(
                "decompresses to more than the {} MiB in-memory limit",
                self.cap >> 20
            )));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Decode {
    /// The first `n` decompressed bytes of `raw` (sniffing an `.xz` file must not expand all of it).
    fn head(self, raw: &mut dyn Read, n: u64) -> io::Result<Vec<u8>> {
        if self.format != Compression::Xz {
            return self.read_with(raw, |r| {
                let mut buf = Vec::new();
                r.take(n).read_to_end(&mut buf).map(|_| buf)
            })?;
        }
        let mut out = CappedBuffer {
            bytes: Vec::new(),
            cap: n,
            truncate: true,
        };
        match lzma_rs::xz_decompress(&mut io::BufReader::new(raw), &mut out) {
            Ok(()) => Ok(out.bytes),
            Err(_) if out.bytes.len() as u64 >= n => Ok(out.bytes),
            Err(e) => Err(io::Error::other(format!("not a readable xz stream: {e}"))),
        }
    }

    /// Hands `f` the decompressed stream of `raw`.
    fn read_with<T>(self, raw: &mut dyn Read, f: impl FnOnce(&mut dyn Read) -> T) -> io::Result<T> {
        match self.format {
            Compression::Gzip => {
                let mut r = flate2::read::MultiGzDecoder::new(raw).take(self.limit);
                Ok(f(&mut r))
            }
            Compression::Zstd => {
                let decoder = ruzstd::decoding::StreamingDecoder::new(raw)
                    .map_err(|e| io::Error::other(format!("not a readable zstd stream: {e}")))?;
                let mut r = decoder.take(self.limit);
                Ok(f(&mut r))
            }
            Compression::Xz => {
                let mut out = CappedBuffer {
                    bytes: Vec::new(),
                    cap: self.in_memory.min(self.limit),
                    truncate: false,
                };
                lzma_rs::xz_decompress(&mut io::BufReader::new(raw), &mut out)
                    .map_err(|e| io::Error::other(format!("not a readable xz stream: {e}")))?;
                Ok(f(&mut out.bytes.as_slice()))
            }
        }
    }
}

impl Candidate {
    /// Opens the input and hands a reader to `f`. The reader yields at most `byte_limit` bytes.
    pub(crate) fn open_with<T>(&self, f: impl FnOnce(&mut dyn Read) -> T) -> io::Result<T> {
        match &self.locator {
            Locator::File(p) => {
                let mut file = File::open(p)?;
                self.decoded(&mut file, f)
            }
            Locator::Zip { archive, index } => {
                let mut zip = zip::ZipArchive::new(archive.open()?).map_err(io::Error::other)?;
                let member = zip.by_index(*index).map_err(io::Error::other)?;
                let mut limited = member.take(self.byte_limit);
                self.decoded(&mut limited, f)
            }
            Locator::Cab { archive, name } => {
                let mut cab = cab::Cabinet::new(archive.open()?)?;
                let member = cab.read_file(name)?;
                let mut limited = member.take(self.byte_limit);
                self.decoded(&mut limited, f)
            }
        }
    }

    /// The first `n` bytes of the input, decompressed (what sniffing needs).
    pub(crate) fn head(&self, n: u64) -> io::Result<Vec<u8>> {
        let Some(d) = self.decode else {
            return self.open_with(|r| {
                let mut buf = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(1 << 20));
                r.take(n).read_to_end(&mut buf).map(|_| buf)
            })?;
        };
        match &self.locator {
            Locator::File(p) => d.head(&mut File::open(p)?, n),
            _ => self.open_with(|r| d.head(r, n))?,
        }
    }

    fn decoded<T>(&self, raw: &mut dyn Read, f: impl FnOnce(&mut dyn Read) -> T) -> io::Result<T> {
        match self.decode {
            None => Ok(f(raw)),
            Some(d) => d.read_with(raw, f),
        }
    }

    /// Marks the input as compressed when its name (or, for files, its first bytes) says so; sniffing
    /// then sees the inner name (`CBS.log.gz` is sniffed as `CBS.log`).
    fn detect_compression(&mut self, magic: Option<&[u8; 4]>, limits: &Limits) {
        let by_name = Compression::from_name(&self.name);
        let format = match (magic.copied().and_then(Compression::from_magic), by_name) {
            (Some(m), _) => m,
            // Members are not opened during discovery: their suffix decides.
            (None, Some((c, _))) if magic.is_none() => c,
            _ => return,
        };
        if let Some((_, inner)) = by_name {
            self.name = inner.to_owned();
        }
        // Expanding costs time (an .xz is decompressed whole): only names that can hold evidence are.
        if !looks_like_evidence(&self.name) {
            self.listed_only = Some((
                SourceKind::Unknown,
                Some(
                    "compressed file whose inner name is not a log or export: not expanded"
                        .to_owned(),
                ),
            ));
        }
        self.decode = Some(Decode {
            format,
            limit: limits.max_member_bytes,
            in_memory: limits.max_in_memory,
        });
    }

    /// Reads the whole input into memory, up to `cap` bytes (an error beyond).
    pub(crate) fn read_all(&self, cap: u64) -> io::Result<Vec<u8>> {
        self.open_with(|r| {
            let mut buf = Vec::new();
            r.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
            if buf.len() as u64 > cap {
                return Err(io::Error::other(format!(
                    "larger than the {} MiB read limit",
                    cap >> 20
                )));
            }
            Ok(buf)
        })?
    }

    /// The path on disk, for plain files that are not compressed.
    pub(crate) fn file_path(&self) -> Option<&Path> {
        match &self.locator {
            Locator::File(p) if self.decode.is_none() => Some(p),
            _ => None,
        }
    }
}

/// Walks `paths` and returns every input found, archives expanded in place.
pub(crate) fn discover(paths: &[PathBuf], limits: &Limits) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut budget = limits.max_total_expanded;
    for path in paths {
        let display = path.display().to_string();
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => {
                out.push(refused(display, path, 0, format!("cannot open: {e}")));
                continue;
            }
        };
        if meta.is_dir() {
            walk_dir(path, limits, &mut budget, &mut out);
        } else {
            // A symlink named explicitly on the command line is the user's choice: follow it.
            add_file(path.clone(), display, limits, &mut budget, &mut out);
        }
    }
    out
}

fn refused(display: String, path: &Path, size: u64, reason: String) -> Candidate {
    Candidate {
        name: file_name(&display),
        display,
        size,
        locator: Locator::File(path.to_path_buf()),
        container: None,
        listed_only: Some((SourceKind::Unknown, Some(reason))),
        byte_limit: 0,
        decode: None,
    }
}

fn file_name(display: &str) -> String {
    display
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(display)
        .to_owned()
}

fn walk_dir(root: &Path, limits: &Limits, budget: &mut u64, out: &mut Vec<Candidate>) {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(64)
        .sort_by_file_name();
    for entry in walker {
        if out.len() >= limits.max_files {
            out.push(refused(
                root.display().to_string(),
                root,
                0,
                format!(
                    "more than {} files: the rest were not read",
                    limits.max_files
                ),
            ));
            return;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                out.push(refused(
                    p.display().to_string(),
                    &p,
                    0,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            out.push(refused(
                entry.path().display().to_string(),
                entry.path(),
                0,
                "symbolic link: not followed".to_owned(),
            ));
        } else if ft.is_file() {
            add_file(
                entry.path().to_path_buf(),
                entry.path().display().to_string(),
                limits,
                budget,
                out,
            );
        }
    }
}

fn magic(path: &Path) -> [u8; 4] {
    let mut m = [0u8; 4];
    if let Ok(mut f) = File::open(path) {
        let _ = f.read(&mut m);
    }
    m
}

fn add_file(
    path: PathBuf,
    display: String,
    limits: &Limits,
    budget: &mut u64,
    out: &mut Vec<Candidate>,
) {
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    let m = magic(&path);
    let archive = Arc::new(ArchiveBytes::File(path.clone()));
    let mut cand = Candidate {
        name: file_name(&display),
        display,
        size,
        locator: Locator::File(path),
        container: None,
        listed_only: None,
        byte_limit: u64::MAX,
        decode: None,
    };
    if &m == b"PK\x03\x04" || &m == b"PK\x05\x06" {
        cand.listed_only = Some((SourceKind::Zip, None));
        expand_zip(cand, &archive, 0, limits, budget, out);
    } else if &m == b"MSCF" {
        cand.listed_only = Some((SourceKind::Cab, None));
        expand_cab(cand, &archive, 0, limits, budget, out);
    } else {
        cand.detect_compression(Some(&m), limits);
        out.push(cand);
    }
}

/// True for member names that could escape a folder if extracted: absolute paths, drive letters, `..`.
pub(crate) fn unsafe_member_name(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/')
        || n.as_bytes().get(1) == Some(&b':')
        || n.split('/').any(|part| part == "..")
        || n.contains('\0')
}

fn expand_zip(
    mut container: Candidate,
    archive: &Arc<ArchiveBytes>,
    depth: u32,
    limits: &Limits,
    budget: &mut u64,
    out: &mut Vec<Candidate>,
) {
    let reader = match archive.open() {
        Ok(r) => r,
        Err(e) => {
            container.listed_only =
                Some((SourceKind::Zip, Some(format!("cannot open archive: {e}"))));
            out.push(container);
            return;
        }
    };
    let mut zip = match zip::ZipArchive::new(reader) {
        Ok(z) => z,
        Err(e) => {
            container.listed_only =
                Some((SourceKind::Zip, Some(format!("damaged zip archive: {e}"))));
            out.push(container);
            return;
        }
    };
    let parent_display = container.display.clone();
    let container_index = out.len();
    out.push(container);
    for index in 0..zip.len() {
        if out.len() >= limits.max_files {
            break;
        }
        let Ok(member) = zip.by_index_raw(index) else {
            out.push(member_refused(
                &parent_display,
                &format!("#{index}"),
                container_index,
                "unreadable entry",
            ));
            continue;
        };
        let name = member.name().map_or_else(
            |_| format!("#{index} (undecodable name)"),
            std::borrow::Cow::into_owned,
        );
        if member.is_dir() {
            continue;
        }
        let display = format!("{parent_display}!{name}");
        let refuse = |reason: String| Candidate {
            name: file_name(&name),
            display: display.clone(),
            size: member.size(),
            locator: Locator::Zip {
                archive: Arc::clone(archive),
                index,
            },
            container: Some(container_index),
            listed_only: Some((SourceKind::Unknown, Some(reason))),
            byte_limit: 0,
            decode: None,
        };
        if unsafe_member_name(&name) || member.enclosed_name().is_none() {
            out.push(refuse(
                "unsafe path in archive (absolute or `..`): not read".to_owned(),
            ));
            continue;
        }
        if member.is_symlink() {
            out.push(refuse("symbolic link in archive: not followed".to_owned()));
            continue;
        }
        if member.encrypted() {
            out.push(refuse("encrypted archive member: not read".to_owned()));
            continue;
        }
        let size = member.size();
        let packed = member.compressed_size().max(1);
        if size > 64 << 20 && size / packed > limits.max_ratio {
            out.push(refuse(format!(
                "expands {}× ({} MiB from {} KiB): refused as a possible zip bomb",
                size / packed,
                size >> 20,
                packed >> 10
            )));
            continue;
        }
        if *budget == 0 {
            out.push(refuse(
                "the bundle's total expansion limit was reached: not read".to_owned(),
            ));
            continue;
        }
        let byte_limit = size
            .min(limits.max_member_bytes)
            .min(*budget)
            .saturating_add(1 << 16);
        *budget = budget.saturating_sub(size);
        drop(member);
        let cand = Candidate {
            name: file_name(&name),
            display,
            size,
            locator: Locator::Zip {
                archive: Arc::clone(archive),
                index,
            },
            container: Some(container_index),
            listed_only: None,
            byte_limit,
            decode: None,
        };
        nest_or_push(cand, depth, limits, budget, out);
    }
}

fn member_refused(parent: &str, name: &str, container: usize, reason: &str) -> Candidate {
    Candidate {
        name: name.to_owned(),
        display: format!("{parent}!{name}"),
        size: 0,
        locator: Locator::File(PathBuf::new()),
        container: Some(container),
        listed_only: Some((SourceKind::Unknown, Some(reason.to_owned()))),
        byte_limit: 0,
        decode: None,
    }
}

/// An archive member that is itself an archive is opened in memory (bounded); others are pushed as they are.
fn nest_or_push(
    mut cand: Candidate,
    depth: u32,
    limits: &Limits,
    budget: &mut u64,
    out: &mut Vec<Candidate>,
) {
    let lower = cand.name.to_ascii_lowercase();
    let maybe_archive = lower.ends_with(".zip") || lower.ends_with(".cab");
    if !maybe_archive {
        cand.detect_compression(None, limits);
        out.push(cand);
        return;
    }
    let head = cand.open_with(|r| {
        let mut m = [0u8; 4];
        r.read_exact(&mut m).map(|()| m)
    });
    let kind = match head {
        Ok(Ok(m)) if &m == b"PK\x03\x04" || &m == b"PK\x05\x06" => SourceKind::Zip,
        Ok(Ok(m)) if &m == b"MSCF" => SourceKind::Cab,
        _ => {
            out.push(cand);
            return;
        }
    };
    if depth + 1 > limits.max_nesting {
        cand.listed_only = Some((
            kind,
            Some(format!(
                "archive nested deeper than {}: not opened",
                limits.max_nesting
            )),
        ));
        out.push(cand);
        return;
    }
    match cand.read_all(limits.max_in_memory) {
        Ok(bytes) => {
            let inner = Arc::new(ArchiveBytes::Memory(Arc::new(bytes)));
            cand.listed_only = Some((kind, None));
            if kind == SourceKind::Zip {
                expand_zip(cand, &inner, depth + 1, limits, budget, out);
            } else {
                expand_cab(cand, &inner, depth + 1, limits, budget, out);
            }
        }
        Err(e) => {
            cand.listed_only = Some((kind, Some(format!("nested archive not opened: {e}"))));
            out.push(cand);
        }
    }
}

fn expand_cab(
    mut container: Candidate,
    archive: &Arc<ArchiveBytes>,
    depth: u32,
    limits: &Limits,
    budget: &mut u64,
    out: &mut Vec<Candidate>,
) {
    let cab = archive.open().and_then(cab::Cabinet::new);
    let cab = match cab {
        Ok(c) => c,
        Err(e) => {
            container.listed_only = Some((SourceKind::Cab, Some(format!("damaged cabinet: {e}"))));
            out.push(container);
            return;
        }
    };
    let parent_display = container.display.clone();
    let container_index = out.len();
    out.push(container);
    let members: Vec<(String, u64)> = cab
        .folder_entries()
        .flat_map(cab::FolderEntry::file_entries)
        .map(|f| (f.name().to_owned(), u64::from(f.uncompressed_size())))
        .collect();
    // Cabinets hold rotated logs (CbsPersist_*.cab) but also update metadata with thousands of members
    // (WSUSSCAN.cab). Only members named like evidence are considered; the rest are counted once.
    let (members, others): (Vec<_>, Vec<_>) = members
        .into_iter()
        .partition(|(name, _)| looks_like_evidence(name));
    if members.is_empty()
        && let Some(c) = out.get_mut(container_index)
    {
        c.listed_only = Some((
            SourceKind::Cab,
            Some(format!(
                "{} members, none of them a log: not read",
                others.len()
            )),
        ));
    }
    for (name, size) in members {
        let display = format!("{parent_display}!{name}");
        let mut cand = Candidate {
            name: file_name(&name),
            display,
            size,
            locator: Locator::Cab {
                archive: Arc::clone(archive),
                name: name.clone(),
            },
            container: Some(container_index),
            listed_only: None,
            byte_limit: size.min(limits.max_member_bytes).saturating_add(1 << 16),
            decode: None,
        };
        if unsafe_member_name(&name) {
            cand.listed_only = Some((
                SourceKind::Unknown,
                Some("unsafe path in cabinet: not read".to_owned()),
            ));
            out.push(cand);
            continue;
        }
        *budget = budget.saturating_sub(size);
        nest_or_push(cand, depth, limits, budget, out);
    }
}

/// True for archive member names that can hold evidence (logs, event logs, exports, results).
fn looks_like_evidence(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".log", ".txt", ".evtx", ".reg", ".xml", ".json", ".csv", ".lo_", ".config", ".zip",
        ".cab", ".gz", ".zst", ".xz",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escaping_names() {
        for bad in [
            "../x.log",
            "a/../../x",
            "/etc/passwd",
            "C:\\Windows\\x",
            "..\\x",
        ] {
            assert!(unsafe_member_name(bad), "{bad}");
        }
        assert!(!unsafe_member_name("Logs/CBS/CBS.log"));
    }

    const LOG: &str = "2024-05-01 10:00:00, Error                 CBS    Failed to process package [HRESULT = 0x800f0922]\n";

    fn compressed(format: Compression, bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        match format {
            Compression::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(bytes).unwrap();
                e.finish().unwrap()
            }
            Compression::Zstd => ruzstd::encoding::compress_to_vec(
                bytes,
                ruzstd::encoding::CompressionLevel::Fastest,
            ),
            Compression::Xz => {
                let mut out = Vec::new();
                lzma_rs::xz_compress(&mut io::BufReader::new(bytes), &mut out).unwrap();
                out
            }
        }
    }

    fn read_back(c: &Candidate) -> io::Result<String> {
        c.open_with(|r| {
            let mut s = String::new();
            r.read_to_string(&mut s).map(|_| s)
        })?
    }

    #[test]
    fn compressed_logs_are_read_under_their_inner_name() {
        let dir = tempfile::tempdir().unwrap();
        for (format, suffix) in [
            (Compression::Gzip, "gz"),
            (Compression::Zstd, "zst"),
            (Compression::Xz, "xz"),
        ] {
            let path = dir.path().join(format!("CBS.log.{suffix}"));
            std::fs::write(&path, compressed(format, LOG.as_bytes())).unwrap();
            let found = discover(&[path], &Limits::default());
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].name, "CBS.log", "{suffix}");
            assert!(found[0].display.ends_with(suffix));
            assert!(
                found[0].file_path().is_none(),
                "compressed files are streamed, not mapped"
            );
            assert_eq!(read_back(&found[0]).unwrap(), LOG, "{suffix}");
        }
    }

    #[test]
    fn damaged_or_oversized_compressed_logs_fail_without_panicking() {
        let dir = tempfile::tempdir().unwrap();
        let big = LOG.repeat(10_000);
        for (format, suffix) in [
            (Compression::Gzip, "gz"),
            (Compression::Zstd, "zst"),
            (Compression::Xz, "xz"),
        ] {
            let bytes = compressed(format, big.as_bytes());
            let truncated = dir.path().join(format!("cut.log.{suffix}"));
            std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
            let found = discover(&[truncated], &Limits::default());
            assert!(
                read_back(&found[0]).is_err() || read_back(&found[0]).unwrap().len() < big.len()
            );

            // A small decompression budget cuts a stream off (or refuses it, for in-memory xz).
            let whole = dir.path().join(format!("whole.log.{suffix}"));
            std::fs::write(&whole, &bytes).unwrap();
            let limits = Limits {
                max_member_bytes: 1000,
                ..Limits::default()
            };
            let found = discover(&[whole], &limits);
            match read_back(&found[0]) {
                Ok(text) => assert_eq!(text.len(), 1000, "{suffix}"),
                Err(e) => assert!(e.to_string().contains("limit"), "{suffix}: {e}"),
            }
        }
    }
}
