"""muppy-dump: run a Python script and snapshot its heap when it ends.

Exit status: the script's own (0, its SystemExit code, or 1 on an
uncaught exception), 2 on a usage error or an unreadable script, and 1
when the snapshot cannot be written.
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
example:
  muppy-dump run -o app.snap app.py --port 8080
  muppy-analyze summary app.snap
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("%s: %s\n" % (self.prog, message))
        sys.exit(EXIT_USAGE)


def _parser(prog):
    p = _Parser(prog=prog, description="Heap snapshots of Python programs.",
                epilog="Run '%s run --help' for the options of run." % prog)
    sub = p.add_subparsers(dest="command", metavar="command")
    run = sub.add_parser(
        "run", help="run a script and dump its heap when it ends",
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("-o", "--output", metavar="FILE",
                     help="snapshot file (default: "
                          "muppy-<pid>-<YYYYmmdd-HHMMSS>-0.snap here)")
    run.add_argument("--include-strings", type=int, default=0, metavar="N",
                     help="record the first N characters of every str "
                          "(default 0: no string contents)")
    run.add_argument("--no-labels", action="store_true",
                     help="leave dict keys and attribute names out")
    run.add_argument("--level", type=int, default=1, metavar="L",
                     help="zstd compression level (default 1)")
    run.add_argument("script", help="the Python script to run")
    run.add_argument("args", nargs=argparse.REMAINDER,
                     help="arguments passed to the script (its sys.argv[1:])")
    return p


def _err(prog, msg):
    sys.stderr.write("%s: %s\n" % (prog, msg))


def _dump(prog, opts, output):
    import muppy
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
    output = os.path.abspath(output)
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
        exec(code, main.__dict__)
    except SystemExit as e:
        ok = _dump(prog, opts, output)
        if e.code is None or e.code == 0:
            return 0 if ok else EXIT_DUMP_FAILED
        raise
    except BaseException:
        _dump(prog, opts, output)
        raise
    return 0 if _dump(prog, opts, output) else EXIT_DUMP_FAILED


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
    return _run(prog, opts)
