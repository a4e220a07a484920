"""muppy: heap snapshots of a running CPython interpreter.

    import muppy
    muppy.dump("heap.snap")            # one snapshot, now
    muppy.dump_on_signal(signal.SIGUSR2, "/tmp/snaps")   # on demand

Snapshots are analyzed offline with the `muppy-analyze` command.  A dump
records every object (address, type, sys.getsizeof size, flags, length,
name), every referent edge with a label where one is known, the roots
(sys.modules, running frames, builtins, gc.garbage) and metadata about
the process.  No str/bytes contents are recorded unless include_strings
asks for them.
"""
import collections
import os
import signal as _signal
import sys
import time

from . import _muppy
from ._leaks import LeakCluster, LeakStep, analyzer_path, leaks

__all__ = ["dump", "dump_on_signal", "load", "leaks", "analyzer_path",
           "DumpResult", "Snapshot", "SnapshotError", "LeakCluster",
           "LeakStep", "__version__"]

__version__ = "0.1.0"

SnapshotError = _muppy.SnapshotError

DumpResult = collections.namedtuple(
    "DumpResult", "path objects edges bytes_written seconds")
DumpResult.__doc__ = "What muppy.dump() wrote."


def dump(path, *, labels=True, include_strings=0, level=1):
    """Write a snapshot of this interpreter's heap to `path`.

    labels=False leaves out dict-key and attribute names (dict values are
    then shown as `[?]`, attributes as unlabeled references; list indices
    and C field names stay); include_strings=N records the first N characters of every str;
    level is the zstd compression level (1 is fast and good).

    The file appears atomically: it is written to a temporary file beside
    `path` and renamed when complete.  On failure nothing is left behind
    and OSError (I/O), MemoryError or ValueError (bad argument) is raised.
    Returns a DumpResult.
    """
    if (not isinstance(include_strings, int)
            or isinstance(include_strings, bool) or include_strings < 0):
        raise ValueError("include_strings must be an int >= 0, not %r"
                         % (include_strings,))
    if not isinstance(level, int) or isinstance(level, bool):
        raise ValueError("level must be an int, not %r" % (level,))
    path = os.fspath(path)
    objects, edges, nbytes, seconds = _muppy.dump(
        path, bool(labels), include_strings, level, __version__)
    return DumpResult(path, objects, edges, nbytes, seconds)


def snapshot_name(directory, n=0, pid=None, when=None):
    """The file name dump_on_signal() uses: muppy-<pid>-<time>-<n>.snap"""
    pid = os.getpid() if pid is None else pid
    stamp = time.strftime("%Y%m%d-%H%M%S",
                          time.localtime(time.time() if when is None
                                         else when))
    return os.path.join(directory, "muppy-%d-%s-%d.snap" % (pid, stamp, n))


def dump_on_signal(signum, directory, **options):
    """Write a snapshot into `directory` each time signal `signum` arrives.

    Files are named muppy-<pid>-<YYYYmmdd-HHMMSS>-<n>.snap (n counts the
    snapshots of this process).  A failed dump prints one line to stderr
    and never raises into the interrupted code.  `options` are passed to
    dump().  Returns the previous handler.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError("not a directory: %r" % (directory,))
    counter = [0]

    def _handler(sig, frame):
        counter[0] += 1
        path = snapshot_name(directory, counter[0])
        try:
            dump(path, **options)
        except Exception as e:  # never break the interrupted program
            sys.stderr.write("muppy: cannot write '%s': %s\n" % (path, e))

    return _signal.signal(signum, _handler)


class Snapshot:
    """A snapshot read back into Python lists (for tests and small files).

    Columns: address, type, size, flags, length, name, value (per object),
    edge_start (CSR offsets), edge_target, edge_kind, edge_label; plus
    strings, types [(address, module, qualname, flags)], roots
    [(object, kind, label)] and meta {key: value}.
    """

    def __init__(self, columns):
        self.__dict__.update(columns)

    def __len__(self):
        return self.objects

    def edges_of(self, i):
        """[(target, kind, label)] of object i."""
        a, b = self.edge_start[i], self.edge_start[i + 1]
        return list(zip(self.edge_target[a:b], self.edge_kind[a:b],
                        self.edge_label[a:b]))

    def type_name(self, i):
        _, module, qualname, _ = self.types[self.type[i]]
        if module in (None, "builtins"):
            return qualname
        return "%s.%s" % (module, qualname)

    def string(self, sid):
        return self.strings[sid]


def load(path):
    """Read a snapshot file into a Snapshot (all in memory)."""
    return Snapshot(_muppy.read_snapshot(os.fspath(path)))
