"""What /proc says about the process muppy-dump attaches to, and whether
this muppy can run inside it.

    info = target_info(pid)     # raises AttachError
    check_compatible(info)      # raises AttachError

Everything here only reads: /proc/PID/{status,stat,exe,maps,environ,
cmdline,ns/mnt} and, for the exact interpreter version, the target's
memory (_elf.py).  AttachError is defined here, the first module of the
attach to raise it; muppy._attach exports it.
"""
import os
import re
import struct
import sys

from . import _elf


class AttachError(Exception):
    """Attaching failed; str(e) is a one-line message for the user."""


_LIB = re.compile(r"libpython(3)\.(\d+)(t?)(?:d?m?u?)\.so")
_EXE = re.compile(r"python(3)\.(\d+)(t?)(?:d?m?u?)$")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:(a|b|rc|c)(\d+))?\+?")


def _read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


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


def state(pid):
    """The one-letter state of /proc/PID/stat (R, S, D, T, t, Z...), or
    None when the process is gone."""
    try:
        st = _read("/proc/%d/stat" % pid)
        return st[st.rindex(")") + 2]
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return state(pid) not in (None, "Z", "X")


def stopped_message(pid):
    return ("process %d is stopped (SIGSTOP, or Ctrl-Z): continue it "
            "(kill -CONT %d) and attach again" % (pid, pid))


def target_info(pid):
    """{'pid', 'exe', 'version': (3, minor), 'free_threaded', 'uid',
    'gid', 'state', 'tracer', 'other_mount_ns', 'remote_debug_disabled'}
    of process `pid`, or raises AttachError (no such process, permission,
    not CPython)."""
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
    fields = {}
    for line in status.splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.split()
    if "Uid" not in fields or state(pid) in (None, "Z", "X"):
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
    try:
        other_ns = (os.readlink("/proc/self/ns/mnt")
                    != os.readlink(proc + "/ns/mnt"))
    except OSError:
        other_ns = None         # cannot tell (permission): ptrace says
    info = {"pid": pid, "exe": exe,
            "version": (int(match.group(1)), int(match.group(2))),
            "free_threaded": match.group(3) == "t",
            "uid": int(fields["Uid"][1]), "gid": int(fields["Gid"][1]),
            "state": state(pid),
            "tracer": int((fields.get("TracerPid") or ["0"])[0]),
            "other_mount_ns": other_ns,
            "thread_features": fields.get("x86_Thread_features", []),
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


def parse_version(text):
    """(major, minor, micro, level, serial) of a PY_VERSION string such
    as '3.11.7', '3.14.0rc2' or '3.15.0a1+'; level 'final' when none."""
    m = _VERSION.match(text)
    if m is None:
        raise ValueError("not a CPython version: %r" % (text,))
    level = {"a": "alpha", "b": "beta", "rc": "candidate",
             "c": "candidate", None: "final"}[m.group(4)]
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), level,
            int(m.group(5) or 0))


def version_text(v):
    """'3.11.7', '3.14.0rc2' from parse_version()'s tuple."""
    suffix = {"alpha": "a", "beta": "b", "candidate": "rc",
              "final": ""}[v[3]]
    return "%d.%d.%d%s" % (v[0], v[1], v[2],
                           "%s%d" % (suffix, v[4]) if suffix else "")


def _from_hex(h):
    level = {0xA: "alpha", 0xB: "beta", 0xC: "candidate",
             0xF: "final"}.get((h >> 4) & 0xF, "final")
    return ((h >> 24) & 0xFF, (h >> 16) & 0xFF, (h >> 8) & 0xFF, level,
            h & 0xF)


def exact_version(pid):
    """The exact CPython version the target runs, read from its memory:
    Py_Version (3.11+), else the version string Py_GetVersion() formats
    (3.8-3.10, found through the string addresses its code loads).
    None when it cannot be read; PermissionError when the memory may not
    be read (the same permission as ptrace)."""
    try:
        files = _elf.mapped_files(pid)
        syms = _elf.symbols(pid, files, ("Py_Version", "Py_GetVersion"),
                            _elf.PYLIB)
        if "Py_Version" in syms:
            data = _elf.read_memory(pid, syms["Py_Version"][0], 4)
            return _from_hex(struct.unpack("<I", data)[0])
        if "Py_GetVersion" not in syms:
            return None
        addr = syms["Py_GetVersion"][0]
        code = _elf.read_memory(pid, addr, 96)
    except PermissionError:
        raise
    except (OSError, struct.error):
        return None
    # lea disp32(%rip), %reg: REX.W 8d, ModRM mod 00 rm 101
    for k in range(len(code) - 7):
        if code[k] in (0x48, 0x4C) and code[k + 1] == 0x8D \
                and code[k + 2] & 0xC7 == 0x05:
            disp = struct.unpack_from("<i", code, k + 3)[0]
            target = addr + k + 7 + disp
            try:
                text = _elf.read_memory(pid, target, 32)
            except OSError:
                continue
            text = text.split(b"\0")[0].split(b" ")[0]
            try:
                return parse_version(text.decode("ascii"))
            except (ValueError, UnicodeDecodeError):
                continue
    return None


def build_version():
    """The CPython this muppy's extension was compiled against."""
    from . import _muppy
    return parse_version(_muppy.PY_VERSION)


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
    if info["other_mount_ns"]:
        raise AttachError(
            "process %d runs in another mount namespace (a container, or "
            "a service with PrivateTmp=): muppy-dump must see its files; "
            "run it inside that namespace (nsenter -t %d -m -p, docker "
            "exec), with a muppy installed there" % (pid, pid))
    if info["state"] == "T":
        raise AttachError(stopped_message(pid))
    if info["tracer"]:
        raise AttachError("process %d is being traced by process %d (a "
                          "debugger?): detach it first"
                          % (pid, info["tracer"]))


def check_exact_version(info, built=None):
    """Raise AttachError unless the target runs the very CPython release
    this muppy's extension was compiled for: the dump reads the
    interpreter's internal structures, which a patch release may change."""
    pid = info["pid"]
    built = build_version() if built is None else built
    try:
        running = exact_version(pid)
    except PermissionError:
        raise AttachError(permission_message(pid, "cannot read its "
                                             "memory"))
    how = ("install muppy with that interpreter (%s -m pip install "
           "<muppy source>) and run its muppy: %s -m muppy attach %d"
           % (info["exe"], info["exe"], pid))
    if running is None:
        raise AttachError(
            "cannot tell the exact CPython version of process %d (%s), "
            "and muppy reads its internals: %s" % (pid, info["exe"], how))
    if running != built:
        raise AttachError(
            "version mismatch: process %d runs CPython %s, this muppy is "
            "built against %s's headers and reads the interpreter's "
            "internals: %s" % (pid, version_text(running),
                               version_text(built), how))
