#!/usr/bin/env python3
"""End-to-end tests: real heaps dumped by the muppy dumper, analyzed by
muppy-analyze.

1. heapgen (../shared/bench/heapgen.py) at scale 2000: one process dumps
   the heap without the leak, then with K planted LeakedSession objects;
   `diff --json` must report exactly +K LeakedSession, `diff --objects`
   must work (one process), and `paths --type LeakedSession --json` must
   account for all K through a path containing `_handlers`.
2. samples/programs/leaky_cache.py dumping itself before/after: +N
   RequestContext, held through `shutdown_hooks`.

Exits 77 (skipped, for ctest) when the dumper is not built.  A missing
heapgen is a failure (CI always has it), unless MUPPY_ALLOW_NO_HEAPGEN=1
says to run the second part alone.

usage: test_e2e.py --analyzer PATH --pythonpath BUILD/python --root REPO
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    if not cond:
        fail(msg)


def analyze(args, *cmd, expect=0):
    p = subprocess.run([args.analyzer] + [str(c) for c in cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    if p.returncode != expect:
        fail("muppy-analyze %s: exit %d (expected %d): %s" % (
            " ".join(map(str, cmd)), p.returncode, expect,
            p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout.decode(errors="replace")


def analyze_json(args, *cmd, expect=0):
    out = analyze(args, *(list(cmd) + ["--json"]), expect=expect)
    try:
        return json.loads(out)
    except ValueError:
        fail("muppy-analyze %s --json: not JSON: %r" % (
            " ".join(map(str, cmd)), out[:300]))
        return {}


def python(args, code, *argv):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [args.pythonpath] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                             else []))
    return subprocess.run([sys.executable, "-c", code] + [str(a) for a in argv],
                          env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=600)


HEAPGEN_DUMPS = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
scale, leak = int(sys.argv[4]), int(sys.argv[5])
heapgen.build(scale)
gc.collect()
muppy.dump(sys.argv[2])
heapgen.build(scale, leak=leak)
gc.collect()
muppy.dump(sys.argv[3])
"""


def check_leak(args, a, b, type_name, k, through, k_total=None):
    """+k instances from a to b; k_total (default k) held in b."""
    k_total = k if k_total is None else k_total
    j = analyze_json(args, "diff", a, b)
    rows = [t for t in j.get("types", []) if t["type"] == type_name]
    check(len(rows) == 1 and rows[0]["count_delta"] == k,
          "diff: +%d %s expected, got %r" % (k, type_name, rows))
    j = analyze_json(args, "diff", "--objects", a, b)
    rows = [t for t in j.get("types", []) if t["type"] == type_name]
    check(len(rows) == 1 and rows[0].get("new_count") == k,
          "diff --objects: %d new %s expected, got %r" % (k, type_name, rows))
    j = analyze_json(args, "paths", "--type", type_name, "--max", "1000", b)
    total = sum(p["count"] for p in j.get("paths", []))
    check(total == k_total and j.get("unreachable") == 0,
          "paths: all %d %s through paths, got %d (+%r unreachable)" % (
              k_total, type_name, total, j.get("unreachable")))
    for p in j.get("paths", []):
        labels = [s["label"] for s in p["steps"]]
        check(any(through in lab for lab in labels),
              "path of %s without %s: %r" % (type_name, through, labels))
        check(p["steps"][-1]["type"] == type_name, "path ends at target")
    j = analyze_json(args, "summary", b)
    check(j.get("objects", 0) > 1000 and j.get("size", 0) > 0,
          "summary of a real heap")
    j = analyze_json(args, "info", b)
    check(j.get("integrity") == "ok" and "pid" in j.get("meta", {}),
          "info of a real heap: %r" % {k: j.get(k) for k in
                                       ("integrity", "objects")})
    # one address from the paths, for referrers and paths ADDRESS
    ps = analyze_json(args, "paths", "--type", type_name, b)
    if ps.get("paths"):
        addr = ps["paths"][0]["steps"][-1]["address"]
        out = analyze(args, "referrers", "--depth", "8", b, addr)
        check(through in out, "referrers of %s show %s" % (addr, through))
        pj = analyze_json(args, "paths", b, addr)
        check(pj.get("paths") and any(through in s["label"] for s in
                                      pj["paths"][0]["steps"]),
              "paths ADDRESS")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--pythonpath", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--scale", type=int, default=2000)
    ap.add_argument("--leak", type=int, default=700)
    args = ap.parse_args()

    p = python(args, "import muppy; muppy.dump")
    if p.returncode != 0:
        print("SKIP: the dumper is not built (import muppy failed with "
              "PYTHONPATH=%s): build target _muppy first\n%s" % (
                  args.pythonpath, p.stderr.decode(errors="replace")[-500:]))
        return SKIP
    heapgen_dir = os.path.join(os.path.dirname(os.path.abspath(args.root)),
                               "shared", "bench")
    d = tempfile.mkdtemp(prefix="muppy-an-e2e-")
    ran = 0
    try:
        if os.path.exists(os.path.join(heapgen_dir, "heapgen.py")):
            a, b = os.path.join(d, "a.snap"), os.path.join(d, "b.snap")
            p = python(args, HEAPGEN_DUMPS, heapgen_dir, a, b, args.scale,
                       args.leak)
            if p.returncode != 0:
                fail("heapgen dumps failed: %s" % p.stderr.decode()[-2000:])
            else:
                check_leak(args, a, b, "LeakedSession", args.leak,
                           "_handlers")
                ran += 1
        elif os.environ.get("MUPPY_ALLOW_NO_HEAPGEN") == "1":
            print("note: %s/heapgen.py not found: heapgen part skipped "
                  "(MUPPY_ALLOW_NO_HEAPGEN=1)" % heapgen_dir)
        else:
            fail("%s/heapgen.py not found (set MUPPY_ALLOW_NO_HEAPGEN=1 "
                 "to run without it)" % heapgen_dir)
        prog = os.path.join(args.root, "samples", "programs",
                            "leaky_cache.py")
        out = os.path.join(d, "leaky")
        p = python(args, "import runpy, sys; sys.argv = sys.argv[1:]; "
                   "runpy.run_path(sys.argv[0], run_name='__main__')",
                   prog, out, "--requests", "500")
        if p.returncode != 0:
            fail("leaky_cache.py failed: %s" % p.stderr.decode()[-2000:])
        else:
            check_leak(args, os.path.join(out, "before.snap"),
                       os.path.join(out, "after.snap"), "RequestContext",
                       500, "shutdown_hooks", k_total=1000)
            ran += 1
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES), file=sys.stderr)
        return 1
    print("end-to-end tests passed (%d scenarios)" % ran)
    return 0


if __name__ == "__main__":
    sys.exit(main())
