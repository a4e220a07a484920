"""Reading another process's ELF files and memory (Linux): the addresses
of its symbols, bytes of its code, values in its memory.

    files = mapped_files(pid)                      # {path: load address}
    syms = symbols(pid, files, ("Py_Version",), PYLIB)   # {name: (addr, size)}
    data = read_memory(pid, addr, 8)

The ELF files are read through /proc/PID/root, so that a process in a
container is read from its own files; memory through /proc/PID/mem, which
needs the same permission as ptrace.  Data only: nothing read here is
ever run.
"""
import os
import re
import struct

PYLIB = re.compile(r"(^|/)(libpython3\.\d+[a-z]*\.so[.0-9]*|python3(\.\d+)?"
                   r"[a-z]*)$")
LIBC = re.compile(r"(^|/)(libc\.so\.6|libc-[0-9.]+\.so|libc\.musl-.*|"
                  r"ld-musl-.*)$")


class ElfError(Exception):
    pass


def _maps(pid):
    """[(start, end, perms, offset, path)] of /proc/PID/maps."""
    out = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) < 5:
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            path = fields[5].rstrip("\n") if len(fields) == 6 else ""
            if path.endswith(" (deleted)"):
                path = path[:-len(" (deleted)")]
            out.append((start, end, fields[1], int(fields[2], 16), path))
    return out


def mapped_files(pid):
    """{path: lowest start address of a mapping at file offset 0}."""
    files = {}
    for start, _, _, offset, path in _maps(pid):
        if path.startswith("/") and offset == 0:
            if path not in files or start < files[path]:
                files[path] = start
    return files


def _dynsym(f):
    """{name: (st_value, st_size)} of the defined function and object
    symbols in the .dynsym of the open ELF file f, and its lowest PT_LOAD
    address."""
    ident = f.read(64)
    if (len(ident) < 64 or ident[:4] != b"\x7fELF" or ident[4] != 2
            or ident[5] != 1):
        raise ElfError("%s: not a 64-bit little-endian ELF file" % f.name)
    (e_phoff, e_shoff) = struct.unpack_from("<QQ", ident, 32)
    (e_phentsize, e_phnum, e_shentsize, e_shnum) = struct.unpack_from(
        "<HHHH", ident, 54)
    f.seek(e_phoff)
    ph = f.read(e_phentsize * e_phnum)
    low = None
    for i in range(e_phnum):
        p_type, _, _, p_vaddr = struct.unpack_from("<IIQQ", ph,
                                                   i * e_phentsize)
        if p_type == 1:                             # PT_LOAD
            v = p_vaddr & ~0xfff
            low = v if low is None else min(low, v)
    f.seek(e_shoff)
    sh = f.read(e_shentsize * e_shnum)
    sections = [struct.unpack_from("<IIQQQQIIQQ", sh, i * e_shentsize)
                for i in range(e_shnum)]
    found = {}
    for s in sections:
        if s[1] != 11:                              # SHT_DYNSYM
            continue
        strtab = sections[s[6]]
        f.seek(strtab[4])
        names = f.read(strtab[5])
        f.seek(s[4])
        table = f.read(s[5])
        for k in range(0, len(table) - 23, 24):
            st_name, st_info, _, st_shndx, st_value, st_size = \
                struct.unpack_from("<IBBHQQ", table, k)
            # defined OBJECT or FUNC (an IFUNC's value is its resolver)
            if st_shndx == 0 or st_value == 0 or (st_info & 0xf) not in (
                    1, 2):
                continue
            end = names.find(b"\0", st_name)
            name = names[st_name:end].decode("ascii", "replace")
            found.setdefault(name, (st_value, st_size))
    return found, (low or 0)


_cache = {}


def _elf_symbols(path):
    """_dynsym() of the file at path, read once per file version."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key not in _cache:
            _cache.clear()      # the few files of one target at most
            _cache[key] = _dynsym(f)
        return _cache[key]


def symbols(pid, files, names, pattern):
    """{name: (address, size)} in process `pid` of those of `names` that
    the files matching `pattern` (tried first) or any other mapped file
    define."""
    want = set(names)
    got = {}
    root = "/proc/%d/root" % pid
    for path in sorted(files, key=lambda p: not pattern.search(p)):
        if not want - set(got):
            break
        for candidate in (root + path, path):
            try:
                found, low = _elf_symbols(candidate)
            except (OSError, ElfError, struct.error, IndexError):
                continue
            bias = files[path] - low
            for name in want - set(got):
                if name in found:
                    value, size = found[name]
                    got[name] = (value + bias, size)
            break
    return got


def read_memory(pid, addr, size):
    """`size` bytes of process `pid` at `addr` (OSError when unmapped)."""
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as f:
        f.seek(addr)
        return f.read(size)


def find_in_code(pid, pattern, needle, near=None, window=8192):
    """The address of `needle` in the executable mappings of the files
    matching `pattern`, or None; looked for first within `window` bytes
    of address `near` (a symbol it usually sits beside)."""
    if near is not None:
        start = max(near - window, 0)
        try:
            data = read_memory(pid, start, 2 * window)
            k = data.find(needle)
            if k >= 0:
                return start + k
        except OSError:
            pass
    for start, end, perms, _, path in _maps(pid):
        if "x" in perms and pattern.search(path):
            try:
                # (a C library's code is a few MB; the target names its
                # mappings, so a huge one is not read whole)
                data = read_memory(pid, start, min(end - start, 64 << 20))
            except OSError:
                continue
            k = data.find(needle)
            if k >= 0:
                return start + k
    return None
