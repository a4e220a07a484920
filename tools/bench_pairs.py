#!/usr/bin/env python3
"""Paired runs of the dump benchmark, for a noisy shared machine.

bench/dump_bench.py times all its dumps, then all its Python walks: when
the machine's load changes in between, the speed-up it reports moves
with it.  This runs the same children (each a fresh process that builds
the heapgen heap, then dumps it or walks it in Python) as pairs, one
dump then one walk, and reports the medians and the median of the
pairs' ratios.

    PYTHONPATH=build/python python3 tools/bench_pairs.py --pairs 9 100000

Output: python version, objects, dump seconds (and the dumping thread's
CPU seconds), walk seconds, speed-up (median of the pairs, their range).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                     "bench", "dump_bench.py")


def child(mode, scale):
    with tempfile.TemporaryDirectory(prefix="muppy-pairs-") as d:
        out = subprocess.run([sys.executable, BENCH, "--child", mode,
                              str(scale), d],
                             stdout=subprocess.PIPE, check=True,
                             universal_newlines=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scale", nargs="?", type=int, default=100000)
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    dump, cpu, walk, ratio = [], [], [], []
    for _ in range(a.pairs):
        d = child("dump", a.scale)
        p = child("python", a.scale)
        dump.append(d["seconds"])
        cpu.append(d["cpu"])
        walk.append(p["seconds"])
        ratio.append(p["seconds"] / d["seconds"])
    med = statistics.median
    print("python %s, scale %d: %d objects, dump %.3f s (cpu %.3f), "
          "walk %.3f s, speed-up %.1fx (pairs %.1f-%.1f, n=%d)"
          % (sys.version.split()[0], a.scale, d["objects"], med(dump),
             med(cpu), med(walk), med(ratio), min(ratio), max(ratio),
             a.pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
