#!/usr/bin/env python3
"""End-to-end tests: real heaps dumped by the muppy dumper, analyzed by
muppy-analyze.

1. heapgen (bench/heapgen.py) at scale 2000: one process dumps
   the heap without the leak, then with K planted LeakedSession objects;
   `diff --json` must report exactly +K LeakedSession, `diff --objects`
   must work (one process), and `paths --type LeakedSession --json` must
   account for all K through a path containing `_handlers`.
2. samples/programs/leaky_cache.py dumping itself before/after: +N
   RequestContext, held through `shutdown_hooks`.
3. heapgen at scale 100,000 dumped in a fresh process: `info --json`'s
   memory breakdown adds up to the RSS, and what it cannot attribute
   (unexplained) is within 2 % of the RSS (not under ASan, whose shadow
   memory no allocator reports).

Skips (tests/testlib.py: exit 77, a failure under MUPPY_REQUIRE_ALL=1)
when the dumper is not built.

usage: test_e2e.py --analyzer PATH --pythonpath BUILD/python --root REPO
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import testlib  # noqa: E402

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


HEAPGEN_MEMORY = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
heapgen.build(int(sys.argv[3]))
gc.collect()
muppy.dump(sys.argv[2])
"""

MEMORY_PARTS = ("objects", "external", "allocator_free", "file_backed",
                "other", "unexplained")


def check_memory(args, heapgen_dir, d, scale=100000):
    """info's breakdown of a real process's RSS adds up, and explains all
    but 2 % of it."""
    path = os.path.join(d, "memory.snap")
    p = python(args, HEAPGEN_MEMORY, heapgen_dir, path, scale)
    if p.returncode != 0:
        fail("heapgen memory dump failed: %s" % p.stderr.decode()[-2000:])
        return
    m = analyze_json(args, "info", path).get("memory")
    if not m:
        fail("info --json: no memory breakdown for a fresh dump: %r" % m)
        return
    check(sum(m[k] for k in MEMORY_PARTS) == m["rss"],
          "the breakdown adds up to the RSS: %r" % m)
    share = 100.0 * m["unexplained"] / m["rss"]
    print("heapgen --scale %d: RSS %.1f MiB, unexplained %+.2f %%"
          % (scale, m["rss"] / 2 ** 20, share))
    if "asan" in os.environ.get("LD_PRELOAD", ""):
        return
    check(abs(share) <= 2.0 and m["not_recorded"] == [],
          "unexplained within 2 %% of the RSS: %+.2f %% (%r)" % (share, m))


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


# Ground truth for retained sizes, from the interpreter itself: dump,
# remove the one reference to an object, collect, dump again.  What was
# freed (objects of the first dump missing from the second, by address and
# type) and was reachable from the object is what the object retained.
# Restricting to what the object reaches leaves out the dump's own
# transient objects.  Removing a listener (a bound method) frees the
# method and its session: the session retains all that but the method.
HEAPGEN_RETAINED = r"""
import gc, json, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
d = sys.argv[2]
heapgen.build(int(sys.argv[3]), leak=50)
gc.collect()
handler = heapgen.EventBus._handlers[7]
session = handler.__self__
ids = {"tree": id(heapgen.APP["tree"]), "method": id(handler),
       "session": id(session), "buffer": id(session.buffer),
       "history": id(session.history)}
del handler, session
muppy.dump(d + "/a.snap")
del heapgen.APP["tree"]
gc.collect()
muppy.dump(d + "/b.snap")
del heapgen.EventBus._handlers[7]
gc.collect()
muppy.dump(d + "/c.snap")

def index(s):
    return {(s.address[i], s.type_name(i)): i for i in range(s.objects)}

def freed_from(before, after, addr):
    ia, ib = index(before), index(after)
    start = [i for i in range(before.objects) if before.address[i] == addr]
    seen, todo = set(start), list(start)
    while todo:        # what the object reaches by strong references
        for t, kind, _ in before.edges_of(todo.pop()):
            if not kind & 0x80 and t not in seen:
                seen.add(t)
                todo.append(t)
    gone = [i for i in seen if (before.address[i], before.type_name(i))
            not in ib]
    return sum(before.size[i] for i in gone), len(gone), start[0]

a, b, c = (muppy.load(d + n) for n in ("/a.snap", "/b.snap", "/c.snap"))
out = {"ids": {k: hex(v) for k, v in ids.items()}}
out["tree"] = freed_from(a, b, ids["tree"])[:2]
size, count, method = freed_from(b, c, ids["method"])
out["method"] = (size, count)
out["session"] = (size - b.size[method], count - 1)
print(json.dumps(out))
"""


def check_retained(args, heapgen_dir, d):
    """Retained sizes equal what the interpreter frees."""
    p = python(args, HEAPGEN_RETAINED, heapgen_dir, d, args.scale)
    if p.returncode != 0:
        fail("heapgen retained dumps failed: %s" % p.stderr.decode()[-2000:])
        return
    truth = json.loads(p.stdout.decode())
    ids = truth["ids"]
    a, b = os.path.join(d, "a.snap"), os.path.join(d, "b.snap")
    for snap, what in ((a, "tree"), (b, "method"), (b, "session")):
        j = analyze_json(args, "dominators", snap, ids[what])
        size, count = truth[what]
        check(j.get("target", {}).get("retained") == size and count > 1,
              "retained size of the %s: %r, the interpreter freed %d bytes "
              "in %d objects" % (what, j.get("target"), size, count))
    # the session retains its payload: it dominates its buffer and history
    for what in ("buffer", "history"):
        j = analyze_json(args, "dominators", b, ids[what])
        chain = j.get("chain", [])
        check(chain and chain[-1]["address"] == ids["session"]
              and chain[-2]["address"] == ids["method"],
              "the session dominates its %s: %r" % (what, chain[-2:]))
    # the tree's root node retains every other node
    j = analyze_json(args, "retained", "--type", "TreeNode", "--top", "1", a)
    check([t["address"] for t in j.get("top", [])] == [ids["tree"]],
          "the root node first among TreeNodes: %r" % j.get("top"))
    j = analyze_json(args, "retained", "--type", "LeakedSession", b)
    check(len(j.get("top", [])) == 20 and all(
        t["retained"] == truth["session"][0] for t in j["top"]),
        "every LeakedSession retains as much: %r" % j.get("top", [])[:2])


# leaks on heapgen: each build() replaces the whole heap (a transient
# workload) and adds `leak` listeners that are never removed
HEAPGEN_THREE = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
d, scale, leak = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
heapgen.build(scale)
gc.collect()
muppy.dump(d + "/base.snap")
heapgen.build(scale, leak=leak)
gc.collect()
muppy.dump(d + "/target.snap")
heapgen.build(scale, leak=leak)
gc.collect()
muppy.dump(d + "/final.snap")
"""


def check_leaks(args, d, k, expect):
    """leaks on d/{base,target,final}.snap finds one accumulation point per
    leak of `expect` [(a word of its label, a type it gained k of)], in
    that order of retained size or any, and nothing else."""
    snaps = [os.path.join(d, n + ".snap") for n in ("base", "target",
                                                    "final")]
    j = analyze_json(args, "leaks", *snaps)
    points = j.get("points", [])
    got = [(p["label"], {t["type"]: t["count"] for t in p["types"]})
           for p in points]
    check(len(points) == len(expect) and all(
        any(w in label and types.get(t) == k for label, types in got)
        for w, t in expect),
        "leak points: %r, expected one each of %r gaining %d" % (
            got, expect, k))
    for p in points:
        check(p["path"] and p["path"][-1]["address"] == p["address"]
              and p["example"] and p["example"][0]["address"]
              == p["address"], "point %s: its path ends at it, its "
              "example starts there" % p["label"])
        check(p["retained"] >= p["size"] > 0 and p["count"] >= k,
              "point sizes: %r" % p)
    check([p["retained"] for p in points] == sorted(
        (p["retained"] for p in points), reverse=True),
        "points ranked by retained size")


# A process that plants secrets everywhere a program's strings can land
# in a snapshot, dumped with str contents: scrub must remove them all.
SECRETS_DUMP = r"""
import sys, threading, muppy
SECRET = "s3cr3t" + "Q7"            # never a literal in full: a str
class Holder:
    pass
holder = Holder()
setattr(holder, "attr_" + SECRET, 1)
CONFIG = {"key_" + SECRET: 1, "password": "value_" + SECRET}
# an int key (a card number) and a class whose name is a secret
CARDS = {4111111111111111 + 1: "a", 4111111111111111 - 1: "b",
         4111111111111111: "c"}
Vault = type("Vault_" + SECRET, (), {})
vault = Vault()
exec("def func_%s():\n    return 1" % SECRET, globals())
def main(out):
    locals()["unused"] = 0
    local_s3cr3tQ7 = [1]
    muppy.dump(out, include_strings=200)
    return local_s3cr3tQ7
main(sys.argv[1])
"""
SECRETS = ["attr_s3cr3tQ7", "key_s3cr3tQ7", "value_s3cr3tQ7",
           "func_s3cr3tQ7", "local_s3cr3tQ7", "Vault_s3cr3tQ7"]
CARD = 4111111111111111


def snapshot_bytes(path):
    """Every byte a snapshot holds, its compressed payloads decompressed
    (spec/format.md, "Blocks"), for a grep."""
    import struct
    data = open(path, "rb").read()
    out, off = [data[:16]], 16
    toc = struct.unpack_from("<Q", data, len(data) - 24)[0]
    while off + 40 <= toc + 40 and off + 40 <= len(data):
        kind, flags, stored = struct.unpack_from("<4sII", data, off)
        payload = data[off + 40:off + 40 + stored]
        if flags & 1:
            payload = subprocess.run(["zstd", "-d", "-c", "-q"],
                                     input=payload, stdout=subprocess.PIPE,
                                     check=True).stdout
        out.append(data[off:off + 40] + payload)
        if kind == b"TOC ":
            break
        off += 40 + stored
    return b"".join(out)


def check_scrub(args, d):
    """No planted secret survives scrub; every figure does."""
    snap, pub = os.path.join(d, "secrets.snap"), os.path.join(d, "pub.snap")
    p = python(args, SECRETS_DUMP, snap)
    if p.returncode != 0:
        fail("secrets dump failed: %s" % p.stderr.decode()[-2000:])
        return
    info = analyze_json(args, "info", snap)
    boot = info.get("meta", {}).get("boot_id", "")
    raw = snapshot_bytes(snap)
    planted = SECRETS + ([boot] if boot else []) + [os.path.abspath(
        args.root)]
    for secret in planted:
        check(secret.encode() in raw, "%r is in the snapshot (or the test "
              "proves nothing)" % secret)
    analyze(args, "scrub", snap, pub)
    raw = snapshot_bytes(pub)
    for secret in planted:
        check(secret.encode() not in raw, "%r survived scrub" % secret)
    j = analyze_json(args, "info", pub)
    meta = j.get("meta", {})
    check(meta.get("scrub.dropped") ==
          "labels,names,strings,metadata,addresses", "scrub.dropped")
    for key in ("pid", "process.start_time", "boot_id"):
        check(key not in meta, "%s survived scrub" % key)
    # the int keys: their values are gone, their order stays
    def card_keys(path):
        """The KEY_INT labels of CARDS's entries, from the CSV export."""
        out = os.path.join(d, os.path.basename(path) + ".csv")
        analyze(args, "export", "--format", "csv", path, "-o", out)
        import csv
        with open(os.path.join(out, "edges.csv")) as f:
            rows = [r for r in csv.DictReader(f) if r["kind"] == "key_int"]
        return rows
    before = card_keys(snap)
    after = card_keys(pub)
    check(str(CARD) in {r["label"] for r in before},
          "the card number is a key before scrub (or the test proves "
          "nothing)")
    check(len(before) == len(after) and not any(
        r["label"] == str(CARD) or (r["label"].lstrip("-").isdigit()
                                    and abs(int(r["label"])) > 10**9)
        for r in after), "int keys replaced by ranks: %r" % after[:5])
    rank = {int(r["label"]) for r in after}
    check(rank == set(range(len(rank))), "ranks are 0..n-1: %r" % sorted(
        rank)[:10])
    # addresses: none of the original's survives
    orig = {t["address"] for t in analyze_json(
        args, "retained", "--top", "500", snap).get("top", [])}
    scrubbed = {t["address"] for t in analyze_json(
        args, "retained", "--top", "500", pub).get("top", [])}
    check(orig and scrubbed and not orig & scrubbed,
          "addresses survived scrub: %r" % sorted(orig & scrubbed)[:3])
    # the figures stay; with names kept, the paths too
    keep = os.path.join(d, "keep-names.snap")
    analyze(args, "scrub", "--keep", "names", snap, keep)
    for cmd in (["summary"], ["retained", "--by", "type"],
                ["paths", "--type", "Holder"], ["diff", snap]):
        copy = keep if cmd[0] == "paths" else pub
        a, b = analyze_json(args, *(cmd + [snap])), analyze_json(
            args, *(cmd + [copy]))
        if cmd[0] == "paths":   # labels differ: compare counts
            a = [(g["count"], len(g["steps"])) for g in a.get("paths", [])]
            b = [(g["count"], len(g["steps"])) for g in b.get("paths", [])]
        elif cmd[0] in ("retained", "summary"):
            # names of the program's classes differ: compare figures
            a = (sorted((t["count"], t.get("size"), t.get("retained"))
                        for t in a.get("types", [])),
                 [t["retained"] for t in a.get("top", [])])
            b = (sorted((t["count"], t.get("size"), t.get("retained"))
                        for t in b.get("types", [])),
                 [t["retained"] for t in b.get("top", [])])
        elif cmd[0] == "diff":
            a, b = b.get("count_delta"), 0
        check(a == b, "%s equal on the scrubbed copy" % " ".join(cmd))


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
        print(p.stderr.decode(errors="replace")[-500:])
        testlib.skip("the dumper is not built (import muppy failed with "
                     "PYTHONPATH=%s): build target _muppy first"
                     % args.pythonpath)
    heapgen_dir = os.path.join(args.root, "bench")
    d = tempfile.mkdtemp(prefix="muppy-an-e2e-")
    ran = 0
    try:
        a, b = os.path.join(d, "a.snap"), os.path.join(d, "b.snap")
        p = python(args, HEAPGEN_DUMPS, heapgen_dir, a, b, args.scale,
                   args.leak)
        if p.returncode != 0:
            fail("heapgen dumps failed: %s" % p.stderr.decode()[-2000:])
        else:
            check_leak(args, a, b, "LeakedSession", args.leak,
                       "_handlers")
            ran += 1
        check_retained(args, heapgen_dir, d)
        ran += 1
        p = python(args, HEAPGEN_THREE, heapgen_dir, d, args.scale, 100)
        if p.returncode != 0:
            fail("heapgen leak dumps failed: %s"
                 % p.stderr.decode()[-2000:])
        else:
            check_leaks(args, d, 100, [("_handlers", "method")])
            ran += 1
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
        check_scrub(args, d)
        ran += 1
        check_memory(args, heapgen_dir, d)
        ran += 1
        # three classic leaks among a transient workload
        prog = os.path.join(args.root, "samples", "programs",
                            "three_leaks.py")
        out = os.path.join(d, "three")
        p = python(args, "import runpy, sys; sys.argv = sys.argv[1:]; "
                   "runpy.run_path(sys.argv[0], run_name='__main__')",
                   prog, out, "--requests", "60")
        if p.returncode != 0:
            fail("three_leaks.py failed: %s" % p.stderr.decode()[-2000:])
        else:
            check_leaks(args, out, 60, [
                ("Request.is_large's lru_cache", "Request"),
                (".handlers", "RequestLogHandler"),
                ("BACKGROUND_TASKS", "Task")])
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
