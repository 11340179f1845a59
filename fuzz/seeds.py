#!/usr/bin/env python3
"""Writes small seed inputs for the fuzz targets that random bytes reach poorly.

    python3 fuzz/seeds.py            # from the repository root (or anywhere: paths are relative to this file)

Seeds go to fuzz/corpus/<target>/seed-*, which is git-ignored; the fuzzer adds its own findings next to
them. Running the script again rewrites the same bytes (fixed zip timestamps), so it is safe to repeat.
Only the standard library is used.
"""

import io
import pathlib
import zipfile

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
STAMP = (2024, 3, 12, 10, 0, 0)

CBS = (
    "2024-03-12 10:00:01, Info                  CBS    Starting TrustedInstaller initialization.\r\n"
    "2024-03-12 10:00:02, Error                 CBS    Failed to resolve package [HRESULT = 0x800f0831 - CBS_E_STORE_CORRUPTION]\r\n"
)
REG5 = (
    "Windows Registry Editor Version 5.00\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate]\r\n"
    '"WUServer"="http://wsus.example:8530"\r\n'
    '"DeferQualityUpdatesPeriodInDays"=dword:00000007\r\n\r\n'
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU]\r\n"
    '"UseWUServer"=dword:00000001\r\n'
    '"M"=hex(7):61,00,00,00,62,00,\\\r\n  00,00,00,00\r\n'
    '"Q"=hex(b):26,08,43,2a,2c,7f,d8,01\r\n\r\n'
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Services\\wuauserv]\r\n"
    '"Start"=dword:00000003\r\n\r\n'
    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending]\r\n"
)
REG4 = (
    "REGEDIT4\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n"
    '"ProductName"="Windows 10 Pro"\r\n'
    '"CurrentBuild"="19045"\r\n'
    '@="x\\"y\\\\z"\r\n'
    '"T"=hex:01,\\\r\n'
)
SERVICES = (
    "{\n"
    '"format": "wudiag/service-states/v1",\n'
    '"source": "sc.exe queryex type= service state= all",\n'
    '"services": [\n'
    '{"name":"wuauserv","display_name":"Windows Update","state":"running","state_code":4},\n'
    '{"name":"BITS","state":"stopped","state_code":1},\n'
    '{"name":"wlidsvc","state":"start_pending","state_code":2},\n'
    '{"name":"Spooler"},\n'
    "]\n"
    "}\n"
)
SYSTEMINFO = (
    "\r\n"
    "Host Name:                 DESKTOP-1\r\n"
    "OS Name:                   Microsoft Windows 10 Pro\r\n"
    "OS Version:                10.0.19045 N/A Build 19045\r\n"
    "OS Manufacturer:           Microsoft Corporation\r\n"
    "OS Configuration:          Standalone Workstation\r\n"
    "OS Build Type:             Multiprocessor Free\r\n"
    "Original Install Date:     12/03/2024, 10:00:00\r\n"
    "System Type:               x64-based PC\r\n"
    "Hotfix(s):                 2 Hotfix(s) Installed.\r\n"
    "                           [01]: KB5034441\r\n"
    "                           [02]\u00a0: Q147222\r\n"
)
WMIC = (
    "Caption                                     CSName     Description      FixComments  HotFixID   InstallDate  InstalledBy          InstalledOn  Name  ServicePackInEffect  Status\r\n"
    "http://support.microsoft.com/?kbid=5034441  DESKTOP-1  Security Update               KB5034441               NT AUTHORITY\\SYSTEM  3/12/2024\r\n"
    "                                            DESKTOP-1  Update                        KB5011048               NT AUTHORITY\\SYSTEM  2/1/2024\r\n"
)
GET_HOTFIX = (
    "\r\n"
    "Source        Description      HotFixID      InstalledBy          InstalledOn\r\n"
    "------        -----------      --------      -----------          -----------\r\n"
    "DESKTOP-1     Security Update  KB5034441     NT AUTHORITY\\SYSTEM  12.03.2024 00:00:00\r\n"
)
WUA_LIST = (
    "KB5034441: 2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems\r\n"
    "KB890830: Windows Malicious Software Removal Tool x64 - v5.121\r\n"
)


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    """A zip of (name, bytes) members, byte-for-byte reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (folder / f"seed-{name}").write_bytes(data)
    return len(data)


def main():
    utf16 = lambda s: s.encode("utf-16-le")  # noqa: E731 (no BOM: the registry target adds one)
    inner = zip_bytes([("CBS/CBS.log", CBS), ("wu.reg", b"\xff\xfe" + utf16(REG5))])
    seeds = {
        "read_bundle": {
            "plain.zip": zip_bytes([("Logs/CBS/CBS.log", CBS), ("services.json", SERVICES)]),
            "stored.zip": zip_bytes([("systeminfo.txt", SYSTEMINFO)], zipfile.ZIP_STORED),
            "nested.zip": zip_bytes([("outer.txt", WUA_LIST), ("inner/logs.zip", inner)]),
            "traversal.zip": zip_bytes(
                [("../evil.txt", "evil\n"), ("/tmp/absolute-evil.txt", "evil\n"), ("ok/qfe.txt", WMIC)]
            ),
            "empty.zip": zip_bytes([]),
        },
        "read_registry_export": {
            "v5-utf16.reg": utf16(REG5),
            "v5-utf8.reg": REG5,
            "regedit4.reg": REG4,
        },
        "read_service_states": {"services.json": SERVICES},
        "read_systeminfo": {"systeminfo.txt": SYSTEMINFO, "systeminfo-utf16.txt": b"\xff\xfe" + utf16(SYSTEMINFO)},
        "read_hotfix_list": {
            "wmic-utf16.txt": b"\xff\xfe" + utf16(WMIC),
            "get-hotfix.txt": GET_HOTFIX,
            "wua.txt": WUA_LIST,
        },
    }
    for target, files in seeds.items():
        for name, data in files.items():
            size = write(target, name, data)
            print(f"{target}/seed-{name} ({size} bytes)")


if __name__ == "__main__":
    main()
