#!/usr/bin/env bash
# Compares what wudiag reads from the corpus event logs with two other EVTX parsers:
#   * evtx_dump (the CLI of the `evtx` crate wudiag uses; `cargo install evtx --locked`): must match
#     wudiag exactly, per WindowsUpdateClient event id and in total records;
#   * python-evtx (PyPI, an independent parser): wudiag must never read fewer records. python-evtx
#     reads only the chunks the file header counts, so on a dirty log (not closed cleanly) it misses
#     the newest chunks; the script says which chunks and which events.
#
# Usage: tests/evtx_compare.sh [FILE.evtx...]    (default: every .evtx file of the corpus)
# Env:   WUDIAG_CORPUS   corpus folder (default: testdata/corpus)
#        EVTX_COMPARE_OUT work folder (default: target/evtx_compare): tools, venv, dumps
#        WUDIAG_COUNTS   events | example | auto (default): how wudiag's per-id counts are obtained —
#                        `wudiag events FILE --format jsonl`, or the evtx_counts example of
#                        wudiag-readers; auto uses the command when it works and falls back otherwise.
#        EVTX_DUMP       path of the Rust evtx_dump to use.
#        EVTX_COUNTS_BIN a prebuilt evtx_counts example binary (skips building it).
# Exit:  0 all agree, 1 wudiag differs from evtx_dump or reads fewer than python-evtx, 2 setup failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${WUDIAG_CORPUS:-$ROOT/testdata/corpus}
OUT=${EVTX_COMPARE_OUT:-$ROOT/target/evtx_compare}
MODE=${WUDIAG_COUNTS:-auto}
mkdir -p "$OUT/dumps"

if [ $# -gt 0 ]; then
    FILES=("$@")
else
    shopt -s nullglob
    FILES=("$CORPUS"/evtx/*.evtx)
    shopt -u nullglob
fi
if [ ${#FILES[@]} -eq 0 ]; then
    echo "no .evtx files found (corpus: $CORPUS; set WUDIAG_CORPUS)" >&2
    exit 2
fi

say() { echo "== $*" >&2; }

# --- evtx_dump (Rust). python-evtx installs a script with the same name, so check which one it is. ---
is_rust_evtx_dump() { [ -x "$1" ] && "$1" --help 2>/dev/null | grep -q -- '--separate-json-attributes'; }
EVTX_DUMP=${EVTX_DUMP:-}
if [ -z "$EVTX_DUMP" ]; then
    for cand in "$(command -v evtx_dump 2>/dev/null || true)" "$HOME/.cargo/bin/evtx_dump" "$OUT/tools/bin/evtx_dump"; do
        if [ -n "$cand" ] && is_rust_evtx_dump "$cand"; then EVTX_DUMP=$cand; break; fi
    done
fi
if [ -z "$EVTX_DUMP" ]; then
    say "installing evtx_dump (cargo install evtx --locked) into $OUT/tools"
    cargo install evtx --locked --root "$OUT/tools" >&2 || { echo "cannot install evtx_dump" >&2; exit 2; }
    EVTX_DUMP=$OUT/tools/bin/evtx_dump
fi
is_rust_evtx_dump "$EVTX_DUMP" || { echo "$EVTX_DUMP is not the Rust evtx_dump" >&2; exit 2; }

# --- python-evtx in a private venv. ---
VENV=$OUT/venv
if ! "$VENV/bin/python" -c 'import Evtx.Evtx' 2>/dev/null; then
    say "installing python-evtx into $VENV"
    python3 -m venv "$VENV" >&2 || { echo "cannot create a venv (python3 -m venv)" >&2; exit 2; }
    "$VENV/bin/pip" install --quiet python-evtx >&2 || { echo "cannot install python-evtx" >&2; exit 2; }
fi
PY=$VENV/bin/python

# --- wudiag. ---
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])') || TARGET_DIR=$ROOT/target
COUNTS_BIN=${EVTX_COUNTS_BIN:-}
if [ -z "$COUNTS_BIN" ]; then
    say "building wudiag-readers' evtx_counts example (release)"
    (cd "$ROOT" && cargo build --quiet --release -p wudiag-readers --example evtx_counts >&2) || {
        echo "cannot build the evtx_counts example" >&2
        exit 2
    }
    COUNTS_BIN=$TARGET_DIR/release/examples/evtx_counts
fi
WUDIAG_BIN=""
if [ "$MODE" != example ]; then
    if (cd "$ROOT" && cargo build --quiet --release -p wudiag >&2 2>/dev/null); then
        WUDIAG_BIN=$TARGET_DIR/release/wudiag
    fi
    if [ -n "$WUDIAG_BIN" ] && ! "$WUDIAG_BIN" events --help 2>/dev/null | grep -q -- '--format'; then
        WUDIAG_BIN=""
    fi
    if [ -z "$WUDIAG_BIN" ] && [ "$MODE" = events ]; then
        echo "WUDIAG_COUNTS=events but \`wudiag events --format jsonl\` is not available" >&2
        exit 2
    fi
fi

# --- dump every file with each tool. ---
MANIFEST=$OUT/dumps/manifest.tsv
: > "$MANIFEST"
for f in "${FILES[@]}"; do
    b=$(basename "$f" .evtx)
    d=$OUT/dumps/$b
    "$EVTX_DUMP" -o jsonl "$f" > "$d.evtx_dump.jsonl" 2> "$d.evtx_dump.err" || true
    "$COUNTS_BIN" "$f" > "$d.wudiag_counts.json" 2> "$d.wudiag_counts.err" || true
    ev=""
    if [ -n "$WUDIAG_BIN" ]; then
        if "$WUDIAG_BIN" events "$f" --format jsonl > "$d.wudiag_events.jsonl" 2> "$d.wudiag_events.err"; then
            ev=$d.wudiag_events.jsonl
        else
            # events exits non-zero for reasons other than failure (e.g. findings); keep what it printed
            [ -s "$d.wudiag_events.jsonl" ] && ev=$d.wudiag_events.jsonl
        fi
        if [ -n "$ev" ] && ! grep -q '"event_id"' "$ev" && [ -s "$ev" ]; then
            ev=""
        fi
        if [ -z "$ev" ] && [ "$MODE" = events ]; then
            echo "wudiag events gave no usable JSON lines for $f (see $d.wudiag_events.err)" >&2
            exit 2
        fi
    fi
    printf '%s\t%s\t%s\n' "$f" "$d" "$ev" >> "$MANIFEST"
done

# --- count, compare, explain. ---
"$PY" - "$MANIFEST" <<'PYEOF'
import collections, json, re, struct, sys

import Evtx.Evtx as pyevtx

WUC = "Microsoft-Windows-WindowsUpdateClient"
manifest = sys.argv[1]


def event_id(v):
    if isinstance(v, dict):
        v = v.get("#text")
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def count_evtx_dump(d):
    per_id, ids, total = collections.Counter(), {}, 0
    with open(d + ".evtx_dump.jsonl", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            total += 1
            sysd = json.loads(line)["Event"]["System"]
            prov = (sysd.get("Provider") or {}).get("#attributes", {}).get("Name")
            rid = sysd.get("EventRecordID")
            ids[rid] = (prov, event_id(sysd.get("EventID")))
            if prov == WUC:
                per_id[event_id(sysd.get("EventID"))] += 1
    errors = sum(1 for l in open(d + ".evtx_dump.err", errors="replace") if l.strip())
    return total, per_id, ids, errors


def count_python_evtx(path):
    per_id, ids, total, stop = collections.Counter(), {}, 0, None
    try:
        with pyevtx.Evtx(path) as log:
            for rec in log.records():
                try:
                    x = rec.xml()
                except Exception as e:  # a record it cannot render
                    stop = stop or f"record {rec.record_num()}: {type(e).__name__}"
                    continue
                total += 1
                p = re.search(r'<Provider Name="([^"]*)"', x)
                i = re.search(r"<EventID[^>]*>(\d+)<", x)
                prov, eid = (p.group(1) if p else None), (int(i.group(1)) if i else None)
                ids[rec.record_num()] = (prov, eid)
                if prov == WUC:
                    per_id[eid] += 1
    except Exception as e:
        stop = f"{type(e).__name__}: {e}"
    return total, per_id, ids, stop


def count_wudiag(d, events_file):
    with open(d + ".wudiag_counts.json", encoding="utf-8") as fh:
        c = json.loads(fh.readline())
    per_id = collections.Counter({int(k): v for k, v in c["events"].get(WUC, {}).items()})
    source = "example"
    if events_file:
        ev = collections.Counter()
        with open(events_file, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                o = json.loads(line)
                if o.get("component") == WUC:
                    ev[event_id(o.get("event_id"))] += 1
        if ev != per_id:
            print(f"  note: `wudiag events` and the evtx_counts example disagree: {dict(ev)} vs {dict(per_id)}")
        per_id, source = ev, "wudiag events"
    return c["records_ok"], c["records_failed"], per_id, source, c.get("issues", [])


def header_and_chunks(path):
    with open(path, "rb") as fh:
        data = fh.read()
    hdr = {"chunk_count": struct.unpack_from("<H", data, 42)[0],
           "next_record": struct.unpack_from("<Q", data, 24)[0],
           "dirty": bool(struct.unpack_from("<I", data, 120)[0] & 1)}
    chunks = []
    off = 4096
    while off + 65536 <= len(data):
        if data[off:off + 8] == b"ElfChnk\0":
            first, last = struct.unpack_from("<QQ", data, off + 24)
            chunks.append((len(chunks), first, last))
        else:
            chunks.append((len(chunks), None, None))
        off += 65536
    return hdr, chunks


def fmt(c):
    return " ".join(f"{k}:{c[k]}" for k in sorted(c, key=lambda k: (k is None, k))) or "-"


bad = False
rows = []
notes = []
for line in open(manifest, encoding="utf-8"):
    path, d, events_file = line.rstrip("\n").split("\t")
    name = path.rsplit("/", 1)[-1]
    dump_total, dump_ids, dump_recs, dump_err = count_evtx_dump(d)
    py_total, py_ids, py_recs, py_stop = count_python_evtx(path)
    wd_ok, wd_failed, wd_ids, wd_source, wd_issues = count_wudiag(d, events_file)
    rows.append((name, "evtx_dump", dump_total, dump_err, sum(dump_ids.values()), fmt(dump_ids)))
    rows.append(("", "python-evtx", py_total, 1 if py_stop else 0, sum(py_ids.values()), fmt(py_ids)))
    rows.append(("", f"wudiag ({wd_source})", wd_ok, wd_failed, sum(wd_ids.values()), fmt(wd_ids)))

    verdicts = []
    if wd_ids != dump_ids:
        bad = True
        verdicts.append(f"FAIL: WindowsUpdateClient per-id counts differ from evtx_dump ({fmt(wd_ids)} vs {fmt(dump_ids)})")
    if wd_ok != dump_total:
        bad = True
        verdicts.append(f"FAIL: wudiag read {wd_ok} records, evtx_dump {dump_total}")
    if wd_ok < py_total or any(wd_ids[k] < v for k, v in py_ids.items()):
        bad = True
        verdicts.append(f"FAIL: wudiag reads fewer than python-evtx ({wd_ok} < {py_total} or per id)")
    if py_total < dump_total:
        hdr, chunks = header_and_chunks(path)
        missing = sorted(set(r for r in dump_recs if r is not None) - set(py_recs))
        by_chunk = collections.Counter()
        for r in missing:
            for n, first, last in chunks:
                if first is not None and first <= r <= last:
                    by_chunk[n] += 1
                    break
        wuc_missing = collections.Counter(dump_recs[r][1] for r in missing if dump_recs[r][0] == WUC)
        where = ", ".join(f"chunk {n} ({k} records)" for n, k in sorted(by_chunk.items()))
        verdicts.append(
            f"python-evtx read {dump_total - py_total} fewer records: the file header is "
            f"{'DIRTY' if hdr['dirty'] else 'clean'} and counts {hdr['chunk_count']} chunk(s) "
            f"(next record id {hdr['next_record']}), python-evtx reads only those; missed: {where or 'records inside counted chunks'}"
            + (f"; WindowsUpdateClient events among them: {fmt(wuc_missing)}" if wuc_missing else "")
            + (f"; it also stopped on: {py_stop}" if py_stop else ""))
    elif py_stop:
        verdicts.append(f"python-evtx stopped: {py_stop}")
    if dump_err:
        verdicts.append(f"evtx_dump printed {dump_err} error line(s) (see {d}.evtx_dump.err)")
    if wd_issues:
        verdicts.append("wudiag read issues: " + "; ".join(wd_issues))
    if not any(v.startswith("FAIL") for v in verdicts):
        verdicts.insert(0, "OK: wudiag = evtx_dump" + (" > python-evtx" if py_total < dump_total else " = python-evtx"))
    notes.append((name, verdicts))

w = max(len(r[0]) for r in rows)
print(f"{'file':<{w}}  {'reader':<24} {'records':>7} {'failed':>6} {'WUC':>4}  WindowsUpdateClient events per id")
for r in rows:
    print(f"{r[0]:<{w}}  {r[1]:<24} {r[2]:>7} {r[3]:>6} {r[4]:>4}  {r[5]}")
print()
for name, verdicts in notes:
    for v in verdicts:
        print(f"{name}: {v}")
sys.exit(1 if bad else 0)
PYEOF
