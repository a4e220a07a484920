#!/usr/bin/env python3
"""Benchmark the production captures: background dumps and attach.

pause   In one process holding heapgen.build(SCALE), a thread ticks every
        millisecond and records the longest gap between two ticks while
        (a) a normal muppy.dump() runs (one long gap: the GIL is held),
        (b) muppy.dump(background=True) runs until wait() returns.
        Prints the normal dump's time and gap, the background dump's
        largest gap, the fork (the parent's pause), the child's dump time
        and the memory the child copied (child_private_bytes).
attach  A separate process builds heapgen.build(SCALE) and sleeps;
        muppy-dump attach dumps it.  Prints the whole attach command's
        time, the dump's own time inside the target, and the difference
        (what attaching adds), next to the same process dumping itself.

Each figure is the median of --repeat runs.

    PYTHONPATH=build/python python3 bench/capture_bench.py pause 1000000
    PYTHONPATH=build/python python3 bench/capture_bench.py attach 100000
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEAPGEN = HERE  # heapgen.py


class Ticker:
    def __init__(self):
        self.gap = 0.0
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        last = time.perf_counter()
        while not self.stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            self.gap = max(self.gap, now - last)
            last = now

    def __enter__(self):
        self.t.start()
        time.sleep(0.05)
        self.gap = 0.0
        return self

    def __exit__(self, *a):
        self.stop.set()
        self.t.join()


def pause(scale, repeat, tmp):
    import muppy
    sys.path.insert(0, HEAPGEN)
    import heapgen
    heap = heapgen.build(scale)  # noqa: F841
    rows = {k: [] for k in ("normal_s", "normal_gap_s", "bg_gap_s",
                            "fork_s", "child_dump_s", "child_private_mib")}
    path = os.path.join(tmp, "p.snap")
    objects = 0
    for _ in range(repeat):
        with Ticker() as tk:
            r = muppy.dump(path)
        rows["normal_s"].append(r.seconds)
        rows["normal_gap_s"].append(tk.gap)
        objects = r.objects
        os.unlink(path)
        with Ticker() as tk:
            h = muppy.dump(path, background=True)
            r = h.wait()
        rows["bg_gap_s"].append(tk.gap)
        rows["fork_s"].append(h.pause_seconds)
        rows["child_dump_s"].append(r.seconds)
        rows["child_private_mib"].append((h.child_private_bytes or 0)
                                         / 2**20)
        os.unlink(path)
    out = {k: statistics.median(v) for k, v in rows.items()}
    out["objects"] = objects
    out["bg_gap_share_of_normal"] = out["bg_gap_s"] / out["normal_s"]
    return out


TARGET = """
import sys, time
sys.path.insert(0, %r)
import heapgen
heap = heapgen.build(%d)
print("ready", flush=True)
for line in sys.stdin:
    import muppy
    r = muppy.dump(line.strip())
    print("%%f" %% r.seconds, flush=True)
"""


def attach(scale, repeat, tmp):
    rows = {k: [] for k in ("attach_total_s", "dump_in_target_s",
                            "attach_adds_s", "self_dump_s")}
    method = None
    for n in range(repeat):
        p = subprocess.Popen([sys.executable, "-c",
                              TARGET % (os.path.abspath(HEAPGEN), scale)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             universal_newlines=True)
        assert p.stdout.readline().strip() == "ready"
        out = os.path.join(tmp, "a%d.snap" % n)
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "muppy", "attach",
                            str(p.pid), "-o", out, "--json"],
                           stdout=subprocess.PIPE, universal_newlines=True,
                           check=True)
        total = time.perf_counter() - t
        res = json.loads(r.stdout)
        method = res["method"]
        p.stdin.write(os.path.join(tmp, "s%d.snap" % n) + "\n")
        p.stdin.flush()
        own = float(p.stdout.readline())
        p.kill()
        p.wait()
        rows["attach_total_s"].append(total)
        rows["dump_in_target_s"].append(res["seconds"])
        rows["attach_adds_s"].append(total - res["seconds"])
        rows["self_dump_s"].append(own)
    out = {k: statistics.median(v) for k, v in rows.items()}
    out["method"] = method
    out["objects"] = res["objects"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("pause", "attach"))
    ap.add_argument("scale", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="muppy-capture-") as tmp:
        res = (pause if a.what == "pause" else attach)(a.scale, a.repeat,
                                                       tmp)
    res.update({"what": a.what, "scale": a.scale, "repeat": a.repeat,
                "python": "%d.%d.%d" % sys.version_info[:3]})
    if a.json:
        print(json.dumps(res, sort_keys=True))
        return
    for k in sorted(res):
        v = res[k]
        print("%-24s %s" % (k, ("%.4f" % v) if isinstance(v, float) else v))


if __name__ == "__main__":
    main()
