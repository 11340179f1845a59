#!/usr/bin/env bash
# Accuracy table on the real-case corpus (or another folder of cases in the same format, e.g. a held-out
# set): primary finding right, any finding right, error findings on healthy logs. Misses go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p wudiag
python3 bench/accuracy.py ./target/release/wudiag "${1:-tests/cases}"
