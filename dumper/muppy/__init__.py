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

Memory outside Python objects (numpy data, tensor storages, images...)
is recorded as external nodes; register_sizer() tells muppy about more.
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
from . import _sizers

__all__ = ["dump", "dump_on_signal", "dump_when", "load", "leaks",
           "analyzer_path", "register_sizer", "register_deep_sizeof",
           "DumpResult", "BackgroundDump", "BackgroundDumpError",
           "DumpWatcher", "Snapshot", "SnapshotError", "LeakCluster",
           "LeakStep", "__version__"]

__version__ = "0.1.0"

SnapshotError = _muppy.SnapshotError

DumpResult = collections.namedtuple(
    "DumpResult", "path objects edges bytes_written seconds")
DumpResult.__doc__ = "What muppy.dump() wrote."


# what the dump is told (tuples, rebuilt when one is registered, so that
# a dump creates none): ((class, sizer, key), ...) and (class, ...),
# class a type or b"module.qualname"
_SIZERS = ()
_DEEP = ()


def _class_key(cls):
    """A type, or "module.QualName" as bytes."""
    if isinstance(cls, type):
        return cls
    if isinstance(cls, str) and "." in cls.strip(".") and cls == cls.strip():
        return cls.encode("utf-8", "surrogateescape")
    raise TypeError("expected a class or 'module.QualName', not %r" % (cls,))


def register_sizer(cls, sizer, *, key=None):
    """Tell muppy what instances of `cls` hold outside Python objects.

    `cls` is a class or its qualified name, "module.QualName" (as
    type(obj).__module__ + "." + type(obj).__qualname__ give it; for a C
    type whose tp_name has no module, "builtins.Name"): a library can
    register its classes without importing anything, and muppy imports
    nothing.  It applies to instances of `cls` and of its subclasses (a
    subclass's own sizer wins).

    For each such object a dump meets, it calls sizer(obj), which
    returns None, a node, or a list of at most 16 nodes, a node being

        (name, address, size[, label[, memory]])

    name: what the memory is ("torch storage"); address: the buffer's
    address, so that objects sharing a buffer share one node (None: a
    node of this object alone); size: bytes (0: no node); label: the
    name of the edge from obj to the node (default "data"); memory:
    "host" (default: whether it is anonymous, a file or shared memory is
    looked up in /proc/self/maps) or "device" (a GPU's, not in the RSS).

    With key, key(obj) is called first and returns the address of
    the memory (or None): when the dump has that node already, sizer is
    not called again (views of one buffer, many handles on one
    document).

    Objects of `cls` then get their own size (object.__sizeof__'s: the
    instance's struct), never their __sizeof__: what they hold outside
    objects is the nodes.  A sizer runs Python code during the dump: it
    must be fast and keep nothing (its temporaries die with the call).
    One that raises an Exception or returns anything else is skipped and
    counted in the snapshot's metadata (dump.sizer_errors, and the first
    reason in dump.sizer_error), never fatal.  sizer=None removes the
    registration.
    """
    global _SIZERS
    k = _class_key(cls)
    if sizer is not None and not callable(sizer):
        raise TypeError("sizer must be callable or None")
    if key is not None and not callable(key):
        raise TypeError("key must be callable or None")
    entries = [e for e in _SIZERS if e[0] != k]
    if sizer is not None:
        entries.append((k, sizer, key))
    _SIZERS = tuple(entries)


def register_deep_sizeof(cls):
    """Say that the __sizeof__ that `cls` defines counts what the object
    refers to (like pandas' memory_usage(deep=True)).  Objects whose
    __sizeof__ resolves to it (instances of `cls` and of subclasses that
    do not define their own) then get their own size, object.__sizeof__'s,
    and the dump never calls it.  `cls`: a class or "module.QualName".
    """
    global _DEEP
    k = _class_key(cls)
    if k not in _DEEP:
        _DEEP = _DEEP + (k,)


for _cls, _fn, _key in _sizers.DEFAULT_SIZERS:
    register_sizer(_cls, _fn, key=_key)
for _cls in _sizers.DEFAULT_DEEP:
    register_deep_sizeof(_cls)
del _cls, _fn, _key


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

    Sizes are the objects' own memory: what an object holds outside Python
    objects (numpy data, tensor storages, images: see register_sizer) is
    written as external nodes with an edge from it, and types whose
    __sizeof__ counts their referents (pandas) get their own size.

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
                                 level=level, version=__version__,
                                 sizers=_SIZERS, deep=_DEEP)
    objects, edges, nbytes, seconds = _muppy.dump(
        name, bool(labels), include_strings, level, __version__, fd,
        _SIZERS, _DEEP)
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
    [(object, kind, label)], meta {key: value} and memory, where the
    process's memory was (the format library's mf_memory_breakdown():
    rss = objects + external + allocator_free + file_backed + other +
    unexplained, bytes; missing lists what the file lacks).
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
