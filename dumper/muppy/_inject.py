"""Running code in another CPython process without gdb (Linux, x86-64).

    symbols = find_symbols(pid)            # addresses in the target
    how, rc = _muppy.inject(pid, symbols, code, stop_timeout)

find_symbols() reads the ELF dynamic symbol tables of the files the
target maps (its python executable or libpython, and its libc) through
/proc/PID/root, so that a process in a container is read from its own
files, and adds each file's load address from /proc/PID/maps.
_muppy.inject() (dumper/inject.c) does the ptrace part.

attach() runs this module as a separate process (`main()`): once the
target runs the injected call, the tracer must wait for it to return, so
it must not die with muppy-dump when muppy-dump gives up; the tracer
ignores SIGINT and SIGTERM and exits when the call has returned.
"""
import os
import platform
import re
import signal
import struct
import sys

SYMBOLS = ("PyGILState_Check", "PyGILState_Ensure", "PyGILState_Release",
           "PyRun_SimpleString", "Py_AddPendingCall")

_PYLIB = re.compile(r"(^|/)(libpython3\.\d+[a-z]*\.so[.0-9]*|python3(\.\d+)?"
                    r"[a-z]*)$")
_LIBC = re.compile(r"(^|/)(libc\.so\.6|libc-[0-9.]+\.so|libc\.musl-.*|"
                   r"ld-musl-.*)$")


class InjectError(Exception):
    pass


def supported():
    """True where _muppy.inject() works: Linux on x86-64."""
    return (sys.platform.startswith("linux")
            and platform.machine() in ("x86_64", "AMD64"))


def _mapped_files(pid):
    """{path: lowest start address of a mapping at file offset 0}."""
    files = {}
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) < 6 or not fields[5].startswith("/"):
                continue
            path = fields[5].rstrip("\n")
            if path.endswith(" (deleted)"):
                path = path[:-len(" (deleted)")]
            start = int(fields[0].split("-")[0], 16)
            if int(fields[2], 16) == 0:
                if path not in files or start < files[path]:
                    files[path] = start
    return files


def _elf_symbols(path, wanted):
    """{name: st_value} of the defined function symbols of `wanted` in the
    .dynsym of ELF file `path`, and the lowest PT_LOAD address."""
    with open(path, "rb") as f:
        ident = f.read(64)
        if (len(ident) < 64 or ident[:4] != b"\x7fELF" or ident[4] != 2
                or ident[5] != 1):
            raise InjectError("%s: not a 64-bit little-endian ELF file"
                              % path)
        (e_phoff, e_shoff) = struct.unpack_from("<QQ", ident, 32)
        (e_phentsize, e_phnum, e_shentsize, e_shnum) = struct.unpack_from(
            "<HHHH", ident, 54)
        f.seek(e_phoff)
        ph = f.read(e_phentsize * e_phnum)
        low = None
        for i in range(e_phnum):
            p_type, _, _, p_vaddr = struct.unpack_from(
                "<IIQQ", ph, i * e_phentsize)
            if p_type == 1:                         # PT_LOAD
                v = p_vaddr & ~0xfff
                low = v if low is None else min(low, v)
        f.seek(e_shoff)
        sh = f.read(e_shentsize * e_shnum)
        sections = [struct.unpack_from("<IIQQQQIIQQ", sh, i * e_shentsize)
                    for i in range(e_shnum)]
        found = {}
        for s in sections:
            if s[1] != 11:                          # SHT_DYNSYM
                continue
            strtab = sections[s[6]]
            f.seek(strtab[4])
            names = f.read(strtab[5])
            f.seek(s[4])
            table = f.read(s[5])
            for k in range(0, len(table) - 23, 24):
                st_name, st_info, _, st_shndx, st_value = struct.unpack_from(
                    "<IBBHQ", table, k)
                if st_shndx == 0 or st_value == 0 or (st_info & 0xf) not in (
                        1, 2, 10):              # OBJECT, FUNC, IFUNC
                    continue
                end = names.find(b"\0", st_name)
                name = names[st_name:end].decode("ascii", "replace")
                if name in wanted and name not in found:
                    if (st_info & 0xf) == 10:
                        # an IFUNC's value is its resolver, not the code
                        continue
                    found[name] = st_value
        return found, (low or 0)


def find_symbols(pid):
    """The six addresses _muppy.inject() takes, in the target's address
    space.  Raises InjectError naming what is missing."""
    files = _mapped_files(pid)
    root = "/proc/%d/root" % pid

    def lookup(names, pattern):
        want = set(names)
        got = {}
        ordered = sorted(files, key=lambda p: not pattern.search(p))
        for path in ordered:
            if not want - set(got):
                break
            for candidate in (root + path, path):
                try:
                    found, low = _elf_symbols(candidate, want - set(got))
                except (OSError, InjectError, struct.error, IndexError):
                    continue
                bias = files[path] - low
                for name, value in found.items():
                    got[name] = value + bias
                break
        return got

    py = lookup(SYMBOLS, _PYLIB)
    missing = [n for n in SYMBOLS if n not in py]
    if missing:
        raise InjectError("process %d does not export %s: not a CPython "
                          "process, or a stripped one" % (pid, missing[0]))
    libc = lookup(("mmap",), _LIBC)
    if "mmap" not in libc:
        raise InjectError("process %d: cannot find mmap in its C library"
                          % pid)
    return (libc["mmap"],) + tuple(py[n] for n in SYMBOLS)


def main(argv=None):
    """python -m muppy._inject PID CODE_FILE STOP_TIMEOUT: one line on
    stdout, MUPPY-DIRECT-DONE RC, MUPPY-PENDING RC or
    MUPPY-ERROR ERRNO MESSAGE; exit status 0 or 1."""
    argv = sys.argv[1:] if argv is None else argv
    pid, code_file, stop_timeout = int(argv[0]), argv[1], float(argv[2])
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    from muppy import _muppy
    try:
        with open(code_file, "rb") as f:
            code = f.read()
        symbols = find_symbols(pid)
        how, rc = _muppy.inject(pid, symbols, code, stop_timeout)
    except InjectError as e:
        print("MUPPY-ERROR 0 %s" % e, flush=True)
        return 1
    except OSError as e:
        print("MUPPY-ERROR %d %s" % (e.errno or 0, e.strerror or e),
              flush=True)
        return 1
    print("MUPPY-%s %d" % ("DIRECT-DONE" if how == "direct" else "PENDING",
                           rc), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
