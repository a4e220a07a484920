"""muppy's own ptrace injector (Linux, x86-64): the Python half.

    injector = Injector(pid)                  # the target's addresses
    how = injector.inject(code, timeout)      # "wait", "pending", "not-now"

Injector() finds, in the files the target maps (_elf.py), the addresses
dumper/inject.c needs: mmap, munmap and the rt_sigreturn trampoline of
its C library, the five CPython functions the stub calls, and _PyRuntime (where
the GIL's futexes live).  inject() runs in this process and returns
within its timeout: the target never needs the injector afterwards
(dumper/inject.h says how).
"""
import errno
import platform
import sys

from . import _elf

FUNCTIONS = ("PyGILState_Check", "PyGILState_Ensure", "PyGILState_Release",
             "PyRun_SimpleString", "Py_AddPendingCall")

# glibc's and musl's __restore_rt: mov $15, %rax; syscall (rt_sigreturn)
SIGRETURN = b"\x48\xc7\xc0\x0f\x00\x00\x00\x0f\x05"

WAIT_ONLY = 1   # dumper/inject.h: MD_INJECT_WAIT_ONLY


class InjectError(OSError):
    pass


def supported():
    """True where the injector works: Linux on x86-64."""
    return (sys.platform.startswith("linux")
            and platform.machine() in ("x86_64", "AMD64"))


class Injector:
    """The addresses in process `pid` that an injection needs."""

    def __init__(self, pid):
        self.pid = pid
        try:
            files = _elf.mapped_files(pid)
        except FileNotFoundError:
            raise InjectError(errno.ESRCH, "no such process: %d" % pid)
        py = _elf.symbols(pid, files, FUNCTIONS + ("_PyRuntime",),
                          _elf.PYLIB)
        missing = [n for n in FUNCTIONS if n not in py]
        if missing:
            raise InjectError(0, "process %d does not export %s: not a "
                              "CPython process, or a stripped one"
                              % (pid, missing[0]))
        libc = _elf.symbols(pid, files, ("mmap", "munmap", "sigaction"),
                            _elf.LIBC)
        for name in ("mmap", "munmap"):
            if name not in libc:
                raise InjectError(0, "process %d: cannot find %s in its C "
                                  "library" % (pid, name))
        try:
            # glibc's sits beside sigaction()
            near = libc.get("sigaction", (None,))[0]
            sigreturn = _elf.find_in_code(pid, _elf.LIBC, SIGRETURN, near)
        except OSError as e:
            raise InjectError(e.errno or errno.EIO,
                              "cannot read the memory of process %d: %s"
                              % (pid, e.strerror or e))
        if sigreturn is None:
            raise InjectError(0, "process %d: no rt_sigreturn trampoline "
                              "in its C library" % pid)
        runtime, runtime_size = py.get("_PyRuntime", (0, 0))
        self.symbols = ((libc["mmap"][0], libc["munmap"][0], sigreturn)
                        + tuple(py[n][0] for n in FUNCTIONS)
                        + (runtime, runtime_size))

    def inject(self, code, timeout, wait_only=False):
        """Make the target run `code` (str, Python source): "wait" (it
        runs where the main thread waits), "pending" (at its next safe
        point) or "not-now" (wait_only and the thread was not waiting:
        nothing done).  Raises OSError (errno: EPERM, ESRCH, ETIMEDOUT,
        EAGAIN for a stopped process...)."""
        from . import _muppy
        how, _, _ = _muppy.inject(self.pid, self.symbols,
                                  code.encode("utf-8"), max(timeout, 0.01),
                                  WAIT_ONLY if wait_only else 0)
        return how
