//! The engine shared by every line-based format: decoding, record-aligned blocks, parallel reading.
//!
//! A text source is decoded to UTF-8 as it streams (UTF-16 with or without BOM is transcoded with
//! encoding_rs; UTF-8 passes through untouched, invalid bytes included), cut into blocks of about
//! [`BLOCK_SIZE`] bytes that always end just before a line where a new record starts (the format says
//! which lines do), and the blocks are parsed in parallel while the next ones are read. Each block is
//! numbered from line 1; the engine then shifts its locations into place. Memory is bounded by a few
//! blocks, whatever the size of the file.

use std::io::{self, Read};

use rayon::prelude::*;
use wudiag_evidence::{EvidenceBatch, Span};

use crate::ReadContext;

/// Target block size.
pub const BLOCK_SIZE: usize = 4 << 20;
/// Blocks parsed per parallel round.
const BLOCKS_PER_ROUND: usize = 4;

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
        carry: Vec::with_capacity(BLOCK_SIZE * 2),
        eof: false,
    };
    let mut line_base: u64 = 0;
    let mut pending = match splitter.next_round(&mut decoded, format) {
        Ok(b) => b,
        Err(e) => {
            ctx.issue(None, format!("read failed: {e}"));
            return;
        }
    };
    while !pending.is_empty() {
        let bytes: u64 = pending.iter().map(|b| b.len() as u64).sum();
        let (batches, next) = std::thread::scope(|s| {
            let worker = s.spawn(|| {
                pending
                    .par_iter()
                    .map(|block| {
                        let mut batch = ctx.batch();
                        format.read_block(block, &mut batch);
                        batch.lines = memchr::memchr_iter(b'\n', block).count() as u64;
                        batch
                    })
                    .collect::<Vec<_>>()
            });
            let next = splitter.next_round(&mut decoded, format);
            (worker.join(), next)
        });
        let Ok(batches) = batches else {
            ctx.issue(
                None,
                "a block could not be parsed (internal error); the rest of the source was skipped",
            );
            return;
        };
        for mut batch in batches {
            let lines = batch.lines;
            batch.shift_lines(line_base);
            line_base += lines;
            ctx.emit(batch);
        }
        ctx.progress(bytes);
        pending = match next {
            Ok(b) => b,
            Err(e) => {
                ctx.issue(
                    Some(Span::line(line_base + 1)),
                    format!("read failed: {e}; the rest of the source was skipped"),
                );
                return;
            }
        };
    }
}

struct BlockSplitter {
    carry: Vec<u8>,
    eof: bool,
}

impl BlockSplitter {
    fn fill(&mut self, reader: &mut dyn Read, want: usize) -> io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        while self.carry.len() < want && !self.eof {
            match reader.read(&mut chunk) {
                Ok(0) => self.eof = true,
                Ok(n) => self
                    .carry
                    .extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Keep what was read; the caller reports the error after parsing it.
                    self.eof = true;
                    if self.carry.is_empty() {
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    fn next_round(
        &mut self,
        reader: &mut dyn Read,
        format: &dyn TextFormat,
    ) -> io::Result<Vec<Vec<u8>>> {
        let mut blocks = Vec::with_capacity(BLOCKS_PER_ROUND);
        while blocks.len() < BLOCKS_PER_ROUND {
            match self.next_block(reader, format)? {
                Some(b) => blocks.push(b),
                None => break,
            }
        }
        Ok(blocks)
    }

    fn next_block(
        &mut self,
        reader: &mut dyn Read,
        format: &dyn TextFormat,
    ) -> io::Result<Option<Vec<u8>>> {
        self.fill(reader, BLOCK_SIZE * 2)?;
        if self.carry.is_empty() {
            return Ok(None);
        }
        if self.carry.len() <= BLOCK_SIZE && self.eof {
            return Ok(Some(std::mem::take(&mut self.carry)));
        }
        let cut = find_cut(&self.carry, BLOCK_SIZE, format).unwrap_or(self.carry.len());
        let rest = self.carry.split_off(cut);
        let block = std::mem::replace(&mut self.carry, rest);
        self.carry.reserve(BLOCK_SIZE * 2);
        Ok(Some(block))
    }
}

/// Finds where to end a block: the start of the first record-starting line at or after `target`; failing
/// that, the last line start before the buffer's end; failing that (one giant line), `target` itself.
fn find_cut(buf: &[u8], target: usize, format: &dyn TextFormat) -> Option<usize> {
    let tail = buf.get(target..)?;
    let first_nl = memchr::memchr(b'\n', tail)?;
    let mut line_start = target + first_nl + 1;
    let mut last_line_start = line_start;
    while line_start < buf.len() {
        let rest = buf.get(line_start..)?;
        let end = memchr::memchr(b'\n', rest).map_or(buf.len(), |e| line_start + e);
        let line = trim_cr(buf.get(line_start..end)?);
        if format.starts_record(line) {
            return Some(line_start);
        }
        last_line_start = line_start;
        line_start = end + 1;
    }
    Some(last_line_start.max(target))
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
