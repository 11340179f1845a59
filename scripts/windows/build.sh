#!/usr/bin/env bash
# Builds the Windows wudiag.exe (x86_64-pc-windows-gnu, release, static CRT: one self-contained file) on a
# Debian 12 machine, installing what it needs first. Idempotent: a second run only rebuilds what changed.
#
#   scripts/windows/build.sh            -> target-windows/wudiag.exe, prints its size
#
# See scripts/windows/README.md; knobs are listed in scripts/windows/common.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

win_install_packages
win_env
win_log "toolchain: $(/usr/bin/cargo -V), $(/usr/bin/rustc -V), $("$MINGW_GCC" -dumpversion | sed 's/^/mingw gcc /')"

win_log "cargo build --release -p wudiag for $WIN_TARGET (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
cd "$REPO_ROOT"
# --locked: never rewrite the workspace's Cargo.lock from here (the Linux build owns it).
/usr/bin/cargo build --release --locked -p wudiag --bin wudiag "${WIN_CARGO_FLAGS[@]}" </dev/null

built=$CARGO_TARGET_DIR/$WIN_TARGET/release/wudiag.exe
[ -f "$built" ] || win_die "cargo reported success but $built does not exist"

# One file: the exe may import only Windows' own DLLs, never a mingw runtime DLL (libgcc_s, libwinpthread, ...).
imports=$("$MINGW_OBJDUMP" -p "$built" | sed -n 's/^[[:space:]]*DLL Name: //p' | sort -fu | tr '\n' ' ')
win_log "imports: $imports"
for dll in $imports; do
    case "${dll,,}" in
        lib*.dll | *mingw*.dll | *stdc++*.dll) win_die "$built needs $dll next to it: not a single-file exe" ;;
    esac
done

# The shipped exe is stripped: the release profile's line tables are DWARF inside the .exe for this target (no
# .pdb), about 80% of its size. The unstripped exe stays in the cargo tree, to symbolise a user's crash address.
mib() { awk -v s="$1" 'BEGIN { printf "%.2f MiB", s / 1048576 }'; }
case ${WUDIAG_WIN_STRIP:-all} in
    all) "$MINGW_STRIP" --strip-all -o "$WIN_EXE.tmp" "$built" ;;
    debug) "$MINGW_STRIP" --strip-debug -o "$WIN_EXE.tmp" "$built" ;;
    none) cp -f "$built" "$WIN_EXE.tmp" ;;
    *) win_die "WUDIAG_WIN_STRIP must be all, debug or none" ;;
esac
# Replace atomically, so a Wine process never sees half a file.
mv -f "$WIN_EXE.tmp" "$WIN_EXE"
size=$(stat -c %s "$WIN_EXE")
win_log "unstripped: $built ($(mib "$(stat -c %s "$built")"))"
win_log "built $WIN_EXE: $size bytes ($(mib "$size"), strip=${WUDIAG_WIN_STRIP:-all})"
