#!/usr/bin/env bash
# Throughput and peak RSS of `wudiag sources` per text format, on ~512 MB inputs made by repeating a real
# log of the corpus (the IIS one from the synthetic fixture, since the corpus has no IIS log), next to
# ripgrep 15 counting the 26-rule set on the same file. No pass/fail: the figures go to the README.
#
# Usage: bench/sources_formats.sh [MB]        (default 512)
# Environment: RG (default rg)
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-512}"

RULES=bench/perf-rules.txt
RG="${RG:-rg}"
C=testdata/corpus
mkdir -p bench/out
cargo build --release -p wudiag --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
BIN="${TARGET_DIR:-target}/release/wudiag"

# name, seed file, whether to keep only the first header (IIS: one #Fields block, then requests only)
INPUTS=(
  "windowsupdate_log:$C/windowsupdate_log/win10_appostarsi_2023-05_WindowsUpdate.log"
  "configmgr_log:$C/configmgr/sccm_client_2021-07_findingsanity_UpdatesStore.log"
  "iis_log:crates/wudiag-readers/tests/fixtures/iis_log/synthetic_u_ex240312.log"
)

make_input() { # seed, out, bytes; IIS: the header once, then the request lines repeated
  python3 - "$1" "$2" "$3" <<'PY'
import sys
seed, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(seed, 'rb').read()
if b'#Fields:' in data:
    lines = data.splitlines(keepends=True)
    head = b''.join(l for l in lines[:4])
    body = b''.join(l for l in lines if not l.startswith(b'#'))
else:
    head, body = b'', data
if not body.endswith(b'\n'):
    body += b'\r\n'
with open(out, 'wb') as f:
    f.write(head)
    n = len(head)
    while n < want:
        f.write(body)
        n += len(body)
PY
}

measure() { # command...; prints "wall user sys rss_mb"
  /usr/bin/time -f '%e %U %S %M' -o bench/out/time.txt "$@" > bench/out/fmt.out 2>/dev/null || true
  tail -1 bench/out/time.txt | awk '{printf "%s %s %s %d\n", $1, $2, $3, $4 / 1024}'
}

printf '%-18s %8s %9s %10s %8s %9s %7s\n' format size wudiag "GB/s" "rss" "rg" ratio
for item in "${INPUTS[@]}"; do
  kind="${item%%:*}"; seed="${item#*:}"
  file="bench/out/${kind}_${MB}m.log"
  [ -s "$file" ] || make_input "$seed" "$file" $((MB * 1000000))
  cat "$file" > /dev/null
  got="$("$BIN" sources "$file" --format json | sed -n 's/.*"kind": "\([a-z_]*\)".*/\1/p' | head -1)"
  [ "$got" = "$kind" ] || { echo "bench: $file read as '$got', expected $kind" >&2; exit 2; }
  read -r w u s r < <(measure "$BIN" sources "$file" --format json)
  read -r rw _ _ _ < <(measure "$RG" -c -f "$RULES" "$file")
  size=$(stat -c %s "$file")
  printf '%-18s %6d MB %8.2fs %8.2f %6d MB %8.2fs %6.2fx   (cpu %su+%ss)\n' "$kind" $((size / 1000000)) "$w" \
    "$(awk -v b="$size" -v t="$w" 'BEGIN {print b / t / 1e9}')" "$r" "$rw" \
    "$(awk -v a="$w" -v b="$rw" 'BEGIN {print (b > 0) ? a / b : 0}')" "$u" "$s"
done
