#!/usr/bin/env bash
# `wudiag.exe collect` + `wudiag.exe analyze` under Wine, on machine state set with `reg add`; then the Linux
# build analyses the same zip and must give the same findings; then `wudiag.exe analyze` with no path (live).
#
# The registry values are set in the scratch Wine prefix of scripts/windows/test.sh (a throwaway copy of the
# test prefix, never a real machine); they are deleted again at the end all the same.
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

command -v python3 >/dev/null || t_skip "python3 is needed to check the JSON"

T=$WUDIAG_TEST_TMP
AU='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired'
POL='HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate'
WLID='HKLM\SYSTEM\CurrentControlSet\Services\wlidsvc'
cleanup_registry() {
    for key in "$AU" "$POL" "$WLID"; do wine_run reg-del reg delete "$key" /f; done
}
trap cleanup_registry EXIT

# ---- machine state
reg_add_key "$AU"
reg_add "$POL" WUServer REG_SZ http://wsus.example:8530
reg_add "$POL" WUStatusServer REG_SZ http://wsus.example:8530
reg_add "$POL\\AU" UseWUServer REG_DWORD 1
reg_add "$WLID" Start REG_DWORD 4
# A CBS.log where Windows keeps it (adding a file to the scratch prefix; system32 is untouched).
cbs_dir=$WINEPREFIX/drive_c/windows/Logs/CBS
mkdir -p "$cbs_dir"
cp "$REPO_ROOT/crates/wudiag-rules/tests/fixtures/CBS001/scan_clean/CBS.log" "$cbs_dir/CBS.log"

# ---- collect
zip=$T/bundle.zip
wudiag collect collect --output "$(win_path "$zip")"
expect_rc collect 0
assert_eq "$(cat "$(out collect)")" "$(win_path "$zip")" "collect stdout"
assert_contains "$(err collect)" "items collected"
[ -s "$zip" ] || t_fail "no zip at $zip"
[ ! -e "$zip.partial" ] || t_fail "the .partial zip was left behind"

python3 - "$zip" <<'EOF' || t_fail "manifest check failed"
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
m = json.loads(z.read("manifest.json"))
assert m["format"] == "wudiag/collect-manifest/v1", m["format"]
items = m["items"]
by_path = {i["path"]: i for i in items if i["status"] == "collected"}
for p in ["Registry/WindowsUpdate-Policies.reg", "Registry/WindowsUpdate-CurrentVersion.reg",
          "Registry/Service-wlidsvc.reg", "Registry/SessionManager.reg", "Logs/CBS/CBS.log"]:
    assert p in by_path, f"{p} not collected"
    assert p in names, f"{p} not in the zip"
    assert by_path[p]["size"] == z.getinfo(p).file_size, p
assert by_path["Logs/CBS/CBS.log"]["source"].lower() == r"c:\windows\logs\cbs\cbs.log", by_path["Logs/CBS/CBS.log"]
for i in items:
    assert i["status"] in ("collected", "absent", "access_denied", "failed"), i
    if i["status"] != "collected":
        assert i["detail"], i
# Not collected, with the reason: an absent file, a key that does not exist, the WSUS server part.
assert any(i["status"] == "absent" and i["what"] == "ReportingEvents.log" for i in items)
assert any(i["status"] == "absent" and "reg.exe exited with code 1" in i["detail"] for i in items)
# Wine 8: wevtutil is a stub that exits 0 and writes nothing; sc.exe has no queryex. Both are reported.
evt = [i for i in items if i["what"].startswith("event log ")]
assert len(evt) == 4, evt
assert all(i["status"] in ("collected", "failed", "access_denied") for i in evt), evt
svc = [i for i in items if i["what"] == "service states"]
assert len(svc) == 1, svc
print("manifest: %d items, %d collected, %d not" % (len(items), len(by_path), len(items) - len(by_path)))
EOF

# ---- analyze the zip under Wine
wudiag analyze-win analyze "$(win_path "$zip")" --format json
expect_rc analyze-win 1
python3 - "$(out analyze-win)" <<'EOF' || t_fail "findings check failed"
import json, sys
r = json.load(open(sys.argv[1]))
ids = {f["rule"] for f in r["findings"]}
for want in ("SYS001", "SYS002", "SYS052"):
    assert want in ids, f"{want} missing: {sorted(ids)}"
EOF

# ---- the Linux build on the same zip: the same findings
# scripts/windows/test.sh builds it before switching the environment to the Windows toolchain.
linux=${WUDIAG_LINUX_EXE:-$REPO_ROOT/target/release/wudiag}
[ -x "$linux" ] || t_fail "no Linux build at $linux (run through scripts/windows/test.sh, or set WUDIAG_LINUX_EXE)"
rc=0
"$linux" analyze "$zip" --format json >"$T/analyze-linux.out" 2>"$T/analyze-linux.err" </dev/null || rc=$?
assert_eq "$rc" 1 "Linux analyze exit code"
python3 - "$(out analyze-win)" "$T/analyze-linux.out" <<'EOF' || t_fail "Windows and Linux findings differ"
import json, sys
def findings(p):
    return sorted((f["rule"], f["title"]) for f in json.load(open(p))["findings"])
w, l = findings(sys.argv[1]), findings(sys.argv[2])
assert w == l, f"windows={w}\nlinux={l}"
print("same %d findings on Windows and Linux" % len(w))
EOF

# ---- live: analyze with no path collects to %TEMP% and analyses that; the temporary zip is gone afterwards
wudiag analyze-live analyze --format json
expect_rc analyze-live 1
python3 - "$(out analyze-live)" <<'EOF' || t_fail "live findings check failed"
import json, sys
ids = {f["rule"] for f in json.load(open(sys.argv[1]))["findings"]}
for want in ("SYS001", "SYS002", "SYS052"):
    assert want in ids, f"{want} missing: {sorted(ids)}"
EOF
left=$(find "$WINEPREFIX/drive_c" -name 'wudiag-live-*' -o -name 'wudiag-collect-*' 2>/dev/null | head -5)
[ -z "$left" ] || t_fail "temporary files left behind: $left"
t_log "ok"
