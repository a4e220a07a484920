#!/usr/bin/env python3
"""Record every command's output with one muppy-analyze, check another.

The check for refactorings of the analyzer: the output must not change.

  tools/golden.py record --analyzer OLD --mksnap MKSNAP --pythonpath PY DIR
  tools/golden.py check --analyzer NEW DIR

`record` writes into DIR:
  inputs/     the snapshots: samples/*.snap, mksnap's heaps (a, b with a
              leak, c of another process, final), and three heapgen
              snapshots of one process (heap-base, heap-target with
              planted LeakedSession objects, heap-final) dumped once with
              the dumper found in PYTHONPATH (--scale, default 10000);
              kept when DIR is recorded again
  manifest.json  the command lines (each run in a copy of inputs/), with
              the addresses they ask about, picked from OLD's output
  expected/   per command: stdout, stderr, exit status, and the files it
              wrote (scrub's copy, the CSV folder, the report)
Every command is run with --json, in text, and in its other formats
(markdown, dot), with the options that change what is computed.

`check` runs the same command lines with NEW in a fresh copy of inputs/
and compares everything byte for byte (but for the lines whose output
differed between two runs of OLD: their exit status only); it lists the differences and
exits 1 when there is one.  It can be run again and again against one
recording.  `record --analyzer NEW` again, then `diff -r`, shows what an
intended change did.
"""
import argparse
import filecmp
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MKSNAP_HEAPS = [
    ("a.snap", []),
    ("b.snap", ["--leak", "7"]),
    ("c.snap", ["--leak", "3", "--pid", "99"]),
    ("final.snap", ["--leak", "9"]),
]

HEAPGEN_THREE = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
d, scale, leak = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
heapgen.build(scale)
gc.collect()
muppy.dump(d + "/heap-base.snap")
for i in range(leak):
    heapgen.EventBus.subscribe(heapgen.LeakedSession(i).on_event)
junk = [dict(i=i, s=str(i) * 3) for i in range(2000)]
gc.collect()
muppy.dump(d + "/heap-target.snap")
del junk
gc.collect()
muppy.dump(d + "/heap-final.snap")
"""


def run(analyzer, args, cwd):
    p = subprocess.run([analyzer] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout, p.stderr


def make_inputs(args, inputs):
    os.makedirs(inputs, exist_ok=True)
    for p in sorted(glob.glob(os.path.join(ROOT, "samples", "*.snap"))):
        shutil.copyfile(p, os.path.join(inputs, os.path.basename(p)))
    for name, extra in MKSNAP_HEAPS:
        subprocess.run([args.mksnap, os.path.join(inputs, name)] + extra,
                       check=True)
    if os.path.exists(os.path.join(inputs, "heap-final.snap")):
        return      # made once: a new dump would differ
    env = dict(os.environ)
    env["PYTHONPATH"] = args.pythonpath
    subprocess.run([sys.executable, "-c", HEAPGEN_THREE,
                    os.path.join(ROOT, "bench"), inputs, str(args.scale),
                    str(args.leak)], env=env, check=True)


def json_of(analyzer, args, cwd):
    rc, out, _ = run(analyzer, args, cwd)
    if rc != 0:
        return None
    return json.loads(out)


def addresses(analyzer, snap, cwd, n=3):
    """Some objects of snap worth asking about: the largest retained
    sizes, and an object no root reaches when there is one."""
    j = json_of(analyzer, ["retained", "--json", "--top", str(n), snap], cwd)
    out = [t["address"] for t in (j or {}).get("top", [])]
    j = json_of(analyzer, ["paths", "--json", "--type", "LeakedSession",
                           snap], cwd)
    for p in (j or {}).get("paths", [])[:1]:
        out.append(p["steps"][-1]["address"])
    return out


def commands(analyzer, cwd):
    """The command lines: (id, argv, files it writes)."""
    cmds = []

    def add(args, writes=()):
        cmds.append((len(cmds), list(args), list(writes)))

    def formats(args, extra=()):
        """args with --json, in text, and in each of extra's formats."""
        add(args + ["--json"])
        add(args)
        for f in extra:
            add(args + ["--format", f])

    snaps = sorted(os.path.basename(p)
                   for p in glob.glob(os.path.join(cwd, "*.snap")))
    good = [s for s in snaps if not s.startswith("bad-")]
    for s in snaps:
        add(["info", "--json", s])
        add(["info", s])
        add(["info", "--partial", "--json", s])
        add(["summary", "--partial", "--json", s])
    for s in good:
        formats(["summary", s], ["markdown"])
        formats(["summary", "--by", "module", s])
        formats(["summary", "--retained", "--sort", "retained", s])
        formats(["summary", "--retained", "--by", "module", "--sort",
                 "count", s])
        formats(["retained", s], ["markdown"])
        formats(["retained", "--by", "type", s])
        formats(["retained", "--by", "module", "--top", "5", s])
        for t in ("dict", "LeakedSession", "Node", "Customer"):
            formats(["summary", "--type", t, s])
            formats(["retained", "--type", t, "--top", "5", s])
            formats(["paths", "--type", t, s], ["dot"])
            formats(["paths", "--type", t, "--fold-keys", "--weak", s])
            formats(["paths", "--type", t, "--no-retained", "--max", "3",
                     s])
        for a in addresses(analyzer, s, cwd):
            formats(["paths", s, a], ["dot"])
            formats(["paths", "--weak", s, a])
            formats(["referrers", s, a], ["dot"])
            formats(["referrers", "--depth", "5", "--max-children", "3", s,
                     a])
            formats(["dominators", s, a], ["dot"])
        add(["export", "--format", "heapsnapshot", s, "-o", "-"])
        add(["export", "--format", "csv", s, "-o", "csv-" + s],
            ["csv-%s/%s" % (s, f)
             for f in ("objects.csv", "edges.csv", "roots.csv")])
        add(["report", s, "-o", "report-%s.html" % s],
            ["report-%s.html" % s])
        add(["scrub", "--json", s, "scrubbed-" + s], ["scrubbed-" + s])
        add(["scrub", "--drop", "labels,metadata", s, "scrub2-" + s],
            ["scrub2-" + s])
    pairs = [("a.snap", "b.snap"), ("b.snap", "a.snap"),
             ("a.snap", "c.snap"), ("heap-base.snap", "heap-target.snap"),
             ("heap-target.snap", "heap-final.snap"),
             ("v1-minimal.snap", "v1-multiblock.snap")]
    for x, y in pairs:
        formats(["diff", x, y], ["markdown"])
        formats(["diff", "--by", "module", x, y])
        formats(["diff", "--objects", x, y], ["markdown"])
        formats(["diff", "--retained", x, y])
        formats(["diff", "--fail-above", "1K", x, y])
    triples = [("a.snap", "b.snap", "final.snap"),
               ("heap-base.snap", "heap-target.snap", "heap-final.snap"),
               ("a.snap", "b.snap", "c.snap")]
    for t in triples:
        formats(["leaks"] + list(t), ["markdown"])
        formats(["leaks", "--fold-keys", "--min-count", "1", "--top", "50"]
                + list(t))
        formats(["trend"] + list(t), ["markdown"])
        formats(["trend", "--by", "module"] + list(t))
        add(["report", "--base", t[0], "--final", t[2], t[1], "-o",
             "report3.html"], ["report3.html"])
        add(["report", "--base", t[0], t[1], "-o", "report2.html"],
            ["report2.html"])
    return cmds


def expected_name(i, what):
    return "%04d.%s" % (i, what)


def record(args):
    d = os.path.abspath(args.dir)
    inputs = os.path.join(d, "inputs")
    make_inputs(args, inputs)
    exp = os.path.join(d, "expected")
    shutil.rmtree(exp, ignore_errors=True)
    os.makedirs(exp)
    work = tempfile.mkdtemp(prefix="muppy-golden-")
    try:
        cwd = os.path.join(work, "w")
        shutil.copytree(inputs, cwd)
        cmds = commands(args.analyzer, cwd)
        for i, argv, writes in cmds:
            rc, out, err = run(args.analyzer, argv, cwd)
            with open(os.path.join(exp, expected_name(i, "out")), "wb") as f:
                f.write(out)
            with open(os.path.join(exp, expected_name(i, "err")), "wb") as f:
                f.write(err)
            files = []
            for k, w in enumerate(writes):
                src = os.path.join(cwd, w)
                if os.path.exists(src):
                    dst = os.path.join(exp, expected_name(i, "file%d" % k))
                    shutil.copyfile(src, dst)
                    files.append((src, dst))
            # a second run: output that differs from run to run (scrub's
            # random key for a file that names no process) is not
            # compared, only its exit status
            rc2, out2, err2 = run(args.analyzer, argv, cwd)
            stable = (rc2, out2, err2) == (rc, out, err) and all(
                filecmp.cmp(src, dst, shallow=False) for src, dst in files)
            cmds[i] = {"id": i, "argv": argv, "writes": writes, "status": rc,
                       "stable": stable}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump({"analyzer": args.analyzer, "commands": cmds}, f, indent=1)
    print("recorded %d command lines into %s" % (len(cmds), d))
    return 0


def check(args):
    d = os.path.abspath(args.dir)
    with open(os.path.join(d, "manifest.json")) as f:
        manifest = json.load(f)
    exp = os.path.join(d, "expected")
    work = tempfile.mkdtemp(prefix="muppy-golden-")
    diffs = []
    unstable = 0
    try:
        cwd = os.path.join(work, "w")
        shutil.copytree(os.path.join(d, "inputs"), cwd)
        for c in manifest["commands"]:
            i, argv = c["id"], c["argv"]
            rc, out, err = run(args.analyzer, argv, cwd)
            what = []
            if rc != c["status"]:
                what.append("exit status %d, recorded %d" % (rc, c["status"]))
            if not c.get("stable", True):
                unstable += 1
                if what:
                    diffs.append("%04d muppy-analyze %s: %s" % (
                        i, " ".join(argv), what[0]))
                continue
            with open(os.path.join(exp, expected_name(i, "out")), "rb") as f:
                if f.read() != out:
                    what.append("stdout")
            with open(os.path.join(exp, expected_name(i, "err")), "rb") as f:
                if f.read() != err:
                    what.append("stderr")
            for k, w in enumerate(c["writes"]):
                e = os.path.join(exp, expected_name(i, "file%d" % k))
                g = os.path.join(cwd, w)
                if os.path.exists(e) != os.path.exists(g) or (
                        os.path.exists(e)
                        and not filecmp.cmp(e, g, shallow=False)):
                    what.append(w)
            if what:
                diffs.append("%04d muppy-analyze %s: %s differ%s" % (
                    i, " ".join(argv), ", ".join(what),
                    "s" if len(what) == 1 else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for line in diffs:
        print(line)
    n = len(manifest["commands"])
    if diffs:
        print("golden: %d of %d command lines differ (recorded with %s)"
              % (len(diffs), n, manifest["analyzer"]))
        return 1
    print("golden: all %d command lines give the recorded output%s" % (
        n, " (%d that differ from run to run: exit status only)" % unstable
        if unstable else ""))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("--analyzer", required=True)
    r.add_argument("--mksnap", required=True)
    r.add_argument("--pythonpath", required=True,
                   help="where the dumper's muppy package is")
    r.add_argument("--scale", type=int, default=10000)
    r.add_argument("--leak", type=int, default=40)
    r.add_argument("dir")
    c = sub.add_parser("check")
    c.add_argument("--analyzer", required=True)
    c.add_argument("dir")
    args = ap.parse_args()
    args.analyzer = os.path.abspath(args.analyzer)
    if args.cmd == "record":
        args.mksnap = os.path.abspath(args.mksnap)
        args.pythonpath = os.path.abspath(args.pythonpath)
        return record(args)
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
