#!/usr/bin/env python3
"""Quick pre-check of signature files for authors who have no Rust build at hand.

Checks the schema of docs/signatures.md, that patterns compile (Python `re`, close to Rust's `regex` for the
constructs signatures use), that every example line set contains a keyword and matches the pattern and its
`near` pattern, and that no near miss does. The authority is `cargo test -p wudiag-rules --test signatures`,
which runs examples through the real readers; this script only catches mistakes early.

usage: check.py FILE.toml [FILE.toml ...]
"""
import re
import sys
import tomllib

FIELDS = {"id", "name", "title", "summary", "why", "message", "severity", "confidence", "sources",
          "role", "known_issue", "keywords", "pattern", "codes", "near", "os_min", "os_max", "cause", "remedies", "explains",
          "references", "fix", "example", "near_miss"}
SOURCES = {"cbs_log", "dism_log", "checksur_log", "windowsupdate_log", "reporting_events", "setupdiag",
           "configmgr_log", "wsus_softwaredistribution_log", "wsus_change_log", "iis_log", "evtx",
           "panther_log", "setupapi_log", "defender_log", "azure_patch_log", "excerpt"}
PREFIX = {"CBS", "AGT", "NET", "WSUS", "SETUP", "SYS", "PKG", "DEF", "AUM"}
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def rx(p):
    return re.compile(p, re.IGNORECASE)


def matches(sig, text):
    kws = [k.lower() for k in sig["keywords"]]
    lines = [l for l in text.splitlines() if l.strip()] or [text]
    hit = None
    for l in lines:
        if not any(k in l.lower() for k in kws):
            continue
        if "pattern" in sig:
            m = rx(sig["pattern"]).search(l)
            if not m:
                continue
            hit = m.groupdict()
        else:
            hit = {}
        break
    if hit is None:
        return None
    if "near" in sig:
        n = rx(sig["near"]["pattern"])
        found = [n.search(l) for l in lines]
        found = [m for m in found if m]
        if not found:
            return None
        hit.update({k: v for k, v in found[0].groupdict().items() if v})
    return hit


def check(path, seen):
    errs = []
    data = tomllib.load(open(path, "rb"))
    for s in data.get("signature", []):
        sid = s.get("id", "?")
        e = lambda msg: errs.append(f"{path}: {sid}: {msg}")
        for k in s:
            if k not in FIELDS:
                e(f"unknown field {k}")
        for k in ("id", "name", "title", "summary", "why", "message", "keywords", "references", "example", "near_miss"):
            if not s.get(k):
                e(f"missing {k}")
        m = re.fullmatch(r"([A-Z]+)(\d{4})", sid)
        if not m or m.group(1) not in PREFIX:
            e("id must be an area prefix + 4 digits")
        for key in ("id", "name"):
            v = s.get(key)
            if v in seen[key]:
                e(f"duplicate {key} {v}")
            seen[key].add(v)
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s.get("name", "")):
            e("name must be kebab-case")
        for src in s.get("sources", []):
            if src not in SOURCES:
                e(f"unknown source {src}")
        caps = set()
        for key in ("pattern",):
            if key in s:
                try:
                    caps |= set(rx(s[key]).groupindex)
                except re.error as x:
                    e(f"pattern does not compile: {x}")
                if s[key].startswith("^") or s[key].endswith("$"):
                    e("do not anchor patterns")
        if "near" in s:
            try:
                caps |= set(rx(s["near"]["pattern"]).groupindex)
            except re.error as x:
                e(f"near pattern does not compile: {x}")
        for c in s.get("codes", []) + s.get("explains", []):
            if not re.fullmatch(r"0x[0-9A-Fa-f]{8}", c):
                e(f"bad code {c}")
        texts = [s.get("title", ""), s.get("message", "")]
        for f in s.get("fix", []):
            texts.append(f.get("title", ""))
            texts += f.get("steps", [])
            if f.get("applicability") not in ("safe", "unsafe", "display-only"):
                e("fix applicability must be safe|unsafe|display-only")
        for t in texts:
            for p in PLACEHOLDER.findall(t):
                if p not in caps and p not in ("code", "kb"):
                    e(f"placeholder {{{p}}} has no capture")
        if "pattern" not in s and "codes" not in s and len(s.get("keywords", [])) == 0:
            e("needs keywords")
        for ex in s.get("example", []):
            if not ex.get("source"):
                e("example without source")
            hit = matches(s, ex.get("text", ""))
            if hit is None:
                e(f"example does not match: {ex.get('text','')[:80]!r}")
            else:
                for k, v in ex.get("captures", {}).items():
                    if (hit.get(k) or "").strip() != v:
                        e(f"capture {k}: got {hit.get(k)!r}, expected {v!r}")
        for nm in s.get("near_miss", []):
            if matches(s, nm.get("text", "")) is not None:
                e(f"near miss matches: {nm.get('text','')[:80]!r}")
    return errs, len(data.get("signature", []))


def main():
    seen = {"id": set(), "name": set()}
    errs, n = [], 0
    for p in sys.argv[1:]:
        x, k = check(p, seen)
        errs += x
        n += k
    for x in errs:
        print(x)
    print(f"{n} signatures, {len(errs)} problems")
    sys.exit(1 if errs else 0)


main()
