//! Reads servicing logs the way `wudiag sources` does (default `Retention::Diagnostic`) and prints what
//! was found: the measuring stick for the CBS.log throughput target (`bench/sources_cbs_1g.sh`).
//!
//! ```text
//! cargo run --release -p wudiag-readers --example read_cbs -- BIG.log [--all]
//! cargo run --release -p wudiag-readers --example read_cbs -- BIG.log --direct       # extractor alone, 1 thread
//! cargo run --release -p wudiag-readers --example read_cbs -- BIG.log --engine-noop  # engine alone (a copy), no-op format
//! cargo run --release -p wudiag-readers --example read_cbs -- BIG.log --engine-proto # proposed engine + CBS extractor
//! ```
//!
//! `--engine-proto` is a prototype of a leaner reading loop for `text.rs`: block buffers are recycled
//! (no fresh 8 MiB allocation, page faults and zeroing per block), the file is read straight into them
//! in 1 MiB reads (no 64 KiB bounce buffer), a block ends at the last record start before its end so
//! only the unfinished record is copied to the next buffer (instead of the 4 MiB `split_off`), and the
//! line count comes from the reader when it sets `batch.lines`.
//!
//! `--direct` and `--engine-noop` split the cost between the CBS extractor and the text engine: the
//! first reads the file into memory and hands record-aligned 4 MiB blocks to the extractor on one thread;
//! the second runs a copy of the engine's reading loop with a format that only counts lines.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use std::io::Read;

use wudiag_evidence::{EvidenceBatch, Retention, SourceId};
use wudiag_readers::text::{BLOCK_SIZE, TextFormat};
use wudiag_readers::{ReadOptions, cbs_log, read_paths};

/// Record-aligned block ends, as the engine cuts them.
fn cut(buf: &[u8], target: usize) -> usize {
    let Some(tail) = buf.get(target..) else {
        return buf.len();
    };
    let Some(nl) = memchr::memchr(b'\n', tail) else {
        return buf.len();
    };
    let mut at = target + nl + 1;
    while at < buf.len() {
        let rest = &buf[at..];
        let end = memchr::memchr(b'\n', rest).map_or(buf.len(), |e| at + e);
        let line = wudiag_readers::text::trim_cr(&buf[at..end]);
        if cbs_log::READER.starts_record(line) {
            return at;
        }
        at = end + 1;
    }
    buf.len()
}

/// The extractor alone: whole file in memory, blocks handed over on this thread.
fn direct(path: &str, retention: Retention) {
    let data = std::fs::read(path).expect("readable file");
    let t = Instant::now();
    let mut pos = 0;
    let (mut ok, mut kept, mut blocks) = (0u64, 0usize, 0usize);
    while pos < data.len() {
        let end = pos + cut(&data[pos..], BLOCK_SIZE.min(data.len() - pos));
        let mut batch = EvidenceBatch::new(SourceId(0), retention);
        cbs_log::READER.read_block(&data[pos..end], &mut batch);
        ok += batch.stats.records_ok;
        kept += batch.events.len();
        blocks += 1;
        pos = end;
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "direct: {blocks} blocks, {ok} records, {kept} events materialised, {secs:.3} s on one thread: {:.0} MB/s",
        data.len() as f64 / 1e6 / secs
    );
}

/// A copy of the engine's reading loop (text::read_text) with a format that only counts lines.
fn engine_noop(path: &str) {
    use rayon::prelude::*;
    let t = Instant::now();
    let mut f = std::fs::File::open(path).expect("readable file");
    let mut carry: Vec<u8> = Vec::with_capacity(BLOCK_SIZE * 2);
    let mut eof = false;
    let mut lines = 0u64;
    let mut next_round = |carry: &mut Vec<u8>, eof: &mut bool| -> Vec<Vec<u8>> {
        let mut blocks = Vec::new();
        while blocks.len() < 4 {
            let mut chunk = vec![0u8; 64 * 1024];
            while carry.len() < BLOCK_SIZE * 2 && !*eof {
                match f.read(&mut chunk) {
                    Ok(0) | Err(_) => *eof = true,
                    Ok(n) => carry.extend_from_slice(&chunk[..n]),
                }
            }
            if carry.is_empty() {
                break;
            }
            if carry.len() <= BLOCK_SIZE && *eof {
                blocks.push(std::mem::take(carry));
                continue;
            }
            let c = cut(carry, BLOCK_SIZE);
            let rest = carry.split_off(c);
            blocks.push(std::mem::replace(carry, rest));
            carry.reserve(BLOCK_SIZE * 2);
        }
        blocks
    };
    let mut pending = next_round(&mut carry, &mut eof);
    while !pending.is_empty() {
        let (counts, next) = std::thread::scope(|s| {
            let w = s.spawn(|| {
                pending
                    .par_iter()
                    .map(|b| memchr::memchr_iter(b'\n', b).count() as u64)
                    .sum::<u64>()
            });
            let next = next_round(&mut carry, &mut eof);
            (w.join().unwrap_or(0), next)
        });
        lines += counts;
        pending = next;
    }
    eprintln!(
        "engine-noop: {lines} lines in {:.3} s",
        t.elapsed().as_secs_f64()
    );
}

/// The proposed engine loop: recycled buffers, direct reads, backward cut, rounds of 4 blocks parsed in
/// parallel while the next round is read.
fn engine_proto(path: &str, retention: Retention) {
    use rayon::prelude::*;
    const READ: usize = 1 << 20;
    let t = Instant::now();
    let mut f = std::fs::File::open(path).expect("readable file");
    let mut free: Vec<Vec<u8>> = Vec::new();
    let mut tail: Vec<u8> = Vec::new();
    let mut eof = false;
    let mut fill_block =
        |free: &mut Vec<Vec<u8>>, tail: &mut Vec<u8>, eof: &mut bool| -> Option<Vec<u8>> {
            let mut buf = free
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(BLOCK_SIZE + READ));
            buf.clear();
            buf.extend_from_slice(tail);
            tail.clear();
            while buf.len() < BLOCK_SIZE && !*eof {
                let len = buf.len();
                buf.resize(len + READ, 0);
                match f.read(&mut buf[len..]) {
                    Ok(0) | Err(_) => {
                        buf.truncate(len);
                        *eof = true;
                    }
                    Ok(n) => buf.truncate(len + n),
                }
            }
            if buf.is_empty() {
                free.push(buf);
                return None;
            }
            if !*eof {
                // Cut before the last line that starts a record; carry the unfinished record over.
                let mut end = buf.len();
                let mut cut_at = None;
                while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
                    let line_start = nl + 1;
                    let line_end = memchr::memchr(b'\n', &buf[line_start..])
                        .map_or(buf.len(), |e| line_start + e);
                    if line_end < buf.len() || *eof {
                        let line = wudiag_readers::text::trim_cr(&buf[line_start..line_end]);
                        if cbs_log::READER.starts_record(line) && line_start > 0 {
                            cut_at = Some(line_start);
                            break;
                        }
                    }
                    if nl == 0 || buf.len() - nl > BLOCK_SIZE / 2 {
                        break;
                    }
                    end = nl;
                }
                if let Some(c) = cut_at {
                    tail.extend_from_slice(&buf[c..]);
                    buf.truncate(c);
                }
            }
            Some(buf)
        };
    let (mut ok, mut kept) = (0u64, 0usize);
    let mut next_round = |free: &mut Vec<Vec<u8>>, tail: &mut Vec<u8>, eof: &mut bool| {
        let mut v = Vec::new();
        while v.len() < 4 {
            match fill_block(free, tail, eof) {
                Some(b) => v.push(b),
                None => break,
            }
        }
        v
    };
    let mut pending = next_round(&mut free, &mut tail, &mut eof);
    let mut spare: Vec<Vec<u8>> = Vec::new();
    while !pending.is_empty() {
        let (batches, next) = std::thread::scope(|s| {
            let w = s.spawn(|| {
                pending
                    .par_iter()
                    .map(|b| {
                        let mut batch = EvidenceBatch::new(SourceId(0), retention);
                        cbs_log::READER.read_block(b, &mut batch);
                        batch
                    })
                    .collect::<Vec<_>>()
            });
            let next = next_round(&mut spare, &mut tail, &mut eof);
            (w.join().unwrap_or_default(), next)
        });
        for b in batches {
            ok += b.stats.records_ok;
            kept += b.events.len();
        }
        spare.append(&mut pending);
        pending = next;
    }
    drop(free);
    eprintln!(
        "engine-proto: {ok} records, {kept} events in {:.3} s",
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    let mut retention = Retention::Diagnostic;
    let mut mode = "";
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--all" => retention = Retention::All,
            "--direct" => mode = "direct",
            "--engine-noop" => mode = "noop",
            "--engine-proto" => mode = "proto",
            _ => paths.push(a.into()),
        }
    }
    if let (Some(p), "direct" | "noop" | "proto") = (paths.first(), mode) {
        let p = p.to_string_lossy().into_owned();
        match mode {
            "direct" => direct(&p, retention),
            "noop" => engine_noop(&p),
            _ => engine_proto(&p, retention),
        }
        return;
    }
    if paths.is_empty() {
        eprintln!("usage: read_cbs PATH... [--all]");
        std::process::exit(2);
    }
    let t = Instant::now();
    let ev = read_paths(
        &paths,
        &ReadOptions {
            retention,
            ..ReadOptions::default()
        },
    );
    let secs = t.elapsed().as_secs_f64();
    let mut bytes = 0;
    for s in ev.sources() {
        bytes += s.size;
        println!(
            "{} {} size={} ok={} failed={} sev={:?} kept={} dropped={} codes={}",
            s.path,
            s.kind.as_str(),
            s.size,
            s.stats.records_ok,
            s.stats.records_failed,
            s.stats.by_severity,
            s.stats.events_kept,
            s.stats.events_dropped,
            s.stats.codes.len()
        );
    }
    let f = ev.facts();
    println!(
        "events={} facts: servicing_stack={} os={} pending_reboot={} issues={}",
        ev.events().len(),
        f.servicing_stack.len(),
        f.os.len(),
        f.pending_reboot.len(),
        ev.read_issues().len()
    );
    eprintln!(
        "read {:.1} MB in {secs:.3} s: {:.0} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs
    );
}
