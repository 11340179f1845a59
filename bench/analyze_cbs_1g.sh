#!/usr/bin/env bash
# `wudiag analyze BIG.log --format json` (read, correlate, diagnose, report) on the 1 GB synthetic CBS.log
# against ripgrep 15 counting the 26-rule set on the same file. Target (issue #4): median wall <= 2x
# ripgrep's and peak RSS <= 100 MB. Same harness, options and output as bench/sources_cbs_1g.sh.
#
# Usage: bench/analyze_cbs_1g.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
FILE="${FILE:-bench/out/cbs_1g.log}"
cargo build --release -p wudiag --quiet
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
BIN="${TARGET_DIR:-target}/release/wudiag"
export FILE FINDINGS_EXIT_OK=1 WUDIAG_CMD="$BIN analyze $FILE --format json"
exec bash bench/sources_cbs_1g.sh "$@"
