#!/usr/bin/env python3
"""Benchmark muppy.dump against a pure-Python walk of the same heap.

For each scale, fresh processes build the heap with heapgen.build(scale)
(bench/heapgen.py) and then time one of:

  python  gc.get_objects() + sys.getsizeof + gc.get_referents closure,
          the cheapest pure-Python equivalent of a dump (writes nothing)
  dump    muppy.dump(path) (level 1)

and report objects, edges, seconds, the dumping thread's CPU seconds
(on a busy machine the wall time also counts waiting for the compression
thread and for other processes), objects/s, file bytes per object and
per edge, the extra peak memory of the dump (VmHWM after the dump minus
VmRSS before it, with the high-water mark reset through
/proc/self/clear_refs), and the speed-up over the Python walk.  Each
measurement is the median of --repeat runs (each in its own process).

    PYTHONPATH=build-dumper/python python3 bench/dump_bench.py 100000
    python3 bench/dump_bench.py --repeat 1 1000000
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
HEAPGEN = HERE  # heapgen.py


def status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def python_walk():
    todo = gc.get_objects()
    seen = set()        # created after: the walk must not count its ids
    for o in todo:
        seen.add(id(o))
    total = edges = 0
    i = 0
    while i < len(todo):
        o = todo[i]
        i += 1
        total += sys.getsizeof(o, 0)
        refs = gc.get_referents(o)
        edges += len(refs)
        for r in refs:
            if id(r) not in seen:
                seen.add(id(r))
                todo.append(r)
    return len(todo), edges


def child(scale, mode, out_dir):
    sys.path.insert(0, HEAPGEN)
    import heapgen
    import muppy
    heap = heapgen.build(scale)
    gc.collect()
    gc.disable()
    rss0 = status_kb("VmRSS")
    exact = reset_peak()
    t0 = time.perf_counter()
    c0 = time.thread_time()
    if mode == "python":
        objects, edges = python_walk()
        nbytes = 0
    else:
        r = muppy.dump(os.path.join(out_dir, "bench.snap"))
        objects, edges, nbytes = r.objects, r.edges, r.bytes_written
    seconds = time.perf_counter() - t0
    cpu = time.thread_time() - c0
    hwm = status_kb("VmHWM")
    print(json.dumps({"objects": objects, "edges": edges,
                      "seconds": seconds, "cpu": cpu, "bytes": nbytes,
                      "extra_peak": hwm - rss0, "exact_peak": exact}))
    del heap


def measure(scale, mode, repeat):
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="muppy-bench-") as d:
            out = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--child",
                 mode, str(scale), d],
                stdout=subprocess.PIPE, check=True,
                universal_newlines=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    return runs[len(runs) // 2], [r["seconds"] for r in runs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scales", nargs="*", type=int, default=[100000])
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per measurement, median reported (default 3)")
    ap.add_argument("--no-python", action="store_true",
                    help="skip the pure-Python walk")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(int(a.child[1]), a.child[0], a.child[2])
        return 0
    if not os.path.exists(os.path.join(HEAPGEN, "heapgen.py")):
        sys.exit("dump_bench: cannot find heapgen.py in '%s'" % HEAPGEN)
    print("python %s, %d CPUs" % (sys.version.split()[0], os.cpu_count()))
    for scale in a.scales:
        d, dt = measure(scale, "dump", a.repeat)
        print("scale %d: %d objects, %d edges" % (scale, d["objects"],
                                                   d["edges"]))
        print("  muppy.dump    %.3f s (runs %s)  %.2f M objects/s"
              % (d["seconds"], ", ".join("%.3f" % x for x in dt),
                 d["objects"] / d["seconds"] / 1e6))
        print("  main thread   %.3f s of CPU (the rest: compression not "
              "overlapped, I/O, other processes)" % d["cpu"])
        print("  file          %d bytes: %.2f bytes/object, %.2f bytes/edge"
              % (d["bytes"], d["bytes"] / d["objects"],
                 d["bytes"] / max(1, d["edges"])))
        print("  extra peak    %.1f MB: %.1f bytes/object%s"
              % (d["extra_peak"] / 1e6, d["extra_peak"] / d["objects"],
                 "" if d["exact_peak"] else " (VmHWM not resettable)"))
        if not a.no_python:
            p, pt = measure(scale, "python", a.repeat)
            print("  python walk   %.3f s (runs %s), %d objects"
                  % (p["seconds"], ", ".join("%.3f" % x for x in pt),
                     p["objects"]))
            print("  speed-up      %.1fx" % (p["seconds"] / d["seconds"]))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
