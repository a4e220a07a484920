"""The gdb way of running a line of Python in a process (muppy-dump
attach --via gdb, and where muppy's own injector does not run).

    g = Gdb(gdb, pid, code)      # gdb runs in the background
    ...  g.running(), g.failure()  ...
    g.close()

gdb reads its commands from an unnamed file and writes its output into
another (O_TMPFILE): no file on disk, none the target's user could swap.
In the main thread, gdb maps one page (mmap, never the target's malloc),
writes `code` into it, then:
  - the thread does not hold the GIL and is not inside the GIL's own
    functions (take_gil, PyEval_RestoreThread...: read from gdb's
    backtrace, with gdb's Python; without it, the safe branch below):
    PyGILState_Ensure(); PyRun_SimpleString(code); PyGILState_Release();
  - else: Py_AddPendingCall(PyRun_SimpleString, code).
Unlike muppy's injector, a call made by gdb returns through gdb: gdb must
stay alive until it detaches (the pending call does not need it), so it
runs in a session of its own and is never interrupted.
"""
import re
import subprocess
import sys
import tempfile

from ._proc import AttachError, permission_message

# frames in which the thread is taking or giving back the GIL
_GIL_FUNCTIONS = ("take_gil", "drop_gil", "PyEval_RestoreThread",
                  "PyEval_AcquireThread", "PyEval_AcquireLock",
                  "PyEval_SaveThread", "PyEval_ReleaseThread",
                  "PyGILState_Ensure", "PyGILState_Release",
                  "_PyThreadState_Attach", "_PyThreadState_Detach",
                  "_PyEval_AcquireLock", "_PyEval_ReleaseLock")

_CHECK = """\
set $muppy_in_gil = 1
python
f = gdb.selected_frame()
bad = False
while f is not None:
    if (f.name() or '') in %r:
        bad = True
        break
    f = f.older()
gdb.set_convenience_variable('muppy_in_gil', 1 if bad else 0)
end
""" % (_GIL_FUNCTIONS,)


def script(code):
    """gdb commands that run `code` (Python source, one line)."""
    data = code.encode("utf-8") + b"\0"
    if len(data) > 4096:
        raise AttachError("internal error: attach launcher too long")
    data += b"\0" * (-len(data) % 8)
    lines = ["set $muppy_page = (char *)(long)mmap(0, 4096, 3, 0x22, -1, 0)",
             "if (long)$muppy_page == -1 || (long)$muppy_page == 0",
             "  echo MUPPY-ERROR mmap\\n", "  detach", "  quit", "end"]
    for k in range(0, len(data), 8):
        word = int.from_bytes(data[k:k + 8], sys.byteorder)
        lines.append("set {unsigned long long}($muppy_page + %d) = %#x"
                     % (k, word))
    lines += [
        "if $muppy_in_gil == 0 && (int)PyGILState_Check() == 0",
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


def failure(pid, output):
    """A one-line reason from gdb's output, or None."""
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


def _unnamed(text=""):
    """An open file with no name on disk, holding `text`."""
    f = tempfile.TemporaryFile("w+")
    f.write(text)
    f.flush()
    return f


class Gdb:
    def __init__(self, gdb, pid, code):
        self.pid = pid
        self._files = [_unnamed(_CHECK), _unnamed(script(code))]
        self.log = _unnamed()
        fds = [f.fileno() for f in self._files]
        argv = [gdb, "-q", "-nx", "-batch",
                "-iex", "set debuginfod enabled off",
                "-iex", "set auto-load off",
                "-ex", "set pagination off", "-ex", "set confirm off",
                "-ex", "set unwindonsignal on",
                "-p", str(pid), "-ex", "thread 1"]
        for fd in fds:
            # a failing first file (no Python in this gdb) leaves
            # $muppy_in_gil 1, and gdb goes on with the next
            argv += ["-x", "/proc/self/fd/%d" % fd]
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, pass_fds=fds, start_new_session=True)

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def running(self):
        return self.proc.poll() is None

    def failure(self):
        """Once gdb ended: None when the code was run or scheduled, else a
        one-line reason."""
        out = self.output()
        if "MUPPY-PENDING" in out or "MUPPY-DIRECT-DONE" in out:
            return None
        why = failure(self.pid, out)
        if why is None:
            last = [ln for ln in out.splitlines() if ln.strip()]
            why = ("gdb could not run code in process %d: %s"
                   % (self.pid, last[-1] if last else "no output"))
        return why

    def close(self):
        """gdb still running is left to finish on its own (in its own
        session): interrupting a call it makes could leave the target's
        thread holding the GIL, or inside take_gil, for good.  A launcher
        it runs after the attach gave up finds nobody and returns."""
        for f in self._files + [self.log]:
            f.close()
