#!/usr/bin/env bash
# Wall time of `wudiag analyze` over the whole real-log corpus (target: < 0.5 s on the 2-core machine),
# next to ripgrep counting the same 26 patterns over the same files, in alternation. Prints medians.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS="${WUDIAG_CORPUS:-$(pwd)/testdata/corpus}"
RULES="${PERF_RULES:-$(pwd)/bench/perf-rules.txt}"
RUNS="${RUNS:-7}"
if [ -z "${BIN:-}" ]; then                     # BIN: another build to time (bench/signatures_1k.sh)
  cargo build --release -q -p wudiag
  BIN=./target/release/wudiag
fi
command -v rg >/dev/null || cargo install ripgrep --locked -q

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }

"$BIN" analyze "$CORPUS" --format json >/dev/null || true   # warm the page cache
w=(); r=()
for _ in $(seq "$RUNS"); do
  t0=$(now); "$BIN" analyze "$CORPUS" --format json >/dev/null || true; t1=$(now)
  rg -c -f "$RULES" "$CORPUS" >/dev/null || true; t2=$(now)
  w+=("$(echo "$t1 - $t0" | bc -l)"); r+=("$(echo "$t2 - $t1" | bc -l)")
done
wm=$(printf '%s\n' "${w[@]}" | median); rm=$(printf '%s\n' "${r[@]}" | median)
rss=$({ /usr/bin/time -f %M "$BIN" analyze "$CORPUS" --format json 2>&1 >/dev/null || true; } | tail -1)
printf 'corpus: %s (%s)\n' "$CORPUS" "$(du -sh "$CORPUS" | cut -f1)"
printf 'wudiag analyze: median %.3f s, peak RSS %s KiB\n' "$wm" "$rss"
printf 'rg -c -f perf-rules.txt: median %.3f s\n' "$rm"
if (( $(echo "$wm < 0.5" | bc -l) )); then echo "PASS (< 0.5 s)"; else echo "FAIL (>= 0.5 s)"; exit 1; fi
