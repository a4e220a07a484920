"""`muppy-analyze leaks`, `diff --growth` and `trend --growth` (the
accumulation points, analyzer/lib/growth.h) against the ground truth of
the leak test programs (samples/programs/leak_patterns.py and
flask_leaks.py, which write truth.json: leak_truth.py).

For each program: run it (the Flask service through `muppy-dump attach`,
three times), run `muppy-analyze leaks --json --members` on BASE, TARGET
and FINAL, and check, from FINAL exported as CSV:

- each planted leak is exactly one entry: its units are charged to one
  point (at most 5% of them elsewhere: address reuse);
- these entries are the top N (N planted leaks);
- each is named by its container (the words the program gives);
- each covers at least 90% of the retained size its pattern leaked: the
  size of the objects that every path from a root to which passes through
  one of the leak's units (computed here, by a search that avoids them);
- no other entry has as many as --min-count gained objects (but,
  through attach, the payload's own objects: ARTIFACT_COUNT), no entry
  is made of the transient or the shared objects, and none is held only
  through objects newer than TARGET (`newer`: the transient ones'
  addresses reused, which leaks leaves out without --newer);
- the text output lists the leaks first, one entry each, named by their
  containers;
- `diff BASE TARGET --growth`: the same leaks are one entry each;
- `trend --growth BASE TARGET FINAL`: their points, and no other of
  --min-count objects, grew in both steps.

Usage: test_leak_programs.py --analyzer MUPPY_ANALYZE
         --pythonpath BUILD/python --root REPO [--only leak_patterns|flask]
         [--requests N] [--keep DIR] [--signal-dumps]
Skips (tests/testlib.py: exit 77, a failure under MUPPY_REQUIRE_ALL=1):
the dumper not built; for the Flask service, no interpreter here with
flask, sqlalchemy and blinker (Debian's python3-flask and
python3-sqlalchemy: tools/deps.sh installs them), or none with pip.
Attach needs a dumper built for the service's exact CPython release: when
the build's is for another one, the package is pip-installed for it into
a temporary directory.
"""
import argparse
import collections
import csv
import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir))
import testlib  # noqa: E402

MIN_COUNT = 2
# `muppy-dump attach` runs its payload in the target during each dump: its
# `<module>` frame, code object, functions and namespace are in every
# snapshot, new each time, often at the addresses of the previous dump's
# (pymalloc reuses them), so a few of them match TARGET's and look gained.
# With attach, an entry of at most this many gained objects may be such an
# artifact (until the payload leaves them out: see dumper/muppy/_attach.py).
ARTIFACT_COUNT = 5
COVERAGE = 0.90
UNITS_TOGETHER = 0.95


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       **kw)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (
            " ".join(cmd), p.returncode,
            p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout.decode()


# -- the snapshot, read back from CSV ---------------------------------------

class Heap:
    """FINAL as objects (address, size), strong edges and roots."""

    def __init__(self, analyzer, snap, workdir):
        out = os.path.join(workdir, "csv-" + os.path.basename(snap))
        run([analyzer, "export", "--format", "csv", "--no-retained", snap,
             "-o", out])
        self.addr, self.size, self.type = [], [], []
        with open(os.path.join(out, "objects.csv"), newline="") as f:
            for r in csv.DictReader(f):
                self.addr.append(int(r["address"], 16))
                self.size.append(int(r["size"]))
                self.type.append(r["type"])
        n = len(self.addr)
        self.index = {a: i for i, a in enumerate(self.addr)}
        self.out = [[] for _ in range(n)]
        indeg = [0] * n
        with open(os.path.join(out, "edges.csv"), newline="") as f:
            for r in csv.DictReader(f):
                if r["weak"] == "1":
                    continue
                a, b = int(r["from"]), int(r["to"])
                self.out[a].append(b)
                indeg[b] += 1
        with open(os.path.join(out, "roots.csv"), newline="") as f:
            self.roots = [int(r["object"]) for r in csv.DictReader(f)]
        # the roots of the analyzer: tier 1, then what tier 1 does not
        # reach and nothing refers to (spec/analyzer.md, "Roots")
        seen = self.reach(self.roots, ())
        self.tier2 = [v for v in range(n) if not seen[v] and indeg[v] == 0]
        self.reachable = self.reach(self.roots + self.tier2, ())

    def reach(self, starts, avoid):
        seen = bytearray(len(self.addr))
        avoid = set(avoid)
        stack = [s for s in starts if s not in avoid]
        for s in stack:
            seen[s] = 1
        while stack:
            v = stack.pop()
            for w in self.out[v]:
                if not seen[w] and w not in avoid:
                    seen[w] = 1
                    stack.append(w)
        return seen

    def retained_set(self, units):
        """The objects every path from a root to which passes through a
        unit (the units included): what the leak keeps alive."""
        after = self.reach(self.roots + self.tier2, units)
        return [v for v in range(len(self.addr))
                if self.reachable[v] and not after[v]]


# -- checks -------------------------------------------------------------------

class Failures(list):
    def check(self, cond, msg):
        if not cond:
            self.append(msg)
        return cond


def analyze(args, *argv):
    """muppy-analyze's JSON: every point, with its members."""
    return json.loads(run([args.analyzer] + list(argv)))


def points_of(args, mode, snaps):
    if mode == "leaks":
        return analyze(args, "leaks", "--json", "--members", "--top",
                       "1000000", "--min-count", "1", *snaps)
    return analyze(args, "diff", "--growth", "--json", "--members", "--top",
                   "1000000", "--min-count", "1", *snaps)


def evaluate(name, truth, heap, report, fails, mode="leaks",
             artifacts=False):
    """Check report (muppy-analyze ... --json --members) against truth;
    ranks are 1, 2, ..."""
    points = report["points"]
    owner = {}
    for p in points:
        for a in p["members"]:
            owner[int(a, 16)] = p["rank"]
    by_rank = {p["rank"]: p for p in points}
    leaks = truth["leaks"]
    n = len(leaks)
    rows = []
    ranks = set()
    for lk in leaks:
        units = [heap.index[int(a, 16)] for a in lk["units"]
                 if int(a, 16) in heap.index]
        where = collections.Counter(owner.get(heap.addr[u]) for u in units)
        rank, together = where.most_common(1)[0] if where else (None, 0)
        share = together / float(len(units) or 1)
        rset = heap.retained_set(units)
        rbytes = sum(heap.size[v] for v in rset)
        covered = sum(heap.size[v] for v in rset
                      if owner.get(heap.addr[v]) == rank)
        cov = covered / float(rbytes or 1)
        p = by_rank.get(rank)
        rows.append((lk["name"], len(units), rank, share, rbytes,
                     p["retained"] if p else 0, cov,
                     p["label"] if p else "-"))
        ranks.add(rank)
        fails.check(rank is not None,
                    "%s %s: no entry holds its units" % (name, lk["name"]))
        fails.check(share >= UNITS_TOGETHER,
                    "%s %s: only %.0f%% of its %d units in one entry (%s)"
                    % (name, lk["name"], 100 * share, len(units),
                       dict(where)))
        fails.check(cov >= COVERAGE,
                    "%s %s: entry #%s covers %.1f%% of the %d bytes it "
                    "leaked" % (name, lk["name"], rank, 100 * cov, rbytes))
        fails.check(rank is not None and rank <= n,
                    "%s %s: entry #%s is not among the top %d"
                    % (name, lk["name"], rank, n))
        label = p["label"] if p else ""
        fails.check(all(w in label for w in lk.get("label", ())),
                    "%s %s: entry #%s is named %r, not by its container %s"
                    % (name, lk["name"], rank, label, lk.get("label")))
    fails.check(len(ranks) == n, "%s: %d leaks in %d entries %s"
                % (name, n, len(ranks), sorted(ranks, key=str)))
    # the others: nothing of min_count or more; no entry of transient or
    # shared objects only
    transient = set(int(a, 16) for a in truth.get("transient", ()))
    shared = set(int(a, 16) for a in truth.get("shared", ()))
    others = []
    for p in points:
        if p["rank"] in ranks:
            continue
        members = set(int(a, 16) for a in p["members"])
        others.append((p["rank"], p["count"], p["retained"],
                       p["label"] + (" (newer)" if p["newer"] else "")))
        if mode == "leaks":
            # with three snapshots the transient objects are gone by
            # FINAL: what is left of them came back by address reuse,
            # held only through objects newer than TARGET (`newer`),
            # which leaks leaves out unless --newer
            fails.check(not p["newer"],
                        "%s: entry #%d (%s) is held only through newer "
                        "objects: leaks lists it without --newer"
                        % (name, p["rank"], p["label"]))
            fails.check(p["count"] < MIN_COUNT
                        or (artifacts and p["count"] <= ARTIFACT_COUNT),
                        "%s: entry #%d (%s) of %d gained objects is no "
                        "planted leak" % (name, p["rank"], p["label"],
                                          p["count"]))
            fails.check(not members or not members <= (transient | shared)
                        or p["count"] < MIN_COUNT,
                        "%s: entry #%d is made of transient/shared objects"
                        % (name, p["rank"]))
        else:
            # with two snapshots the transient objects alive in B are new
            # in B: growth; the shared ones are charged to a leak
            fails.check(not members or not members <= shared,
                        "%s: entry #%d is made of shared objects"
                        % (name, p["rank"]))
    return rows, others


def print_rows(title, rows, others, report):
    print("\n%s: %d gained objects, %d points" % (
        title, report["gained"], len(report["points"])))
    print("  %-18s %6s %5s %7s %10s %10s %7s  %s" % (
        "leak", "units", "entry", "units%", "leaked B", "entry B",
        "cover%", "label"))
    for r in rows:
        print("  %-18s %6d %5s %6.1f%% %10d %10d %6.1f%%  %s" % (
            r[0], r[1], "#%s" % r[2], 100 * r[3], r[4], r[5], 100 * r[6],
            r[7]))
    for o in others[:5]:
        print("  other entry #%d: %d gained, %d bytes: %s" % o)
    if len(others) > 5:
        print("  ... %d more other entries" % (len(others) - 5))


def check_text(args, name, truth, snaps, fails, artifacts):
    """The text people read: the leaks are the first entries, one each,
    named by their containers."""
    out = run([args.analyzer, "leaks", "--top", "100"] + snaps)
    titles = re.findall(r"^#(\d+)  (.*)$", out, re.M)
    n = len(truth["leaks"])
    for lk in truth["leaks"]:
        hits = [int(no) for no, label in titles
                if all(w in label for w in lk.get("label", ()))]
        fails.check(len(hits) == 1 and hits[0] <= n,
                    "%s text: %s is named by entries %s (of %d)"
                    % (name, lk["name"], hits, len(titles)))
    if not artifacts:
        fails.check(len(titles) <= n + 1, "%s text: %d entries for %d leaks"
                    % (name, len(titles), n))


def check_program(args, name, outdir, fails, artifacts=False):
    truth = json.load(open(os.path.join(outdir, "truth.json")))
    snaps = [os.path.join(outdir, n + ".snap")
             for n in ("base", "target", "final")]
    heap = Heap(args.analyzer, snaps[2], outdir)
    rep = points_of(args, "leaks", snaps)
    rows, others = evaluate(name, truth, heap, rep, fails,
                            artifacts=artifacts)
    print_rows("%s: leaks BASE TARGET FINAL" % name, rows, others, rep)
    check_text(args, name, truth, snaps, fails, artifacts)
    # trend over the three: the planted leaks' points grew in both steps,
    # nothing else of --min-count objects did; a point is known by its
    # label (a new structure's head in `leaks` is the holder that grew in
    # the trend's last step: the same name)
    labels = set(r[7] for r in rows if r[2] is not None)
    tr = analyze(args, "trend", "--growth", "--json", "--top", "1000",
                 "--min-count", str(MIN_COUNT), *snaps)
    grew = tr["points"]
    found = set(g["label"] for g in grew)
    print("  trend --growth: %d points grew in every step: %s" % (
        len(grew), "; ".join("%s (%s)" % (g["label"], g["per_step"])
                             for g in grew)))
    fails.check(labels <= found, "%s trend: planted points %s did not "
                "grow in every step" % (name, sorted(labels - found)))
    extra = [g for g in grew if g["label"] not in labels
             and not (artifacts and max(g["per_step"]) <= ARTIFACT_COUNT)]
    fails.check(not extra, "%s trend: %d points grew, %d leaks were "
                "planted: %s" % (name, len(grew), len(rows),
                                 [g["label"] for g in extra]))
    # two snapshots: new in TARGET, matched by address, type and name
    heap_t = Heap(args.analyzer, snaps[1], outdir)
    rep = points_of(args, "diff", snaps[:2])
    rows, others = evaluate(name + " (diff --growth)", truth, heap_t, rep,
                            fails, mode="diff")
    print_rows("%s: diff BASE TARGET --growth" % name, rows, others, rep)


# -- the programs --------------------------------------------------------------

def env_with(pythonpath):
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath + (os.pathsep + env["PYTHONPATH"]
                                      if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def leak_patterns(args, workdir, fails):
    outdir = os.path.join(workdir, "leak_patterns")
    run([sys.executable,
         os.path.join(args.root, "samples", "programs", "leak_patterns.py"),
         outdir, "--requests", str(args.requests)],
        env=env_with(args.pythonpath))
    check_program(args, "leak_patterns", outdir, fails)


def flask_python(args):
    """An interpreter here with flask, sqlalchemy and blinker:
    $MUPPY_FLASK_PYTHON, else the python3* on PATH."""
    cands = []
    if os.environ.get("MUPPY_FLASK_PYTHON"):
        cands.append(os.environ["MUPPY_FLASK_PYTHON"])
    for d in os.environ.get("PATH", "").split(os.pathsep):
        for exe in sorted(glob.glob(os.path.join(d, "python3*"))):
            if re.match(r"python3(\.\d+)?$", os.path.basename(exe)) \
                    and os.access(exe, os.X_OK):
                cands.append(exe)
    seen = set()
    for exe in cands:
        real = os.path.realpath(exe)
        if real in seen:
            continue
        seen.add(real)
        p = subprocess.run(
            [exe, "-c", "import flask, sqlalchemy, blinker"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if p.returncode == 0:
            return exe
    return None


def dumper_for(py, args, workdir):
    """A PYTHONPATH whose muppy serves py: attach reads the target's
    internals, so its extension must be built against that very CPython
    release (not only the same minor version).  The build's when it is,
    else the package pip-installed for py into workdir (as
    tests/dumper/test_data.sh does); None when py has no pip.  Raises
    RuntimeError when pip cannot build it."""
    if subprocess.run([py, "-m", "pip", "--version"],
                      stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        return None
    check = ("import sys, muppy._muppy as m; "
             "sys.exit(m.PY_VERSION != sys.version.split()[0])")
    p = subprocess.run([py, "-c", check], env=env_with(args.pythonpath),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode == 0:
        return args.pythonpath
    target = os.path.join(workdir, "pkg")
    env = dict(os.environ, MUPPY_CFLAGS="-Wall -Wextra -Werror")
    p = subprocess.run(
        [py, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
         "--no-index", "--disable-pip-version-check", "-q", "--target",
         target, "./"], cwd=args.root, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise RuntimeError("pip cannot build muppy for %s:\n%s"
                           % (py, p.stdout.decode(errors="replace")[-2000:]))
    return target


class Service:
    def __init__(self, py, script, outdir, env, signal_dumps):
        self.outdir = outdir
        cmd = [py, script, outdir] + (["--signal-dumps"] if signal_dumps
                                      else [])
        self.log = open(os.path.join(outdir, "service.log"), "w")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log,
                                     stderr=self.log)
        port = os.path.join(outdir, "port")
        deadline = time.time() + 60
        while not os.path.exists(port):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the Flask service did not start: %s"
                                   % open(self.log.name).read()[-2000:])
            time.sleep(0.05)
        self.port = int(open(port).read())
        self.rid = 0

    def get(self, path, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError("GET %s: %d %r" % (path, r.status, body))
        return body

    def orders(self, n):
        for _ in range(n):
            self.rid += 1
            self.get("/order?sku=sku-%d&qty=%d" % (self.rid % 13,
                                                   self.rid % 5 + 1),
                     {"X-Request-Id": "r-%08d" % self.rid})

    def stop(self):
        try:
            self.get("/_shutdown")
            self.proc.wait(30)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def flask(args, workdir, fails):
    """The Flask service; returns the reason it cannot run, or None."""
    py = flask_python(args)
    if py is None:
        return ("no interpreter here has flask, sqlalchemy and blinker "
                "(Debian: python3-flask python3-sqlalchemy, tools/deps.sh)")
    outdir = os.path.join(workdir, "flask")
    os.makedirs(outdir)
    pythonpath = dumper_for(py, args, workdir)
    if pythonpath is None:
        return ("%s has no pip to build the muppy package for its exact "
                "release (Debian: python3-pip)" % py)
    env = env_with(pythonpath)
    svc = Service(py, os.path.join(args.root, "samples", "programs",
                                   "flask_leaks.py"), outdir, env,
                  args.signal_dumps)
    try:
        svc.orders(10)                       # warm up
        for name in ("base", "target", "final"):
            if name == "base":
                svc.get("/_truth/base")
            else:
                svc.orders(args.requests)
                svc.get("/_truth/gc")
            path = os.path.join(outdir, name + ".snap")
            if args.signal_dumps:
                dump_by_signal(svc, path)
            else:
                run([py, "-m", "muppy", "attach", str(svc.proc.pid), "-o",
                     path], env=env)
            if name == "target":
                svc.get("/_truth/target")
        svc.get("/_truth/final?requests=%d" % args.requests)
    finally:
        svc.stop()
    check_program(args, "flask_leaks", outdir, fails,
                  artifacts=not args.signal_dumps)
    return None


def dump_by_signal(svc, path):
    """The fallback: SIGUSR1 makes the service dump itself."""
    import signal
    before = set(glob.glob(os.path.join(svc.outdir, "muppy-*.snap")))
    svc.proc.send_signal(signal.SIGUSR1)
    deadline = time.time() + 60
    while time.time() < deadline:
        new = set(glob.glob(os.path.join(svc.outdir, "muppy-*.snap"))) \
            - before
        if new:
            os.rename(new.pop(), path)
            return
        time.sleep(0.05)
    raise RuntimeError("the service wrote no snapshot on SIGUSR1")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--pythonpath", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--only", choices=("leak_patterns", "flask"))
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--keep", help="keep the snapshots in this directory")
    ap.add_argument("--signal-dumps", action="store_true",
                    help="dump the service by SIGUSR1, not by attaching")
    args = ap.parse_args()
    p = subprocess.run([sys.executable, "-c", "import muppy._muppy"],
                       env=env_with(args.pythonpath),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        testlib.skip("the dumper is not built in %s" % args.pythonpath)
    workdir = args.keep or tempfile.mkdtemp(prefix="muppy-leak-programs-")
    if args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
        os.makedirs(workdir)
    fails = Failures()
    skipped = None
    try:
        if args.only in (None, "leak_patterns"):
            leak_patterns(args, workdir, fails)
        if args.only in (None, "flask"):
            skipped = flask(args, workdir, fails)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    for f in fails:
        print("FAIL: " + f)
    if fails:
        return 1
    if skipped and args.only == "flask":
        testlib.skip(skipped)
    if skipped:
        print("skipped the Flask service: " + skipped)
        if testlib.skip_fails(skipped):
            print("FAIL: MUPPY_REQUIRE_ALL=1: a skip is a failure")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
