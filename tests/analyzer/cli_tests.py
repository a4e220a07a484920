#!/usr/bin/env python3
"""Data-driven tests of muppy-analyze's output: tests/analyzer/cli/*.test.

A .test file holds tests in the manner of jq's: a command line, what it
must print, how it must end.  Each test is

    ## what it checks (any number of lines, optional)
    $ summary --top 3 b.snap
    ? 1
    ! muppy-analyze: 'b.snap': no type named 'Nope'
    <the expected stdout, blank lines included>

- `$ ARGS`: the arguments of muppy-analyze, split as a POSIX shell would
  (shlex), run in a folder that holds the fixtures (below), so that
  paths print as given;
- `? N`: the exit status (default 0);
- `> FILE`: a file the command writes (one line each); a command must
  write no other file in its folder, so a test without `>` lines checks
  that nothing was written (a usage error, a failure);
- `! TEXT`: stderr, line by line; without `!` lines stderr must be empty,
  and a last line `! ...` leaves the rest of stderr unchecked (the usage
  after a usage error);
- then stdout up to the next `##` or `$` line (trailing blank lines
  dropped, as from stdout).  When it starts with `{` or `[` it is JSON,
  compared as data, so the file can hold it indented.

Lines before the first test that start with `#` describe the file.

Fixtures, made fresh for each run: the snapshots of tests/analyzer/
mksnap.c - a.snap (no leak), b.snap (--leak 7), c.snap (--leak 3 --pid
99), final.snap (--leak 9) - and the test vectors of samples/.

usage: cli_tests.py --analyzer PATH --mksnap PATH --root REPO
                    [--update] [FILE.test ...]
  (no FILE: every tests/analyzer/cli/*.test)
  --update rewrites each test's expected status, stderr and stdout from
  what the analyzer does now: review the diff before committing it.
"""
import argparse
import difflib
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = [
    ("a.snap", []),
    ("b.snap", ["--leak", "7"]),
    ("c.snap", ["--leak", "3", "--pid", "99"]),
    ("final.snap", ["--leak", "9"]),
]


class Test:
    def __init__(self, path, line):
        self.path, self.line = path, line
        self.comments = []
        self.args = ""
        self.status = 0
        self.stderr = []        # lines; a last "..." leaves the rest
        self.writes = []        # the files it writes
        self.stdout = []

    def where(self):
        return "%s:%d" % (os.path.relpath(self.path), self.line)


def parse(path):
    """The tests of a .test file, and its header lines."""
    header, tests, comments = [], [], []
    cur = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        if line.startswith("## "):
            cur = None
            comments.append(line)
            continue
        if line.startswith("$ ") or line == "$":
            cur = Test(path, n)
            cur.comments, comments = comments, []
            cur.args = line[2:]
            cur.body = True     # directives may come
            tests.append(cur)
            continue
        if cur is None:
            if tests or comments:
                raise SystemExit("%s:%d: text outside a test: %r"
                                 % (path, n, line))
            header.append(line)
            continue
        if cur.body and line.startswith("? ") and not cur.stderr:
            cur.status = int(line[2:])
            continue
        if cur.body and line.startswith("> ") and not cur.stderr:
            cur.writes.append(line[2:])
            continue
        if cur.body and (line.startswith("! ") or line == "!"):
            cur.stderr.append(line[2:])
            continue
        cur.body = False
        cur.stdout.append(line)
    for t in tests:
        while t.stdout and t.stdout[-1] == "":
            t.stdout.pop()
    return header, tests


def listing(cwd):
    """Every file under cwd with its size and time, by relative path."""
    files = {}
    for base, _, names in os.walk(cwd):
        for n in names:
            p = os.path.join(base, n)
            st = os.stat(p)
            files[os.path.relpath(p, cwd)] = (st.st_size, st.st_mtime_ns)
    return files


def run(args, t, cwd):
    """Status, stdout, stderr, and the files the command wrote (new or
    changed, sorted)."""
    before = listing(cwd)
    p = subprocess.run([args.analyzer] + shlex.split(t.args), cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    after = listing(cwd)
    wrote = sorted(f for f, v in after.items() if before.get(f) != v)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"), wrote)


def is_json(lines):
    return bool(lines) and lines[0][:1] in ("{", "[")


def check(args, t, cwd):
    """The differences between what t expects and what happens."""
    status, out, err, wrote = run(args, t, cwd)
    problems = []
    if status != t.status:
        problems.append("exit status %d, expected %d" % (status, t.status))
    if wrote != sorted(t.writes):
        problems.append("wrote %s, expected %s" % (wrote or "nothing",
                                                  sorted(t.writes)
                                                  or "nothing"))
    err_lines = err.rstrip("\n").split("\n") if err else []
    want = t.stderr
    if want and want[-1] == "...":
        want = want[:-1]
        got = err_lines[:len(want)]
    else:
        got = err_lines
    if got != want:
        problems.append("stderr differs:\n" + "\n".join(difflib.unified_diff(
            want, got, "expected", "got", lineterm="")))
    out_lines = out.rstrip("\n").split("\n") if out.strip("\n") else []
    if is_json(t.stdout):
        try:
            expected = json.loads("\n".join(t.stdout))
        except ValueError as e:
            problems.append("the expected JSON does not parse: %s" % e)
            return problems
        try:
            actual = json.loads(out)
        except ValueError as e:
            problems.append("stdout is not JSON (%s): %r" % (e, out[:300]))
            return problems
        if actual != expected:
            a = json.dumps(expected, indent=1, sort_keys=True).split("\n")
            b = json.dumps(actual, indent=1, sort_keys=True).split("\n")
            problems.append("JSON differs:\n" + "\n".join(
                difflib.unified_diff(a, b, "expected", "got",
                                     lineterm="")))
    elif out_lines != t.stdout:
        problems.append("stdout differs:\n" + "\n".join(difflib.unified_diff(
            t.stdout, out_lines, "expected", "got", lineterm="")))
    return problems


def json_lines(text):
    """JSON as the .test files hold it: one member a line, but objects
    and arrays of scalars on one line when short enough."""
    value = json.loads(text)

    def flat(v):
        return all(not isinstance(x, (dict, list))
                   for x in (v.values() if isinstance(v, dict) else v))

    def fmt(v, indent):
        pad = " " * indent
        if isinstance(v, dict) and v and flat(v):
            one = json.dumps(v)
            if len(one) + indent < 160:
                return one
        if isinstance(v, dict) and v:
            items = ["%s %s: %s" % (pad, json.dumps(k), fmt(x, indent + 1))
                     for k, x in v.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(v, list) and v:
            if all(not isinstance(x, (dict, list)) for x in v):
                one = json.dumps(v)
                if len(one) + indent < 76:
                    return one
            items = ["%s %s" % (pad, fmt(x, indent + 1)) for x in v]
            return "[\n" + ",\n".join(items) + "\n" + pad + "]"
        return json.dumps(v)
    return fmt(value, 0).split("\n")


def update(args, path, header, tests, cwd):
    """Rewrite path with the outputs the analyzer gives now."""
    out = list(header)
    for t in tests:
        status, stdout, stderr, wrote = run(args, t, cwd)
        if out and out[-1] != "":
            out.append("")
        out.extend(t.comments)
        out.append(("$ " + t.args).rstrip())
        if status != 0:
            out.append("? %d" % status)
        out.extend("> " + f for f in wrote)
        err_lines = stderr.rstrip("\n").split("\n") if stderr else []
        # after a usage error, the message; the usage itself is the
        # help's business (see the --help tests)
        if (status == 2 or (t.stderr and t.stderr[-1] == "...")) \
                and len(err_lines) > 1:
            err_lines = err_lines[:1] + ["..."]
        out.extend("! " + ln if ln else "!" for ln in err_lines)
        if stdout.strip() and stdout.lstrip()[:1] in "{[":
            try:
                out.extend(json_lines(stdout))
            except ValueError:
                out.extend(stdout.rstrip("\n").split("\n"))
        elif stdout.strip("\n"):
            out.extend(stdout.rstrip("\n").split("\n"))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def make_fixtures(args, d):
    for name, extra in FIXTURES:
        subprocess.run([args.mksnap, os.path.join(d, name)] + extra,
                       check=True)
    for p in glob.glob(os.path.join(args.root, "samples", "*.snap")):
        shutil.copyfile(p, os.path.join(d, os.path.basename(p)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--mksnap", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    args.analyzer = os.path.abspath(args.analyzer)
    files = args.files or sorted(glob.glob(os.path.join(HERE, "cli",
                                                        "*.test")))
    if not files:
        print("cli_tests: no .test file found", file=sys.stderr)
        return 1
    top = tempfile.mkdtemp(prefix="muppy-cli-")
    failed = total = 0
    try:
        fixtures = os.path.join(top, "fixtures")
        os.mkdir(fixtures)
        make_fixtures(args, fixtures)
        for path in files:
            header, tests = parse(path)
            if not tests:
                print("%s: no test" % path, file=sys.stderr)
                failed += 1
                continue
            # each file in a fresh copy: commands may write files there
            cwd = os.path.join(top, os.path.basename(path))
            shutil.copytree(fixtures, cwd)
            if args.update:
                update(args, path, header, tests, cwd)
                print("updated %s (%d tests)" % (path, len(tests)))
                continue
            for t in tests:
                total += 1
                problems = check(args, t, cwd)
                if problems:
                    failed += 1
                    print("FAIL %s: muppy-analyze %s\n  %s" % (
                        t.where(), t.args,
                        "\n  ".join("\n".join(problems).split("\n"))))
            print("%s: %d tests" % (os.path.relpath(path), len(tests)))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    if args.update:
        return 0
    if failed:
        print("%d of %d tests failed" % (failed, total), file=sys.stderr)
        return 1
    print("all %d command output tests passed" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
