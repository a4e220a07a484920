"""muppy-dump attach: snapshot a running CPython process that never
imported muppy.

    result = muppy._attach.attach(pid, "heap.snap", timeout=30)

The modules, in the order an attach uses them:
  _proc.py     what /proc says about the target; the checks (version, down
               to the patch release; stopped; traced; mount namespace)
  _workdir.py  the rendezvous: a Unix socket in a private directory that
               only muppy-dump's user can write
  _payload.py  the launcher the target is made to run (it connects to the
               socket and fetches the payload), the payload (dump, status
               line, acknowledgement) and the status line's parser
  _inject.py   muppy's own ptrace injector (Linux x86-64; dumper/inject.c)
  _gdb.py      gdb, elsewhere or with via="gdb"
  _elf.py      symbols and memory of the target, for _inject and _proc

How the launcher gets in:
- Linux x86-64, every version: muppy's injector stops the main thread,
  has it map a page, and leaves it a stub that runs the launcher right
  there when the thread was blocked in a wait with the GIL released, or
  schedules it as a pending call (run at the next safe point) otherwise;
  the injector detaches before the launcher runs, and the target never
  needs it again (dumper/inject.h).  When the launcher has not connected
  after RETRY_FIRST seconds, the injector looks again, and adds a run at
  a wait when the thread now blocks in one (a pending call only runs when
  the thread runs Python code).
- CPython 3.14+ elsewhere (or use_remote_exec=True): sys.remote_exec
  (PEP 768); the target runs the script at its next safe point, and is
  woken the 3.8-3.13 way after KICK_AFTER seconds.
- Elsewhere, or via="gdb": gdb, the same two branches (_gdb.py).

The deadline (timeout) covers the whole attach: the checks, the
injection, the wait for the target, and the dump itself.  Past it
muppy-dump gives up: a launcher that has not connected yet finds nobody
(and does nothing), a dump that has started runs to its end in the
target, which then removes the snapshot (muppy-dump did not acknowledge
it).  So does a dump whose muppy-dump was killed.  A target that dies
during the dump leaves its temporary file: muppy-dump removes it.
"""
import errno
import os
import shutil
import sys
import tempfile
import time

from . import _gdb, _inject, _payload, _proc, _workdir
from ._proc import AttachError

__all__ = ["AttachError", "attach", "default_output"]

KICK_AFTER = 0.5        # seconds before a 3.14+ remote_exec target is woken
RETRY_FIRST = 0.25      # seconds before the injector looks again
RETRY_MAX = 2.0


def default_output(pid, when=None):
    stamp = time.strftime("%Y%m%d-%H%M%S",
                          time.localtime(time.time() if when is None
                                         else when))
    return os.path.abspath("muppy-%d-%s.snap" % (pid, stamp))


def _injection_error(pid, e):
    """AttachError for an OSError of the injector."""
    if e.errno in (errno.EPERM, errno.EACCES):
        return AttachError(_proc.permission_message(pid, "ptrace refused"))
    if e.errno == errno.ESRCH:
        return AttachError("no such process: %d (it exited)" % pid)
    text = e.strerror or str(e)
    if e.errno in (errno.EAGAIN, errno.ETIMEDOUT):
        return AttachError(text)
    return AttachError("cannot attach to process %d: %s" % (pid, text))


class _RemoteScript:
    """The file sys.remote_exec makes a 3.14+ target run: the launcher,
    then it removes itself and its folder (the target may run it long
    after the attach, when it wakes).  Written before the folder is
    given to the target's user; never touched by name afterwards."""

    _TAIL = ("\nimport os\nfor p in (%r, %r):\n    try:\n"
             "        (os.rmdir if p == %r else os.unlink)(p)\n"
             "    except OSError:\n        pass\n")

    def __init__(self, info, launcher):
        other_user = info["uid"] != os.geteuid()
        self.dir = tempfile.mkdtemp(prefix="muppy-attach-",
                                    dir="/tmp" if other_user else None)
        self.path = os.path.join(self.dir, "remote.py")
        self._dirfd = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        fd = os.open("remote.py", os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                     dir_fd=self._dirfd)
        with os.fdopen(fd, "w") as f:
            f.write(launcher + self._TAIL % (self.path, self.dir, self.dir))
        if other_user:
            os.chown("remote.py", info["uid"], info["gid"],
                     dir_fd=self._dirfd, follow_symlinks=False)
            os.chown(self._dirfd, info["uid"], info["gid"])

    def pending(self):
        try:
            os.stat("remote.py", dir_fd=self._dirfd, follow_symlinks=False)
            return True
        except OSError:
            return False

    def remove(self):
        """Only when the target will not run it (remote_exec failed)."""
        try:
            os.unlink("remote.py", dir_fd=self._dirfd)
        except OSError:
            pass
        parent, name = os.path.split(self.dir)
        try:
            pfd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.rmdir(name, dir_fd=pfd)
            finally:
                os.close(pfd)
        except OSError:
            pass

    def close(self):
        os.close(self._dirfd)


class _Entry:
    """Getting the launcher into the target: injector, gdb, remote_exec;
    tick() is called while muppy-dump waits for the target's connection."""

    def __init__(self, info, via, gdb, remote, launcher):
        self.pid = info["pid"]
        self.info = info
        self.via = via
        self.gdb_path = gdb
        self.remote = remote
        self.launcher = launcher
        self.methods = []
        self.script = None
        self.injector = None
        self.gdb = None
        self.scheduled = False          # a launcher will run
        self.failure = None             # why the kick failed (remote runs on)
        self.next_look = 0.0
        self.interval = RETRY_FIRST

    def start(self, deadline):
        now = time.monotonic()
        if self.remote:
            try:
                self.script = _RemoteScript(self.info, self.launcher)
            except OSError as e:
                raise AttachError("cannot write the remote_exec script: %s"
                                  % (e.strerror or e))
            try:
                sys.remote_exec(self.pid, self.script.path)
            except PermissionError:
                self.script.remove()
                raise AttachError(_proc.permission_message(
                    self.pid, "remote_exec refused"))
            except ProcessLookupError:
                self.script.remove()
                raise AttachError("no such process: %d" % self.pid)
            except (OSError, RuntimeError) as e:
                self.script.remove()
                raise AttachError("cannot attach to process %d: %s"
                                  % (self.pid, " ".join(str(e).split())))
            self.methods.append("remote_exec")
            self.scheduled = True
            self.next_look = now + KICK_AFTER
        else:
            self.next_look = now
        self.tick(deadline)

    def tick(self, deadline):
        if not _proc.alive(self.pid):
            raise AttachError("process %d exited" % self.pid)
        now = time.monotonic()
        if self.gdb is not None and not self.gdb.running():
            why = self.gdb.failure()
            self.gdb.close()
            self.gdb = None
            if why is None:
                self.scheduled = True
            elif not self.scheduled:
                raise AttachError(why)
        if now < self.next_look or self.via is None:
            return
        if self.via == "gdb":
            if self.gdb is None and "gdb" not in self.methods:
                self.gdb = _gdb.Gdb(self.gdb_path, self.pid, self.launcher)
                self.methods.append("gdb")
            return
        self._inject(deadline, now)

    def _inject(self, deadline, now):
        first = self.injector is None
        try:
            if first:
                self.injector = _inject.Injector(self.pid)
            wait_only = self.scheduled
            how = self.injector.inject(
                self.launcher,
                max(deadline - now, 0.01) if first else
                min(max(deadline - now, 0.01), 1.0),
                wait_only=wait_only)
        except OSError as e:
            if self.scheduled:
                # remote_exec, or an earlier injection, still runs it;
                # a look that failed (a busy thread) is tried again
                if first:
                    self.failure = _injection_error(self.pid, e)
                    self.via = None
            else:
                raise _injection_error(self.pid, e)
        else:
            if how != "not-now":
                self.scheduled = True
                if "ptrace" not in self.methods:
                    self.methods.append("ptrace")
        self.next_look = time.monotonic() + self.interval
        self.interval = min(self.interval * 2, RETRY_MAX)

    def close(self, done):
        """done: the target ran the payload (a running gdb call then
        returns soon: let it detach)."""
        if self.gdb is not None:
            if done:
                end = time.monotonic() + 10
                while self.gdb.running() and time.monotonic() < end \
                        and _proc.alive(self.pid):
                    time.sleep(0.01)
            self.gdb.close()
        if self.script is not None:
            self.script.close()


def _check_output(output, pid):
    output = os.path.abspath(os.fspath(output or default_output(pid)))
    if os.path.isdir(output):
        raise AttachError("'%s' is a directory" % output)
    if not os.path.isdir(os.path.dirname(output)):
        raise AttachError("cannot write '%s': no such directory" % output)
    return output


def _temp_names(dir_fd, base):
    """The names of the snapshot's temporary files there now."""
    prefix = base + ".tmp."
    if dir_fd is None:
        return set()
    try:
        return {n for n in os.listdir(dir_fd) if n.startswith(prefix)}
    except OSError:
        return set()


def _remove_new_temps(dir_fd, base, before):
    # the target died while writing: its temporary file is left; the
    # directory is opened once, names are unlinked (never followed)
    for name in _temp_names(dir_fd, base) - before:
        try:
            os.unlink(name, dir_fd=dir_fd)
        except OSError:
            pass


def _methods(info, via, gdb, use_remote_exec):
    """(via, gdb, remote): how the launcher gets in."""
    has_remote = hasattr(sys, "remote_exec")
    remote = (use_remote_exec if use_remote_exec is not None
              else has_remote and not _inject.supported())
    if remote and not has_remote:
        raise AttachError("sys.remote_exec needs CPython 3.14+")
    if via is None:
        via = "ptrace" if _inject.supported() else "gdb"
    if via not in ("ptrace", "gdb"):
        raise AttachError("via must be 'ptrace' or 'gdb', not %r" % (via,))
    if via == "ptrace" and not _inject.supported():
        raise AttachError("muppy's own injector needs Linux on x86-64: "
                          "use gdb")
    if via == "ptrace" and "shstk" in info["thread_features"]:
        raise AttachError("process %d runs with a shadow stack (CET), "
                          "which muppy's injector does not handle: use "
                          "--via gdb" % info["pid"])
    gdb = gdb or shutil.which("gdb")
    if via == "gdb" and not gdb:
        if not remote:
            raise AttachError(
                "gdb is missing: attaching to CPython %d.%d here needs gdb "
                "(apt-get install gdb)" % info["version"])
        via = None          # remote_exec alone: nothing can wake the target
    return via, gdb, remote


def attach(pid, output=None, *, timeout=30.0, background=False, labels=True,
           include_strings=0, level=1, gdb=None, use_remote_exec=None,
           via=None):
    """Dump process `pid`'s heap into `output` (an absolute path is used:
    the target writes it, as its user, from its own working directory).

    timeout: seconds for the whole attach, the dump included; past it
    the attach fails and no snapshot stays.  background: the target forks
    and its child dumps (the target pauses for the fork only).  via: how
    code gets in: "ptrace" (muppy's own injector, the default on Linux
    x86-64) or "gdb" (elsewhere).  gdb: the gdb executable (default:
    found on PATH); use_remote_exec: None (3.14+ where the injector does
    not run), True or False.  Returns a dict: path, objects, edges,
    bytes_written, seconds (the dump), pause_seconds (the target's
    pause), attach_seconds (all of it), method.  Raises AttachError.
    """
    t0 = time.monotonic()
    if timeout is None or timeout <= 0:
        raise AttachError("timeout must be > 0 seconds")
    deadline = t0 + timeout
    info = _proc.target_info(pid)
    _proc.check_compatible(info)
    _proc.check_exact_version(info)
    output = _check_output(output, pid)
    via, gdb, remote = _methods(info, via, gdb, use_remote_exec)
    options = {"labels": bool(labels), "include_strings": int(include_strings),
               "level": int(level), "background": bool(background)}

    out_dir, base = os.path.split(output)
    try:
        out_fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        out_fd = None       # (not listable: nothing to clean up there)
    temps_before = _temp_names(out_fd, base)
    entry = None
    done = False
    try:
        try:
            rv = _workdir.Rendezvous(info)
        except OSError as e:
            raise AttachError("cannot make the attach's private directory "
                              "in %s: %s" % (tempfile.gettempdir(),
                                             e.strerror or e))
        with rv:
            entry = _Entry(info, via, gdb, remote,
                           _payload.launcher(rv.path))
            entry.start(deadline)
            conn = rv.accept(deadline, lambda: entry.tick(deadline))
            if conn is None:
                raise _timeout(pid, timeout, entry)
            with conn:
                line = rv.converse(conn, _payload.payload(output, options),
                                   deadline, lambda: None)
            if line is None:
                raise AttachError(
                    "timeout: process %d started the dump but did not "
                    "finish it within %g s; it goes on, and removes its "
                    "snapshot at the end (a heap this size needs a larger "
                    "--timeout)" % (pid, timeout))
            if line == "":
                end = time.monotonic() + 2
                while _proc.alive(pid) and time.monotonic() < end:
                    time.sleep(0.01)
                if not _proc.alive(pid):
                    _remove_new_temps(out_fd, base, temps_before)
                    raise AttachError("process %d exited during the dump"
                                      % pid)
                raise AttachError("process %d ended the attach without a "
                                  "status" % pid)
            result = _payload.parse_status(pid, line)
            done = True
        result.update(path=output, attach_seconds=time.monotonic() - t0,
                      method="+".join(entry.methods))
        return result
    finally:
        if entry is not None:
            entry.close(done)
        if out_fd is not None:
            os.close(out_fd)


def _timeout(pid, timeout, entry):
    if _proc.state(pid) == "T":
        return AttachError(_proc.stopped_message(pid))
    if entry.failure is not None and entry.remote:
        hint = " (and waking it failed: %s)" % entry.failure
    elif entry.via is None and entry.remote:
        hint = (" (blocked in a system call? with gdb installed "
                "muppy-dump can wake it)")
    else:
        hint = ""
    return AttachError("timeout: process %d did not reach a safe point "
                       "within %g s%s" % (pid, timeout, hint))
