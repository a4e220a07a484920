#!/usr/bin/env python3
"""How often address reuse fools `muppy-analyze leaks` (a measurement).

    PYTHONPATH=build/python python3 bench/leaks_reuse.py [--analyzer PATH]
        [--entries 10000] [--steps 100000]

Leak candidates are objects of TARGET that BASE did not have and that FINAL
still has, matched by address and type.  An object alive at TARGET, freed
later, whose address FINAL reuses for a new object of the same type, is
mistaken for a candidate: identity matching cannot see it.

The workload is the worst case for that: a bounded cache (an OrderedDict
of --entries Entry objects, each with a dict of attributes) into which
every step inserts one new entry and evicts the oldest, so that CPython's
allocator hands the freed memory straight back to new entries of the same
type.  Between the snapshots every entry of TARGET is evicted: none is a
leak.  The script counts, from the interpreter's own ids, how many entries
of FINAL sit at the address of an entry of TARGET (the false matches that
are possible), then runs `leaks` and reports what it calls candidates and
clusters.  It also plants a real leak (a list that keeps --leak Leaked
objects) to show it still stands out.
"""
import argparse
import collections
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile

import muppy


class Entry:
    def __init__(self, key):
        self.key = key
        self.value = [key, key + 1]


class Leaked:
    pass


LEAKED = []
CACHE = collections.OrderedDict()


def step(key, entries):
    CACHE[key] = Entry(key)
    if len(CACHE) > entries:
        CACHE.popitem(last=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--analyzer", default=os.path.join(
        here, "..", "build", "analyzer", "muppy-analyze"))
    ap.add_argument("--entries", type=int, default=10000)
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--leak", type=int, default=100)
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="muppy-reuse-")
    key = 0
    try:
        for _ in range(args.entries):
            key += 1
            step(key, args.entries)
        gc.collect()
        muppy.dump(os.path.join(d, "base.snap"))
        for _ in range(args.steps):
            key += 1
            step(key, args.entries)
        LEAKED.extend(Leaked() for _ in range(args.leak))
        gc.collect()
        at_target = {id(e) for e in CACHE.values()}
        muppy.dump(os.path.join(d, "target.snap"))
        for _ in range(args.steps):
            key += 1
            step(key, args.entries)
        gc.collect()
        reused = sum(1 for e in CACHE.values() if id(e) in at_target)
        muppy.dump(os.path.join(d, "final.snap"))
        out = subprocess.run(
            [args.analyzer, "leaks", "--json", "--min-count", "1",
             "--top", "1000"] + [os.path.join(d, n + ".snap")
                                 for n in ("base", "target", "final")],
            stdout=subprocess.PIPE, check=True).stdout
        j = json.loads(out)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    # the set of ids kept for this measurement is new too: not counted
    clusters = [c for c in j["clusters"]
                if not any("at_target" in s["label"] for s in c["path"])]
    false = [c for c in clusters if c["type"] != "Leaked"]
    leaked = [c for c in clusters if c["type"] == "Leaked"]
    print("cache entries alive at TARGET (an Entry, its list and two ints "
          "each), all evicted before FINAL: %d" % args.entries)
    print("entries of FINAL at the address of an entry of TARGET "
          "(interpreter's ids): %d (%.1f%%)"
          % (reused, 100.0 * reused / args.entries))
    print("false matches: %d objects in %d clusters (%.2f%% of the "
          "transient entries' objects):" % (
              sum(c["count"] for c in false), len(false),
              100.0 * sum(c["count"] for c in false) / (4 * args.entries)))
    for c in false:
        print("  %6d %-8s %s" % (c["count"], c["type"],
                                 " ".join(s["label"] for s in c["path"][1:])))
    print("real leak: %d Leaked objects planted, found: %s"
          % (args.leak, ", ".join("%d %s" % (c["count"], c["type"])
                                  for c in leaked) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
