# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Shared by scripts/windows/{build,test,cargo}.sh: sourced, never run on its own.
#
# The Windows build uses Debian's own Rust (rustc-web 1.96 + its std sources, /usr/bin/{cargo,rustc}) with
# -Zbuild-std, the mingw-w64 linker, and Wine 8 (wine64) to run what it builds. rustup's toolchain in
# ~/.cargo/bin stays the one for Linux builds; nothing here changes it or the Linux target dir.
#
# Knobs (environment):
#   WUDIAG_WIN_CACHE       cache: shim DLL, base Wine prefix      (default ${XDG_CACHE_HOME:-~/.cache}/wudiag-windows)
#   WUDIAG_WIN_TARGET_DIR  CARGO_TARGET_DIR of Windows builds    (default <repo>/target-windows)
#   WUDIAG_WIN_RUSTFLAGS   extra rustc flags for the Windows target (e.g. "-D warnings")
#   WUDIAG_WINE_WINVER     Windows version Wine reports          (default win10; win7 is Wine's own default)
#   WUDIAG_WIN_STRIP       what to strip from the shipped exe: all (default), debug (keep symbol names), none
#   WUDIAG_WIN_NO_APT=1    never call apt-get (fail if a package is missing)

WIN_TARGET=x86_64-pc-windows-gnu
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WIN_SCRIPTS=$REPO_ROOT/scripts/windows
WIN_CACHE=${WUDIAG_WIN_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/wudiag-windows}
WIN_TARGET_DIR=${WUDIAG_WIN_TARGET_DIR:-$REPO_ROOT/target-windows}
WIN_EXE=$WIN_TARGET_DIR/wudiag.exe                 # the shipped artefact, copied out of the cargo tree
WIN_BASE_PREFIX=$WIN_CACHE/prefix
WINE_WINVER=${WUDIAG_WINE_WINVER:-win10}
# Debian's wine64 package installs the loader outside PATH; use the full paths everywhere.
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver64
MINGW_GCC=x86_64-w64-mingw32-gcc
MINGW_OBJDUMP=x86_64-w64-mingw32-objdump
MINGW_STRIP=x86_64-w64-mingw32-strip
# rustc-web/cargo-web/rust-web-src (1.96) come from bookworm-security; bookworm main's rustc is too old.
WIN_PACKAGES=(rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64)
# Flags every Windows cargo build/test gets. std is rebuilt from rust-web-src for the target.
# shellcheck disable=SC2054  # the comma is part of the -Z value
WIN_CARGO_FLAGS=(--target "$WIN_TARGET" -Zbuild-std=std,panic_abort)

WIN_T0=${WIN_T0:-$SECONDS}

win_log() { printf '[windows %4ss] %s\n' "$((SECONDS - WIN_T0))" "$*" >&2; }
win_die() { win_log "ERROR: $*"; exit 1; }

# Runs a command as root (directly, or through sudo when not root).
win_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else win_die "need root (or sudo) for: $*"; fi
}

# 1. Debian packages. Idempotent: apt is touched only when a package is missing, and `apt-get update` runs once.
win_install_packages() {
    local missing=() p
    for p in "${WIN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        [ "${WUDIAG_WIN_NO_APT:-0}" = 1 ] && win_die "missing packages (and WUDIAG_WIN_NO_APT=1): ${missing[*]}"
        win_log "installing ${missing[*]}"
        # A third-party list that cannot be fetched must not stop us: the install below says if Debian's are missing.
        win_as_root apt-get update -qq || win_log "apt-get update reported errors; trying the install anyway"
        win_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
    fi
    local tool
    for tool in /usr/bin/cargo /usr/bin/rustc /usr/bin/rustdoc "$WINE" "$WINESERVER" \
        "/usr/bin/$MINGW_GCC" "/usr/bin/$MINGW_OBJDUMP" "/usr/bin/$MINGW_STRIP"; do
        [ -x "$tool" ] || win_die "$tool is missing after installing ${WIN_PACKAGES[*]}"
    done
    local src
    src=$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library
    [ -f "$src/Cargo.lock" ] || win_die "std sources not found at $src (rust-web-src)"
}

# 2. Environment for Debian's cargo building for Windows. PATH order is explicit: /usr/bin first, so `cargo`,
#    `rustc` and `rustdoc` are Debian's 1.96 (they would otherwise be rustup's proxies from ~/.cargo/bin).
win_env() {
    export PATH="/usr/bin:$PATH"
    export CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
    # Lets the stable 1.96 toolchain accept -Zbuild-std and the std workspace's `cargo-features`.
    export RUSTC_BOOTSTRAP=1
    export CARGO_TARGET_DIR=$WIN_TARGET_DIR
    # One self-contained exe: static CRT/libgcc/winpthread, no mingw DLL to ship next to it. With --target,
    # RUSTFLAGS applies to the Windows artefacts only (build scripts and proc-macros are host code).
    # Set as a whole, so a RUSTFLAGS meant for the Linux build never leaks in (and never drops crt-static).
    export RUSTFLAGS="-C target-feature=+crt-static${WUDIAG_WIN_RUSTFLAGS:+ $WUDIAG_WIN_RUSTFLAGS}"
    export RUSTDOCFLAGS="-C target-feature=+crt-static"
    unset CARGO_ENCODED_RUSTFLAGS CARGO_ENCODED_RUSTDOCFLAGS CARGO_BUILD_TARGET RUSTC_WRAPPER \
        RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN
    # `cargo test/run` run the .exe files through Wine.
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$WINE
    win_wine_env
}

# Wine without a display, without debug chatter, without offers to install Mono/Gecko.
win_wine_env() {
    export WINEDEBUG=-all
    export WINEDLLOVERRIDES="mscoree,mshtml="
    export WINEARCH=win64
    export WINEPREFIX=${WINEPREFIX_OVERRIDE:-$WIN_BASE_PREFIX}
    unset DISPLAY WAYLAND_DISPLAY
}

# The version of the workspace (the one `wudiag --version` must print).
win_workspace_version() {
    sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\([^"]*\)".*/\1/p' "$REPO_ROOT/Cargo.toml" | head -n1
}

# Waits (bounded) for the wineserver of $WINEPREFIX to exit: it flushes the registry to disk, and its helper
# processes (services.exe, winedevice.exe, ...) stop holding our stdout/stderr open. Kills it if it will not go.
win_wine_stop() {
    if ! timeout 60 "$WINESERVER" -w </dev/null >/dev/null 2>&1; then
        win_log "wineserver for $WINEPREFIX still busy after 60 s: killing it"
        "$WINESERVER" -k </dev/null >/dev/null 2>&1 || true
        timeout 10 "$WINESERVER" -w </dev/null >/dev/null 2>&1 || true
    fi
}

# 3. The bcryptprimitives.dll shim (Wine 8 lacks the DLL; Rust std imports ProcessPrng from it).
#    Rebuilt only when its source changes. Prints the DLL's path.
win_build_shim() {
    local src=$WIN_SCRIPTS/shim/bcryptprimitives.c dir=$WIN_CACHE/shim
    local dll=$dir/bcryptprimitives.dll sum
    sum=$(sha256sum "$src" | cut -d' ' -f1)
    mkdir -p "$dir"
    if [ ! -f "$dll" ] || [ "$(cat "$dll.sha256" 2>/dev/null)" != "$sum" ]; then
        "$MINGW_GCC" -O2 -shared -s -Wall -Werror -o "$dll.tmp" "$src" -ladvapi32
        mv -f "$dll.tmp" "$dll"
        echo "$sum" >"$dll.sha256"
        win_log "built $dll ($(stat -c %s "$dll") bytes)"
    fi
    echo "$dll"
}

# 4. The base Wine prefix, made once and reused: wineboot, Windows version, no crash debugger, the shim.
#    A stamp records what it was made with; a half-made prefix (no stamp) is thrown away and made again.
#    Serialised with flock, so two runs at once do not build it twice.
win_base_prefix() {
    mkdir -p "$WIN_CACHE"
    local dll stamp_want wine_version
    dll=$(win_build_shim)
    wine_version=$("$WINE" --version)
    stamp_want="$wine_version winver=$WINE_WINVER shim=$(cat "$dll.sha256")"
    (
        flock 9
        export WINEPREFIX=$WIN_BASE_PREFIX
        local stamp=$WINEPREFIX/.wudiag-prefix
        if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ]; then
            exit 0
        fi
        if [ ! -f "$stamp" ]; then
            win_log "creating Wine prefix $WINEPREFIX ($wine_version)"
            rm -rf "$WINEPREFIX"
            # Harmless noise without wine32 and a display: "syswow64\rundll32.exe c0000135", "nodrv_CreateWindow".
            "$WINE" wineboot -i </dev/null >"$WIN_CACHE/wineboot.log" 2>&1 || true
            win_wine_stop   # the registry files are written only when the wineserver exits
            [ -f "$WINEPREFIX/system.reg" ] || win_die "wineboot made no prefix; see $WIN_CACHE/wineboot.log"
        fi
        win_log "configuring Wine prefix: $WINE_WINVER, no crash debugger, bcryptprimitives shim"
        "$WINE" winecfg -v "$WINE_WINVER" </dev/null >/dev/null 2>&1
        # A crashing test must fail, not start winedbg and wait.
        "$WINE" reg add 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Auto /t REG_SZ /d 0 /f \
            </dev/null >/dev/null 2>&1
        "$WINE" reg delete 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /f \
            </dev/null >/dev/null 2>&1 || true
        install -m 0644 "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
        win_wine_stop
        echo "$stamp_want" >"$stamp"
    ) 9>"$WIN_CACHE/prefix.lock"
}

# A throwaway prefix for one test run, from the base one: what a test does to it (registry, files) never leaks
# into the next run, and its wineserver is ours to stop. Wine's DLL stores (system32, winsxs: ~670 MB that nothing
# writes to) are hard-linked; everything else (~25 MB: registry files, users, Program Files) is really copied.
# A test must therefore not modify a file that already exists in system32 (adding new files there is fine).
win_scratch_prefix() {
    local dst=$1 big=(drive_c/windows/system32 drive_c/windows/winsxs) d
    mkdir -p "$dst"
    tar -C "$WIN_BASE_PREFIX" "${big[@]/#/--exclude=./}" -cf - . | tar -C "$dst" -xf -
    for d in "${big[@]}"; do cp -al "$WIN_BASE_PREFIX/$d" "$dst/$d"; done
}
