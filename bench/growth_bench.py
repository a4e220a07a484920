#!/usr/bin/env python3
"""Time and memory of the accumulation points (analyzer/lib/growth.c:
`muppy-analyze leaks` and `diff --growth`) against `muppy-analyze leaks`
of a baseline build, in pairs (a benchmark, not a test).

    python3 bench/growth_bench.py --baseline OLD/muppy-analyze \\
        [--build build] [--scale 1000000] [--new 100000] [--pairs 3] \\
        [--dir DIR]

Dumps, in one process, the heapgen heap (bench/heapgen.py, or $HEAPGEN) at SCALE as BASE; then about NEW new objects kept (LeakedSession
records subscribed to heapgen's EventBus, about 7 objects each) and as
many transient ones (dicts in a list, freed before FINAL) as TARGET; then
as many more kept as FINAL.  Then runs, PAIRS times and in turn, each
command as a whole process under /usr/bin/time -v:

    baseline:  muppy-analyze leaks BASE TARGET FINAL
    leaks:     muppy-analyze leaks BASE TARGET FINAL
    diff:      muppy-analyze diff --growth BASE TARGET

and prints the median wall seconds and peak RSS of each, and the median
of the per-pair ratios to the baseline.  Snapshots are kept in DIR (made
once; default: a temporary folder, removed).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

DUMP = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
out, scale, new = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
heapgen.build(scale)
gc.collect()
r = muppy.dump(out + "/base.snap")
print("base: %d objects" % r.objects, file=sys.stderr)
sessions = new // 7
for i in range(sessions):
    heapgen.EventBus.subscribe(heapgen.LeakedSession(10**6 + i).on_event)
transient = [{"i": i, "s": "t%d" % i} for i in range(new // 3)]
gc.collect()
r = muppy.dump(out + "/target.snap")
print("target: %d objects" % r.objects, file=sys.stderr)
del transient
for i in range(sessions):
    heapgen.EventBus.subscribe(heapgen.LeakedSession(2 * 10**6 + i).on_event)
gc.collect()
r = muppy.dump(out + "/final.snap")
print("final: %d objects" % r.objects, file=sys.stderr)
"""


def timed(cmd):
    """(wall seconds, peak RSS bytes, stdout) of one run."""
    with tempfile.NamedTemporaryFile(prefix="muppy-tv-") as tv:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tv.name] + cmd,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
        t = open(tv.name).read()
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd),
                                                   p.returncode, p.stderr))
    m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)",
                  t)
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 \
        + float(m.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                        t).group(1)) * 1024
    return wall, rss, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", required=True,
                    help="the muppy-analyze to compare with")
    ap.add_argument("--build", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    ap.add_argument("--scale", type=int, default=1000000)
    ap.add_argument("--new", type=int, default=100000)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--dir")
    ap.add_argument("--python", default=sys.executable)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    heapgen = os.environ.get("HEAPGEN") or os.path.join(root, "bench",
                                                        "heapgen.py")
    new = os.path.join(a.build, "analyzer", "muppy-analyze")
    for f in (heapgen, new, a.baseline):
        if not os.path.exists(f):
            sys.exit("growth_bench: '%s' not found" % f)
    d = a.dir or tempfile.mkdtemp(prefix="muppy-growth-bench-")
    os.makedirs(d, exist_ok=True)
    snaps = [os.path.join(d, n + ".snap") for n in ("base", "target",
                                                    "final")]
    try:
        if not all(os.path.exists(s) for s in snaps):
            env = dict(os.environ, PYTHONPATH=os.path.join(a.build,
                                                           "python"))
            subprocess.run([a.python, "-c", DUMP, os.path.dirname(heapgen),
                            d, str(a.scale), str(a.new)], env=env,
                           check=True)
        cmds = [
            ("baseline: leaks B T F", [a.baseline, "leaks"] + snaps),
            ("leaks B T F", [new, "leaks"] + snaps),
            ("diff --growth B T", [new, "diff", "--growth"] + snaps[:2]),
        ]
        runs = {name: [] for name, _ in cmds}
        for _ in range(a.pairs):
            for name, cmd in cmds:
                wall, rss, _ = timed(cmd)
                runs[name].append((wall, rss))
        med = statistics.median
        base = runs[cmds[0][0]]
        print("scale %d, about %d new objects; %d pairs, medians; %d cpus"
              % (a.scale, a.new, a.pairs, os.cpu_count()))
        print("%-28s %9s %10s %12s %12s" % ("command", "seconds", "peak MiB",
                                            "time ratio", "RSS ratio"))
        for name, _ in cmds:
            r = runs[name]
            print("%-28s %9.3f %10.1f %12.2f %12.2f" % (
                name, med(x[0] for x in r), med(x[1] for x in r) / 2**20,
                med(x[0] / b[0] for x, b in zip(r, base)),
                med(x[1] / b[1] for x, b in zip(r, base))))
        # what each found (one run)
        print("\n" + timed([new, "leaks", "--top", "3"] + snaps)[2])
    finally:
        if not a.dir:
            shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
