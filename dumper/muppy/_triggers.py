"""Dumps on triggers: when the RSS crosses a threshold, or every N seconds.

    watcher = muppy.dump_when(rss_above="2G", directory="/var/tmp/snaps",
                              keep=5, max_bytes="10G", min_interval=60)
    ...
    watcher.stop()

One small daemon thread reads /proc/self/statm every `check_interval`
seconds (a few microseconds) and dumps into `directory`, named as
dump_on_signal() names them; it keeps the newest `keep` snapshots it wrote
and at most `max_bytes` of them (the newest is kept even if alone it is
bigger), and never dumps twice within `min_interval` seconds.
"""
import os
import re
import sys
import threading
import time

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
          "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
          "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
          "t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40}
_SECONDS = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_size(value, what="size"):
    """Bytes from 123, "500M", "1.5G", "2GiB" (powers of 1024)."""
    if isinstance(value, bool):
        raise ValueError("%s must be a number of bytes, not %r"
                         % (what, value))
    if isinstance(value, (int, float)):
        n = value
    else:
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*",
                         str(value))
        if m is None or m.group(2).lower() not in _UNITS:
            raise ValueError("%s: cannot read %r (say 500M, 2G or a number "
                             "of bytes)" % (what, value))
        n = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if n <= 0:
        raise ValueError("%s must be > 0, not %r" % (what, value))
    return int(n)


def parse_duration(value, what="duration"):
    """Seconds from 90, "30s", "10m", "1.5h", "1d"."""
    if isinstance(value, bool):
        raise ValueError("%s must be a number of seconds, not %r"
                         % (what, value))
    if isinstance(value, (int, float)):
        n = float(value)
    else:
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*",
                         str(value))
        if m is None or m.group(2).lower() not in _SECONDS:
            raise ValueError("%s: cannot read %r (say 30s, 10m or 1h)"
                             % (what, value))
        n = float(m.group(1)) * _SECONDS[m.group(2).lower()]
    if n < 0:
        raise ValueError("%s must be >= 0, not %r" % (what, value))
    return n


def current_rss():
    """This process's resident set size in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except Exception:
        return 0


class DumpWatcher:
    """The thread behind dump_when(): stop() it; `snapshots` lists the
    paths it wrote and still keeps (oldest first), `errors` the failed
    dumps' messages, `dumps` how many it wrote in all."""

    def __init__(self, dump, name, directory, rss_above, every, keep,
                 max_bytes, min_interval, check_interval, options):
        self._dump = dump
        self._name = name
        self.directory = directory
        self.rss_above = rss_above
        self.every = every
        self.keep = keep
        self.max_bytes = max_bytes
        self.min_interval = min_interval
        self.check_interval = check_interval
        self.snapshots = []
        self.errors = []
        self.dumps = 0
        self._options = options
        self._sizes = {}
        self._stop = threading.Event()
        self._last = None
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run,
                                        name="muppy-dump-when", daemon=True)
        self._thread.start()

    def __repr__(self):
        return ("<muppy.DumpWatcher %r rss_above=%r every=%r, %d dumps>"
                % (self.directory, self.rss_above, self.every, self.dumps))

    def stop(self, timeout=None):
        """Stop watching (an ongoing dump finishes first)."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self):
        return self._thread.is_alive()

    def _due(self, now):
        if self._last is not None and now - self._last < self.min_interval:
            return False
        if self.rss_above is not None and current_rss() >= self.rss_above:
            return True
        if self.every is not None:
            since = self._last if self._last is not None else self._started
            return now - since >= self.every
        return False

    def _run(self):
        while not self._stop.wait(self.check_interval):
            now = time.monotonic()
            if self._due(now):
                self._last = now
                self._one()

    def _one(self):
        path = self._name(self.directory, self.dumps + 1)
        try:
            r = self._dump(path, **self._options)
            if hasattr(r, "wait"):          # background=True
                r = r.wait()
        except Exception as e:
            msg = "cannot write '%s': %s" % (path, e)
            self.errors.append(msg)
            sys.stderr.write("muppy: %s\n" % msg)
            return
        self.dumps += 1
        self.snapshots.append(r.path)
        self._sizes[r.path] = r.bytes_written
        self._prune()

    def _prune(self):
        def drop():
            old = self.snapshots.pop(0)
            self._sizes.pop(old, None)
            try:
                os.unlink(old)
            except FileNotFoundError:
                pass
            except OSError as e:
                self.errors.append("cannot remove '%s': %s" % (old, e))

        while self.keep is not None and len(self.snapshots) > self.keep:
            drop()
        while (self.max_bytes is not None and len(self.snapshots) > 1
               and sum(self._sizes.values()) > self.max_bytes):
            drop()


def dump_when(dump, name, rss_above=None, every=None, directory=".",
              keep=5, max_bytes=None, min_interval=60, check_interval=1.0,
              **options):
    if rss_above is None and every is None:
        raise ValueError("dump_when() needs rss_above=, every= or both")
    rss = None if rss_above is None else parse_size(rss_above, "rss_above")
    period = None if every is None else parse_duration(every, "every")
    if period is not None and period <= 0:
        raise ValueError("every must be > 0 seconds")
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError("not a directory: %r" % (directory,))
    if keep is not None and (not isinstance(keep, int)
                             or isinstance(keep, bool) or keep < 1):
        raise ValueError("keep must be an int >= 1 or None, not %r"
                         % (keep,))
    cap = None if max_bytes is None else parse_size(max_bytes, "max_bytes")
    interval = parse_duration(min_interval, "min_interval")
    check = parse_duration(check_interval, "check_interval")
    if check <= 0:
        raise ValueError("check_interval must be > 0 seconds")
    return DumpWatcher(dump, name, directory, rss, period, keep, cap,
                       interval, check, options)
