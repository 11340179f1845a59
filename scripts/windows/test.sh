#!/usr/bin/env bash
# Builds wudiag.exe (scripts/windows/build.sh) and tests the Windows build under Wine:
#   1. `cargo test` of the workspace for x86_64-pc-windows-gnu, each test binary run by Wine;
#   2. a smoke test of the release exe (`wudiag.exe --version` prints the workspace version);
#   3. every end-to-end script tests/windows/*.sh (exit 0 = pass, 77 = skipped, anything else = fail).
# Fails if anything failed; prints the elapsed time. Idempotent, like build.sh.
#
#   scripts/windows/test.sh                       # everything
#   scripts/windows/test.sh -p wudiag-readers     # arguments replace `--workspace` in step 1
#   WUDIAG_WIN_SKIP_CARGO_TEST=1 scripts/windows/test.sh   # only the smoke and end-to-end tests
#   WUDIAG_WIN_E2E='reg*' scripts/windows/test.sh           # only the e2e scripts matching this glob
#   WUDIAG_WIN_KEEP=1 scripts/windows/test.sh     # keep the scratch dir (prefix, outputs) for a look afterwards
#
# The tests run in a scratch copy of the cached base prefix, so what they do to the registry (`reg add`)
# never leaks into the next run, and the scratch wineserver can be stopped without touching anyone else's.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$WIN_SCRIPTS/build.sh"
# The end-to-end tests compare the Windows exe with the Linux build on the same evidence. Build that one
# now, with the caller's own toolchain, before win_env points cargo, rustc and RUSTFLAGS at the Windows
# target (crt-static there would break the host's proc-macros).
if [ -z "${WUDIAG_LINUX_EXE:-}" ]; then
    win_log "building the Linux release binary for the comparisons"
    (cd "$REPO_ROOT" && cargo build --release --locked -q -p wudiag --bin wudiag </dev/null)
    export WUDIAG_LINUX_EXE=$REPO_ROOT/target/release/wudiag
fi
win_env
win_base_prefix

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/wudiag-wintest.XXXXXX")
cleanup() {
    local rc=$?
    [ ! -d "$SCRATCH/prefix" ] || WINEPREFIX=$SCRATCH/prefix win_wine_stop
    if [ "${WUDIAG_WIN_KEEP:-0}" = 1 ]; then win_log "kept $SCRATCH"; else rm -rf "$SCRATCH"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t=$SECONDS
win_scratch_prefix "$SCRATCH/prefix"
# shellcheck disable=SC2031  # (win_base_prefix sets its own WINEPREFIX in a subshell, on purpose)
export WINEPREFIX=$SCRATCH/prefix
win_log "scratch Wine prefix $WINEPREFIX ($((SECONDS - t)) s)"

# Tests read the shared corpus like on Linux (.ci/run's default); a Windows test sees /work/... as Z:\work\....
export WUDIAG_CORPUS=${WUDIAG_CORPUS:-$REPO_ROOT/testdata/corpus}
export WUDIAG_KNOWLEDGE=${WUDIAG_KNOWLEDGE:-$REPO_ROOT/testdata/knowledge}
# insta: find the workspace without running cargo from inside Wine, and never write snapshots from here.
export INSTA_WORKSPACE_ROOT=$REPO_ROOT INSTA_UPDATE=no
# The Windows test build is a second full build next to the release one: keep its debug info small.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only

passed=0 failed=0 skipped=0 failures=()
pass() { passed=$((passed + 1)); win_log "PASS $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); win_log "FAIL $1"; }

# ---- 1. the workspace's tests, built for Windows and run by Wine
cd "$REPO_ROOT"
if [ "${WUDIAG_WIN_SKIP_CARGO_TEST:-0}" = 1 ]; then
    win_log "cargo test skipped (WUDIAG_WIN_SKIP_CARGO_TEST=1)"
else
    test_args=("$@")
    [ ${#test_args[@]} -gt 0 ] || test_args=(--workspace)
    win_log "cargo test ${test_args[*]} for $WIN_TARGET under $(basename "$WINE")"
    t=$SECONDS
    if /usr/bin/cargo test --locked --no-fail-fast "${WIN_CARGO_FLAGS[@]}" "${test_args[@]}" </dev/null; then
        pass "cargo test ($((SECONDS - t)) s)"
    else
        fail "cargo test ($((SECONDS - t)) s)"
    fi
fi

# ---- 2. smoke: the release exe starts under Wine and knows its version
out=$SCRATCH/smoke.out
want="wudiag $(win_workspace_version)"
if "$WINE" "$WIN_EXE" --version </dev/null >"$out" 2>&1 && [ "$(tr -d '\r' <"$out")" = "$want" ]; then
    pass "smoke: wudiag.exe --version = $want"
else
    fail "smoke: wudiag.exe --version printed '$(tr -d '\r' <"$out")', want '$want'"
fi

# ---- 3. end-to-end scripts
# Their environment: WUDIAG_EXE (the release exe), WINE, WINESERVER, WINEPREFIX (scratch), REPO_ROOT,
# WUDIAG_VERSION, WUDIAG_TEST_TMP (an empty dir of their own). Helpers: tests/windows/lib/common.sh.
WUDIAG_VERSION=$(win_workspace_version)
export WUDIAG_EXE=$WIN_EXE WINE WINESERVER REPO_ROOT WUDIAG_VERSION
shopt -s nullglob
for script in "$REPO_ROOT"/tests/windows/${WUDIAG_WIN_E2E:-*}.sh; do
    name=tests/windows/$(basename "$script")
    WUDIAG_TEST_TMP=$SCRATCH/e2e/$(basename "$script" .sh)
    export WUDIAG_TEST_TMP
    mkdir -p "$WUDIAG_TEST_TMP"
    win_log "running $name"
    t=$SECONDS rc=0
    timeout 900 bash "$script" </dev/null || rc=$?
    case $rc in
        0) pass "$name ($((SECONDS - t)) s)" ;;
        77) skipped=$((skipped + 1)); win_log "SKIP $name" ;;
        *) fail "$name (exit $rc, $((SECONDS - t)) s)" ;;
    esac
done

win_wine_stop
for f in "${failures[@]}"; do win_log "failed: $f"; done
echo "elapsed: $((SECONDS - WIN_T0)) s"
echo "windows: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
