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

LeakStep = collections.namedtuple("LeakStep", "label type module address")
LeakStep.__doc__ = "One step of a cluster's path from a root."


class LeakCluster(collections.namedtuple(
        "LeakCluster", "module type count size retained example path")):
    """Objects leaked through one holder: `count` objects of `type` (own
    `size` bytes, `retained` with what they hold), `example` the address of
    one of them, `path` its path from a root (LeakSteps)."""

    __slots__ = ()

    def path_text(self):
        """The path as muppy-analyze prints it (roughly)."""
        steps = [self.path[0].label] if self.path else []
        steps += [s.label for s in self.path[1:] if s.label]
        return " ".join(steps) + " -> %s @%s" % (self.type, self.example)

    def __str__(self):
        return "%d %s (%d bytes, retaining %d): %s" % (
            self.count, self.type, self.size, self.retained,
            self.path_text())


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


def leaks(fn, repeat=3, *, warmup=1, directory=None, min_count=2,
          fold_keys=False):
    """Run fn() and report what it leaks, as a list of LeakClusters (empty
    when nothing leaked), largest first.

    fn is called `warmup` times first (to fill caches and import lazily),
    then a snapshot BASE is dumped; fn is called `repeat` times and TARGET
    is dumped; fn is called `repeat` times again and FINAL is dumped.  The
    objects fn allocated before TARGET that are still alive in FINAL are
    the leaks, grouped by the path that keeps them (`muppy-analyze leaks
    --min-count min_count`).  A leak of one object per call shows up as a
    cluster of `repeat` objects.

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
        if fold_keys:
            cmd.append("--fold-keys")
        p = subprocess.run(cmd + paths, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError("muppy-analyze leaks failed (exit %d): %s" % (
                p.returncode, p.stderr.decode(errors="replace").strip()))
        report = json.loads(p.stdout.decode())
    finally:
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
    return [LeakCluster(c["module"], c["type"], c["count"], c["size"],
                        c["retained"], c["example"],
                        [LeakStep(s["label"], s["type"], s["module"],
                                  s["address"]) for s in c["path"]])
            for c in report["clusters"]]
