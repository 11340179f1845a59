#!/usr/bin/env bash
# Builds the Windows wudiag.exe (x86_64-pc-windows-gnu, release, static CRT: one self-contained file) on a
# Debian 12 machine, installing what it needs first. Idempotent: a second run only rebuilds what changed.
#
#   scripts/windows/build.sh            -> target-windows/wudiag.exe, prints its size
#
# See scripts/windows/README.md; knobs are listed in scripts/windows/common.sh.
set -euo pipefail
# shellcheck source=common.sh
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

# Copy out of the cargo tree atomically, so a Wine process never sees half a file.
cp -f "$built" "$WIN_EXE.tmp"
mv -f "$WIN_EXE.tmp" "$WIN_EXE"
size=$(stat -c %s "$WIN_EXE")
win_log "built $WIN_EXE: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f MiB", s / 1048576 }'))"
