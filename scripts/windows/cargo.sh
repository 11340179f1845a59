#!/usr/bin/env bash
# Runs Debian's cargo with the Windows environment of build.sh/test.sh, for ad-hoc work:
#
#   scripts/windows/cargo.sh test -p wudiag-readers reg_       # one crate's tests, under Wine
#   scripts/windows/cargo.sh run -- explain 0x80244007          # run the debug exe under Wine
#   scripts/windows/cargo.sh clippy --workspace                 # lint the Windows-only code paths
#
# For build/check/clippy/doc/run/test/bench/rustc it adds --target x86_64-pc-windows-gnu -Zbuild-std.
# Needs the packages (run build.sh once); `run`/`test` need the Wine prefix (run test.sh once).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

win_env
[ -x /usr/bin/cargo ] && [ -x "$WINE" ] || win_die "Windows toolchain not installed: run scripts/windows/build.sh once"
[ -f "$WIN_BASE_PREFIX/.wudiag-prefix" ] || win_log "no Wine prefix yet: run scripts/windows/test.sh once to make it"

[ $# -gt 0 ] || exec /usr/bin/cargo --help
if [ "$1" = clippy ] && [ ! -x /usr/bin/cargo-clippy ]; then
    win_die "Debian's clippy for rustc-web is not installed: apt-get install --no-install-recommends rust-web-clippy"
fi
sub=$1
shift
case $sub in
    build | b | check | c | clippy | doc | run | r | test | t | bench | rustc)
        exec /usr/bin/cargo "$sub" "${WIN_CARGO_FLAGS[@]}" "$@" ;;
    *)
        exec /usr/bin/cargo "$sub" "$@" ;;
esac
