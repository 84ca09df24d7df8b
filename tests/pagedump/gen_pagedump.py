#!/usr/bin/env python3
"""gen_pagedump: simulates the Kotlin/Native custom allocator and writes its heap timeline + page dumps.

The simulation has the allocator's page kinds: fixed-block size classes
(blocks of N cells of 8 bytes), next-fit pages (medium objects, bump
allocation), single-object pages (one large object each) and extra-object
pages (one cell per object). Objects are allocated between GCs, each with a
lifetime in GCs; a GC dumps every page before it, sweeps the dead objects
(releasing most pages left empty, keeping a few empty), and dumps again.

It writes the same run in every shape HeapLens reads:
  producer.log       the allocator's memdump.log: `<timestamp_us>,<bytes>` samples, 28-dash headers,
                     GCs from 0, `Heap Dump at: <us>, <bytes>`, tokens without spaces, only non-empty
                     fixed-block classes, empty named lines kept (`nextFitPages: `)
  viewer.txt         MemDumpView's documented shape: `<bytes>,ts-<k>` samples, `-------before GC 1 -------`,
                     GCs from 1, `Heap Dump at: ts-<k>` (an exact match), tokens with spaces
  viewer-numeric.txt the same with numeric millisecond timestamps and GC times between samples (nearest match)
  marker.txt         the older variant: `<bytes>,true|false` samples, no `Heap Dump at:` lines

and, beside each, <name>.expected.json: the figures `heaplens report --json` must give, computed here
from the simulation's own state (allocated blocks per page, the samples it wrote and their lines), by the
rules the README states, never by reading the file back.

  gen_pagedump.py --out DIR [--samples N] [--gcs N] [--seed N] [--shapes a,b] [--no-expected]
"""
import argparse
import bisect
import json
import math
import os
import random

CELL = 8
PAGE_BYTES = 256 * 1024
FIXED_CELLS = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128]
NEXT_FIT_CAPACITY = 2400      # cells per next-fit page in the model
EXTRA_CAPACITY = 48          # cells per extra-object page in the model


def blocks_per_page(cells):
    # A model page: small enough that a short run fills many pages.
    return max(4, 160 // cells)


class Page:
    __slots__ = ("capacity", "objects", "used")

    def __init__(self, capacity):
        self.capacity = capacity  # blocks (fixed), cells (next-fit, extra) or 1 (single-object)
        self.objects = []         # [size, death_gc]
        self.used = 0

    def token(self):
        if self.used >= self.capacity:
            return "+", 1.0
        if self.used == 0:
            return "-", 0.0
        pct = self.used * 100 // self.capacity  # the allocator's integer percent
        return "(%d%%)" % pct, pct / 100.0


class Allocator:
    def __init__(self, rng):
        self.rng = rng
        self.fixed = {c: [] for c in FIXED_CELLS}
        self.next_fit = []
        self.single = []
        self.extra = []
        self.allocated_bytes = 0
        self.cursor = {}  # per class, the first page that may have a free block (reset by the sweep)

    def classes(self):
        """(name, kind, pages) in the producer's order: fixed classes by size, then the named groups."""
        out = [(str(c), "fixedBlock", self.fixed[c]) for c in FIXED_CELLS]
        out += [("nextFitPages", "nextFit", self.next_fit), ("singleObjectPages", "singleObject", self.single),
                ("extraObjectPages", "extraObject", self.extra)]
        return out

    def allocate(self, gc_now):
        r = self.rng.random()
        life = 0 if self.rng.random() < 0.7 else self.rng.choice([1, 2, 3, 5, 8, 1000])
        death = gc_now + life
        if r < 0.78:
            cells = self.rng.choice(FIXED_CELLS[:9]) if self.rng.random() < 0.9 else self.rng.choice(FIXED_CELLS)
            pages = self.fixed[cells]
            page = self.first_free(cells, pages)
            if page is None:
                page = Page(blocks_per_page(cells))
                pages.append(page)
            page.objects.append([1, death])
            page.used += 1
            self.allocated_bytes += cells * CELL
        elif r < 0.90:
            cells = self.rng.randint(129, 1800)
            page = self.next_fit[-1] if self.next_fit else None
            if page is None or page.used + cells > page.capacity:
                page = Page(NEXT_FIT_CAPACITY)  # the old page is abandoned until the next GC
                self.next_fit.append(page)
            page.objects.append([cells, death])
            page.used += cells
            self.allocated_bytes += cells * CELL
        elif r < 0.94:
            cells = self.rng.randint(4096, 40000)
            page = Page(1)
            page.objects.append([1, death, cells * CELL])  # the object's bytes: not dumped, only counted
            page.used = 1
            self.single.append(page)
            self.allocated_bytes += cells * CELL
        else:
            page = self.first_free("extra", self.extra)
            if page is None:
                page = Page(EXTRA_CAPACITY)
                self.extra.append(page)
            page.objects.append([1, death])
            page.used += 1
            self.allocated_bytes += 2 * CELL

    def first_free(self, key, pages):
        """The first page with a free block, as the allocator's ready list gives it."""
        i = self.cursor.get(key, 0)
        while i < len(pages) and pages[i].used >= pages[i].capacity:
            i += 1
        self.cursor[key] = i
        return pages[i] if i < len(pages) else None

    def sweep(self, gc_now):
        """Frees objects whose death GC has come; releases most pages left empty."""
        def bytes_of(kind, cells, obj):
            if kind == "fixedBlock":
                return cells * CELL
            if kind == "nextFit":
                return obj[0] * CELL
            if kind == "singleObject":
                return obj[2]
            return 2 * CELL
        for name, kind, pages in self.classes():
            cells = int(name) if kind == "fixedBlock" else 0
            kept = []
            empties = 0
            for p in pages:
                alive = []
                for obj in p.objects:
                    if obj[1] <= gc_now:
                        self.allocated_bytes -= bytes_of(kind, cells, obj)
                        p.used -= obj[0] if kind in ("fixedBlock", "nextFit", "extraObject") else 1
                    else:
                        alive.append(obj)
                p.objects = alive
                if p.used == 0:
                    # The sweep gives empty pages back; the allocator keeps one empty page per class.
                    empties += 1
                    if empties > 1 or kind == "singleObject":
                        continue
                kept.append(p)
            pages[:] = kept
        self.cursor.clear()


def simulate(samples, gcs, seed):
    """Runs the allocator; returns the samples and, per GC, the before/after page states and stamps."""
    rng = random.Random(seed)
    a = Allocator(rng)
    per_epoch = max(1, samples // (gcs + 1))
    t = 3_000_000_000 + rng.randint(0, 999)
    out_samples = []  # (time_us, bytes)
    out_gcs = []
    epoch_end = per_epoch
    for i in range(samples):
        a.allocate(len(out_gcs))
        if rng.random() < 0.5:
            a.allocate(len(out_gcs))
        t += 200 + rng.randint(-3, 3)
        out_samples.append((t, a.allocated_bytes))
        if i + 1 == epoch_end and len(out_gcs) < gcs and i + 1 < samples:
            epoch_end += per_epoch
            gc = len(out_gcs)
            t_before = t + rng.randint(20, 180)
            before = snapshot(a)
            bytes_before = a.allocated_bytes
            a.sweep(gc)
            t_after = t_before + rng.randint(300, 2500)
            after = snapshot(a)
            out_gcs.append({"sample": i, "before": before, "after": after, "tBefore": t_before, "tAfter": t_after,
                            "bytesBefore": bytes_before, "bytesAfter": a.allocated_bytes})
            t = t_after  # the tracer's next sample comes after the GC
    return out_samples, out_gcs


def snapshot(a):
    """[(name, kind, [(token, occupancy)])] for every class, empty ones included."""
    return [(name, kind, [p.token() for p in pages]) for name, kind, pages in a.classes()]


# ---- writers ----

class Writer:
    def __init__(self):
        self.lines = []

    def add(self, text):
        self.lines.append(text)
        return len(self.lines)  # its 1-based line

    def text(self):
        return "\n".join(self.lines) + "\n"


def write_shape(shape, samples, gcs):
    """Writes one shape; returns the text and what was written where (lines, times, ties)."""
    w = Writer()
    producer = shape == "producer"
    w.add("phase1: heap use")
    sample_lines, sample_times = [], []
    gc_samples = {g["sample"]: k for k, g in enumerate(gcs)}
    for i, (t, b) in enumerate(samples):
        if producer:
            line = w.add("%d,%d" % (t, b))
            sample_times.append(str(t))
        elif shape == "viewer":
            line = w.add("%d,ts-%d" % (b, i + 1))
            sample_times.append("ts-%d" % (i + 1))
        elif shape == "viewer-numeric":
            ms = 1698652530000 + i * 5
            line = w.add("%d,%d" % (b, ms))
            sample_times.append(str(ms))
        else:
            line = w.add("%d,%s" % (b, "true" if i in gc_samples else "false"))
            sample_times.append(str(len(sample_lines) + 1))
        sample_lines.append(line)
    if not producer:
        w.add("")
    w.add("phase2: page dump")
    written = []
    for k, g in enumerate(gcs):
        number = k if producer else k + 1
        rec = {"number": number}
        for when in ("before", "after"):
            if producer:
                rec[when + "Line"] = w.add("-" * 28 + "%s GC %d " % (when, number) + "-" * 28)
                t = g["tBefore"] if when == "before" else g["tAfter"]
                w.add("Heap Dump at: %d, %d" % (t, g["bytes" + when.capitalize()]))
            else:
                rec[when + "Line"] = w.add("-------%s GC %d -------" % (when, number))
                if shape == "viewer":
                    w.add("Heap Dump at: ts-%d" % (g["sample"] + 1))
                elif shape == "viewer-numeric":
                    w.add("Heap Dump at: %d" % (1698652530000 + g["sample"] * 5 + 2))  # 2 ms after its sample
            lines = {}
            for name, kind, pages in g[when]:
                if kind == "fixedBlock" and not pages:
                    continue  # only non-empty fixed-block classes are written
                sep = "" if producer else " "
                lines[name] = w.add("%s: %s" % (name, sep.join(tok for tok, _ in pages)))
            rec[when + "ClassLines"] = lines
        written.append(rec)
        if not producer:
            w.add("")
    return w.text(), {"sampleLines": sample_lines, "sampleTimes": sample_times, "gcs": written}


# ---- expected figures, from the simulation ----

def tally(kind, pages):
    occ = [o for _, o in pages]
    t = {"pages": len(pages), "full": sum(1 for tok, _ in pages if tok == "+"),
         "empty": sum(1 for tok, _ in pages if tok == "-")}
    t["partial"] = t["pages"] - t["full"] - t["empty"]
    t["occupiedPages"] = sum(occ)
    t["meanOccupancy"] = sum(occ) / len(occ) if occ else 0.0
    partial_free = sum(1 - o for tok, o in pages if tok not in ("+", "-"))
    non_empty = t["pages"] - t["empty"]
    t["fragmentation"] = partial_free / non_empty if non_empty else 0.0
    if kind == "singleObject":
        needed = sum(1 for o in occ if o > 0)
        saved_bytes = 0
    else:
        needed = min(len(occ), math.ceil(sum(occ) - 1e-6))
        saved_bytes = (len(occ) - needed) * PAGE_BYTES
    t["compaction"] = {"pagesNeeded": needed, "pagesSaved": len(occ) - needed, "bytesSaved": saved_bytes}
    return t


def expected(shape, samples, gcs, where):
    producer = shape == "producer"
    out = {"sampleCount": len(samples),
           "fieldOrder": "timestamp,bytes" if producer else "bytes,timestamp",
           "peakBytes": max(b for _, b in samples), "gcs": []}
    sample_times = where["sampleTimes"]
    numeric = [float(x) for x in sample_times] if shape in ("producer", "viewer-numeric") else None
    for k, g in enumerate(gcs):
        rec = where["gcs"][k]
        e = {"index": rec["number"], "beforeLine": rec["beforeLine"], "afterLine": rec["afterLine"]}
        # The tie, by the documented rule.
        if shape == "viewer":
            s = g["sample"]  # exact: `ts-k` is that sample's id
        elif shape == "marker":
            s = g["sample"]  # the k-th `true` sample
        else:
            x = float(g["tAfter"]) if producer else float(1698652530000 + g["sample"] * 5 + 2)
            j = bisect.bisect_left(numeric, x)
            if j == len(numeric) or (j > 0 and x - numeric[j - 1] <= numeric[j] - x):
                j -= 1
            s = j
        e["sampleLine"] = where["sampleLines"][s]
        e["sampleMatch"] = {"viewer": "exact", "marker": "marker"}.get(shape, "nearest")
        for when in ("before", "after"):
            classes = {}
            total = {"pages": 0, "full": 0, "empty": 0, "partial": 0, "occupiedPages": 0.0,
                     "pagesNeeded": 0, "bytesSaved": 0, "partialFree": 0.0}
            for name, kind, pages in g[when]:
                if kind == "fixedBlock" and not pages:
                    continue
                t = tally(kind, pages)
                t["line"] = rec[when + "ClassLines"][name]
                t["kind"] = kind
                classes[name] = t
                for key in ("pages", "full", "empty", "partial"):
                    total[key] += t[key]
                total["occupiedPages"] += t["occupiedPages"]
                total["pagesNeeded"] += t["compaction"]["pagesNeeded"]
                total["bytesSaved"] += t["compaction"]["bytesSaved"]
                total["partialFree"] += sum(1 - o for tok, o in pages if tok not in ("+", "-"))
            mean = total["occupiedPages"] / total["pages"] if total["pages"] else 0.0
            non_empty = total["pages"] - total["empty"]
            e[when] = {"line": rec[when + "Line"], "pages": total["pages"], "full": total["full"],
                       "empty": total["empty"], "partial": total["partial"], "meanOccupancy": mean,
                       "fragmentation": total["partialFree"] / non_empty if non_empty else 0.0,
                       "compaction": {"pagesNeeded": total["pagesNeeded"],
                                      "pagesSaved": total["pages"] - total["pagesNeeded"],
                                      "bytesSaved": total["bytesSaved"]},
                       "classes": classes}
        before_counts = {n: len(p) for n, _, p in g["before"]}
        after_counts = {n: len(p) for n, _, p in g["after"]}
        e["pagesReleased"] = sum(max(0, before_counts[n] - after_counts.get(n, 0)) for n in before_counts)
        e["occupancyChangePoints"] = (e["after"]["meanOccupancy"] - e["before"]["meanOccupancy"]) * 100
        if producer:
            e["heapDrop"] = g["bytesBefore"] - g["bytesAfter"]
        else:
            e["heapDrop"] = samples[s][1] - samples[s + 1][1] if s + 1 < len(samples) else None
        out["gcs"].append(e)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples", type=int, default=3000)
    ap.add_argument("--gcs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--shapes", default="producer,viewer,viewer-numeric,marker")
    ap.add_argument("--no-expected", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    samples, gcs = simulate(args.samples, args.gcs, args.seed)
    for shape in args.shapes.split(","):
        text, where = write_shape(shape, samples, gcs)
        name = {"producer": "producer.log"}.get(shape, shape + ".txt")
        with open(os.path.join(args.out, name), "w") as f:
            f.write(text)
        if not args.no_expected:
            with open(os.path.join(args.out, name + ".expected.json"), "w") as f:
                json.dump(expected(shape, samples, gcs, where), f, indent=1)
        print(os.path.join(args.out, name))


if __name__ == "__main__":
    main()
