"""muppy.leaks(): find what a piece of code leaks, from inside a test.

    def test_handler_does_not_leak():
        assert not muppy.leaks(lambda: handle_request(make_request()))

It dumps three snapshots around the workload and runs
`muppy-analyze leaks` on them (spec/analyzer.md, "leaks").
"""
import collections
import gc
import json
import os
import shutil
import subprocess
import tempfile

__all__ = ["leaks", "analyzer_path", "LeakCluster", "LeakStep"]

LeakStep = collections.namedtuple(
    "LeakStep", "label type module address repeat cycle",
    defaults=(1, None))
LeakStep.__doc__ = """One step of a path: the label of the reference
(`.handlers`, `['app']`, `[3]`), the type, module and address of the
object it leads to.  A repeated step or cycle of steps is one LeakStep
with `repeat` (how many times on this path) and, for a cycle of several
steps, `cycle`: its steps."""


def _steps(json_steps):
    return [LeakStep(s["label"], s["type"], s["module"], s["address"],
                     s.get("repeat", 1),
                     _steps(s["cycle"]) if "cycle" in s else None)
            for s in json_steps]


def _text(steps):
    out = []
    for s in steps:
        if s.cycle is not None:
            out.append("(%s)+" % _text(s.cycle))
        elif s.label:
            out.append(s.label + ("+" if s.repeat > 1 else ""))
    return " ".join(out)


class LeakCluster(collections.namedtuple(
        "LeakCluster", "label kind module type address count size retained "
        "types hang path example example_path newer")):
    """One leak: an accumulation point, the object through which the
    leaked objects are held (`muppy-analyze leaks`, spec/analyzer.md).

    `label` names it by its container ("Logger 'app' .handlers",
    "Session ._new", "Handler.render's lru_cache"); `kind` is "holder" (an
    object that was there before and gained) or "new" (a new structure:
    `module`, `type` and `address` are then of its outermost new object).
    `count` objects were gained (own `size` bytes, `retained` with what
    they keep alive), by type in `types` [(module, type, count, size)],
    hanging from it as `hang` says ({"keys": 3, "values": 3, ...}).
    `path` is its path from a root, `example_path` one path from it to a
    gained object (LeakSteps), `example` that object's address.  `newer`:
    held only through objects allocated after TARGET (likely address
    reuse)."""

    __slots__ = ()

    def path_text(self):
        """The path from a root as muppy-analyze prints it (roughly)."""
        head = self.path[0].label if self.path else ""
        rest = _text(self.path[1:])
        return "%s%s -> %s @%s" % (head, " " + rest if rest else "",
                                   self.type, self.address)

    def __str__(self):
        return "%s: %d objects gained (%d bytes, retaining %d): %s" % (
            self.label, self.count, self.size, self.retained,
            ", ".join("%d %s" % (t[2], t[1]) for t in self.types[:5]))


def analyzer_path():
    """The muppy-analyze command: $MUPPY_ANALYZE, the one installed with
    this package, or the first on PATH.  Raises FileNotFoundError."""
    env = os.environ.get("MUPPY_ANALYZE")
    if env:
        if not os.access(env, os.X_OK):
            raise FileNotFoundError(
                "MUPPY_ANALYZE=%r is not an executable file" % env)
        return env
    own = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin",
                       "muppy-analyze")
    if os.access(own, os.X_OK):
        return own
    found = shutil.which("muppy-analyze")
    if found:
        return found
    raise FileNotFoundError(
        "muppy-analyze not found: it is installed with the muppy package "
        "(pip install --no-build-isolation ./ builds it); or put it on PATH "
        "or name it in MUPPY_ANALYZE")


def _call(fn, times):
    for _ in range(times):
        fn()
    gc.collect()


def leaks(fn, repeat=3, *, warmup=1, directory=None, min_count=2):
    """Run fn() and report what it leaks, as a list of LeakClusters (empty
    when nothing leaked), one per leak, largest retained size first.

    fn is called `warmup` times first (to fill caches and import lazily),
    then a snapshot BASE is dumped; fn is called `repeat` times and TARGET
    is dumped; fn is called `repeat` times again and FINAL is dumped.  The
    objects fn allocated before TARGET that are still alive in FINAL are
    the leaked objects; each leak is the accumulation point they are held
    through (`muppy-analyze leaks --min-count min_count`: points that
    gained fewer objects are left out).  A leak of one object per call
    gains at least `repeat` objects.

    The snapshots go to `directory` (kept) or to a temporary directory
    (removed).  Raises FileNotFoundError when muppy-analyze cannot be
    found (see analyzer_path()), RuntimeError when it fails.
    """
    from . import dump   # the package imports this module

    if not callable(fn):
        raise TypeError("leaks() needs a callable, not %r" % (fn,))
    for name, value in (("repeat", repeat), ("warmup", warmup),
                        ("min_count", min_count)):
        if not isinstance(value, int) or isinstance(value, bool) \
                or value < (1 if name == "repeat" else 0):
            raise ValueError("%s must be an int >= %d, not %r"
                             % (name, 1 if name == "repeat" else 0, value))
    analyzer = analyzer_path()
    temporary = directory is None
    directory = tempfile.mkdtemp(prefix="muppy-leaks-") if temporary \
        else os.fspath(directory)
    paths = [os.path.join(directory, n + ".snap")
             for n in ("base", "target", "final")]
    try:
        _call(fn, warmup)
        dump(paths[0])
        _call(fn, repeat)
        dump(paths[1])
        _call(fn, repeat)
        dump(paths[2])
        cmd = [analyzer, "leaks", "--json", "--top", "1000000",
               "--min-count", str(min_count)]
        p = subprocess.run(cmd + paths, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError("muppy-analyze leaks failed (exit %d): %s" % (
                p.returncode, p.stderr.decode(errors="replace").strip()))
        report = json.loads(p.stdout.decode())
    finally:
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
    return [LeakCluster(pt["label"], pt["kind"], pt["module"], pt["type"],
                        pt["address"], pt["count"], pt["size"],
                        pt["retained"],
                        [(t["module"], t["type"], t["count"], t["size"])
                         for t in pt["types"]],
                        pt["hang"], _steps(pt["path"]),
                        pt["example"][-1]["address"] if pt["example"]
                        else pt["address"], _steps(pt["example"]),
                        pt["newer"])
            for pt in report["points"]]
