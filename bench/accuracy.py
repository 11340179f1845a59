#!/usr/bin/env python3
"""Accuracy of wudiag on real cases (tests/cases/, format in its README), as the README quotes it.

For every case: is the first finding's id one of the expected ones (primary right), does any finding have
it (any right), and, for healthy cases, how many error-level findings were reported (false errors). The
stricter checks (codes, culprit, KB) are the test's job (`cargo test -p wudiag --test cases`); this table
counts ids only, so that a held-out set in the same format can be scored with the same script.

A case whose expected primary is NONE names a cause nothing covers yet; it counts as a miss.

usage: accuracy.py WUDIAG_BINARY [CASES_DIR]
"""
import collections
import json
import pathlib
import subprocess
import sys
import tomllib


def main():
    binary = sys.argv[1]
    root = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "tests/cases")
    rows = collections.defaultdict(lambda: [0, 0, 0, 0, 0])  # cases, primary, any, healthy, false errors
    misses = []
    for case_toml in sorted(root.glob("*/case.toml")):
        case = tomllib.loads(case_toml.read_text(encoding="utf-8"))
        expect = case["expect"]
        area = case_toml.parent.name.split("-")[0]
        run = subprocess.run([binary, "analyze", "--format", "json", str(case_toml.parent / "evidence")],
                             capture_output=True)
        findings = json.loads(run.stdout)["findings"]
        ids = [f["rule"] for f in findings]
        row = rows[area]
        if expect.get("healthy"):
            errors = [f["rule"] for f in findings if f["severity"] == "error"]
            row[3] += 1
            row[4] += len(errors)
            if errors:
                misses.append(f"{case_toml.parent.name}: healthy, errors {' '.join(errors)}")
            continue
        row[0] += 1
        wanted = set(expect["primary"])
        if ids and ids[0] in wanted:
            row[1] += 1
        else:
            misses.append(f"{case_toml.parent.name}: first {ids[0] if ids else '-'}, want {'|'.join(sorted(wanted))}")
        if wanted & set(ids):
            row[2] += 1
    uncovered = sum(1 for c in root.glob("*/case.toml")
                    if "NONE" in tomllib.loads(c.read_text(encoding="utf-8"))["expect"].get("primary", []))
    total = [sum(r[i] for r in rows.values()) for i in range(5)]
    pct = lambda n, d: f"{100 * n / d:.0f}%" if d else "-"
    print("| area | cases | primary right | any finding right | healthy logs | error findings on healthy |")
    print("|---|---:|---:|---:|---:|---:|")
    for area, r in sorted(rows.items()):
        print(f"| {area} | {r[0]} | {r[1]} ({pct(r[1], r[0])}) | {r[2]} ({pct(r[2], r[0])}) | {r[3]} | {r[4]} |")
    print(f"| **all** | {total[0]} | {total[1]} ({pct(total[1], total[0])}) | {total[2]} ({pct(total[2], total[0])}) "
          f"| {total[3]} | {total[4]} |")
    if uncovered:
        print(f"\n{uncovered} of the {total[0]} failure cases name a cause no rule or signature covers "
              f"(primary NONE): counted as misses.")
    for m in misses:
        print("miss:", m, file=sys.stderr)


if __name__ == "__main__":
    main()
