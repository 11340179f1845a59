#!/usr/bin/env bash
# The speed benchmarks with ~1,000 signatures compiled in: bench/gen_signatures.py adds synthetic copies of
# the shipped signatures (other keywords, same evidence kinds and codes) through WUDIAG_EXTRA_SIGNATURES, in
# a separate target folder, then runs bench/analyze_cbs_1g.sh's harness (1 GB CBS.log vs ripgrep, limit 2x)
# and bench/analyze_corpus.sh (the real-log corpus, limit 0.5 s) with that binary.
#
# Usage: bench/signatures_1k.sh [TOTAL] [RUNS]     (default 1000 signatures, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL="${1:-1000}"
RUNS="${2:-5}"
mkdir -p bench/out
rm -rf bench/out/signatures_1k
python3 bench/gen_signatures.py bench/out/signatures_1k "$TOTAL"
WUDIAG_EXTRA_SIGNATURES="$(pwd)/bench/out/signatures_1k" CARGO_TARGET_DIR="$(pwd)/target/bench-1k" \
  cargo build --release -p wudiag --quiet
BIN="$(pwd)/target/bench-1k/release/wudiag"
echo "signatures compiled in: $("$BIN" rules --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
FILE="${FILE:-bench/out/cbs_1g.log}"
status=0
FILE="$FILE" FINDINGS_EXIT_OK=1 WUDIAG_CMD="$BIN analyze $FILE --format json" bash bench/sources_cbs_1g.sh "$RUNS" || status=1
BIN="$BIN" bash bench/analyze_corpus.sh || status=1
exit "$status"
