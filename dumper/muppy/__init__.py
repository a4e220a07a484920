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
import io
import os
import signal as _signal
import sys
import time

from . import _muppy
from . import _background
from ._background import BackgroundDump, BackgroundDumpError
from . import _triggers
from ._triggers import DumpWatcher
from ._leaks import LeakCluster, LeakStep, analyzer_path, leaks

__all__ = ["dump", "dump_on_signal", "dump_when", "load", "leaks",
           "analyzer_path", "DumpResult", "BackgroundDump",
           "BackgroundDumpError", "DumpWatcher", "Snapshot",
           "SnapshotError", "LeakCluster", "LeakStep", "__version__"]

__version__ = "0.1.0"

SnapshotError = _muppy.SnapshotError

DumpResult = collections.namedtuple(
    "DumpResult", "path objects edges bytes_written seconds")
DumpResult.__doc__ = "What muppy.dump() wrote."


def _target(path):
    """(name, fd) for dump(): a path, a descriptor or a binary file."""
    if isinstance(path, bool):
        raise TypeError("path must be a path, a file descriptor or a "
                        "binary file, not bool")
    if isinstance(path, int):
        if path < 0:
            raise ValueError("bad file descriptor %d" % path)
        return "<fd %d>" % path, path
    if hasattr(path, "fileno") and not isinstance(path, (str, bytes)):
        if isinstance(path, io.TextIOBase):
            raise TypeError("a snapshot is binary: open the file with 'wb'")
        path.flush()
        fd = path.fileno()
        name = getattr(path, "name", None)
        if not isinstance(name, str):       # a pipe's file has an int
            name = "<fd %d>" % fd
        return name, fd
    return os.fspath(path), -1


def dump(path, *, labels=True, include_strings=0, level=1, background=False,
         watchdog=600):
    """Write a snapshot of this interpreter's heap to `path`.

    labels=False leaves out dict-key and attribute names (dict values are
    then shown as `[?]`, attributes as unlabeled references; list indices
    and C field names stay); include_strings=N records the first N characters of every str;
    level is the zstd compression level (1 is fast and good).

    The file appears atomically: it is written to a temporary file beside
    `path` and renamed when complete.  On failure nothing is left behind
    and OSError (I/O), MemoryError or ValueError (bad argument) is raised.
    Returns a DumpResult.

    `path` may also be an open file descriptor (an int) or a binary file
    object (flushed first): the snapshot is streamed into it, e.g. a pipe
    or sys.stdout.buffer; a failure then leaves a truncated stream, which
    every reader rejects.

    background=True forks: a child process writes the snapshot of its
    copy-on-write image of the heap while this process goes on after a
    pause of milliseconds.  Returns a BackgroundDump at once (pid, wait(),
    done()); wait() returns the DumpResult or raises.  A child still
    running after `watchdog` seconds is ended (it removes its temporary
    file).  Linux only; the memory either process writes meanwhile is
    copied (at worst, one more heap: see BackgroundDump.child_private_bytes).
    """
    if (not isinstance(include_strings, int)
            or isinstance(include_strings, bool) or include_strings < 0):
        raise ValueError("include_strings must be an int >= 0, not %r"
                         % (include_strings,))
    if not isinstance(level, int) or isinstance(level, bool):
        raise ValueError("level must be an int, not %r" % (level,))
    name, fd = _target(path)
    if background:
        if fd >= 0:
            raise ValueError("a background dump writes a file (a path), "
                             "not a stream")
        return _background.start(name, DumpResult, watchdog,
                                 labels=bool(labels),
                                 include_strings=include_strings,
                                 level=level, version=__version__)
    objects, edges, nbytes, seconds = _muppy.dump(
        name, bool(labels), include_strings, level, __version__, fd)
    return DumpResult(name, objects, edges, nbytes, seconds)


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
            dump(path, **options)   # background=True: reaped later
        except Exception as e:  # never break the interrupted program
            sys.stderr.write("muppy: cannot write '%s': %s\n" % (path, e))

    return _signal.signal(signum, _handler)


def dump_when(rss_above=None, *, every=None, directory=".", keep=5,
              max_bytes=None, min_interval=60, check_interval=1.0,
              **options):
    """Dump into `directory` when the RSS crosses `rss_above`, every
    `every` seconds, or both; return the DumpWatcher (stop() it).

    rss_above: bytes or "500M", "2G"; every: seconds or "30s", "10m";
    keep: the newest N snapshots written are kept (None: all); max_bytes:
    a cap on their total size (the newest is always kept); min_interval:
    seconds between two dumps at least; check_interval: seconds between
    two looks at the RSS.  `options` go to dump() (background=True
    included: the service then pauses only for the fork).  A failed dump
    prints one line to stderr and is listed in watcher.errors.
    """
    return _triggers.dump_when(dump, snapshot_name, rss_above, every,
                               directory, keep, max_bytes, min_interval,
                               check_interval, **options)


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
