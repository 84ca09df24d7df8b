#!/usr/bin/env python3
"""check_report: `heaplens report --json` on simulated page dumps, against the simulator's own figures.

gen_pagedump.py runs the allocator model and writes every shape with an
expected.json computed from the model's state. This runs the real binary on
each file and compares the pageDump section field by field, and the text
report's headline figures.

  check_report.py HEAPLENS WORKDIR
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def close(a, b, tol=6e-4):
    return a is not None and b is not None and abs(a - b) <= tol


def compare(name, got, want):
    pd = got.get("pageDump")
    check(pd is not None, f"{name}: no pageDump section")
    if pd is None:
        return
    check(pd["sampleCount"] == want["sampleCount"], f"{name}: sampleCount {pd['sampleCount']} != {want['sampleCount']}")
    check(pd["fieldOrder"] == want["fieldOrder"], f"{name}: fieldOrder {pd['fieldOrder']} != {want['fieldOrder']}")
    check(pd["errors"] == [], f"{name}: errors {pd['errors'][:3]}")
    check(pd["timeline"]["peak"]["bytes"] == want["peakBytes"], f"{name}: peak {pd['timeline']['peak']}")
    check(len(pd["gcs"]) == len(want["gcs"]), f"{name}: {len(pd['gcs'])} GCs, expected {len(want['gcs'])}")
    for g, e in zip(pd["gcs"], want["gcs"]):
        label = f"{name} GC {e['index']}"
        for key in ("index", "beforeLine", "afterLine", "sampleLine", "sampleMatch", "pagesReleased", "heapDrop"):
            check(g[key] == e[key], f"{label}: {key} {g[key]!r} != {e[key]!r}")
        check(close(g["occupancyChangePoints"], e["occupancyChangePoints"], 0.02),
              f"{label}: occupancyChangePoints {g['occupancyChangePoints']} != {e['occupancyChangePoints']}")
        for when in ("before", "after"):
            gm, em = g[when], e[when]
            for key in ("line", "pages", "full", "empty", "partial"):
                check(gm[key] == em[key], f"{label} {when}: {key} {gm[key]} != {em[key]}")
            for key in ("meanOccupancy", "fragmentation"):
                check(close(gm[key], em[key]), f"{label} {when}: {key} {gm[key]} != {em[key]}")
            check(gm["compaction"] == em["compaction"], f"{label} {when}: compaction {gm['compaction']} != {em['compaction']}")
            check(sorted(gm["classes"]) == sorted(em["classes"]),
                  f"{label} {when}: classes {sorted(gm['classes'])} != {sorted(em['classes'])}")
            for cname, ec in em["classes"].items():
                gc = gm["classes"].get(cname)
                if gc is None:
                    continue
                for key in ("line", "pages", "full", "empty", "partial"):
                    check(gc[key] == ec[key], f"{label} {when} class {cname}: {key} {gc[key]} != {ec[key]}")
                check(close(gc["meanOccupancy"], ec["meanOccupancy"]),
                      f"{label} {when} class {cname}: meanOccupancy {gc['meanOccupancy']} != {ec['meanOccupancy']}")
                check(gc["pagesNeeded"] == ec["compaction"]["pagesNeeded"],
                      f"{label} {when} class {cname}: pagesNeeded {gc['pagesNeeded']} != {ec['compaction']['pagesNeeded']}")
                check(pd["classes"][cname]["kind"] == ec["kind"],
                      f"{name} class {cname}: kind {pd['classes'][cname]['kind']} != {ec['kind']}")


def main():
    heaplens, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_pagedump.py"), "--out", work, "--samples", "4000",
                    "--gcs", "9", "--seed", "2024"], check=True, stdout=subprocess.DEVNULL)
    names = ["producer.log", "viewer.txt", "viewer-numeric.txt", "marker.txt"]
    for name in names:
        path = os.path.join(work, name)
        with open(path + ".expected.json") as f:
            want = json.load(f)
        out = subprocess.run([heaplens, "report", path, "--json"], check=True, capture_output=True, text=True)
        got = json.loads(out.stdout)
        check(got["format"] == "kn-pagedump", f"{name}: format {got['format']}")
        compare(name, got, want)
        text = subprocess.run([heaplens, "report", path], check=True, capture_output=True, text=True).stdout
        check("Heap timeline" in text and "GCs (pages before" in text, f"{name}: the text report has no page-dump section")
        # The same file under another name is read the same way: detection is by content.
        other = os.path.join(work, "renamed-" + name.replace(".", "-") + ".data")
        with open(path, "rb") as src, open(other, "wb") as dst:
            dst.write(src.read())
        again = json.loads(subprocess.run([heaplens, "report", other, "--json"], check=True, capture_output=True,
                                          text=True).stdout)
        check(again["pageDump"]["gcs"] == got["pageDump"]["gcs"], f"{name}: renamed file reads differently")
    # OHOS page size: bytes saved scale with the page.
    path = os.path.join(work, "producer.log")
    small = json.loads(subprocess.run([heaplens, "report", path, "--json", "--page-kib", "128"], check=True,
                                      capture_output=True, text=True).stdout)["pageDump"]
    with open(path + ".expected.json") as f:
        want = json.load(f)
    check(small["pageBytes"] == 128 * 1024, f"--page-kib 128: pageBytes {small['pageBytes']}")
    for g, e in zip(small["gcs"], want["gcs"]):
        check(g["after"]["compaction"]["bytesSaved"] * 2 == e["after"]["compaction"]["bytesSaved"],
              f"--page-kib 128: GC {e['index']} bytesSaved {g['after']['compaction']['bytesSaved']}")
    for f in failures[:40]:
        print("FAIL:", f)
    files = names + ["--page-kib 128"]
    failed = {f for f in files if any(x.startswith(f.split(".")[0]) or x.startswith(f) for x in failures)}
    print(f"{len(files) - len(failed)} passed, {len(failed)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
