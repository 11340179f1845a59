#!/usr/bin/env bash
# Wall time of one `wudiag explain 0x80244007` process (release build), against a 10 ms budget.
#
# Uses hyperfine when it is installed (apt-get install -y hyperfine), otherwise a timed loop of N runs.
# Usage: bench/explain.sh [RUNS]     (default 200)
# Prints the mean wall time per process and PASS/FAIL; exits 1 on FAIL.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS="${1:-200}"
BUDGET_MS=10
QUERY=0x80244007

cargo build --release -p wudiag --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
BIN="${TARGET_DIR:-target}/release/wudiag"
[ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 2; }

# The command must work before it is timed.
"$BIN" explain "$QUERY" >/dev/null

mkdir -p bench/out
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 20 --runs "$RUNS" -N --export-json bench/out/explain.json \
    "$BIN explain $QUERY" >&2
  MEAN_MS="$(sed -n 's/.*"mean": *\([0-9.e+-]*\).*/\1/p' bench/out/explain.json | head -1 | awk '{printf "%.2f", $1*1000}')"
  MEDIAN_MS="$(sed -n 's/.*"median": *\([0-9.e+-]*\).*/\1/p' bench/out/explain.json | head -1 | awk '{printf "%.2f", $1*1000}')"
  MIN_MS="$(sed -n 's/.*"min": *\([0-9.e+-]*\).*/\1/p' bench/out/explain.json | head -1 | awk '{printf "%.2f", $1*1000}')"
  echo "median ${MEDIAN_MS} ms, min ${MIN_MS} ms (a busy machine inflates the mean; user+system CPU is in hyperfine's line above)"
  TOOL=hyperfine
else
  for _ in $(seq 20); do "$BIN" explain "$QUERY" >/dev/null; done
  START="$(date +%s%N)"
  for _ in $(seq "$RUNS"); do "$BIN" explain "$QUERY" >/dev/null; done
  END="$(date +%s%N)"
  MEAN_MS="$(awk -v s="$START" -v e="$END" -v n="$RUNS" 'BEGIN { printf "%.2f", (e - s) / n / 1e6 }')"
  TOOL="shell loop"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "one run: %e s wall, %M KB max RSS" "$BIN" explain "$QUERY" >/dev/null
  fi
fi

if awk -v m="$MEAN_MS" -v b="$BUDGET_MS" 'BEGIN { exit !(m < b) }'; then
  VERDICT=PASS
else
  VERDICT=FAIL
fi
echo "wudiag explain $QUERY: mean ${MEAN_MS} ms wall per process over ${RUNS} runs (${TOOL}); budget ${BUDGET_MS} ms: ${VERDICT}"
[ "$VERDICT" = PASS ]
