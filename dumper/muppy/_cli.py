"""muppy-dump: snapshot the heap of a script (run) or of a running
process (attach).

Exit status of run: the script's own (0, its SystemExit code, or 1 on an
uncaught exception), 2 on a usage error or an unreadable script, and 1
when the snapshot cannot be written.  Of attach: 0, 1 when the dump
failed (one line on stderr says why), 2 on a usage error.
"""
import argparse
import os
import sys

EXIT_USAGE = 2
EXIT_DUMP_FAILED = 1

DESCRIPTION = """\
Run a Python script as __main__ and write a heap snapshot when it ends,
also when it ends with an uncaught exception (the snapshot is taken while
the script's globals and the failing frames are still alive).
"""

EPILOG = """\
examples:
  muppy-dump run -o app.snap app.py --port 8080
  muppy-dump run --on-rss 500M --every 10m -d snaps/ --keep 5 app.py
  muppy-dump run -o - app.py > app.snap      (the snapshot on stdout)
  muppy-analyze summary app.snap
"""

ATTACH_DESCRIPTION = """\
Dump the heap of a running CPython process that never imported muppy.
The target writes the snapshot itself (so OUT must be writable by its
user) and goes on running.  On Linux x86-64 muppy's own ptrace injector
gets the dump in (no gdb needed); elsewhere sys.remote_exec (3.14+) and
gdb (--via gdb).  The target must run the CPython release, down to the
patch version, that this muppy is built for.  A failed attach (timeout,
muppy-dump killed, target stopped or gone) leaves no file behind.
"""

ATTACH_EPILOG = """\
examples:
  muppy-dump attach 4242
  muppy-dump attach 4242 -o /var/tmp/web.snap --background
  python3.12 -m muppy attach 4242        (the muppy of the target's version)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: %s\n" % (self.prog, message))
        sys.exit(EXIT_USAGE)


def _snapshot_options(p):
    """What goes into a snapshot: the options run and attach share."""
    p.add_argument("--include-strings", type=int, default=0, metavar="N",
                   help="record the first N characters of every str "
                        "(default 0: no string contents)")
    p.add_argument("--no-labels", action="store_true",
                   help="leave dict keys and attribute names out")
    p.add_argument("--level", type=int, default=1, metavar="L",
                   help="zstd compression level (default 1)")


def _parser(prog):
    p = _Parser(prog=prog, description="Heap snapshots of Python programs.",
                epilog="Run '%s COMMAND --help' for the options of a command." % prog)
    sub = p.add_subparsers(dest="command", metavar="command")
    run = sub.add_parser(
        "run", help="run a script and dump its heap when it ends",
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("-o", "--output", metavar="FILE",
                     help="snapshot file (default: "
                          "muppy-<pid>-<YYYYmmdd-HHMMSS>-0.snap here)")
    _snapshot_options(run)
    run.add_argument("--on-rss", metavar="SIZE",
                     help="also dump while the script runs, when its RSS "
                          "crosses SIZE (500M, 2G)")
    run.add_argument("--every", metavar="DURATION",
                     help="also dump every DURATION while it runs (30s, 10m)")
    run.add_argument("-d", "--directory", metavar="DIR",
                     help="where --on-rss/--every snapshots go (default: "
                          "the current directory)")
    run.add_argument("--keep", type=int, default=5, metavar="N",
                     help="keep the newest N trigger snapshots (default 5)")
    run.add_argument("--max-bytes", metavar="SIZE",
                     help="and at most SIZE of them on disk")
    run.add_argument("--min-interval", default="60s", metavar="DURATION",
                     help="never two trigger dumps closer than this "
                          "(default 60s)")
    run.add_argument("--background", action="store_true",
                     help="trigger dumps fork: the script pauses for "
                          "milliseconds only")
    run.add_argument("script", help="the Python script to run")
    run.add_argument("args", nargs=argparse.REMAINDER,
                     help="arguments passed to the script (its sys.argv[1:])")

    att = sub.add_parser(
        "attach", help="dump the heap of a running process",
        description=ATTACH_DESCRIPTION, epilog=ATTACH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    att.add_argument("pid", type=int, help="the process id")
    att.add_argument("-o", "--output", metavar="FILE",
                     help="snapshot file (default: "
                          "muppy-<pid>-<YYYYmmdd-HHMMSS>.snap here)")
    att.add_argument("--timeout", type=float, default=30.0, metavar="S",
                     help="give up when the attach, the dump included, "
                          "has not finished within S seconds (default 30)")
    att.add_argument("--background", action="store_true",
                     help="the target forks and its child dumps: it "
                          "pauses for the fork only")
    att.add_argument("--via", choices=("ptrace", "gdb"), default=None,
                     help="how code gets into the target when "
                          "sys.remote_exec does not do it (default: ptrace "
                          "on Linux x86-64, gdb elsewhere)")
    _snapshot_options(att)
    att.add_argument("--json", action="store_true",
                     help="print the result as one JSON object on stdout")
    return p


def _err(prog, msg):
    sys.stderr.write("%s: %s\n" % (prog, msg))


def _dump(prog, opts, output):
    import muppy
    if output == "-":
        sys.stdout.flush()
        output = sys.stdout.buffer
    try:
        r = muppy.dump(output, labels=not opts.no_labels,
                       include_strings=opts.include_strings,
                       level=opts.level)
    except (OSError, MemoryError, ValueError) as e:
        _err(prog, "cannot write '%s': %s" % (output, e))
        return False
    sys.stderr.write("%s: wrote '%s' (%d objects, %d edges, %d bytes, "
                     "%.2f s)\n" % (prog, r.path, r.objects, r.edges,
                                    r.bytes_written, r.seconds))
    return True


def _run(prog, opts):
    import types
    import muppy

    if opts.include_strings < 0:
        _err(prog, "--include-strings must be >= 0, not %d"
             % opts.include_strings)
        return EXIT_USAGE
    script = opts.script
    try:
        with open(script, "rb") as f:
            source = f.read()
    except OSError as e:
        _err(prog, "cannot open '%s': %s" % (script, e.strerror or e))
        return EXIT_USAGE
    output = opts.output or muppy.snapshot_name(os.getcwd(), 0)
    if output != "-":
        output = os.path.abspath(output)
    watcher = None
    if opts.on_rss or opts.every:
        try:
            watcher = muppy.dump_when(
                opts.on_rss, every=opts.every,
                directory=opts.directory or os.getcwd(), keep=opts.keep,
                max_bytes=opts.max_bytes, min_interval=opts.min_interval,
                labels=not opts.no_labels,
                include_strings=opts.include_strings, level=opts.level,
                background=opts.background)
        except (ValueError, TypeError) as e:
            _err(prog, str(e))
            return EXIT_USAGE
    elif opts.directory or opts.background or opts.max_bytes:
        _err(prog, "--directory, --background and --max-bytes go with "
                   "--on-rss or --every")
        return EXIT_USAGE
    try:
        code = compile(source, script, "exec")
    except SyntaxError:
        raise   # a normal traceback, exit status 1

    main = types.ModuleType("__main__")
    main.__file__ = script
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    sys.argv[:] = [script] + opts.args
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    try:
        try:
            exec(code, main.__dict__)
        finally:
            if watcher is not None:
                watcher.stop()
                for path in watcher.snapshots:
                    sys.stderr.write("%s: trigger snapshot '%s'\n"
                                     % (prog, path))
    except SystemExit as e:
        ok = _dump(prog, opts, output)
        if e.code is None or e.code == 0:
            return 0 if ok else EXIT_DUMP_FAILED
        raise
    except BaseException:
        _dump(prog, opts, output)
        raise
    return 0 if _dump(prog, opts, output) else EXIT_DUMP_FAILED


def _attach(prog, opts):
    import json
    from . import _attach as attach_mod
    if opts.include_strings < 0:
        _err(prog, "--include-strings must be >= 0, not %d"
             % opts.include_strings)
        return EXIT_USAGE
    if opts.timeout <= 0:
        _err(prog, "--timeout must be > 0")
        return EXIT_USAGE
    try:
        r = attach_mod.attach(opts.pid, opts.output, timeout=opts.timeout,
                              background=opts.background,
                              labels=not opts.no_labels,
                              include_strings=opts.include_strings,
                              level=opts.level, via=opts.via)
    except attach_mod.AttachError as e:
        _err(prog, str(e))
        return EXIT_DUMP_FAILED
    if opts.json:
        sys.stdout.write(json.dumps(r, sort_keys=True) + "\n")
    else:
        sys.stderr.write(
            "%s: wrote '%s' (%d objects, %d edges, %d bytes; dump %.2f s, "
            "target paused %.3f s, attach %.2f s via %s)\n"
            % (prog, r["path"], r["objects"], r["edges"], r["bytes_written"],
               r["seconds"], r["pause_seconds"], r["attach_seconds"],
               r["method"]))
    return 0


def main(argv=None, prog=None):
    if prog is None:
        prog = os.path.basename(sys.argv[0]) or "muppy-dump"
        if prog.endswith(".py") or prog == "__main__.py":
            prog = "muppy-dump"
    args = sys.argv[1:] if argv is None else argv
    p = _parser(prog)
    opts = p.parse_args(args)
    if opts.command is None:
        p.print_usage(sys.stderr)
        _err(prog, "missing command (try '%s --help')" % prog)
        return EXIT_USAGE
    if opts.command == "attach":
        return _attach(prog, opts)
    return _run(prog, opts)
