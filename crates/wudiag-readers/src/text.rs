//! The engine shared by every line-based format: decoding, record-aligned blocks, parallel reading.
//!
//! A text source is decoded to UTF-8 as it streams (UTF-16 with or without BOM is transcoded with
//! encoding_rs; UTF-8 passes through untouched, invalid bytes included), cut into blocks of about
//! [`BLOCK_SIZE`] bytes that always end just before a line where a new record starts (the format says
//! which lines do), and the blocks are parsed in parallel while the next ones are read. Each block is
//! numbered from line 1; the engine then shifts its locations into place. Memory is bounded by a few
//! blocks, whatever the size of the file.

use std::io::{self, Read};

use wudiag_evidence::{EvidenceBatch, Span};

use crate::ReadContext;

/// Target block size.
pub const BLOCK_SIZE: usize = 4 << 20;
/// Blocks parsed per parallel round.
const BLOCKS_PER_ROUND: usize = 8;

/// A line-based format: where records start, and how to read a block of them.
pub trait TextFormat: Sync {
    /// True when `line` (without its line ending) starts a new record. Blocks are only cut before such
    /// lines, so a multi-line record is never split (unless it is longer than a block).
    fn starts_record(&self, line: &[u8]) -> bool;

    /// Parses every record of `block` (lines numbered from 1) into `batch`.
    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch);
}

/// The text encoding of a source, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (or ASCII, or ANSI bytes passed through as they are).
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little endian.
    Utf16Le,
    /// UTF-16 big endian.
    Utf16Be,
}

impl TextEncoding {
    /// Guesses the encoding from the first bytes: BOMs first, then the zero bytes that betray UTF-16 text
    /// without one.
    pub fn sniff(head: &[u8]) -> Self {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => Self::Utf8Bom,
            [0xFF, 0xFE, ..] => Self::Utf16Le,
            [0xFE, 0xFF, ..] => Self::Utf16Be,
            _ => {
                let sample = head.get(..head.len().min(512)).unwrap_or_default();
                if sample.len() < 4 {
                    return Self::Utf8;
                }
                let zeros_odd = sample
                    .iter()
                    .skip(1)
                    .step_by(2)
                    .filter(|&&b| b == 0)
                    .count();
                let zeros_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
                let half = sample.len() / 2;
                if zeros_odd * 10 > half * 7 && zeros_even * 10 < half {
                    Self::Utf16Le
                } else if zeros_even * 10 > half * 7 && zeros_odd * 10 < half {
                    Self::Utf16Be
                } else {
                    Self::Utf8
                }
            }
        }
    }

    /// The name shown in `wudiag sources`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Utf8Bom => "utf-8-bom",
            Self::Utf16Le => "utf-16le",
            Self::Utf16Be => "utf-16be",
        }
    }

    fn encoding_rs(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Self::Utf8 | Self::Utf8Bom => None,
            Self::Utf16Le => Some(encoding_rs::UTF_16LE),
            Self::Utf16Be => Some(encoding_rs::UTF_16BE),
        }
    }
}

/// Wraps `reader` so that it yields UTF-8 (BOM removed).
pub fn decoding_reader<'a>(reader: &'a mut dyn Read, encoding: TextEncoding) -> Box<dyn Read + 'a> {
    match encoding {
        TextEncoding::Utf8 => Box::new(reader),
        TextEncoding::Utf8Bom => {
            let mut bom = [0u8; 3];
            // The BOM was seen in the head; drop it. A failed read shows up on the next read.
            let _ = reader.read_exact(&mut bom);
            Box::new(reader)
        }
        other => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(other.encoding_rs())
                .bom_override(true)
                .strip_bom(true)
                .build(reader),
        ),
    }
}

/// Decodes a whole small buffer (a sniffing head, a small file) to UTF-8 text.
pub fn decode_bytes(bytes: &[u8]) -> String {
    let enc = TextEncoding::sniff(bytes);
    match enc {
        TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        TextEncoding::Utf8Bom => {
            String::from_utf8_lossy(bytes.get(3..).unwrap_or_default()).into_owned()
        }
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let e = enc.encoding_rs().unwrap_or(encoding_rs::UTF_16LE);
            let (text, _, _) = e.decode(bytes);
            text.trim_start_matches('\u{feff}').to_owned()
        }
    }
}

/// Reads a whole text source with `format`, emitting one batch per block, in order.
pub fn read_text(
    reader: &mut dyn Read,
    encoding: TextEncoding,
    format: &dyn TextFormat,
    ctx: &ReadContext<'_>,
) {
    let mut decoded = decoding_reader(reader, encoding);
    let mut splitter = BlockSplitter {
        carry: Vec::new(),
        pool: Vec::new(),
        eof: false,
        error: None,
    };
    let mut line_base: u64 = 0;
    let mut pending = splitter.next_round(&mut decoded, format);
    // Batches of the previous round, handed on while the current round is parsed.
    let mut parsed: Vec<EvidenceBatch> = Vec::new();
    let mut parsed_bytes = 0;
    let mut hand_on = |batches: &mut Vec<EvidenceBatch>, bytes: u64| {
        for mut batch in batches.drain(..) {
            let lines = batch.lines;
            batch.shift_lines(line_base);
            line_base += lines;
            ctx.emit(batch);
        }
        if bytes > 0 {
            ctx.progress(bytes);
        }
    };
    while !pending.is_empty() {
        let bytes: u64 = pending.iter().map(|b| b.len() as u64).sum();
        // While the blocks are parsed on the pool, this thread hands on the previous round's batches and
        // reads the next round. An in-place scope lets it (often a pool worker itself) then help with the
        // parsing, so reading many sources at once can never starve the pool.
        let mut slots: Vec<Option<EvidenceBatch>> = pending.iter().map(|_| None).collect();
        let next = rayon::in_place_scope(|s| {
            for (block, slot) in pending.iter().zip(slots.iter_mut()) {
                s.spawn(move |_| {
                    let mut batch = ctx.batch();
                    format.read_block(block, &mut batch);
                    if batch.lines == 0 {
                        batch.lines = memchr::memchr_iter(b'\n', block).count() as u64;
                    }
                    *slot = Some(batch);
                });
            }
            hand_on(&mut parsed, parsed_bytes);
            splitter.next_round(&mut decoded, format)
        });
        splitter.pool.append(&mut pending);
        parsed.extend(slots.into_iter().flatten());
        parsed_bytes = bytes;
        pending = next;
    }
    hand_on(&mut parsed, parsed_bytes);
    if let Some(e) = splitter.error {
        ctx.issue(
            Some(Span::line(line_base + 1)),
            format!("read failed: {e}; the rest of the source was skipped"),
        );
    }
}

/// Cuts a stream into record-aligned blocks, reusing block buffers and carrying only the unfinished
/// record from one block to the next.
struct BlockSplitter {
    /// The unfinished record at the end of the previous block.
    carry: Vec<u8>,
    /// Buffers of blocks already parsed, ready for reuse.
    pool: Vec<Vec<u8>>,
    eof: bool,
    error: Option<io::Error>,
}

impl BlockSplitter {
    fn next_round(&mut self, reader: &mut dyn Read, format: &dyn TextFormat) -> Vec<Vec<u8>> {
        let mut blocks = Vec::with_capacity(BLOCKS_PER_ROUND);
        while blocks.len() < BLOCKS_PER_ROUND {
            match self.next_block(reader, format) {
                Some(b) => blocks.push(b),
                None => break,
            }
        }
        blocks
    }

    /// Reads up to `want` more bytes straight into `buf`.
    fn fill(&mut self, reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) {
        if self.eof {
            return;
        }
        loop {
            match reader.take(want as u64).read_to_end(buf) {
                Ok(0) => {
                    self.eof = true;
                    return;
                }
                Ok(_) => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Keep what was read; the error is reported after it is parsed.
                    self.eof = true;
                    self.error = Some(e);
                    return;
                }
            }
        }
    }

    fn next_block(&mut self, reader: &mut dyn Read, format: &dyn TextFormat) -> Option<Vec<u8>> {
        let mut buf = self.pool.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        loop {
            let before = buf.len();
            self.fill(reader, &mut buf, BLOCK_SIZE);
            if self.eof {
                return (!buf.is_empty()).then_some(buf);
            }
            // Cut before the last record start, so only an unfinished record is carried over.
            if let Some(cut) = last_record_start(&buf, before.saturating_sub(1), format) {
                self.carry
                    .extend_from_slice(buf.get(cut..).unwrap_or_default());
                buf.truncate(cut);
                return Some(buf);
            }
            // One record longer than a block: cut at the last line end, or mid-line for a giant line.
            if buf.len() >= BLOCK_SIZE * 4 {
                let cut = memchr::memrchr(b'\n', &buf).map_or(buf.len(), |p| p + 1);
                self.carry
                    .extend_from_slice(buf.get(cut..).unwrap_or_default());
                buf.truncate(cut);
                return Some(buf);
            }
        }
    }
}

/// The start of the last line (after the first line of `buf`, and not before `from`) that starts a record.
fn last_record_start(buf: &[u8], from: usize, format: &dyn TextFormat) -> Option<usize> {
    let mut end = buf.len();
    while let Some(nl) = memchr::memrchr(b'\n', buf.get(..end)?) {
        let line_start = nl + 1;
        if line_start < buf.len() {
            let line_end =
                memchr::memchr(b'\n', buf.get(line_start..)?).map_or(buf.len(), |e| line_start + e);
            if format.starts_record(trim_cr(buf.get(line_start..line_end)?)) {
                return Some(line_start);
            }
        }
        if nl < from {
            return None;
        }
        end = nl;
    }
    None
}

/// Strips a trailing `\r`.
pub fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// One raw record: consecutive lines from a record start to the line before the next one.
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'a> {
    /// First line number (1-based within the block).
    pub first_line: u64,
    /// Last line number.
    pub last_line: u64,
    /// The record's bytes, line endings inside included, the final one removed.
    pub text: &'a [u8],
}

impl RawRecord<'_> {
    /// The record's line span.
    pub const fn span(&self) -> Span {
        Span::Lines {
            first: self.first_line,
            last: self.last_line,
        }
    }

    /// The first line of the record.
    pub fn first_line_text(&self) -> &[u8] {
        trim_cr(
            memchr::memchr(b'\n', self.text)
                .map_or(self.text, |e| self.text.get(..e).unwrap_or_default()),
        )
    }
}

/// Groups the lines of `block` into records: a record starts at each line for which `starts` is true and
/// runs until the next one. Lines before the first record start form a record of their own (the tail of
/// a record cut by a truncated file), so nothing is lost.
pub fn records<'a>(
    block: &'a [u8],
    starts: impl Fn(&[u8]) -> bool + 'a,
) -> impl Iterator<Item = RawRecord<'a>> + 'a {
    let mut pos = 0usize;
    let mut line_no: u64 = 0;
    std::iter::from_fn(move || {
        if pos >= block.len() {
            return None;
        }
        let start = pos;
        let first = line_no + 1;
        let mut end_of_record = start;
        let mut first_line = true;
        loop {
            let rest = block.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                break;
            }
            let (line_end, next) = match memchr::memchr(b'\n', rest) {
                Some(e) => (pos + e, pos + e + 1),
                None => (block.len(), block.len()),
            };
            let line = trim_cr(block.get(pos..line_end).unwrap_or_default());
            if !first_line && starts(line) {
                break;
            }
            first_line = false;
            line_no += 1;
            end_of_record = line_end;
            pos = next;
        }
        let text = trim_cr(block.get(start..end_of_record).unwrap_or_default());
        Some(RawRecord {
            first_line: first,
            last_line: line_no,
            text,
        })
    })
}

/// Every line of `block` with its 1-based number, line endings removed.
pub fn lines(block: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let body = block.strip_suffix(b"\n").unwrap_or(block);
    body.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, trim_cr(l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_group_continuations() {
        let block = b"A one\r\n  cont\r\nA two\nA three\n";
        let recs: Vec<_> = records(block, |l| l.starts_with(b"A")).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!((recs[0].first_line, recs[0].last_line), (1, 2));
        assert_eq!(recs[0].text, b"A one\r\n  cont");
        assert_eq!((recs[2].first_line, recs[2].text), (4, &b"A three"[..]));
        let orphan: Vec<_> = records(b"tail of cut\nA x", |l| l.starts_with(b"A")).collect();
        assert_eq!(orphan.len(), 2);
    }

    #[test]
    fn sniffs_encodings() {
        assert_eq!(
            TextEncoding::sniff(b"\xEF\xBB\xBFabc"),
            TextEncoding::Utf8Bom
        );
        assert_eq!(
            TextEncoding::sniff(b"\xFF\xFEa\0b\0"),
            TextEncoding::Utf16Le
        );
        assert_eq!(
            TextEncoding::sniff(b"H\0o\0t\0f\0i\0x\0"),
            TextEncoding::Utf16Le
        );
        assert_eq!(TextEncoding::sniff(b"plain text"), TextEncoding::Utf8);
        assert_eq!(decode_bytes(b"\xFF\xFEa\0b\0"), "ab");
    }
}
