#!/usr/bin/env python3
"""Every command of muppy-analyze on crafted, hostile snapshots.

Snapshots come attached to bug reports, from anyone.  On each file below,
each command must finish (no signal, no hang) with exit 0 or 1, within
256 MB, and nothing it prints may drive a terminal or a spreadsheet:

  ratio.snap     a 2 KB file whose STRS block expands to 64 MiB
  count.snap     4 million objects compressed into 2 KB
  collide-*.snap 400 thousand addresses that fall into one slot of a table
                 hashed with a fixed function: `diff --objects` was
                 quadratic (minutes); the timeout catches a regression
  escapes.snap   terminal escapes, C1 controls, bad UTF-8 and spreadsheet
                 formulas in every string a command may print

usage: test_hostile.py --analyzer PATH --mkhostile PATH
"""
import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ARGS = None
FAILURES = []
LIMIT_BYTES = 256 << 20
TIMEOUT = 60        # seconds: linear commands take well under one here

# control bytes other than tab and newline, DEL, C1 controls as UTF-8,
# and raw bytes 0x80-0x9f that do not continue a UTF-8 sequence
BAD_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def run(args, what):
    """Run the analyzer; returns (status, stdout, stderr, peak RSS bytes,
    seconds).  A signal or a timeout is a failure."""
    cmd = [ARGS.analyzer] + [str(a) for a in args]
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        deadline = t0 + TIMEOUT
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, usage = os.wait4(p.pid, 0)
                fail("%s: %s: no answer within %d s" % (what, " ".join(
                    map(str, args)), TIMEOUT))
                break
            time.sleep(0.01)
        p.returncode = 0     # reaped here: keep Popen from waiting again
        secs = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    rss = usage.ru_maxrss * 1024
    if os.WIFSIGNALED(status):
        fail("%s: %s: killed by signal %d" % (what, " ".join(map(str, args)),
                                             os.WTERMSIG(status)))
        code = -os.WTERMSIG(status)
    else:
        code = os.WEXITSTATUS(status)
    if code not in (0, 1):
        fail("%s: %s: exit %d\n%s" % (what, " ".join(map(str, args)), code,
                                      stderr.decode("utf-8", "replace")))
    if rss > LIMIT_BYTES:
        fail("%s: %s: used %d MB" % (what, " ".join(map(str, args)),
                                     rss >> 20))
    return code, stdout, stderr, rss, secs


def commands(snap, other, tmp):
    """Every command on `snap` (`other`: a second snapshot for diffs), in
    each text format."""
    yield ["info", snap]
    yield ["info", "--json", snap]
    for fmt in ("text", "markdown", "json"):
        yield ["summary", "--format", fmt, snap]
        yield ["summary", "--by", "module", "--retained", "--format", fmt,
               snap]
        yield ["diff", "--format", fmt, other, snap]
        yield ["diff", "--objects", "--retained", "--format", fmt, other,
               snap]
        yield ["retained", "--format", fmt, snap]
        yield ["retained", "--by", "type", "--format", fmt, snap]
        yield ["leaks", "--format", fmt, other, snap, snap]
        yield ["trend", "--format", fmt, other, snap]
    for fmt in ("text", "json", "dot"):
        yield ["paths", "--format", fmt, "--type", "Obj", snap]
        yield ["referrers", "--format", fmt, snap, "0x10"]
        yield ["dominators", "--format", fmt, snap, "0x10"]
    yield ["scrub", snap, os.path.join(tmp, "scrubbed.snap")]
    yield ["report", snap, "-o", os.path.join(tmp, "report.html")]
    yield ["export", "--format", "heapsnapshot", snap, "-o",
           os.path.join(tmp, "x.heapsnapshot")]
    yield ["export", "--format", "csv", snap, "-o",
           os.path.join(tmp, "csv")]


def test_all_commands(tmp, name, snap, other):
    """No signal, no hang, no control byte, within the memory bound."""
    for args in commands(snap, other, tmp):
        code, out, err, rss, secs = run(args, name)
        for stream, data in (("stdout", out), ("stderr", err)):
            m = BAD_BYTES.search(data)
            if m:
                fail("%s: %s: control byte %r on %s: %r" % (
                    name, " ".join(args), m.group(0), stream,
                    data[max(0, m.start() - 40):m.end() + 40]))
        if "--json" in args or ("json" in args and "--format" in args):
            if code == 0:
                try:
                    json.loads(out)
                except ValueError as e:
                    fail("%s: %s: not JSON: %s" % (name, " ".join(args), e))


def test_bombs(tmp):
    """The bombs are refused at once, with one line naming the problem."""
    for name in ("ratio.snap", "count.snap"):
        path = os.path.join(tmp, name)
        for args in (["info", path], ["retained", path],
                     ["export", "--format", "heapsnapshot", path, "-o",
                      os.path.join(tmp, "bomb.heapsnapshot")]):
            code, out, err, rss, secs = run(args, name)
            text = err.decode("utf-8", "replace")
            if code != 1 or "decompression bomb" not in text:
                fail("%s: %s: exit %d, stderr %r: not refused as a bomb" % (
                    name, " ".join(args), code, text))
            if len(text.strip().splitlines()) != 1:
                fail("%s: not one line: %r" % (name, text))
        if os.path.exists(os.path.join(tmp, "bomb.heapsnapshot")):
            fail("%s: export left a file behind" % name)
    # the user who trusts the file says how much memory it may take
    path = os.path.join(tmp, "count.snap")
    code, out, err, rss, secs = run(["summary", "--max-memory", "2G", path],
                                    "count.snap")
    if code != 0 or b"4,000,000 objects" not in out:
        fail("--max-memory 2G: exit %d, %r" % (code, out[-300:]))


def test_collisions(tmp):
    """diff --objects stays linear on addresses aimed at one hash slot."""
    a = os.path.join(tmp, "collide-a.snap")
    b = os.path.join(tmp, "collide-b.snap")
    code, out, err, rss, secs = run(["diff", "--objects", "--json", a, b],
                                    "collide")
    if code != 0:
        fail("collide: diff --objects failed: %r" % err)
        return
    d = json.loads(out)
    new = d.get("objects", {}).get("new", d.get("new"))
    if json.dumps(d).count("0x") == 0 and not new:
        fail("collide: no new objects reported: %r" % out[:300])
    print("diff --objects on 2 x 400,000 colliding addresses: %.2f s, "
          "%d MB" % (secs, rss >> 20))


def test_formula_cells(tmp):
    """No CSV cell starts like a spreadsheet formula."""
    d = os.path.join(tmp, "csv")
    run(["export", "--format", "csv", os.path.join(tmp, "escapes.snap"),
         "-o", d], "escapes.snap")
    cells = 0
    for name in ("objects.csv", "edges.csv", "roots.csv"):
        with open(os.path.join(d, name), newline="",
                  encoding="utf-8", errors="replace") as f:
            for row in csv.reader(f):
                for cell in row:
                    cells += 1
                    if cell[:1] in ("=", "+", "@", "\t", "\r") or (
                            cell[:1] == "-" and not re.fullmatch(r"-\d+",
                                                                 cell)):
                        fail("csv: %s: cell %r starts a formula" % (name,
                                                                   cell))
    if cells == 0:
        fail("csv: no cells read")
    with open(os.path.join(d, "edges.csv"), encoding="utf-8",
              errors="replace") as f:
        if "'=HYPERLINK" not in f.read():
            fail("csv: the formula key is not kept (with its quote)")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--mkhostile", required=True)
    ARGS = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="muppy-hostile-")
    try:
        mk = ARGS.mkhostile
        subprocess.run([mk, "ratio", os.path.join(tmp, "ratio.snap")],
                       check=True)
        subprocess.run([mk, "count", os.path.join(tmp, "count.snap"),
                        "4000000"], check=True)
        subprocess.run([mk, "collide", os.path.join(tmp, "collide-a.snap"),
                        "400000", "0"], check=True)
        subprocess.run([mk, "collide", os.path.join(tmp, "collide-b.snap"),
                        "400000", "10"], check=True)
        subprocess.run([mk, "escapes", os.path.join(tmp, "escapes.snap")],
                       check=True)
        test_bombs(tmp)
        test_collisions(tmp)
        test_formula_cells(tmp)
        esc = os.path.join(tmp, "escapes.snap")
        test_all_commands(tmp, "escapes.snap", esc, esc)
        for bomb in ("ratio.snap", "count.snap"):
            p = os.path.join(tmp, bomb)
            test_all_commands(tmp, bomb, p, p)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES), file=sys.stderr)
        return 1
    print("all hostile-file tests passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
