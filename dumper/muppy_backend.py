"""In-tree PEP 517 build backend for the muppy Python package.

No setuptools, no wheel package: this module compiles the few C files of
the extension (format/*.c, the snapshot library, and dumper/*.c) with the
running interpreter's own compiler settings (sysconfig CC, CFLAGS,
CCSHARED, LDSHARED), links -lzstd -lpthread, and writes the wheel (a zip
with METADATA, WHEEL, entry_points.txt and RECORD) itself.  It also
builds the analyzer, muppy-analyze (format/*.c and analyzer/**.c), into
the wheel twice: as muppy/bin/muppy-analyze, where muppy.leaks() finds
it, and as a script, so that pip puts it beside muppy-dump.

    pip install --no-build-isolation ./
    pip install --no-build-isolation --target DIR ./

Hooks: build_wheel, build_sdist, prepare_metadata_for_build_wheel,
get_requires_for_build_wheel, get_requires_for_build_sdist.
Set MUPPY_BUILD_VERBOSE=1 to see the compiler command lines, and
MUPPY_CFLAGS to add compiler flags (the tests add -Wall -Wextra -Werror).
"""
import base64
import glob
import hashlib
import io
import os
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile

NAME = "muppy"
VERSION = "0.1.0"
SUMMARY = "Heap snapshots of CPython processes, analyzed offline in C"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = os.path.join(ROOT, "dumper", "muppy")
FORMAT_DIR = os.path.join(ROOT, "format")
DUMPER_DIR = os.path.join(ROOT, "dumper")
ANALYZER_DIR = os.path.join(ROOT, "analyzer")

ENTRY_POINTS = "[console_scripts]\nmuppy-dump = muppy._cli:main\n"


class BuildError(Exception):
    pass


def _metadata():
    return ("Metadata-Version: 2.1\n"
            "Name: %s\n"
            "Version: %s\n"
            "Summary: %s\n"
            "Requires-Python: >=3.8\n"
            "License: MIT\n" % (NAME, VERSION, SUMMARY))


def _tag():
    impl = "cp%d%d" % sys.version_info[:2]
    abi = impl + getattr(sys, "abiflags", "")
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "%s-%s-%s" % (impl, abi, plat)


def _wheel_file():
    return ("Wheel-Version: 1.0\n"
            "Generator: muppy_backend %s\n"
            "Root-Is-Purelib: false\n"
            "Tag: %s\n" % (VERSION, _tag()))


def _dist_info():
    return "%s-%s.dist-info" % (NAME, VERSION)


def _cvar(name):
    return sysconfig.get_config_var(name) or ""


def _run(cmd):
    if os.environ.get("MUPPY_BUILD_VERBOSE"):
        sys.stderr.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def _wait(proc, what):
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise BuildError("cannot compile '%s':\n%s"
                         % (what, out.decode("utf-8", "replace")))


def _format_sources():
    return sorted(p for p in glob.glob(os.path.join(FORMAT_DIR, "*.c"))
                  if "fuzz" not in os.path.basename(p)
                  and "placeholder" not in os.path.basename(p))


def _dumper_sources():
    return sorted(glob.glob(os.path.join(DUMPER_DIR, "*.c")))


def _compile_all(jobs):
    """Run the compile jobs [(src, cmd, obj)] a few at a time."""
    width = max(1, min(4, os.cpu_count() or 1))
    running = []
    for src, cmd, _ in jobs:
        running.append((_run(cmd), src))
        if len(running) >= width:
            _wait(*running.pop(0))
    for proc, src in running:
        _wait(proc, src)


def build_analyzer(out_dir, format_objects):
    """Compile and link muppy-analyze into out_dir (with the snapshot
    library's objects from build_extension); return its path."""
    cc = shlex.split(os.environ.get("CC") or _cvar("CC") or "cc")
    cflags = ["-O2", "-std=c11", "-I" + FORMAT_DIR, "-I" + ANALYZER_DIR]
    cflags += shlex.split(os.environ.get("MUPPY_CFLAGS", ""))
    obj_dir = os.path.join(out_dir, "obj")
    jobs = []
    # main.c and the layers' folders (docs/architecture.md)
    for src in sorted(glob.glob(os.path.join(ANALYZER_DIR, "*.c"))
                      + glob.glob(os.path.join(ANALYZER_DIR, "*", "*.c"))):
        rel = os.path.relpath(src, ANALYZER_DIR).replace(os.sep, "_")
        obj = os.path.join(obj_dir, "a_" + rel + ".o")
        jobs.append((src, cc + cflags + ["-c", src, "-o", obj], obj))
    if not jobs:
        raise BuildError("no C sources in '%s'" % ANALYZER_DIR)
    _compile_all(jobs)
    target = os.path.join(out_dir, "muppy-analyze")
    link = cc + [o for _, _, o in jobs] + format_objects + [
        "-lzstd", "-lpthread", "-lm", "-o", target]
    _wait(_run(link), target)
    return target


def build_extension(out_dir):
    """Compile and link _muppy into out_dir; return its path and the
    snapshot library's objects (for the analyzer)."""
    cc = shlex.split(os.environ.get("CC") or _cvar("CC") or "cc")
    cflags = shlex.split(_cvar("CFLAGS")) + shlex.split(_cvar("CCSHARED"))
    cflags += ["-std=c11"] + shlex.split(os.environ.get("MUPPY_CFLAGS", ""))
    paths = sysconfig.get_paths()
    incs = {paths["include"], paths["platinclude"]}
    includes = ["-I" + d for d in sorted(incs)] + ["-I" + FORMAT_DIR]
    ldshared = shlex.split(os.environ.get("LDSHARED") or _cvar("LDSHARED")
                           or "cc -shared")
    obj_dir = os.path.join(out_dir, "obj")
    os.makedirs(obj_dir, exist_ok=True)

    jobs = []
    for src in _format_sources():
        obj = os.path.join(obj_dir, "f_" + os.path.basename(src) + ".o")
        jobs.append((src, cc + cflags + includes
                     + ["-D_DEFAULT_SOURCE", "-D_POSIX_C_SOURCE=200809L",
                        "-c", src, "-o", obj], obj))
    for src in _dumper_sources():
        obj = os.path.join(obj_dir, "d_" + os.path.basename(src) + ".o")
        jobs.append((src, cc + cflags + includes + ["-c", src, "-o", obj],
                     obj))
    if not _format_sources():
        raise BuildError("no C sources in '%s'" % FORMAT_DIR)

    _compile_all(jobs)

    target = os.path.join(out_dir, "_muppy" + _cvar("EXT_SUFFIX"))
    link = ldshared + [o for _, _, o in jobs] + ["-lzstd", "-lpthread",
                                                 "-o", target]
    _wait(_run(link), target)
    return target, [o for src, _, o in jobs if src.startswith(FORMAT_DIR)]


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return "%s,sha256=%s,%d" % (arcname, digest.rstrip(b"=").decode(),
                                len(data))


def _package_files():
    return sorted(f for f in os.listdir(PACKAGE_DIR) if f.endswith(".py"))


# ---- PEP 517 hooks ------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory,
                                     config_settings=None):
    d = os.path.join(metadata_directory, _dist_info())
    os.makedirs(d, exist_ok=True)
    for name, text in (("METADATA", _metadata()), ("WHEEL", _wheel_file()),
                       ("entry_points.txt", ENTRY_POINTS)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    tmp = tempfile.mkdtemp(prefix="muppy-build-")
    try:
        ext, format_objects = build_extension(tmp)
        analyzer = build_analyzer(tmp, format_objects)
        wheel_name = "%s-%s-%s.whl" % (NAME, VERSION, _tag())
        path = os.path.join(wheel_directory, wheel_name)
        files = []
        for f in _package_files():
            with open(os.path.join(PACKAGE_DIR, f), "rb") as fh:
                files.append(("muppy/" + f, fh.read()))
        with open(ext, "rb") as fh:
            files.append(("muppy/" + os.path.basename(ext), fh.read()))
        with open(analyzer, "rb") as fh:
            data = fh.read()
        files.append(("muppy/bin/muppy-analyze", data))
        files.append(("%s-%s.data/scripts/muppy-analyze" % (NAME, VERSION),
                      data))
        di = _dist_info()
        files.append((di + "/METADATA", _metadata().encode()))
        files.append((di + "/WHEEL", _wheel_file().encode()))
        files.append((di + "/entry_points.txt", ENTRY_POINTS.encode()))
        record = [_record_line(a, d) for a, d in files]
        record.append(di + "/RECORD,,")
        files.append((di + "/RECORD", ("\n".join(record) + "\n").encode()))
        partial = path + ".part"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            for arcname, data in files:
                info = zipfile.ZipInfo(arcname, (1980, 1, 1, 0, 0, 0))
                executable = (arcname.endswith(".so")
                              or arcname.endswith("/muppy-analyze"))
                # pip makes a file executable only when its mode says
                # it is a regular file with an x bit
                info.external_attr = (stat.S_IFREG
                                      | (0o755 if executable else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
        os.replace(partial, path)
        return wheel_name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    name = base + ".tar.gz"
    members = ["pyproject.toml"]
    for pattern in ("format/*.c", "format/*.h", "dumper/*.c", "dumper/*.h",
                    "dumper/*.py", "dumper/*.md", "dumper/muppy/*.py",
                    "analyzer/*.c", "analyzer/*/*.c", "analyzer/*/*.h"):
        members += sorted(os.path.relpath(p, ROOT)
                          for p in glob.glob(os.path.join(ROOT, pattern)))
    path = os.path.join(sdist_directory, name)
    with tarfile.open(path + ".part", "w:gz", format=tarfile.PAX_FORMAT) as t:
        for m in members:
            t.add(os.path.join(ROOT, m), arcname=base + "/" + m)
        pkg = _metadata().encode()
        info = tarfile.TarInfo(base + "/PKG-INFO")
        info.size = len(pkg)
        t.addfile(info, io.BytesIO(pkg))
    os.replace(path + ".part", path)
    return name
