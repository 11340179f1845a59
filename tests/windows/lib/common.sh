# shellcheck shell=bash
# Helpers for the end-to-end Wine tests tests/windows/*.sh. Source it first:
#
#   source "$(dirname "$0")/lib/common.sh"
#
# scripts/windows/test.sh runs each test with: WUDIAG_EXE (release wudiag.exe, a Unix path), WINE, WINESERVER,
# WINEPREFIX (a scratch copy of the base prefix, shared by the tests of one run), WUDIAG_TEST_TMP (an empty
# dir of the test's own), WUDIAG_VERSION, REPO_ROOT. Exit 0 = pass, 77 = skip, anything else = fail.
#
# Never pipe Wine's output (`wine ... | grep`, `$(wine ...)`): Wine's helper processes (services.exe, ...)
# can inherit the pipe and keep it open. `wine_run` sends output to files instead.

set -euo pipefail

: "${WUDIAG_EXE:?run me through scripts/windows/test.sh}" "${WINE:?}" "${WINEPREFIX:?}" "${WUDIAG_TEST_TMP:?}"
export WINEDEBUG=${WINEDEBUG:--all}

T_NAME=$(basename "$0" .sh)
t_log() { printf '  [%s] %s\n' "$T_NAME" "$*" >&2; }
t_fail() { t_log "FAIL: $*"; exit 1; }
t_skip() { t_log "SKIP: $*"; exit 77; }

# wine_run NAME PROGRAM [ARGS...]: runs PROGRAM under Wine with stdin from /dev/null, stdout to
# $WUDIAG_TEST_TMP/NAME.out and stderr to NAME.err (both with CR removed), and sets WINE_RC to its exit code.
# Never fails by itself: check WINE_RC. PROGRAM is a Unix path to an .exe or a Windows program (reg, cmd).
wine_run() {
    local name=$1
    shift
    local out=$WUDIAG_TEST_TMP/$name.out err=$WUDIAG_TEST_TMP/$name.err
    WINE_RC=0
    "$WINE" "$@" </dev/null >"$out.raw" 2>"$err.raw" || WINE_RC=$?
    tr -d '\r' <"$out.raw" >"$out"
    tr -d '\r' <"$err.raw" >"$err"
    rm -f "$out.raw" "$err.raw"
}

# wudiag NAME ARGS...: wine_run of the release wudiag.exe.
wudiag() {
    local name=$1
    shift
    wine_run "$name" "$WUDIAG_EXE" "$@"
}

# out NAME / err NAME: the file holding that run's stdout / stderr.
out() { echo "$WUDIAG_TEST_TMP/$1.out"; }
err() { echo "$WUDIAG_TEST_TMP/$1.err"; }

# win_path UNIX_PATH: the path as a Windows program sees it (Wine maps / to drive Z:). No Wine call needed.
win_path() {
    local p
    p=$(realpath -m "$1")
    printf 'Z:%s\n' "${p//\//\\}"
}

# reg_add KEY VALUE TYPE DATA: sets a registry value in the test prefix (reg.exe syntax, e.g.
# reg_add 'HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate' WUServer REG_SZ http://wsus:8530).
reg_add() {
    wine_run reg-add "reg" add "$1" /v "$2" /t "$3" /d "$4" /f
    [ "$WINE_RC" = 0 ] || t_fail "reg add $1 /v $2 failed ($WINE_RC): $(cat "$(err reg-add)")"
}

# reg_add_key KEY: creates a key (with no values).
reg_add_key() {
    wine_run reg-add "reg" add "$1" /f
    [ "$WINE_RC" = 0 ] || t_fail "reg add $1 failed ($WINE_RC): $(cat "$(err reg-add)")"
}

# expect_rc NAME WANT: the last wine_run/wudiag exited WANT.
expect_rc() {
    [ "$WINE_RC" = "$2" ] || t_fail "$1 exited $WINE_RC, want $2; stdout: $(head -c 2000 "$(out "$1")"); stderr: $(head -c 2000 "$(err "$1")")"
}

# assert_contains FILE TEXT: FILE contains TEXT (fixed string).
assert_contains() {
    grep -qF -- "$2" "$1" || t_fail "$(basename "$1") does not contain '$2'; it has: $(head -c 2000 "$1")"
}

# assert_not_contains FILE TEXT
assert_not_contains() {
    ! grep -qF -- "$2" "$1" || t_fail "$(basename "$1") contains '$2'"
}

# assert_eq GOT WANT WHAT
assert_eq() {
    [ "$1" = "$2" ] || t_fail "${3:-value}: got '$1', want '$2'"
}
