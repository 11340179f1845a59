#!/usr/bin/env bash
# `wudiag sources BIG.log` on a 1 GB synthetic CBS.log against ripgrep 15 counting the 26-rule set
# (`rg -c -f perf-rules.txt`) on the same file. Target (issue #3): wudiag's median wall time <= 2x
# ripgrep's, and wudiag's peak RSS <= 100 MB.
#
# Usage: bench/sources_cbs_1g.sh [RUNS]          (default 5 runs of each, alternated)
# Environment:
#   WUDIAG_CMD   the command to time (default: "<release>/wudiag sources FILE --format json")
#   FILE         the input (default bench/out/cbs_1g.log, generated when absent, seed 42)
#   RG           ripgrep binary (default rg; must be version 15: cargo install ripgrep --locked)
#   (the generator and the rg patterns are bench/gen_cbs.py and bench/perf-rules.txt)
# Prints each run, both medians, the ratio and the peak RSS, then PASS/FAIL; exits 1 on FAIL.
#
# Wall times depend on the machine being otherwise idle: on a loaded 2-core VM both tools slow down and
# wudiag, which needs both cores, more. The user+system CPU seconds are printed too.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS="${1:-5}"

FILE="${FILE:-bench/out/cbs_1g.log}"
RULES=bench/perf-rules.txt
RG="${RG:-rg}"
RSS_LIMIT_KB=$((100 * 1024))

mkdir -p bench/out
[ -f "$RULES" ] || { echo "bench: $RULES not found " >&2; exit 2; }
if [ ! -s "$FILE" ]; then
  echo "bench: generating $FILE (1 GiB, takes a minute or more)" >&2
  python3 bench/gen_cbs.py "$FILE" 1073741824 >&2
fi

RG_VERSION="$("$RG" --version 2>/dev/null | head -1 | awk '{print $2}')" || true
case "$RG_VERSION" in
  15.*) ;;
  *) echo "bench: ripgrep 15 is required (found '${RG_VERSION:-none}'): cargo install ripgrep --locked" >&2; exit 2 ;;
esac
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install -y time)" >&2; exit 2; }

if [ -z "${WUDIAG_CMD:-}" ]; then
  cargo build --release -p wudiag --quiet
  TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  BIN="${TARGET_DIR:-target}/release/wudiag"
  [ -x "$BIN" ] || { echo "bench: $BIN not found" >&2; exit 2; }
  WUDIAG_CMD="$BIN sources $FILE --format json"
fi
RG_CMD="$RG -c -f $RULES $FILE"

# Output goes to files, not /dev/null: some tools stop early when they see /dev/null.
# `wudiag analyze` exits 1 when it has findings: that is success here (FINDINGS_EXIT_OK=1).
run() { # label, command; prints "wall user sys maxrss_kb"
  local ok=0
  [ "$1" = wudiag ] && [ "${FINDINGS_EXIT_OK:-0}" = 1 ] && ok=1
  /usr/bin/time -f '%e %U %S %M' -o bench/out/time.txt sh -c "$2 > bench/out/$1.out 2> bench/out/$1.err; s=\$?; [ \$s -eq 0 ] || [ \$s -le $ok ]" \
    || { echo "bench: '$2' failed:" >&2; cat "bench/out/$1.err" >&2; exit 2; }
  tail -1 bench/out/time.txt
}

echo "warm-up (page cache)" >&2
cat "$FILE" > /dev/null
run wudiag "$WUDIAG_CMD" > /dev/null
run rg "$RG_CMD" > /dev/null

W_WALL=(); R_WALL=(); W_RSS=0
for i in $(seq 1 "$RUNS"); do
  read -r w u s m < <(run wudiag "$WUDIAG_CMD")
  echo "run $i  wudiag  wall ${w}s  cpu ${u}u+${s}s  rss $((m / 1024)) MB"
  W_WALL+=("$w"); [ "$m" -gt "$W_RSS" ] && W_RSS="$m"
  read -r w u s m < <(run rg "$RG_CMD")
  echo "run $i  rg      wall ${w}s  cpu ${u}u+${s}s  rss $((m / 1024)) MB"
  R_WALL+=("$w")
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
W_MED="$(median "${W_WALL[@]}")"
R_MED="$(median "${R_WALL[@]}")"
RATIO="$(awk -v w="$W_MED" -v r="$R_MED" 'BEGIN {printf "%.2f", (r > 0) ? w / r : 999}')"
SIZE_MB="$(( $(stat -c %s "$FILE") / 1000000 ))"
echo "input       $FILE ($SIZE_MB MB)"
echo "wudiag      median ${W_MED}s  ($WUDIAG_CMD)"
echo "rg $RG_VERSION  median ${R_MED}s  ($RG_CMD)"
echo "ratio       ${RATIO}x (limit 2.00x)"
echo "peak RSS    $((W_RSS / 1024)) MB (limit 100 MB)"
if awk -v r="$RATIO" 'BEGIN {exit !(r <= 2.0)}' && [ "$W_RSS" -le "$RSS_LIMIT_KB" ]; then
  echo PASS
else
  echo FAIL
  exit 1
fi
