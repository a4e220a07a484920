"""Background dumps: a forked child writes the snapshot (dumper/background.c).

dump(path, background=True) returns a BackgroundDump at once; the child
reports on a pipe when it is done, and wait() turns that report (or the
way the child ended) into the usual DumpResult or an exception.

A process forked by the program itself (os.fork(), multiprocessing's
fork) while dumps are pending forgets them (os.register_at_fork): they
are its parent's children and its parent reads their reports.  Without
that, the fork's exit handler waited for them and read their reports off
the shared pipe, and the parent then saw "no snapshot written".
"""
import errno as _errno
import glob
import os
import signal as _signal
import sys
import threading
import time

from . import _muppy

# the children not yet reaped, so that none is left a zombie: reaped by
# the next background dump, by wait()/done(), and at exit
_pending = set()
_pending_lock = threading.Lock()

# Linux only (fork() with threads elsewhere: see start())
SUPPORTED = sys.platform.startswith("linux")


class BackgroundDumpError(RuntimeError):
    """A background dump's child ended without writing its snapshot
    (killed by a signal, ended by the watchdog, or its parent exited)."""


def _signal_name(sig):
    try:
        return _signal.Signals(sig).name
    except ValueError:
        return "signal %d" % sig


class BackgroundDump:
    """A snapshot being written by a child process.

    pid: the child's; path: where the snapshot will be; pause_seconds: how
    long dump() held the caller (the fork); child_private_bytes: once done,
    the memory the child had to copy or allocate (the cost of the dump:
    pages either process wrote while it ran, plus the dump's own tables).
    """

    def __init__(self, path, pid, report_fd, pause_seconds, make_result):
        self.path = path
        self.pid = pid
        self.pause_seconds = pause_seconds
        self.child_private_bytes = None
        self._fd = report_fd
        self._make_result = make_result
        self._status = None
        self._report = b""
        self._result = None
        self._error = None
        self._lock = threading.Lock()
        self._owner = os.getpid()
        with _pending_lock:
            _pending.add(self)

    def _forget(self):
        """In a forked process: the dump is the parent's."""
        self._lock = threading.Lock()
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1

    def _check_owner(self):
        if self._owner != os.getpid() and self._status is None:
            raise BackgroundDumpError(
                "background dump of '%s' (pid %d) belongs to process %d; "
                "this process is a fork of it" % (self.path, self.pid,
                                                  self._owner))

    def __repr__(self):
        state = "done" if self._status is not None else "running"
        return "<muppy.BackgroundDump pid=%d %r %s>" % (self.pid, self.path,
                                                         state)

    def _read_report(self):
        chunks = []
        while True:
            try:
                b = os.read(self._fd, 65536)
            except InterruptedError:
                continue
            except OSError:
                break
            if not b:
                break
            chunks.append(b)
        os.close(self._fd)
        self._fd = -1
        self._report = b"".join(chunks)

    def _reap(self, block):
        """Reap the child if it ended; True when it has."""
        with self._lock:
            if self._status is not None:
                return True
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                # reaped elsewhere (a SIGCHLD handler, os.wait()): what the
                # pipe says is all there is
                pid, status = self.pid, None
            if pid == 0:
                return False
            self._status = status
            self._read_report()
            self._settle()
            with _pending_lock:
                _pending.discard(self)
            return True

    def _settle(self):
        line = self._report.decode("utf-8", "replace").strip()
        parts = line.split(" ", 3)
        if parts[0] == "ok" and len(parts) >= 4:
            fields = line.split()
            objects, edges, nbytes = (int(x) for x in fields[1:4])
            seconds = float(fields[4])
            private = int(fields[5]) if len(fields) > 5 else -1
            self.child_private_bytes = private if private >= 0 else None
            self._result = self._make_result(self.path, objects, edges,
                                             nbytes, seconds)
            return
        self._remove_leftovers()
        if parts[0] == "error" and len(parts) == 4:
            kind, err, message = parts[1], int(parts[2]), parts[3]
            if kind == "OSError":
                self._error = OSError(err or _errno.EIO, message, self.path)
            elif kind == "MemoryError":
                self._error = MemoryError(message)
            elif kind == "ValueError":
                self._error = ValueError(message)
            elif kind == "RuntimeError":
                self._error = RuntimeError(message)
            else:
                self._error = BackgroundDumpError(
                    "background dump of '%s' (pid %d): %s"
                    % (self.path, self.pid, message))
            return
        status = self._status
        if status is not None and os.WIFSIGNALED(status):
            why = "killed by %s" % _signal_name(os.WTERMSIG(status))
        elif status is not None and os.WIFEXITED(status):
            why = "exited with status %d" % os.WEXITSTATUS(status)
        else:
            why = "ended without a report"
        self._error = BackgroundDumpError(
            "background dump of '%s' (pid %d) %s; no snapshot written"
            % (self.path, self.pid, why))

    def _remove_leftovers(self):
        # the temporary file of a child that could not remove it (SIGKILL)
        pattern = "%s.tmp.%d.*" % (glob.escape(self.path), self.pid)
        for p in glob.glob(pattern):
            try:
                os.unlink(p)
            except OSError:
                pass

    def done(self):
        """True once the child has ended (successfully or not)."""
        self._check_owner()
        return self._reap(False)

    def wait(self, timeout=None):
        """Wait for the child; return its DumpResult or raise its error.

        timeout (seconds): raise TimeoutError if the child is still
        running then (it goes on; wait again later).  In a process forked
        from the one that started the dump: BackgroundDumpError.
        """
        self._check_owner()
        if timeout is None:
            self._reap(True)
        else:
            deadline = time.monotonic() + timeout
            delay = 0.001
            while not self._reap(False):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        "background dump of '%s' (pid %d) still running "
                        "after %g s" % (self.path, self.pid, timeout))
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.05)
        if self._error is not None:
            raise self._error
        return self._result

    def kill(self):
        """End the child now (SIGTERM: it removes its temporary file)."""
        self._check_owner()
        if self._status is None:
            try:
                os.kill(self.pid, _signal.SIGTERM)
            except ProcessLookupError:
                pass


def reap_finished():
    """Reap the background dumps that ended (no zombie is left)."""
    with _pending_lock:
        pending = list(_pending)
    for h in pending:
        h._reap(False)


def _wait_all_at_exit():
    # a process that ends while its dumps run waits for them (each is
    # bounded by its watchdog), as for non-daemon threads
    with _pending_lock:
        pending = list(_pending)
    for h in pending:
        try:
            h.wait()
        except Exception as e:
            sys.stderr.write("muppy: %s\n" % (e,))


def start(path, make_result, watchdog, **options):
    """Fork a child that writes the snapshot to `path`; a BackgroundDump."""
    if not sys.platform.startswith("linux"):
        raise NotImplementedError(
            "background dumps need Linux: fork() in a process with threads "
            "is unsafe on %s" % sys.platform)
    if (not isinstance(watchdog, (int, float)) or isinstance(watchdog, bool)
            or watchdog <= 0):
        raise ValueError("watchdog must be a number of seconds > 0, not %r"
                         % (watchdog,))
    reap_finished()
    pid, fd, pause = _muppy.dump_background(
        path, watchdog=max(1, int(round(watchdog))), **options)
    return BackgroundDump(path, pid, fd, pause, make_result)


def _after_fork_in_child():
    # the pending dumps are the parent's: forget them (their pipes too);
    # a lock another thread held at the fork is replaced
    global _pending_lock
    _pending_lock = threading.Lock()
    for h in list(_pending):
        h._forget()
    _pending.clear()


import atexit as _atexit  # noqa: E402
_atexit.register(_wait_all_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
