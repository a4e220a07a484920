"""muppy-dump attach: snapshot a running CPython process that never
imported muppy.

    result = muppy._attach.attach(pid, "heap.snap", timeout=30)

How the code gets in (the "payload" runs inside the target, with its GIL
held, at a point where running Python code is safe):

- CPython 3.14+: sys.remote_exec(pid, script) (PEP 768).  The target runs
  the script at its next evaluation breaker check.  A target blocked in a
  system call (time.sleep, select, a lock) checks nothing until the call
  returns, so when the script has not started after KICK_AFTER seconds,
  muppy wakes it the 3.8-3.13 way.
- CPython 3.8-3.13, and the wake-up above: a tracer attaches to the main
  thread (muppy's own injector on Linux x86-64, _inject.py and
  dumper/inject.c, run as a process of its own; gdb in batch mode
  elsewhere, or with via="gdb": gdb 13 cannot write the registers back on
  CPUs with AMX, so its calls fail there), maps one page (mmap, never the target's malloc, which the interrupted
  thread may be inside), writes the payload's launcher string into it,
  and in the main thread:
    if the thread does not hold the GIL (it sleeps or waits in C code):
        PyGILState_Ensure(); PyRun_SimpleString(s); PyGILState_Release()
        -- the dump runs right there, at a point where the thread had
        released the GIL, so no Python or gc state is half-updated;
    else (it runs Python code, or is inside a collection):
        Py_AddPendingCall(PyRun_SimpleString, s)
        -- the interpreter runs it at its next safe point.
  then puts the registers back (an interrupted system call restarted)
  and detaches.  The page (4 KiB, not Python memory) stays mapped: a
  pending call may still read it after the tracer is gone.

Whichever way runs first, the launcher claims the payload file by renaming
it, so the dump happens at most once, and never after attach() gave up
(giving up renames the file away first).  The payload imports this muppy
(sys.path gets its parent folder for the import only), dumps with
muppy.dump() (temporary name, then rename) and writes one status line.

Nothing is left behind but, when a 3.14 target slept through the whole
attach, one small script in a private temporary folder that removes itself
(and the folder) when the target wakes up.
"""
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import _inject

KICK_AFTER = 0.5        # seconds before a 3.14+ target is woken by ptrace
POLL = 0.01


class AttachError(Exception):
    """Attaching failed; str(e) is a one-line message for the user."""


# -- the target --------------------------------------------------------------

_LIB = re.compile(r"libpython(3)\.(\d+)(t?)(?:d?m?u?)\.so")
_EXE = re.compile(r"python(3)\.(\d+)(t?)(?:d?m?u?)$")


def _read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def target_info(pid):
    """{'version': (3, minor), 'free_threaded': bool, 'exe', 'uid', 'gid',
    'remote_debug_disabled': reason or None} of process `pid`, or raises
    AttachError (no such process, permission, not CPython)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        raise AttachError("not a process id: %r" % (pid,))
    if pid == os.getpid():
        raise AttachError("process %d is this process: call muppy.dump() "
                          "instead" % pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise AttachError("no such process: %d" % pid)
    except PermissionError:
        raise AttachError(permission_message(pid, "it belongs to another "
                                             "user"))
    proc = "/proc/%d" % pid
    try:
        status = _read(proc + "/status")
    except FileNotFoundError:
        raise AttachError("no such process: %d" % pid)
    except OSError as e:
        raise AttachError("cannot read %s/status: %s" % (proc, e.strerror))
    ids = {}
    for line in status.splitlines():
        k, _, v = line.partition(":")
        if k in ("Uid", "Gid"):
            ids[k] = int(v.split()[1])      # the effective id
    if "Uid" not in ids:
        raise AttachError("no such process: %d (a zombie?)" % pid)
    try:
        exe = os.readlink(proc + "/exe")
        maps = _read(proc + "/maps")
    except FileNotFoundError:
        raise AttachError("no such process: %d" % pid)
    except PermissionError:
        raise AttachError(permission_message(pid, "cannot read its memory "
                                             "map"))
    except OSError as e:
        raise AttachError("cannot read %s: %s" % (proc, e.strerror))
    exe = exe[:-len(" (deleted)")] if exe.endswith(" (deleted)") else exe
    match = _LIB.search(maps) or _EXE.search(os.path.basename(exe))
    if match is None:
        raise AttachError("process %d is not a CPython process (%s)"
                          % (pid, exe))
    info = {"pid": pid, "exe": exe,
            "version": (int(match.group(1)), int(match.group(2))),
            "free_threaded": match.group(3) == "t",
            "uid": ids["Uid"], "gid": ids.get("Gid", -1),
            "remote_debug_disabled": None}
    try:
        env = _read(proc + "/environ", "rb").split(b"\0")
        argv = _read(proc + "/cmdline", "rb").split(b"\0")
    except OSError:
        env, argv = [], []
    if any(e.startswith(b"PYTHON_DISABLE_REMOTE_DEBUG=") and len(e) > 28
           for e in env):
        info["remote_debug_disabled"] = "PYTHON_DISABLE_REMOTE_DEBUG is set"
    for i, a in enumerate(argv[1:], 1):
        if a == b"--" or (a[:1] != b"-"):
            break       # the script or -c/-m argument: options end here
        if a in (b"-Xdisable_remote_debug",) or (
                a == b"-X" and i + 1 < len(argv)
                and argv[i + 1] == b"disable_remote_debug"):
            info["remote_debug_disabled"] = "-X disable_remote_debug"
    return info


def permission_message(pid, why):
    scope = ""
    try:
        scope = _read("/proc/sys/kernel/yama/ptrace_scope").strip()
    except OSError:
        pass
    hint = ("run muppy-dump attach as the target's user or as root; "
            "ptrace also needs /proc/sys/kernel/yama/ptrace_scope 0 "
            "(it is %s) or CAP_SYS_PTRACE (in a container: "
            "--cap-add=SYS_PTRACE)" % (scope or "absent"))
    return "permission denied on process %d (%s): %s" % (pid, why, hint)


def check_compatible(info):
    """Raise AttachError unless this muppy can run inside the target."""
    pid = info["pid"]
    if info["remote_debug_disabled"]:
        raise AttachError("process %d disabled remote debugging (%s)"
                          % (pid, info["remote_debug_disabled"]))
    if info["free_threaded"]:
        raise AttachError("process %d runs a free-threaded CPython "
                          "%d.%d, which muppy does not support yet"
                          % ((pid,) + info["version"]))
    mine = tuple(sys.version_info[:2])
    if info["version"] != mine:
        raise AttachError(
            "version mismatch: process %d runs CPython %d.%d, this muppy "
            "is built for %d.%d; run the muppy installed for that version "
            "(python%d.%d -m muppy attach %d)"
            % ((pid,) + info["version"] + mine + info["version"] + (pid,)))


# -- the code the target runs ------------------------------------------------

# Runs in the target, in a fresh namespace: claims the payload, runs it.
_LAUNCHER = """\
import os
try:
    os.rename(%(payload)r, %(claimed)r)
except OSError:
    pass
else:
    with open(%(claimed)r, 'rb') as f:
        src = f.read()
    exec(compile(src, '<muppy attach>', 'exec'), {'__name__': '__muppy_attach__'})
"""

# The 3.14 script also removes itself (and the folder, once empty): it may
# run long after attach() returned, when a sleeping target wakes.
_REMOTE_TAIL = """\
for p in (%(remote)r, %(dir)r):
    try:
        (os.rmdir if p == %(dir)r else os.unlink)(p)
    except OSError:
        pass
"""

_PAYLOAD = """\
import os, sys, threading
STATUS = %(status)r

def report(line):
    tmp = STATUS + '.tmp'
    with open(tmp, 'w') as f:
        f.write(line)
    os.rename(tmp, STATUS)

def err(e):
    return 'error %%s %%s' %% (type(e).__name__, ' '.join(str(e).split()))

def ok(r, pause):
    return 'ok %%d %%d %%d %%.6f %%.6f' %% (r.objects, r.edges, r.bytes_written,
                                       r.seconds, pause)

try:
    muppy = sys.modules.get('muppy')
    if getattr(muppy, '_muppy', None) is None:
        sys.path.insert(0, %(parent)r)
        try:
            import muppy
        finally:
            try:
                sys.path.remove(%(parent)r)
            except ValueError:
                pass
    r = muppy.dump(%(output)r, labels=%(labels)r,
                   include_strings=%(include_strings)r, level=%(level)r,
                   background=%(background)r)
    if %(background)r:
        def wait(bg=r):
            try:
                report(ok(bg.wait(), bg.pause_seconds))
            except BaseException as e:
                report(err(e))
        threading.Thread(target=wait, name='muppy-attach', daemon=True).start()
    else:
        report(ok(r, r.seconds))
except BaseException as e:
    try:
        report(err(e))
    except BaseException:
        pass
"""


class _Work:
    """The private folder of one attach: payload, launcher, status."""

    def __init__(self, info, output, options):
        self.dir = tempfile.mkdtemp(prefix="muppy-attach-")
        if os.geteuid() == 0 and info["uid"] != 0:
            # the target writes its status here
            os.chown(self.dir, info["uid"], info["gid"])
        os.chmod(self.dir, 0o700)
        j = lambda name: os.path.join(self.dir, name)   # noqa: E731
        self.payload, self.claimed = j("payload.py"), j("payload.run.py")
        self.status, self.remote = j("status"), j("remote.py")
        parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        names = {"payload": self.payload, "claimed": self.claimed,
                 "status": self.status, "remote": self.remote,
                 "dir": self.dir, "parent": parent, "output": output}
        names.update(options)
        self.launcher = _LAUNCHER % names
        self._write(self.payload, _PAYLOAD % names, info)
        # in a fresh namespace: 3.14 runs the script in __main__'s
        self._write(self.remote, "exec(%r, {})\n"
                    % (self.launcher + _REMOTE_TAIL % names), info)

    def _write(self, path, text, info):
        with open(path, "w") as f:
            f.write(text)
        if os.geteuid() == 0 and info["uid"] != 0:
            os.chown(path, info["uid"], info["gid"])

    def claimed_or_done(self):
        return os.path.exists(self.claimed) or os.path.exists(self.status)

    def give_up(self):
        """True when the payload could not start any more (we took it
        away first); False when the target claimed it already."""
        try:
            os.unlink(self.payload)
            return True
        except FileNotFoundError:
            return False

    def read_status(self):
        try:
            return _read(self.status)
        except FileNotFoundError:
            return None

    def cleanup(self, remote_pending):
        for p in (self.payload, self.claimed, self.status,
                  self.status + ".tmp"):
            try:
                os.unlink(p)
            except OSError:
                pass
        if not remote_pending:
            try:
                os.unlink(self.remote)
            except OSError:
                pass
            try:
                os.rmdir(self.dir)
            except OSError:
                pass


# -- gdb ---------------------------------------------------------------------

def _gdb_script(code):
    """gdb commands that run `code` (Python source) in the target."""
    data = code.encode("utf-8") + b"\0"
    if len(data) > 4096:
        raise AttachError("internal error: attach launcher too long")
    data += b"\0" * (-len(data) % 8)
    lines = ["set pagination off", "set confirm off",
             "set unwindonsignal on", "thread 1",
             "set $muppy_page = (char *)(long)mmap(0, 4096, 3, 0x22, -1, 0)",
             "if (long)$muppy_page == -1 || (long)$muppy_page == 0",
             "  echo MUPPY-ERROR mmap\\n", "  detach", "  quit", "end"]
    for k in range(0, len(data), 8):
        word = int.from_bytes(data[k:k + 8], sys.byteorder)
        lines.append("set {unsigned long long}($muppy_page + %d) = %#x"
                     % (k, word))
    lines += [
        "if (int)PyGILState_Check() == 0",
        "  set $muppy_gil = (int)PyGILState_Ensure()",
        "  echo MUPPY-DIRECT\\n",
        "  set $muppy_rc = (int)PyRun_SimpleString($muppy_page)",
        "  call (void)PyGILState_Release($muppy_gil)",
        "  echo MUPPY-DIRECT-DONE\\n",
        "else",
        "  set $muppy_rc = (int)Py_AddPendingCall("
        "(void *)PyRun_SimpleString, (void *)$muppy_page)",
        "  echo MUPPY-PENDING\\n",
        "end",
        "detach", "quit"]
    return "\n".join(lines) + "\n"


def _gdb_failure(pid, output):
    """A one-line reason from gdb's (or the injector's) output, or None."""
    m = re.search(r"^MUPPY-ERROR (\d+) (.*)$", output, re.M)
    if m:
        err, text = int(m.group(1)), m.group(2).strip()
        if err == errno.EPERM:
            return permission_message(pid, "ptrace refused")
        if err == errno.ESRCH and "died" not in text:
            return "no such process: %d" % pid
        return text
    if "ptrace: Operation not permitted" in output:
        return permission_message(pid, "ptrace refused")
    if "ptrace: No such process" in output:
        return "no such process: %d" % pid
    m = re.search(r'No symbol "(\w+)" in current context', output)
    if m:
        return ("process %d does not export %s: not a CPython process, or "
                "a stripped one" % (pid, m.group(1)))
    if "MUPPY-ERROR mmap" in output:
        return "could not map memory in process %d" % pid
    return None


class _Tracer:
    """A tracer process (gdb, or muppy's injector) running `argv` with
    its command file `path` holding `text`; its output goes to a log."""

    def __init__(self, argv_of, path, text, log_name):
        self.path = path
        with open(path, "w") as f:
            f.write(text)
        self.log = open(log_name, "w+")
        self.proc = subprocess.Popen(
            argv_of(path), stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        """Called by close() while the tracer still runs."""

    def close(self):
        self.stop()     # only still running when attach() gave up
        self.log.close()
        for p in (self.path, self.log.name):
            try:
                os.unlink(p)
            except OSError:
                pass


class _Gdb(_Tracer):
    def __init__(self, gdb, pid, code, workdir):
        super().__init__(
            lambda script: [gdb, "-q", "-nx", "-batch",
                            "-iex", "set debuginfod enabled off",
                            "-iex", "set auto-load off",
                            "-p", str(pid), "-x", script],
            os.path.join(workdir, "gdb.cmd"),
            _gdb_script("exec(%r, {})" % code),
            os.path.join(workdir, "gdb.log"))

    def stop(self):
        """Interrupt gdb's call (unwindonsignal undoes it), let it detach."""
        if self.running():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()


class _Injector(_Tracer):
    """muppy's own ptrace injector (_inject.py, dumper/inject.c), run as
    a process of its own."""

    def __init__(self, pid, code, workdir, stop_timeout):
        parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        super().__init__(
            lambda path: [sys.executable, "-I", "-c",
                          "import sys; sys.path.insert(0, %r); from muppy "
                          "import _inject; sys.exit(_inject.main())"
                          % parent, str(pid), path, "%g" % stop_timeout],
            os.path.join(workdir, "inject.py"), "exec(%r, {})" % code,
            os.path.join(workdir, "inject.log"))

    def stop(self):
        # never signalled: once the target runs the injected call, the
        # injector must see it return to put the registers back; after
        # attach() gave up, the payload is gone and the call returns soon
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass    # it finishes on its own, in its own session


def _injector(via, gdb, pid, code, workdir, timeout):
    if via == "ptrace":
        return _Injector(pid, code, workdir, max(1.0, min(timeout, 10.0)))
    return _Gdb(gdb, pid, code, workdir)


# -- attach ------------------------------------------------------------------

def default_output(pid, when=None):
    stamp = time.strftime("%Y%m%d-%H%M%S",
                          time.localtime(time.time() if when is None
                                         else when))
    return os.path.abspath("muppy-%d-%s.snap" % (pid, stamp))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        st = _read("/proc/%d/stat" % pid)
        return st[st.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return True


def attach(pid, output=None, *, timeout=30.0, background=False, labels=True,
           include_strings=0, level=1, gdb=None, use_remote_exec=None,
           via=None):
    """Dump process `pid`'s heap into `output` (an absolute path is used:
    the target writes it, from its own working directory).

    timeout: seconds the target has to start the dump (reach a safe
    point); once started, the dump runs to its end.  background: the
    target forks and its child dumps (the target pauses for the fork only).
    via: how code gets in where sys.remote_exec is not used, or does not
    wake the target: "ptrace" (muppy's own injector, the default on Linux
    x86-64) or "gdb" (elsewhere).  gdb: the gdb executable (default:
    found on PATH); use_remote_exec: None (3.14+: yes), True or False.  Returns a dict: path, objects,
    edges, bytes_written, seconds (the dump), pause_seconds (the target's
    pause), attach_seconds (all of it), method.  Raises AttachError.
    """
    t0 = time.monotonic()
    info = target_info(pid)
    check_compatible(info)
    output = os.path.abspath(os.fspath(output or default_output(pid)))
    if os.path.isdir(output):
        raise AttachError("'%s' is a directory" % output)
    out_dir = os.path.dirname(output)
    if not os.path.isdir(out_dir):
        raise AttachError("cannot write '%s': no such directory" % output)
    if timeout is None or timeout <= 0:
        raise AttachError("timeout must be > 0 seconds")
    remote = (use_remote_exec if use_remote_exec is not None
              else hasattr(sys, "remote_exec"))
    if remote and not hasattr(sys, "remote_exec"):
        raise AttachError("sys.remote_exec needs CPython 3.14+")
    if via is None:
        via = "ptrace" if _inject.supported() else "gdb"
    if via not in ("ptrace", "gdb"):
        raise AttachError("via must be 'ptrace' or 'gdb', not %r" % (via,))
    if via == "ptrace" and not _inject.supported():
        raise AttachError("muppy's own injector needs Linux on x86-64: "
                          "use gdb")
    gdb = gdb or shutil.which("gdb")
    if via == "gdb" and not gdb:
        if not remote:
            raise AttachError(
                "gdb is missing: attaching to CPython %d.%d here needs gdb "
                "(apt-get install gdb)" % info["version"])
        via = None          # remote_exec alone: nothing can wake the target

    options = {"labels": bool(labels), "include_strings": int(include_strings),
               "level": int(level), "background": bool(background)}
    work = _Work(info, output, options)
    debugger = None
    remote_pending = False
    methods = []
    try:
        if remote:
            try:
                sys.remote_exec(pid, work.remote)
            except PermissionError:
                raise AttachError(permission_message(pid, "remote_exec "
                                                     "refused"))
            except ProcessLookupError:
                raise AttachError("no such process: %d" % pid)
            except (OSError, RuntimeError) as e:
                raise AttachError("cannot attach to process %d: %s"
                                  % (pid, " ".join(str(e).split())))
            remote_pending = True
            methods.append("remote_exec")
        deadline = t0 + timeout
        kick_at = time.monotonic() + (KICK_AFTER if remote else 0.0)
        gdb_checked = False
        while not work.claimed_or_done():
            now = time.monotonic()
            if debugger is None and via and now >= kick_at:
                debugger = _injector(via, gdb, pid, work.launcher, work.dir,
                                     max(deadline - now, 0.1))
                methods.append(via)
            if (debugger is not None and not gdb_checked
                    and not debugger.running()):
                gdb_checked = True
                if work.claimed_or_done():
                    break
                out = debugger.output()
                why = _gdb_failure(pid, out)
                if why is None and "MUPPY-PENDING" not in out:
                    last = [ln for ln in out.splitlines() if ln.strip()]
                    why = ("%s could not run code in process %d: %s"
                           % (via, pid, last[-1] if last else "no output"))
                if why and not remote:
                    raise AttachError(why)
                # else: a pending call (or remote_exec) runs at the next
                # safe point
            if not _alive(pid):
                raise AttachError("process %d exited" % pid)
            if now >= deadline:
                if work.give_up():
                    hint = ("" if via or not remote else
                            " (blocked in a system call? with gdb installed "
                            "muppy-dump can wake it)")
                    raise AttachError(
                        "timeout: process %d did not reach a safe point "
                        "within %g s%s" % (pid, timeout, hint))
                break
            time.sleep(POLL)
        # claimed: the dump is running in the target; wait for its status
        line = work.read_status()
        while line is None:
            if not _alive(pid):
                raise AttachError("process %d exited during the dump" % pid)
            time.sleep(POLL)
            line = work.read_status()
        if debugger is not None:
            # the dump may be running inside gdb's call: let it return
            # (PyGILState_Release) and detach; never interrupt it now
            while debugger.running() and _alive(pid):
                time.sleep(POLL)
        fields = line.split(" ", 2)
        if fields[0] != "ok":
            raise AttachError("the dump in process %d failed: %s"
                              % (pid, line[len("error "):].strip()))
        objects, edges, nbytes, seconds, pause = line.split()[1:6]
        return {"path": output, "objects": int(objects),
                "edges": int(edges), "bytes_written": int(nbytes),
                "seconds": float(seconds), "pause_seconds": float(pause),
                "attach_seconds": time.monotonic() - t0,
                "method": "+".join(methods)}
    finally:
        if debugger is not None:
            debugger.close()
        if remote_pending and not os.path.exists(work.remote):
            remote_pending = False
        work.cleanup(remote_pending)
