#!/usr/bin/env python3
"""Two builds of muppy dumping the same heap, in pairs, on a noisy machine.

Each run is a fresh process that builds the heap, then times one
muppy.dump() with the muppy package found in one of two directories
(PYTHONPATH): a baseline build and the build under test.  Runs alternate
A, B, A, B... (the pairs see the same load); the output is the medians
of each side, the median of the pairs' ratios B/A, and file bytes per
object.

    python3 bench/dump_compare.py --heap heapgen --scale 100000 \\
        --pairs 9 BASELINE_DIR NEW_DIR
    /usr/bin/python3 bench/dump_compare.py --heap data --scale 1 \\
        --pairs 5 BASELINE_DIR NEW_DIR

--heap heapgen: ../shared/bench/heapgen.py at --scale (objects);
--heap data: bench/dataheap.py at --scale (1: the 1 GB numpy, pandas,
torch, PIL and lxml heap; needs those libraries); --heap data-columns:
the same after reading the DataFrame's two columns (pandas caches the
Series: what a program that used the frame holds).
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEAPGEN = os.path.join(HERE, "..", "..", "shared", "bench")


def child(heap, scale, out_dir):
    if heap == "heapgen":
        sys.path.insert(0, HEAPGEN)
        import heapgen
        keep = heapgen.build(int(scale))
    else:
        sys.path.insert(0, HERE)
        import dataheap
        keep = dataheap.build(float(scale))
        if heap == "data-columns":
            frame = keep.parts["frame"].obj
            frame["n"], frame["s"]
    import muppy
    gc.collect()
    t0 = time.perf_counter()
    c0 = time.thread_time()
    r = muppy.dump(os.path.join(out_dir, "compare.snap"))
    seconds = time.perf_counter() - t0
    cpu = time.thread_time() - c0
    print(json.dumps({"seconds": seconds, "cpu": cpu, "objects": r.objects,
                      "edges": r.edges, "bytes": r.bytes_written}))
    del keep


def run(path, heap, scale):
    env = dict(os.environ, PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryDirectory(prefix="muppy-compare-") as d:
        out = subprocess.run([sys.executable, os.path.abspath(__file__),
                              "--child", heap, str(scale), d],
                             stdout=subprocess.PIPE, check=True, env=env,
                             universal_newlines=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", nargs="?", help="baseline package directory")
    ap.add_argument("b", nargs="?", help="package directory under test")
    ap.add_argument("--heap", choices=("heapgen", "data", "data-columns"),
                    default="heapgen")
    ap.add_argument("--scale", default="100000")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    o = ap.parse_args()
    if o.child:
        child(*o.child)
        return 0
    if not o.a or not o.b:
        ap.error("two package directories are needed")
    runs = {"a": [], "b": []}
    ratios = []
    for _ in range(o.pairs):
        ra = run(o.a, o.heap, o.scale)
        rb = run(o.b, o.heap, o.scale)
        runs["a"].append(ra)
        runs["b"].append(rb)
        ratios.append(rb["seconds"] / ra["seconds"])
    med = statistics.median
    print("python %s, %s heap at scale %s, %d pairs"
          % (sys.version.split()[0], o.heap, o.scale, o.pairs))
    for side, name in (("a", "baseline"), ("b", "new")):
        r = runs[side]
        objects = med(x["objects"] for x in r)
        print("  %-8s dump %.3f s (cpu %.3f s; runs %s), %d objects, "
              "%.2f bytes/object"
              % (name, med(x["seconds"] for x in r),
                 med(x["cpu"] for x in r),
                 ", ".join("%.3f" % x["seconds"] for x in r), objects,
                 med(x["bytes"] / x["objects"] for x in r)))
    print("  new/baseline time: %.3f (median of the pairs; range %.3f-%.3f)"
          % (med(ratios), min(ratios), max(ratios)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
