#!/usr/bin/env bash
# Renders the HTML report in headless Chromium and checks that the screenshot is a real picture.
#
#   tests/html_screenshot.sh [OUT_DIR]        (default: target/html-screenshot)
#
# 1. Installs Debian's chromium when no Chromium is on PATH (needs root and the Debian archive).
# 2. Writes two reports: the fixed sample run that the renderer snapshots use (every feature of the page:
#    findings with evidence and graded fixes, a resolved finding, the update timeline, unreadable sources,
#    a hostile log line), and a real `wudiag analyze testdata/corpus --format html` run of the repository's
#    real-log corpus.
# 3. Screenshots each at 1280x2000 and checks the PNG: the signature, the size in its header, and enough
#    bytes to hold more than a blank page.
# Look at the PNGs afterwards; the script checks that something was drawn, a person checks that it is right.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/target/html-screenshot}"
mkdir -p "$out"
cd "$root"

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ]; then
    echo "html_screenshot: installing Debian's chromium" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
    browser=chromium
fi

cargo run -q -p wudiag-report --example sample_report -- html > "$out/sample.html"
pages=(sample)

corpus="$root/testdata/corpus"
if [ -d "$corpus" ]; then
    cargo build -q -p wudiag
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/wudiag"
    # Exit 1 only means "findings"; 2 is a failure of the run.
    set +e
    "$bin" analyze "$corpus" --format html --output "$out/corpus.html"
    rc=$?
    set -e
    if [ "$rc" -ge 2 ]; then
        echo "html_screenshot: wudiag analyze failed (exit $rc)" >&2
        exit 1
    fi
    pages+=(corpus)
fi

fail=0
for page in "${pages[@]}"; do
    png="$out/$page.png"
    rm -f "$png"
    profile="$(mktemp -d)"
    # --virtual-time-budget lets layout settle before the shot; nothing is fetched (the page loads nothing).
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --virtual-time-budget=2000 \
        --user-data-dir="$profile" --screenshot="$png" --window-size=1280,2000 \
        "file://$out/$page.html" >/dev/null 2>&1 || true
    rm -rf "$profile"
    if ! python3 - "$png" <<'PY'
import struct, sys
path = sys.argv[1]
try:
    data = open(path, "rb").read()
except OSError as e:
    sys.exit(f"no screenshot: {e}")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG")
w, h = struct.unpack(">II", data[16:24])
if (w, h) != (1280, 2000):
    sys.exit(f"{path}: {w}x{h}, expected 1280x2000")
# A blank 1280x2000 page compresses to a few KB; a drawn report is far larger.
if len(data) < 40_000:
    sys.exit(f"{path}: only {len(data)} bytes: the page looks empty")
print(f"{path}: {w}x{h}, {len(data)} bytes")
PY
    then
        fail=1
    fi
done
exit "$fail"
