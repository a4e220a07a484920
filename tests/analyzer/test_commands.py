#!/usr/bin/env python3
"""Property tests of muppy-analyze's commands: what must hold of their
output whatever its exact text (figures that add up, orders, the JSON
contracts, exports checked by parsing them, every error path with its
exit status), on snapshots written by mksnap (see mksnap.c for the heap
it writes) and on the bad-*.snap files of samples/.  The exact outputs,
usage errors and help texts are data: cli/*.test (cli_tests.py).

usage: test_commands.py --analyzer PATH --mksnap PATH --root REPO
"""
import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

FAILURES = []
ARGS = None


def run(*args, expect=0, stdin=None):
    """Run muppy-analyze; check the exit status; return (stdout, stderr)."""
    p = subprocess.run([ARGS.analyzer] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode < 0:
        fail("%s: killed by signal %d" % (" ".join(map(str, args)),
                                          -p.returncode))
    elif expect is not None and p.returncode != expect:
        fail("%s: exit %d, expected %d\nstdout: %s\nstderr: %s" % (
            " ".join(map(str, args)), p.returncode, expect, out[-2000:],
            err[-2000:]))
    return out, err


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    if not cond:
        fail(msg)


def run_json(*args, expect=0):
    out, err = run(*(list(args) + ["--json"]), expect=expect)
    try:
        return json.loads(out)
    except ValueError as e:
        fail("%s --json: not JSON (%s): %r" % (" ".join(map(str, args)), e,
                                              out[:500]))
        return {}


def mksnap(path, *args):
    subprocess.run([ARGS.mksnap, str(path)] + [str(a) for a in args],
                   check=True)


def find_block(data, kind):
    """Offset of the first block of `kind` (spec/format.md layout)."""
    off = 16
    while off + 40 <= len(data):
        k = data[off:off + 4]
        stored = struct.unpack_from("<I", data, off + 8)[0]
        if k == kind:
            return off, stored
        off += 40 + stored
    return None, None


COMMANDS = ["info", "summary", "diff", "paths", "referrers", "retained",
            "dominators", "leaks", "trend", "scrub", "export", "report"]
# the commands that write files rather than print: no --json
FILE_COMMANDS = ("export", "report")


def test_help():
    """What no single output shows: the forms of asking for help agree
    (each --help itself is in cli/help.test)."""
    for c in COMMANDS:
        out, _ = run(c, "--help")
        check(out.startswith("muppy-analyze " + c) and "usage:" in out
              and ("--json" in out) != (c in FILE_COMMANDS), "%s --help" % c)
        out2, _ = run("help", c)
        check(out == out2, "help %s equals %s --help" % (c, c))
        out3, _ = run(c, "-h")
        check(out == out3, "%s -h equals %s --help" % (c, c))


def test_summary(d):
    b = d / "b.snap"
    j = run_json("summary", b)
    check(set(("objects", "size", "types")) <= set(j), "summary fields")
    types = j.get("types", [])
    check(all(set(("module", "type", "count", "size")) <= set(t)
              for t in types), "summary type fields")
    check(sum(t["count"] for t in types) == j.get("objects"),
          "summary counts add up")
    check(sum(t["size"] for t in types) == j.get("size"),
          "summary sizes add up")
    sizes = [t["size"] for t in types]
    check(sizes == sorted(sizes, reverse=True), "summary sorted by size")
    ls = [t for t in types if t["type"] == "LeakedSession"]
    check(len(ls) == 1 and ls[0]["count"] == 7 and ls[0]["module"] == "app",
          "summary LeakedSession: %r" % ls)
    dic = [t for t in types if t["type"] == "dict"]
    check(dic and dic[0]["module"] == "builtins", "builtins module")
    j = run_json("summary", "--top", "2", b)
    check(len(j.get("types", [])) == 2, "summary --top 2 in JSON")
    j = run_json("summary", "--sort", "count", b)
    counts = [t["count"] for t in j.get("types", [])]
    check(counts == sorted(counts, reverse=True), "summary --sort count")
    j = run_json("summary", "--type", "Node", b)
    check(sorted((t["module"], t["count"]) for t in j.get("types", []))
          == [("a", 3), ("b", 1)], "summary --type Node: %r" % j)
    j = run_json("summary", "--type", "b.Node", b)
    check(j.get("objects") == 1, "summary --type b.Node")
    j = run_json("summary", "--by", "module", b)
    mods = {m["module"]: m["count"] for m in j.get("modules", [])}
    check(mods.get("app") == 57 and mods.get("a") == 3, "by module %r" % mods)
    out, _ = run("summary", b)
    check("a.Node" in out and "b.Node" in out and "total:" in out,
          "ambiguous qualnames shown module-qualified: %r" % out)
    run("summary", "--type", "NoSuchType", b, expect=1)


def test_diff(d):
    a, b, c = d / "a.snap", d / "b.snap", d / "c.snap"
    j = run_json("diff", a, b)
    check("types" in j, "diff types")
    fields = ("module", "type", "count_a", "count_b", "count_delta",
              "size_a", "size_b", "size_delta")
    check(all(set(fields) <= set(t) for t in j.get("types", [])),
          "diff type fields")
    ls = [t for t in j.get("types", []) if t["type"] == "LeakedSession"]
    check(len(ls) == 1 and ls[0]["count_delta"] == 7,
          "diff +7 LeakedSession: %r" % ls)
    growth = [t["size_delta"] for t in j.get("types", [])]
    check(growth == sorted(growth, reverse=True), "diff sorted by growth")
    check(j.get("size_delta") == sum(growth), "diff total")
    # --objects: same process
    j = run_json("diff", "--objects", a, b)
    check(j.get("new_objects", {}).get("count") == 21,
          "diff --objects: 21 new: %r" % j.get("new_objects"))
    out, _ = run("diff", "--objects", a, b)
    check("largest new objects" in out and "0x7f" in out, "--objects text")
    # --objects: different processes
    _, err = run("diff", "--objects", a, c, expect=1)
    check("snapshots come from different processes (pid 4242 vs 99)" in err,
          "different processes message: %r" % err)
    mksnap(d / "s.snap", "--start", "1700000099.5")
    _, err = run("diff", "--objects", a, d / "s.snap", expect=1)
    check("different processes" in err, "start time differs: %r" % err)
    # --fail-above
    run("diff", "--fail-above", "1K", a, b, expect=3)
    _, err = run("diff", "--fail-above", "1024", "--json", a, b, expect=3)
    check("more than --fail-above" in err, "fail-above message")
    run("diff", "--fail-above", "1M", a, b, expect=0)
    run("diff", "--fail-above", "0", b, b, expect=0)
    j = run_json("diff", "--by", "module", a, b)
    check(any(m["module"] == "app" and m["count_delta"] == 7
              for m in j.get("modules", [])), "diff --by module")


def test_diff_totals(d):
    """diff's totals equal summary's, in the table and the JSON."""
    a, b = d / "a.snap", d / "b.snap"
    sa, sb = run_json("summary", a), run_json("summary", b)
    j = run_json("diff", a, b)
    check(j.get("count_a") == sa["objects"] and j.get("count_b") ==
          sb["objects"] and j.get("count_delta") == sb["objects"] -
          sa["objects"], "diff --json count totals: %r" % {
              k: j.get(k) for k in ("count_a", "count_b", "count_delta")})
    check(j.get("size_a") == sa["size"] and j.get("size_b") == sb["size"],
          "diff --json size totals")
    check(sum(t["count_b"] for t in j["types"]) == j.get("count_b"),
          "diff count_b is the sum of the types")
    out, _ = run("diff", a, b)
    check("total: %s -> %s objects" % ("{:,}".format(sa["objects"]),
                                       "{:,}".format(sb["objects"])) in out,
          "diff text totals: %r" % out[-200:])
    j = run_json("diff", "--by", "module", a, b)
    check(j.get("count_b") == sb["objects"], "diff --by module totals")


# mksnap's heap (see mksnap.c): sizes of the leak's objects
LEAKED, METHOD, BYTEARRAY = 56, 64, 313


def test_retained(d):
    a, b = d / "a.snap", d / "b.snap"
    info = run_json("info", b)
    j = run_json("retained", b)
    for k in ("objects", "size", "reachable", "unreachable", "top"):
        check(k in j, "retained --json has %s" % k)
    check(j.get("objects") == info["objects"] and j.get("size") ==
          info["size"], "retained totals equal info's")
    check(j.get("unreachable") == {"count": 2, "size": 96},
          "the unreachable cycle of two Nodes: %r" % j.get("unreachable"))
    check(j["reachable"]["count"] + j["unreachable"]["count"] ==
          j["objects"], "reachable + unreachable = all")
    top = j.get("top", [])
    check(len(top) == 20, "20 objects by default")
    check([t["retained"] for t in top] ==
          sorted((t["retained"] for t in top), reverse=True),
          "top sorted by retained size")
    # the module retains everything reachable but the unreferenced str
    check(top and top[0]["address"] == "0x7f0000000000"
          and top[0]["retained"] == j["reachable"]["size"] - 55,
          "the module retains all but the unreferenced str: %r" % top[:1])
    for t in top:
        steps = t.get("path", [])
        check(steps and steps[-1]["address"] == t["address"]
              and "root" in steps[0], "top entry with its path: %r" % t)
    j = run_json("retained", "--type", "LeakedSession", b)
    top = j.get("top", [])
    check(len(top) == 7 and all(t["retained"] == LEAKED + BYTEARRAY
                                and t["size"] == LEAKED for t in top),
          "each LeakedSession retains itself and its buffer: %r" % top)
    check(all(any(s["label"] == "['_handlers']" for s in t["path"])
              for t in top), "LeakedSession paths through _handlers")
    j = run_json("retained", "--by", "type", b)
    types = {(t["module"], t["type"]): t for t in j.get("types", [])}
    ls = types.get(("app", "LeakedSession"), {})
    check(ls.get("count") == 7 and ls.get("retained") ==
          7 * (LEAKED + BYTEARRAY), "retained by type: %r" % ls)
    m = types.get(("builtins", "method"), {})
    check(m.get("retained") == 7 * (METHOD + LEAKED + BYTEARRAY),
          "methods retain their sessions: %r" % m)
    # the module dict holds the other dicts: only it counts for dict
    dicts = types.get(("builtins", "dict"), {})
    check(dicts.get("count") == 1, "dicts inside a dict count once: %r"
          % dicts)
    # a.Node: the reachable one only (the cycle is unreachable)
    node = types.get(("a", "Node"), {})
    check(node.get("count") == 1 and node.get("retained") == 48,
          "a.Node retained: %r" % node)
    retained = [t["retained"] for t in j.get("types", [])]
    check(retained == sorted(retained, reverse=True), "types sorted")
    j = run_json("retained", "--by", "module", b)
    mods = {t["module"]: t for t in j.get("modules", [])}
    check(mods.get("app", {}).get("retained") ==
          7 * (LEAKED + BYTEARRAY) + 50 * 56,
          "retained by module app: %r" % mods.get("app"))
    out, _ = run("retained", "--top", "3", b)
    check("reachable:" in out and "module @0x7f0000000000" in out
          and "sys.modules['app']" in out, "retained text: %r" % out)
    out, _ = run("retained", "--by", "type", b)
    check("LeakedSession" in out and "retained" in out,
          "retained --by type text: %r" % out)
    run("retained", "--type", "Nope", b, expect=1)
    # summary --retained: the same figures per type
    j = run_json("summary", "--retained", b)
    s_types = {(t["module"], t["type"]): t for t in j.get("types", [])}
    check(s_types.get(("app", "LeakedSession"), {}).get("retained") ==
          ls.get("retained") and s_types.get(("builtins", "method"),
                                             {}).get("retained") ==
          m.get("retained"), "summary --retained equals retained --by")
    j = run_json("summary", "--sort", "retained", b)
    r = [t["retained"] for t in j.get("types", [])]
    check(r == sorted(r, reverse=True), "summary --sort retained")
    out, _ = run("summary", "--retained", b)
    check("retained" in out.splitlines()[0], "summary --retained column")
    # diff --retained
    j = run_json("diff", "--retained", a, b)
    rows = [t for t in j.get("types", []) if t["type"] == "LeakedSession"]
    check(rows and rows[0].get("retained_a") == 0 and
          rows[0].get("retained_delta") == 7 * (LEAKED + BYTEARRAY),
          "diff --retained: %r" % rows)
    check("retained_delta" in j, "diff --retained totals")
    out, _ = run("diff", "--retained", a, b)
    check("retained" in out.splitlines()[0], "diff --retained column")
    # paths --type: each group with its retained size
    j = run_json("paths", "--type", "LeakedSession", b)
    check(j["paths"][0].get("retained") == 7 * (LEAKED + BYTEARRAY),
          "paths group retained: %r" % j["paths"][0].get("retained"))
    j = run_json("paths", "--type", "LeakedSession", "--no-retained", b)
    check("retained" not in j["paths"][0] and j["paths"][0]["count"] == 7,
          "paths --no-retained: %r" % j["paths"][0])
    out, _ = run("paths", "--type", "LeakedSession", "--no-retained", b)
    check("7 of 7 LeakedSession held through" in out, "--no-retained text")


def test_dominators(d):
    b = d / "b.snap"
    j = run_json("dominators", b, "0x7f0001000080")   # leak 0's buffer
    chain = j.get("chain", [])
    check([c["type"] for c in chain] ==
          ["module", "dict", "type", "dict", "list", "method",
           "LeakedSession"], "dominator chain: %r" % chain)
    check(j.get("target", {}).get("retained") == BYTEARRAY
          and j["target"].get("unreachable") is False, "target: %r" % j)
    check(chain and chain[-1]["retained"] == LEAKED + BYTEARRAY,
          "the session retains its buffer")
    check(all(set(("address", "type", "module", "size", "retained")) <=
              set(c) for c in chain), "chain fields")
    # a weak reference does not keep node_a alive: the module dict does
    j = run_json("dominators", b, "0x7f0000000600")
    check([c["address"] for c in j.get("chain", [])] ==
          ["0x7f0000000000", "0x7f0000000100"], "weakref not a dominator")
    # the unreachable cycle: its own island
    j = run_json("dominators", b, "0x7f0000000b00")
    check(j["target"]["unreachable"] is True and
          [c["address"] for c in j["chain"]] == ["0x7f0000000a00"],
          "island: %r" % j)
    out, _ = run("dominators", b, "0x7f0001000080")
    check("kept alive through 7 dominators" in out and "(this object)"
          in out and "[root: module app]" in out, "dominators text: %r" % out)
    out, _ = run("dominators", b, "0x7f0000000b00")
    check("reachable from no root" in out, "island text")
    run("dominators", b, "0x1234", expect=1)


def parse_markdown_tables(text):
    """The GitHub-flavoured tables of text: [(header, rows)], checking the
    separator line and that every row has the header's cell count."""
    tables, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if not lines[i].startswith("|"):
            i += 1
            continue
        block = []
        while i < len(lines) and lines[i].startswith("|"):
            block.append([c.strip() for c in lines[i].strip("|").split(" |")])
            i += 1
        check(len(block) >= 2 and all(set(c) <= set("-: ")
                                      for c in block[1]),
              "markdown table separator: %r" % block[:2])
        check(all(len(r) == len(block[0]) for r in block),
              "markdown rows of the header's width: %r" % block)
        tables.append((block[0], block[2:]))
    return tables


def test_leaks(d):
    """BASE (no leak), TARGET (7 leaked sessions, 10 transient customers),
    FINAL (10 leaked: the first 7 still there; the customers gone)."""
    base, target, final = d / "a.snap", d / "t.snap", d / "f.snap"
    mksnap(target, "--leak", "7", "--scale", "60")
    mksnap(final, "--leak", "10")
    j = run_json("leaks", base, target, final)
    # 31 new in TARGET (the 10 customers transient): 7 methods, their
    # sessions and payloads gained, all through the one list
    check(j.get("new") == 31 and j.get("candidates") == 21
          and j.get("gained") == 21,
          "31 new, 21 still alive and gained: %r" % {
              k: j.get(k) for k in ("new", "candidates", "gained")})
    pts = j.get("points", [])
    leaked = 7 * (METHOD + LEAKED + BYTEARRAY)
    check(len(pts) == 1 and pts[0]["kind"] == "holder"
          and pts[0]["type"] == "list" and pts[0]["count"] == 21
          and pts[0]["size"] == leaked and pts[0]["retained"] == leaked
          and j.get("retained") == leaked,
          "one point, the handler list, gained the 21: %r" % pts)
    if len(pts) == 1:
        pt = pts[0]
        check({t["type"]: t["count"] for t in pt["types"]} ==
              {"method": 7, "LeakedSession": 7, "bytearray": 7}
              and pt["hang"]["items"] == 7,
              "its gains by type and how they hang: %r" % pt)
        check("_handlers" in pt["label"] and pt["path"][-1]["label"] ==
              "['_handlers']" and pt["path"][-1]["address"] ==
              pt["address"] and pt["example"][0]["address"] ==
              pt["address"] and pt["example"][-1]["type"] == "method",
              "named by its container, path to it, an example from it")
    out, _ = run("leaks", base, target, final)
    check("1 accumulation point" in out and "._handlers" in out
          and "7 method" in out and "7 items" in out,
          "leaks text: %r" % out)
    out, _ = run("leaks", "--format", "markdown", base, target, final)
    tables = parse_markdown_tables(out)
    check(len(tables) == 1 and tables[0][0][:4] ==
          ["#", "accumulation point", "gained", "retained"]
          and tables[0][1][0][2] == "21",
          "leaks markdown table: %r" % tables)
    check("```" in out and "['_handlers']" in out, "paths in code blocks")
    # --by path: the clusters by path shape, as before
    j = run_json("leaks", "--by", "path", base, target, final)
    cl = j.get("clusters", [])
    check(j.get("candidates") == 21 and j.get("dominated") == 14
          and len(cl) == 1 and cl[0]["type"] == "method"
          and cl[0]["count"] == 7 and cl[0]["retained"] == leaked,
          "--by path: one cluster of 7 methods: %r" % j)
    # nothing leaks between two identical snapshots
    j = run_json("leaks", base, base, base)
    check(j.get("candidates") == 0 and j.get("points") == [],
          "no candidates: %r" % j)
    # --min-count counts the gained objects (21), not the outermost (7)
    j = run_json("leaks", "--min-count", "21", base, target, final)
    check(len(j.get("points", [])) == 1, "--min-count 21 keeps the point")
    j = run_json("leaks", "--min-count", "22", base, target, final)
    check(j.get("points") == [] and j.get("all_points") == 1,
          "--min-count 22 hides it: %r" % j)
    # diff --growth: the same point from two snapshots; trend --growth
    j = run_json("diff", "--growth", base, final)
    pts = j.get("points", [])
    check(len(pts) == 1 and "_handlers" in pts[0]["label"]
          and pts[0]["count"] == 30, "diff --growth: %r" % pts)
    j = run_json("trend", "--growth", base, target, final)
    pts = j.get("points", [])
    check(len(pts) == 1 and "_handlers" in pts[0]["label"]
          and pts[0]["per_step"] == [21, 9], "trend --growth: %r" % pts)
    run("leaks", "--fail-above", "1K", base, target, final, expect=3)
    run("leaks", "--fail-above", "1M", base, target, final, expect=0)
    _, err = run("leaks", base, target, d / "c.snap", expect=1)
    check("different processes" in err, "leaks of different processes")
    run("leaks", base, target, d / "missing.snap", expect=1)


def test_trend(d):
    a, b, f = d / "a.snap", d / "b.snap", d / "f10.snap"
    mksnap(f, "--leak", "10")
    j = run_json("trend", a, b, f)
    check(j.get("snapshots") == [str(a), str(b), str(f)], "trend snapshots")
    types = j.get("types", [])
    ls = [t for t in types if t["type"] == "LeakedSession"]
    check(ls and ls[0]["count"] == [0, 7, 10] and ls[0]["growing"] is True,
          "LeakedSession grows: %r" % ls)
    cust = [t for t in types if t["type"] == "Customer"]
    check(cust and cust[0]["count"] == [50, 50, 50]
          and cust[0]["growing"] is False, "Customer flat: %r" % cust)
    grow = [t["growing"] for t in types]
    check(grow == sorted(grow, reverse=True), "growing types first")
    check(j.get("count") == [run_json("summary", x)["objects"]
                             for x in (a, b, f)], "trend totals")
    out, _ = run("trend", a, b, f)
    check("* LeakedSession" in out and "3 snapshots" in out,
          "trend text: %r" % out)
    out, _ = run("trend", "--format", "markdown", "--by", "module", a, b, f)
    tables = parse_markdown_tables(out)
    check(len(tables) == 1 and tables[0][0][-1] == "module"
          and any(r[-1] == "* app" for r in tables[0][1]),
          "trend markdown: %r" % tables)


def test_scrub(d):
    b, pub = d / "b.snap", d / "pub.snap"
    run("scrub", b, pub)
    for cmd in (["summary"], ["retained", "--by", "type"], ["info"]):
        x, y = run_json(*(cmd + [b])), run_json(*(cmd + [pub]))
        for k in ("objects", "size", "edges", "roots"):
            check(x.get(k) == y.get(k), "%s %s equal after scrub: %r %r"
                  % (" ".join(cmd), k, x.get(k), y.get(k)))
        if "types" in x and isinstance(x["types"], list):
            # the same groups, the program's own classes renamed
            def shape(rows):
                return sorted((r.get("count"), r.get("size"),
                               r.get("retained")) for r in rows)
            check(shape(x["types"]) == shape(y["types"]),
                  "%s groups equal after scrub" % " ".join(cmd))
            names = {r["type"] for r in y["types"]}
            check("LeakedSession" not in names and "Customer" not in names
                  and "dict" in names and "method" in names,
                  "%s: heap types renamed, static kept: %r" % (
                      " ".join(cmd), sorted(names)))
    y = run_json("summary", "--by", "module", pub)
    mods = {r["module"] for r in y["modules"]} if "modules" in y else set()
    check(not mods or ("app" not in mods and "builtins" in mods),
          "module names of the program's classes replaced: %r" % mods)
    # addresses are permuted: none of the original remains
    xa = {o["address"] for o in run_json("retained", "--top", "1000", b)["top"]}
    ya = {o["address"] for o in run_json("retained", "--top", "1000", pub)["top"]}
    check(xa and ya and not (xa & ya), "addresses renumbered: %r %r" % (
        sorted(xa)[:3], sorted(ya)[:3]))
    x = run_json("paths", "--type", "LeakedSession", b)
    run("scrub", "--keep", "names", b, d / "pub-n.snap")
    y = run_json("paths", "--type", "LeakedSession", d / "pub-n.snap")
    check([p["count"] for p in x["paths"]] == [p["count"] for p in
                                                y["paths"]],
          "paths groups equal after scrub")
    labels = [st["label"] for st in y["paths"][0]["steps"]]
    check("['_handlers']" not in labels and "['k1']" in labels
          and ".__dict__" in labels and ".__self__" in labels,
          "dict keys become placeholders, C fields stay: %r" % labels)
    # two scrubbed snapshots of one process still match: the address
    # permutation and scrub.process derive from the same identity
    run("scrub", d / "a.snap", d / "pub-a.snap")
    j = run_json("diff", "--objects", d / "pub-a.snap", pub)
    check(j.get("new_objects", {}).get("count") == 21,
          "--objects across scrub: %r" % j.get("new_objects"))
    # ... but not with an unscrubbed one, nor with another process
    _, err = run("diff", "--objects", d / "a.snap", pub, expect=1)
    check("was scrubbed" in err, "scrubbed vs not: %r" % err)
    j = run_json("scrub", b, pub)
    check(j.get("objects") == 84 and j.get("placeholders", {}).get("k", 0)
          > 50 and j.get("dropped") == ["labels", "names", "strings",
                                        "metadata", "addresses"]
          and j.get("addresses_renumbered") == 84, "scrub --json: %r" % j)
    meta = run_json("info", pub)["meta"]
    check(meta.get("scrub.process", "").startswith("scrubbed-")
          and meta.get("scrub.dropped")
          == "labels,names,strings,metadata,addresses"
          and "pid" not in meta and "boot_id" not in meta
          and "process.start_time" not in meta, "metadata: %r" % meta)
    run("scrub", "--drop", "strings,addresses", b, d / "pub2.snap")
    y = run_json("paths", "--type", "LeakedSession", d / "pub2.snap")
    check("['_handlers']" in [st["label"] for st in y["paths"][0]["steps"]],
          "--drop without labels keeps them")
    meta = run_json("info", d / "pub2.snap")["meta"]
    check(meta.get("pid") == 4242, "--drop without metadata keeps the pid")
    run("scrub", "--drop", "secrets", b, d / "x.snap", expect=2)
    run("scrub", "--keep", "secrets", b, d / "x.snap", expect=2)
    run("scrub", "--drop", "names", "--keep", "labels", b, d / "x.snap",
        expect=2)
    run("scrub", "--drop", "", b, d / "x.snap", expect=2)
    run("scrub", b, expect=2)
    _, err = run("scrub", b, d / "no" / "such" / "dir.snap", expect=1)
    check("no/such" in err and not (d / "no").exists(),
          "unwritable output: %r" % err)
    run("scrub", d / "missing.snap", d / "x.snap", expect=1)
    check(not (d / "x.snap").exists(), "no output after a failure")


def test_markdown(d):
    a, b = d / "a.snap", d / "b.snap"
    out, _ = run("summary", "--format", "markdown", b)
    tables = parse_markdown_tables(out)
    check(len(tables) == 1 and tables[0][0] == ["count", "size", "share",
                                                 "type"],
          "summary markdown: %r" % tables)
    sj = run_json("summary", b)
    check(len(tables[0][1]) == min(20, len(sj["types"])),
          "summary markdown rows")
    out, _ = run("diff", "--objects", "--format", "markdown", a, b)
    tables = parse_markdown_tables(out)
    check(len(tables) == 3, "diff --objects markdown: three tables: %r"
          % [t[0] for t in tables])
    out, _ = run("retained", "--format", "markdown", "--top", "3", b)
    tables = parse_markdown_tables(out)
    check(len(tables) == 1 and len(tables[0][1]) == 3
          and out.count("```") == 6, "retained markdown: %r" % out)
    out, _ = run("retained", "--by", "type", "--format", "markdown", b)
    check(len(parse_markdown_tables(out)) == 1, "retained --by markdown")


def test_errors(d):
    a = d / "a.snap"
    data = a.read_bytes()
    _, err = run("info", d / "missing.snap", expect=1)
    check("cannot open '%s': No such file or directory" % (d / "missing.snap")
          in err, "missing file message: %r" % err)
    (d / "text.snap").write_bytes(b"hello, this is not a snapshot\n" * 4)
    for c in ("info", "summary"):
        _, err = run(c, d / "text.snap", expect=1)
        check(err.count("\n") == 1, "one line error: %r" % err)
    # truncated: without and with --partial
    big = d / "big.snap"
    mksnap(big, "--leak", "40", "--scale", "400")
    bd = big.read_bytes()
    (d / "trunc.snap").write_bytes(bd[:len(bd) * 2 // 3])
    t = d / "trunc.snap"
    for args in (["info", t], ["summary", t], ["diff", t, t],
                 ["paths", "--type", "Customer", t],
                 ["referrers", t, "0x7f0000000000"]):
        _, err = run(*args, expect=1)
        check(err.startswith("muppy-analyze: '%s'" % t), "truncated: %r" % err)
        _, err = run(*(args[:1] + ["--partial"] + args[1:]), expect=0)
        check("incomplete" in err, "--partial says so: %r" % err)
    j = run_json("info", "--partial", t)
    check(j.get("partial") is True, "info --partial JSON")
    j = run_json("summary", "--partial", t)
    check(0 < j.get("objects", 0) < 40 * 3 + 400 + 13, "partial objects")
    # corrupted OBJS block: checksum mismatch with block and offset
    off, stored = find_block(bd, b"OBJS")
    check(off is not None, "found an OBJS block")
    if off is not None:
        bad = bytearray(bd)
        bad[off + 40 + stored // 2] ^= 0x55
        (d / "corrupt.snap").write_bytes(bytes(bad))
        _, err = run("info", d / "corrupt.snap", expect=1)
        check("block" in err and "offset" in err, "corrupt: %r" % err)
        run("summary", d / "corrupt.snap", expect=1)
        run("info", "--partial", d / "corrupt.snap", expect=0)
    # future version
    fut = bytearray(data)
    struct.pack_into("<H", fut, 8, 2)
    (d / "future.snap").write_bytes(bytes(fut))
    _, err = run("info", d / "future.snap", expect=1)
    check("version" in err, "future version: %r" % err)
    # empty file
    (d / "empty.snap").write_bytes(b"")
    run("info", d / "empty.snap", expect=1)
    # the project's test vectors (samples/expect.txt): info checks every
    # block, so it fails on every bad-*.snap; the other commands decode
    # only the columns they need and may not see damage elsewhere, but
    # never crash and never exit with anything but 0 or 1
    samples = os.path.join(ARGS.root, "samples")
    for f in sorted(glob.glob(os.path.join(samples, "bad-*.snap"))):
        run("info", f, expect=1)
        for c in (["summary"], ["paths", "--type", "dict"]):
            for part in ([], ["--partial"]):
                p = subprocess.run([ARGS.analyzer] + c[:1] + part + c[1:]
                                   + [f], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=60)
                check(p.returncode in (0, 1), "%s %s: exit %d" % (
                    " ".join(c + part), f, p.returncode))
        run("info", "--partial", f, expect=None)
    for f in sorted(glob.glob(os.path.join(samples, "v1-*.snap"))):
        j = run_json("info", f)
        check(j.get("integrity") == "ok", "%s: integrity ok" % f)
        run("summary", f)
        run("diff", f, f)
    # every command of the dominator tree, leaks, trend and scrub, on
    # every test vector and on the truncated and damaged files: exit 0 or
    # 1 (with --partial too), never a signal
    files = sorted(glob.glob(os.path.join(samples, "*.snap"))) + [
        str(t), str(d / "corrupt.snap"), str(d / "future.snap"),
        str(d / "empty.snap"), str(d / "text.snap")]
    for f in files:
        out = str(d / "scrubbed.snap")
        for c in (["retained"], ["retained", "--by", "type"],
                  ["dominators", f, "0x7f0000000000"],
                  ["summary", "--retained"], ["diff", "--retained", f],
                  ["leaks", f, f], ["trend", f], ["scrub", f, out]):
            for part in ([], ["--partial"]):
                args = c[:1] + part + c[1:] + [f]
                if c[0] in ("dominators", "scrub"):
                    args = c[:1] + part + [f] + c[2:]
                p = subprocess.run([ARGS.analyzer] + args,
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=60)
                check(p.returncode in (0, 1), "%s: exit %d" % (
                    " ".join(args), p.returncode))


# ---- exports, pictures and the report (spec/exports.md) -------------------

HS_KEYS = ["snapshot", "nodes", "edges", "trace_function_infos",
           "trace_tree", "samples", "locations", "strings"]
HS_NODE_FIELDS = ["type", "name", "id", "self_size", "edge_count",
                  "trace_node_id", "detachedness"]
HS_NODE_TYPES = ["hidden", "array", "string", "object", "code", "closure",
                 "regexp", "number", "native", "synthetic",
                 "concatenated string", "sliced string", "symbol", "bigint",
                 "object shape"]
HS_EDGE_TYPES = ["context", "element", "property", "internal", "hidden",
                 "shortcut", "weak"]
HS_FIRST_OBJECT = 9     # root, (GC roots), 7 sub-roots


def hs_graph(hs):
    """Nodes as dicts and each node's edges, from a loaded heapsnapshot."""
    nf, ef = 7, 3
    strings = hs["strings"]
    nodes, edges_of = [], []
    n = len(hs["nodes"]) // nf
    e = 0
    for i in range(n):
        t, name, nid, size, ec = hs["nodes"][i * nf:i * nf + 5]
        nodes.append({"type": HS_NODE_TYPES[t], "name": strings[name],
                      "id": nid, "size": size, "edges": ec})
        out = []
        for k in range(ec):
            et, noi, to = hs["edges"][(e + k) * ef:(e + k) * ef + 3]
            etype = HS_EDGE_TYPES[et]
            label = noi if etype in ("element", "hidden") else strings[noi]
            out.append((etype, label, to))
        e += ec
        edges_of.append(out)
    return nodes, edges_of


def csv_objects(path):
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_export_heapsnapshot(d):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import devtools_loader
    a, b = d / "a.snap", d / "b.snap"
    out = d / "b.heapsnapshot"
    info = run_json("info", b)
    _, err = run("export", "--format", "heapsnapshot", b, "-o", out)
    check(err == "", "export is quiet: %r" % err)
    with open(out, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    check(list(doc) == HS_KEYS, "top-level keys in DevTools' order: %r"
          % list(doc))
    meta = doc["snapshot"]["meta"]
    check(meta["node_fields"] == HS_NODE_FIELDS
          and meta["node_types"][0] == HS_NODE_TYPES
          and meta["edge_fields"] == ["type", "name_or_index", "to_node"]
          and meta["edge_types"][0] == HS_EDGE_TYPES
          and "location_fields" in meta and "sample_fields" in meta,
          "meta fields: %r" % meta)
    for k in ("trace_function_infos", "trace_tree", "samples", "locations"):
        check(doc[k] == [], "%s empty" % k)
    # the streaming loader with DevTools' rules reads the same
    try:
        hs = devtools_loader.load(str(out))
    except devtools_loader.LoaderError as e:
        fail("DevTools-like loader: %s" % e)
        return
    check(hs["nodes"] == doc["nodes"] and hs["edges"] == doc["edges"]
          and hs["strings"] == doc["strings"], "loader reads what json reads")
    snap = doc["snapshot"]
    check(snap["node_count"] == HS_FIRST_OBJECT + info["objects"]
          and len(doc["nodes"]) == 7 * snap["node_count"],
          "node_count: %r" % snap)
    # edges: root, 7 sub-roots, 1 module root, 1 unreferenced str
    check(snap["edge_count"] == info["edges"] + 1 + 7 + 1 + 1
          and len(doc["edges"]) == 3 * snap["edge_count"],
          "edge_count: %r vs %d edges" % (snap, info["edges"]))
    nums = doc["nodes"] + doc["edges"]
    check(all(isinstance(x, int) and 0 <= x < 2 ** 32 for x in nums),
          "only integers from 0 to 2^32 - 1 in the number arrays")
    check(all(to % 7 == 0 and to < len(doc["nodes"])
              for to in doc["edges"][2::3]), "to_node = position x 7")
    nodes, edges = hs_graph(hs)
    check(sum(n["edges"] for n in nodes) == snap["edge_count"],
          "edge_count per node adds up")
    ids = [n["id"] for n in nodes]
    check(all(i % 2 == 1 for i in ids) and len(set(ids)) == len(ids),
          "ids odd and unique")
    check(nodes[0]["type"] == "synthetic" and nodes[0]["id"] == 1
          and edges[0] == [("element", 1, 7)], "node 0 is the root")
    check(nodes[1]["name"] == "(GC roots)" and len(edges[1]) == 7,
          "(GC roots) with 7 sub-roots: %r" % edges[1])
    subs = {nodes[to // 7]["name"]: to // 7 for _, _, to in edges[1]}
    check(set(subs) == {"(sys.modules)", "(modules)", "(builtins)",
                        "(thread frames)", "(gc.garbage)", "(other roots)",
                        "(unreferenced)"}, "sub-roots: %r" % subs)
    check(edges[subs["(modules)"]] == [("property", "app", 7 * 9)],
          "the module root: %r" % edges[subs["(modules)"]])
    check(edges[subs["(unreferenced)"]] == [("element", 1, 7 * (9 + 9))],
          "the unreferenced str: %r" % edges[subs["(unreferenced)"]])
    # node types and names, sizes
    objs = nodes[HS_FIRST_OBJECT:]
    expect = {0: ("object", "module", 72), 1: ("object", "dict", 1200),
              4: ("array", "list", 56 + 8 * 7), 9: ("string", "str", 55),
              12: ("number", "int", 28), 6: ("object", "a.Node", 48),
              8: ("object", "weakref.ReferenceType", 72)}
    for i, (t, name, size) in expect.items():
        check((objs[i]["type"], objs[i]["name"], objs[i]["size"])
              == (t, name, size), "node of object %d: %r" % (i, objs[i]))
    leaked = [o for o in objs if o["name"] == "app.LeakedSession"]
    check(len(leaked) == 7 and all(o["type"] == "object" for o in leaked),
          "LeakedSession nodes")
    check(any(o["type"] == "closure" and o["name"] == "method"
              for o in objs), "methods are closures")
    # edge types and names
    e_mod = edges[HS_FIRST_OBJECT + 0]
    check(e_mod == [("property", "__dict__", 7 * 10)], "attr edge %r"
          % e_mod)
    e_dict = dict((lbl, (t, to)) for t, lbl, to in edges[HS_FIRST_OBJECT + 1])
    check(e_dict.get("customers") == ("property", 7 * 14)
          and e_dict.get('odd,"key"\n<&>') == ("property", 7 * 21),
          "str keys are properties: %r" % e_dict)
    check(edges[HS_FIRST_OBJECT + 4][:2] == [("element", 0, 7 * (9 + 63)),
                                             ("element", 1, 7 * (9 + 66))],
          "list items are elements: %r" % edges[HS_FIRST_OBJECT + 4][:2])
    check(edges[HS_FIRST_OBJECT + 8] == [("weak", "", 7 * 15)],
          "weak reference: %r" % edges[HS_FIRST_OBJECT + 8])
    # -o - writes the same to stdout
    p = subprocess.run([ARGS.analyzer, "export", "--format", "heapsnapshot",
                        str(b), "-o", "-"], stdout=subprocess.PIPE)
    check(p.returncode == 0 and p.stdout.decode("utf-8") == text,
          "-o - writes the same bytes")
    # the golden file: the exact bytes for mksnap's heap with 7 leaks
    golden = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "fixtures", "mksnap-leak7.heapsnapshot")
    with open(golden, encoding="utf-8") as f:
        check(f.read() == text, "export equals the fixture %s (if the "
              "mapping changed on purpose, regenerate it and say so in "
              "spec/exports.md)" % golden)
    devtools_loader.load(golden)
    # ids are stable across the snapshots of one process: a and b share
    # their first 63 objects (same addresses and types)
    run("export", "--format", "heapsnapshot", a, "-o", d / "a.heapsnapshot")
    ha = devtools_loader.load(str(d / "a.heapsnapshot"))
    na, _ = hs_graph(ha)
    check([n["id"] for n in na] == ids[:len(na)],
          "the same objects keep their ids across snapshots")
    # a different type at the same address is another object: another id
    mksnap(d / "other.snap", "--leak", "7", "--rename", "Customer")
    run("export", "--format", "heapsnapshot", d / "other.snap", "-o",
        d / "other.heapsnapshot")
    no, _ = hs_graph(devtools_loader.load(str(d / "other.heapsnapshot")))
    cust = [i for i, n in enumerate(objs) if n["name"] == "app.Customer"]
    check(cust and all(no[HS_FIRST_OBJECT + i]["id"] != ids[HS_FIRST_OBJECT
                                                             + i]
                       for i in cust)
          and no[HS_FIRST_OBJECT]["id"] == ids[HS_FIRST_OBJECT],
          "ids depend on the type too")


def test_external_nodes(d):
    """Format 1.1's external nodes (memory outside objects) in every
    export, and the memory breakdown in info and the report, on the test
    vector samples/v1.1-external.snap."""
    import re
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import devtools_loader
    snap = d / "ext.snap"
    shutil.copyfile(os.path.join(ARGS.root, "samples", "v1.1-external.snap"),
                    snap)
    info = run_json("info", snap)
    mem = info["memory"]
    parts = ["objects", "external", "allocator_free", "file_backed",
             "other", "unexplained"]
    check(sum(mem[k] for k in parts) == mem["rss"] == info["meta"][
        "rss.current"], "info's memory adds up to the RSS: %r" % mem)
    check(mem["other"] == mem["libraries"] + mem["native"]
          and mem["external_nodes"] == 4, "other, nodes: %r" % mem)
    # the external nodes, from the CSV table
    run("export", "--format", "csv", snap, "-o", d / "t")
    objs = csv_objects(d / "t" / "objects.csv")
    ext = {o["type"]: o for o in objs if o["external"] == "1"}
    check(set(ext) == {"numpy data", "torch storage", "mmap.mmap",
                       "torch storage (cuda)"}
          and all(o["module"] == "<external>" and int(o["flags"]) & 0x80
                  for o in ext.values())
          and all(o["module"] != "<external>" and not int(o["flags"]) & 0x80
                  for o in objs if o["external"] == "0"),
          "objects.csv: external column: %r" % objs)
    by_type = {o["type"]: int(o["size"]) for o in ext.values()}
    check(sum(by_type.values()) - by_type["torch storage (cuda)"]
          - by_type["mmap.mmap"] == mem["external"]
          and sum(int(o["size"]) for o in objs if o["external"] == "0")
          == mem["objects"], "CSV sizes agree with the breakdown")
    # heapsnapshot: V8's native nodes, named by their kind, self size
    run("export", "--format", "heapsnapshot", snap, "-o", d / "e.hs")
    nodes, _ = hs_graph(devtools_loader.load(str(d / "e.hs")))
    objs_hs = nodes[HS_FIRST_OBJECT:]
    native = {n["name"]: n["size"] for n in objs_hs if n["type"] == "native"}
    check(native == by_type, "native nodes %r vs CSV %r" % (native, by_type))
    check(len(objs_hs) == len(objs), "one node per object and node")
    # JSON: "external": true on the groups and objects that are nodes
    summ = run_json("summary", snap)
    check(summ["external_objects"] == 4
          and summ["external_size"] == sum(by_type.values())
          and all(t.get("external", False) == (t["module"] == "<external>")
                  for t in summ["types"]), "summary --json: %r" % summ)
    check("external_objects" not in run_json("summary", d / "b.snap"),
          "no external totals without external nodes")
    # the report: one bar, its parts adding up, the legend
    run("report", snap, "-o", d / "r.html")
    html = (d / "r.html").read_text(encoding="utf-8")
    segs = re.findall(r'class="mem-seg" data-part="(\w+)" data-v="(-?\d+)"',
                      html)
    legend = dict(re.findall(r'id="memory-(\w+)" data-v="(-?\d+)"', html))
    check([p for p, _ in segs] == [p for p in parts if mem[p] > 0]
          and all(int(v) == mem[p] for p, v in segs),
          "the bar's segments: %r" % segs)
    check(int(legend.get("rss", -1)) == mem["rss"]
          and all(int(legend.get(p, -1)) == mem[p] for p in parts),
          "the legend: %r" % legend)
    run("report", d / "b.snap", "-o", d / "r0.html")
    html = (d / "r0.html").read_text(encoding="utf-8")
    check('id="memory-not-recorded"' in html and "mem-seg" not in html,
          "a snapshot without the memory metadata: a note, no bar")


def test_export_csv(d):
    import sqlite3
    b = d / "b.snap"
    out = d / "tables"
    info = run_json("info", b)
    run("export", "--format", "csv", b, "-o", out)
    objs = csv_objects(out / "objects.csv")
    edges = csv_objects(out / "edges.csv")
    roots = csv_objects(out / "roots.csv")
    check(len(objs) == info["objects"] and list(objs[0]) ==
          ["index", "address", "module", "type", "size", "retained",
           "flags", "length", "external"], "objects.csv: %r" % (objs[:1],))
    check(len(edges) == info["edges"] and list(edges[0]) ==
          ["from", "to", "kind", "label", "weak"], "edges.csv: %r"
          % (edges[:1],))
    check(roots == [{"object": "0", "kind": "module", "label": "app"}],
          "roots.csv: %r" % roots)
    check(any(e["label"] == 'odd,"key"\n<&>' and e["kind"] == "key_str"
              for e in edges), "a key with a comma, quotes and a newline "
          "survives CSV quoting")
    check(any(e["weak"] == "1" and e["kind"] == "ref" for e in edges),
          "the weak reference")
    check(any(e["kind"] == "index" and e["label"] == "6" for e in edges),
          "list indices")
    ret = run_json("retained", "--top", "5", b)
    by_addr = {o["address"]: o for o in objs}
    for t in ret["top"]:
        check(int(by_addr[t["address"]]["retained"]) == t["retained"],
              "objects.csv retained equals retained --json for %s"
              % t["address"])
    check(objs[4]["length"] == "" and objs[0]["flags"] == "1",
          "flags and empty lengths")
    check(all(o["external"] == "0" for o in objs),
          "a 1.0 heap has no external node")
    # the README's DuckDB query, in SQLite
    db = sqlite3.connect(":memory:")
    db.execute("create table objects (idx integer, address text, module "
               "text, type text, size integer, retained integer, flags "
               "integer, length integer, external integer)")
    db.executemany("insert into objects values (?,?,?,?,?,?,?,?,?)",
                   [tuple(o.values()) for o in objs])
    rows = db.execute("select module, type, count(*) as n, sum(size) as "
                      "bytes from objects group by module, type order by "
                      "bytes desc").fetchall()
    summ = run_json("summary", b)["types"]
    check([(r[0], r[1], r[2], r[3]) for r in rows][:5] ==
          [(t["module"], t["type"], t["count"], t["size"])
           for t in summ][:5], "SQL over objects.csv equals summary")
    run("export", "--format", "csv", "--no-retained", b, "-o", d / "t2")
    check(all(o["retained"] == "" for o in
              csv_objects(d / "t2" / "objects.csv")), "--no-retained")
    # -o names an existing file: not a folder
    _, err = run("export", "--format", "csv", b, "-o", b, expect=1)
    check("Not a directory" in err, "csv into a file: %r" % err)


def check_dot(text, what):
    check(text.startswith("digraph muppy {") and text.endswith("}\n")
          and text.count("{") == text.count("}"), "%s: a digraph: %r"
          % (what, text[:200]))


def test_dot(d):
    b = d / "b.snap"
    dots = {}
    out, _ = run("paths", "--format", "dot", b, "0x7f0001000080")
    check_dot(out, "paths ADDRESS")
    check('label=".buffer"' in out and "fillcolor=\"#f4a261\"" in out
          and "sys.modules['app']" in out and "313 B" in out,
          "paths dot: labels, the root highlighted, sizes: %r" % out)
    dots["paths"] = out
    out, _ = run("paths", "--format", "dot", "--type", "LeakedSession", b)
    check_dot(out, "paths --type")
    check("cluster_g0" in out and "7 of 7 held through this shape" in out
          and 'label="[*]"' in out, "paths --type dot: %r" % out)
    dots["paths_type"] = out
    out, _ = run("paths", "--format", "dot", "--type", "Customer", "--max",
                 "3", b)
    check(out.count("subgraph") == 3 and "47 more shapes" in out,
          "one cluster per group, --max: %r" % out[-300:])
    dots["paths_groups"] = out
    out, _ = run("referrers", "--format", "dot", "--depth", "6", b,
                 "0x7f0001000040")
    check_dot(out, "referrers")
    check('label=".__self__"' in out and "[root: module app]" in out
          and '"#f4a261"' in out and '"#8ecae6"' in out,
          "referrers dot: labels, root and target highlighted: %r" % out)
    dots["referrers"] = out
    out, _ = run("referrers", "--format", "dot", "--max-children", "3", b,
                 "0x7f0000000c00")
    check("... and 48 more" in out and '\\"key\\"' in out,
          "referrers dot: cap and escaped labels: %r" % out)
    dots["referrers_cap"] = out
    out, _ = run("dominators", "--format", "dot", b, "0x7f0001000080")
    check_dot(out, "dominators")
    check("retains 369 B" in out and 'label="[\'_handlers\']"' in out,
          "dominators dot: %r" % out)
    dots["dominators"] = out
    out, _ = run("dominators", "--format", "dot", b, "0x7f0000000b00")
    check("its island" in out, "island dot")
    dots["island"] = out
    return dots


def test_report(d):
    a, b, c = d / "a.snap", d / "b.snap", d / "final.snap"
    info = run_json("info", b)
    out = d / "report.html"
    run("report", b, "-o", out)
    html = out.read_text(encoding="utf-8")
    check("Content-Security-Policy" in html and "default-src 'none'" in html,
          "the page forbids fetching")
    low = html.lower()
    for bad in ("<link", "src=", "@import", "url(", "https:"):
        check(bad not in low, "report: no %r" % bad)
    check(low.count("http://") == 1 and "http://www.w3.org/2000/svg" in low,
          "the only URL is the SVG namespace")
    check('id="total-objects" data-v="%d"' % info["objects"] in html
          and 'id="total-size" data-v="%d"' % info["size"] in html,
          "report totals")
    check("<svg" in html and 'class="t"' in html, "the treemap")
    check("LeakedSession" in html and "odd,&quot;key&quot;" not in html,
          "types listed")
    check(len(html) < 100000, "small: %d bytes" % len(html))
    out2 = d / "report3.html"
    run("report", "--base", a, "--final", c, b, "-o", out2)
    html = out2.read_text(encoding="utf-8")
    check('id="leak-candidates" data-v="21"' in html and
          'id="growth-size"' in html and "_handlers" in html,
          "report with --base and --final: %r" % html[:300])
    # its leak section: one entry per accumulation point, as leaks has it
    sec = html[html.find('<section id="leaks">'):]
    sec = sec[:sec.find("</section>")]
    check(sec.count("._handlers") >= 1 and "7 items" in sec
          and "7 LeakedSession" in sec and "No accumulation" not in sec,
          "report's leak section: the handler list's point: %r" % sec)
    run("report", "--base", a, b, "-o", d / "report2.html")
    check("id=\"growth\"" in (d / "report2.html").read_text()
          and "id=\"leaks\"" not in (d / "report2.html").read_text(),
          "--base alone: growth, no leaks")
    # three snapshots of one process, or nothing
    _, err = run("report", "--base", a, "--final", d / "c99.snap", b, "-o",
                 d / "r4.html", expect=1)
    check("different processes" in err and not (d / "r4.html").exists(),
          "report --final of another process: %r" % err)


def limited(limit):
    """preexec_fn: a file size limit of `limit` bytes (writes past it fail
    with EFBIG, as on a full disk)."""
    def set_limit():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return set_limit


def test_atomic_output(d):
    """No partial file under the final name, ever: a full disk (a file
    size limit), a missing or unwritable directory."""
    b = d / "b.snap"
    w = d / "out"
    w.mkdir()
    jobs = [(["export", "--format", "heapsnapshot", b, "-o"],
             "x.heapsnapshot"),
            (["report", b, "-o"], "x.html")]
    for args, name in jobs:
        target = w / name
        target.write_text("old")
        p = subprocess.run([ARGS.analyzer] + [str(x) for x in args]
                           + [str(target)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, preexec_fn=limited(2048))
        err = p.stderr.decode()
        check(p.returncode == 1 and "cannot write '%s': File too large"
              % target in err and err.count("\n") == 1,
              "%s on a full disk: exit %d, %r" % (args[0], p.returncode, err))
        check(target.read_text() == "old", "%s: the old file is untouched"
              % args[0])
        target.unlink()
        _, err = run(*(args + [w / "missing" / name]), expect=1)
        check("cannot create '%s': No such file or directory"
              % (w / "missing" / name) in err, "missing dir: %r" % err)
        _, err = run(*(args + [b / name]), expect=1)
        check("Not a directory" in err, "a file as directory: %r" % err)
    p = subprocess.run([ARGS.analyzer, "export", "--format", "csv", str(b),
                        "-o", str(w / "t")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, preexec_fn=limited(2048))
    check(p.returncode == 1 and b"File too large" in p.stderr,
          "csv on a full disk: %r" % p.stderr)
    check(list((w / "t").iterdir()) == [], "csv: no table left: %r"
          % list((w / "t").iterdir()))
    if os.geteuid() != 0:
        ro = w / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        _, err = run("export", "--format", "heapsnapshot", b, "-o",
                     ro / "x.heapsnapshot", expect=1)
        check("Permission denied" in err, "unwritable dir: %r" % err)
        ro.chmod(0o755)
    leftovers = [f.name for f in w.iterdir() if ".tmp" in f.name]
    check(leftovers == [], "no temporary file left: %r" % leftovers)


def test_exports_bad_input(d):
    """Damaged snapshots: one line, exit 1, no file; --partial works."""
    big = d / "big.snap"
    trunc = d / "trunc2.snap"
    if not big.exists():
        mksnap(big, "--leak", "40", "--scale", "400")
    data = big.read_bytes()
    trunc.write_bytes(data[:len(data) * 2 // 3])
    out = d / "bad"
    out.mkdir()
    for args in (["export", "--format", "heapsnapshot", trunc, "-o",
                  out / "t.heapsnapshot"],
                 ["export", "--format", "csv", trunc, "-o", out / "t"],
                 ["report", trunc, "-o", out / "t.html"],
                 ["report", "--base", trunc, d / "b.snap", "-o",
                  out / "t2.html"]):
        _, err = run(*args, expect=1)
        check(err.count("\n") == 1 and "muppy-analyze: '" in err,
              "%s truncated: %r" % (args[0], err))
    check(sorted(f.name for f in out.iterdir()) in ([], ["t"]),
          "nothing written for damaged input: %r" % list(out.iterdir()))
    run("export", "--partial", "--format", "heapsnapshot", trunc, "-o",
        out / "p.heapsnapshot")
    json.loads((out / "p.heapsnapshot").read_text())
    run("report", "--partial", trunc, "-o", out / "p.html")
    samples = os.path.join(ARGS.root, "samples")
    for f in sorted(glob.glob(os.path.join(samples, "*.snap"))):
        for c in (["export", "--format", "heapsnapshot"],
                  ["export", "--format", "csv"], ["report"]):
            for part in ([], ["--partial"]):
                p = subprocess.run([ARGS.analyzer] + c + part +
                                   [f, "-o", str(out / "s")],
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, timeout=60)
                check(p.returncode in (0, 1), "%s %s: exit %d" % (
                    " ".join(c + part), f, p.returncode))
                if (out / "s").is_dir():
                    shutil.rmtree(out / "s")
                elif (out / "s").exists():
                    (out / "s").unlink()


# the snapshots every test finds in its folder (see mksnap.c): name and
# mksnap's arguments
FIXTURES = [
    ("a.snap", []),
    ("b.snap", ["--leak", "7"]),
    ("c.snap", ["--leak", "3", "--pid", "99"]),
    ("c99.snap", ["--leak", "9", "--pid", "99"]),
    ("final.snap", ["--leak", "9"]),
]


def discover():
    """The test functions of this module, in the order they are defined:
    every function named test_*, so that none is left out by hand."""
    import inspect
    tests = [f for name, f in globals().items()
             if name.startswith("test_") and inspect.isfunction(f)]
    return sorted(tests, key=lambda f: f.__code__.co_firstlineno)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--mksnap", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("-k", dest="only", action="append", default=[],
                    help="run the tests whose name contains ONLY")
    ARGS = ap.parse_args()
    import inspect
    import pathlib
    top = pathlib.Path(tempfile.mkdtemp(prefix="muppy-an-cmd-"))
    tests = [f for f in discover()
             if not ARGS.only or any(k in f.__name__ for k in ARGS.only)]
    if not tests:
        print("no test matches %s" % ARGS.only, file=sys.stderr)
        return 1
    try:
        for name, args in FIXTURES:
            mksnap(top / name, *args)
        for f in tests:
            # each test in a folder of its own, with fresh fixtures
            d = top / f.__name__
            d.mkdir()
            for name, _ in FIXTURES:
                shutil.copyfile(top / name, d / name)
            before = len(FAILURES)
            try:
                if inspect.signature(f).parameters:
                    f(d)
                else:
                    f()
            except Exception:
                import traceback
                fail("%s raised:\n%s" % (f.__name__, traceback.format_exc()))
            print("%s %s" % ("FAIL" if len(FAILURES) > before else "ok  ",
                             f.__name__))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES), file=sys.stderr)
        return 1
    print("all %d command tests passed" % len(tests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
