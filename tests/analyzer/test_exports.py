#!/usr/bin/env python3
"""The exports, pictures and report checked by the tools they are for:

- memlab (npm, tests/analyzer/js/) loads `export --format heapsnapshot`
  files: the same node and edge counts, and memlab's retained size of
  every reachable object (its own dominator tree) equals muppy's;
  `memlab find-leaks` on the exports of three snapshots finds the leak
  that the report's leak clusters find;
- Graphviz's `dot -Tsvg` renders every `--format dot` output;
- headless Chromium opens the HTML report with the network off: no
  request, no console error, the totals in the DOM equal `info`'s, the
  tables sort; a screenshot is taken.

On mksnap's heaps, then on real heaps dumped by the dumper from
bench/heapgen.py (base, target with a planted leak, final, in one
process).

Skips (tests/testlib.py: exit 77, a failure under MUPPY_REQUIRE_ALL=1)
when node, memlab, Chromium or Graphviz is missing; `tools/deps.sh
--exports` installs them.

usage: test_exports.py --analyzer PATH --mksnap PATH --pythonpath DIR
                       --root REPO --out DIR [--scale N]
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import devtools_loader  # noqa: E402
import testlib  # noqa: E402

FAILURES = []
ARGS = None
JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
HS_FIRST_OBJECT = 9


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def check(cond, msg):
    if not cond:
        fail(msg)


def tool_env():
    """The environment for node and Chromium: without the sanitizer
    runtime the sanitized build preloads into Python."""
    env = dict(os.environ)
    for k in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env.pop(k, None)
    return env


def run(*args, expect=0, cwd=None):
    p = subprocess.run([ARGS.analyzer] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300, cwd=cwd)
    if p.returncode != expect:
        fail("muppy-analyze %s: exit %d (expected %d): %s" % (
            " ".join(map(str, args)), p.returncode, expect,
            p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout.decode("utf-8", "replace")


def run_json(*args):
    out = run(*(list(args) + ["--json"]))
    try:
        return json.loads(out)
    except ValueError:
        fail("not JSON: %r" % out[:300])
        return {}


def node(script, *args, timeout=600):
    p = subprocess.run(["node", os.path.join(JS, script)]
                       + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout,
                       env=tool_env(), cwd=JS)
    if p.returncode != 0:
        fail("node %s %s: exit %d: %s" % (script, " ".join(map(str, args)),
                                          p.returncode,
                                          p.stderr.decode()[-2000:]))
        return {}
    try:
        return json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        fail("node %s: no JSON: %r" % (script, p.stdout[-500:]))
        return {}


def missing_tools():
    missing = []
    if shutil.which("node") is None:
        missing.append("node (nodejs)")
    for mod in ("@memlab/heap-analysis", "@memlab/cli", "playwright-core"):
        if not os.path.isdir(os.path.join(JS, "node_modules", mod)):
            missing.append("%s (npm ci in tests/analyzer/js)" % mod)
    chromium = os.environ.get("MUPPY_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        missing.append("chromium (%s)" % chromium)
    if shutil.which("dot") is None:
        missing.append("dot (graphviz)")
    return missing


# ---- checks -----------------------------------------------------------


def render_dot(text, name, d):
    """dot -Tsvg must render it."""
    src = d / (name + ".dot")
    src.write_text(text, encoding="utf-8")
    p = subprocess.run(["dot", "-Tsvg", str(src), "-o",
                        str(d / (name + ".svg"))], stderr=subprocess.PIPE,
                       timeout=120)
    check(p.returncode == 0 and p.stderr == b""
          and (d / (name + ".svg")).read_text().count("<svg") == 1,
          "dot -Tsvg %s: exit %d %r" % (src, p.returncode, p.stderr[-500:]))


def expect_retained(snap, d, name):
    """Write the expectation for check_heapsnapshot.js: every object's
    retained size from objects.csv, by node position."""
    tables = d / (name + "-tables")
    run("export", "--format", "csv", snap, "-o", tables)
    with open(tables / "objects.csv", newline="", encoding="utf-8") as f:
        objs = list(csv.DictReader(f))
    exp = d / (name + "-expect.json")
    exp.write_text(json.dumps({"retained": {
        str(HS_FIRST_OBJECT + int(o["index"])): int(o["retained"])
        for o in objs}}))
    return exp, objs


def memlab_oracle(snap, d, name):
    """memlab reads the export: counts, and retained sizes equal ours."""
    hs = d / (name + ".heapsnapshot")
    run("export", "--format", "heapsnapshot", snap, "-o", hs)
    info = run_json("info", snap)
    ret = run_json("retained", "--top", "1", snap)
    exp, objs = expect_retained(snap, d, name)
    j = node("check_heapsnapshot.js", hs, exp)
    doc = devtools_loader.load(str(hs))
    check(j.get("nodes") == doc["snapshot"]["node_count"] ==
          HS_FIRST_OBJECT + info["objects"]
          and j.get("edges") == j.get("edges_counted") ==
          doc["snapshot"]["edge_count"],
          "%s: memlab's node and edge counts: %r vs %r" % (
              name, {k: j.get(k) for k in ("nodes", "edges")},
              doc["snapshot"]))
    check(j.get("ids_odd") and j.get("ids_unique"), "%s: ids" % name)
    reachable = ret.get("reachable", {}).get("count")
    check(j.get("reachable") == HS_FIRST_OBJECT + reachable,
          "%s: memlab reaches %r nodes, muppy %r objects + 9" % (
              name, j.get("reachable"), reachable))
    check(j.get("checked") == reachable and j.get("mismatches") == [],
          "%s: memlab's retained sizes equal muppy's for all %r reachable "
          "objects: checked %r, mismatches %r" % (
              name, reachable, j.get("checked"), j.get("mismatches")))
    return hs, objs


def memlab_find_leaks(base, target, final, d, name, leaked_type):
    """memlab find-leaks on three exports names the leaked type."""
    work = d / ("memlab-" + name)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    p = subprocess.run(["node", os.path.join(JS, "node_modules", "@memlab",
                                             "cli", "bin", "memlab.js"),
                        "find-leaks", "--baseline", str(base), "--target",
                        str(target), "--final", str(final),
                        "--trace-all-objects", "--work-dir", str(work)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600, env=tool_env(), cwd=JS)
    out = p.stdout.decode(errors="replace")
    (d / ("memlab-" + name + ".txt")).write_text(out)
    check(p.returncode == 0 and leaked_type in out and "_handlers" in out
          and "MemLab found" in out,
          "%s: memlab find-leaks finds %s through _handlers (exit %d): %s"
          % (name, leaked_type, p.returncode, out[-1500:]))
    return out


def chromium_report(html, d, name, info, shot=None):
    """Chromium opens the report offline: no request, the totals."""
    j = node("check_report.js", html, shot or (d / (name + ".png")))
    check(j.get("requests") == [] and j.get("console_errors") == [],
          "%s: the page makes no request and logs no error: %r %r" % (
              name, j.get("requests"), j.get("console_errors")))
    fig = j.get("figures", {})
    check(fig.get("total-objects") == info["objects"]
          and fig.get("total-size") == info["size"]
          and fig.get("total-edges") == info["edges"],
          "%s: totals in the DOM equal info's: %r" % (name, fig))
    check(j.get("sorted") is True and j.get("treemap_boxes", 0) > 2,
          "%s: sorted tables, treemap: %r" % (name, j))
    check(j.get("load_ms", 10 ** 9) < 5000, "%s: opens in %r ms"
          % (name, j.get("load_ms")))
    return j


def test_mksnap(d):
    m = ARGS.mksnap
    a, b, final = d / "a.snap", d / "b.snap", d / "final.snap"
    subprocess.run([m, str(a)], check=True)
    subprocess.run([m, str(b), "--leak", "7"], check=True)
    subprocess.run([m, str(final), "--leak", "9"], check=True)
    # Graphviz renders every dot output
    outs = {
        "paths": run("paths", "--format", "dot", b, "0x7f0001000080"),
        "paths_type": run("paths", "--format", "dot", "--type",
                          "LeakedSession", b),
        "paths_groups": run("paths", "--format", "dot", "--type",
                            "Customer", "--max", "5", b),
        "paths_fold": run("paths", "--format", "dot", "--type", "Customer",
                          "--fold-keys", b),
        "referrers": run("referrers", "--format", "dot", "--depth", "6", b,
                         "0x7f0001000040"),
        "referrers_cap": run("referrers", "--format", "dot",
                             "--max-children", "3", b, "0x7f0000000c00"),
        "dominators": run("dominators", "--format", "dot", b,
                          "0x7f0001000080"),
        "island": run("dominators", "--format", "dot", b, "0x7f0000000b00"),
    }
    for name, text in outs.items():
        render_dot(text, "mksnap-" + name, d)
    # memlab
    hs_b, _ = memlab_oracle(b, d, "mksnap-b")
    for s in (a, final):
        run("export", "--format", "heapsnapshot", s, "-o",
            d / (s.stem + ".heapsnapshot"))
    memlab_find_leaks(d / "a.heapsnapshot", hs_b, d / "final.heapsnapshot",
                      d, "mksnap", "app.LeakedSession")
    # Chromium
    html = d / "mksnap-report.html"
    run("report", "--base", a, "--final", final, b, "-o", html)
    j = chromium_report(html, d, "mksnap-report", run_json("info", b))
    check(j.get("figures", {}).get("leak-candidates") == 21
          and j.get("leak_rows") == 1, "mksnap report: one leak cluster of "
          "21 candidates: %r" % j)
    # the checker does see requests: a page that fetches must fail it
    bad = d / "fetching.html"
    bad.write_text("<!DOCTYPE html><html><body><img src=\"http://example."
                   "invalid/x.png\"><script src=\"https://example.invalid/"
                   "x.js\"></script><p id=\"total-objects\" data-v=\"1\">"
                   "</p></body></html>")
    j = node("check_report.js", bad)
    check(len(j.get("requests", [])) >= 2,
          "the Chromium check records a page's requests: %r" % j)


HEAPGEN_THREE = r"""
import gc, sys
sys.path.insert(0, sys.argv[1])
import heapgen, muppy
d, scale, leak = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
heapgen.build(scale)
gc.collect()
muppy.dump(d + "/base.snap")
# the workload: it leaks `leak` listeners, and makes transient objects
for i in range(leak):
    heapgen.EventBus.subscribe(heapgen.LeakedSession(i).on_event)
junk = [dict(i=i, s=str(i) * 3) for i in range(5000)]
gc.collect()
muppy.dump(d + "/target.snap")
del junk
gc.collect()
muppy.dump(d + "/final.snap")
"""


def test_heapgen(d, leak=25):
    heapgen_dir = os.path.join(ARGS.root, "bench")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [ARGS.pythonpath] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                             else []))
    p = subprocess.run([sys.executable, "-c", "import muppy"], env=env,
                       stderr=subprocess.PIPE)
    if os.environ.get("MUPPY_DUMPER_SKIP"):
        # a sanitizer build without a runtime to preload into Python
        print("note: real-heap part skipped: %s"
              % os.environ["MUPPY_DUMPER_SKIP"])
        return
    if p.returncode != 0:
        msg = "the dumper is not built: real-heap part skipped"
        if testlib.REQUIRE_ALL:
            fail(msg)
        else:
            print("note: " + msg)
        return
    p = subprocess.run([sys.executable, "-c", HEAPGEN_THREE, heapgen_dir,
                        str(d), str(ARGS.scale), str(leak)], env=env,
                       stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        fail("heapgen dumps: %s" % p.stderr.decode()[-2000:])
        return
    base, target, final = d / "base.snap", d / "target.snap", d / "final.snap"
    # memlab's retained sizes equal ours on a real heap, all of them
    hs_t, objs_t = memlab_oracle(target, d, "heapgen-target")
    hs_b, objs_b = memlab_oracle(base, d, "heapgen-base")
    run("export", "--format", "heapsnapshot", final, "-o",
        d / "heapgen-final.heapsnapshot")
    # ids stable across the process's snapshots: same address and type,
    # same id
    db = devtools_loader.load(str(hs_b))
    dt = devtools_loader.load(str(hs_t))
    id_b = {(o["address"], o["module"], o["type"]):
            db["nodes"][7 * (HS_FIRST_OBJECT + int(o["index"])) + 2]
            for o in objs_b}
    same = moved = 0
    for o in objs_t:
        k = (o["address"], o["module"], o["type"])
        if k in id_b:
            if id_b[k] == dt["nodes"][7 * (HS_FIRST_OBJECT
                                           + int(o["index"])) + 2]:
                same += 1
            else:
                moved += 1
    check(same > 0.9 * len(objs_b) and moved <= max(2, same // 500),
          "ids stable across snapshots: %d same, %d changed" % (same, moved))
    print("ids: %d objects of both snapshots keep their id, %d changed "
          "(collisions)" % (same, moved))
    # memlab find-leaks on three exports finds the planted leak
    memlab_find_leaks(hs_b, hs_t, d / "heapgen-final.heapsnapshot", d,
                      "heapgen", "heapgen.LeakedSession")
    # the report: its leak clusters find the same leak; Chromium opens it
    html = d / "heapgen-report.html"
    # relative names: the page shows them (and the README's screenshot)
    run("report", "--base", base.name, "--final", final.name, target.name,
        "-o", html.name, cwd=d)
    text = html.read_text(encoding="utf-8")
    check("_handlers" in text and 'id="leak-candidates"' in text,
          "heapgen report: the leak through _handlers")
    j = chromium_report(html, d, "heapgen-report", run_json("info", target),
                        shot=ARGS.screenshot)
    check(j.get("leak_rows", 0) >= 1 and "._handlers" in j["leak_types"][0],
          "heapgen report: the leak's accumulation point first: %r"
          % j.get("leak_types"))
    with open(html, encoding="utf-8") as f:
        first = f.read().split('id="leaks"')[1].split("</tr>")[1]
    check("%d LeakedSession" % leak in first,
          "heapgen report: the first leak gained the %d leaked "
          "listeners: %r" % (leak, first[:400]))
    # Graphviz on the real heap
    ls = run_json("paths", "--type", "LeakedSession", target)
    addr = ls["paths"][0]["steps"][-1]["address"] if ls.get("paths") else "0"
    render_dot(run("paths", "--format", "dot", "--type", "LeakedSession",
                   target), "heapgen-paths-type", d)
    render_dot(run("paths", "--format", "dot", target, addr),
               "heapgen-paths", d)
    render_dot(run("referrers", "--format", "dot", "--depth", "4", target,
                   addr), "heapgen-referrers", d)
    render_dot(run("dominators", "--format", "dot", target, addr),
               "heapgen-dominators", d)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--mksnap", required=True)
    ap.add_argument("--pythonpath", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", help="keep the outputs here")
    ap.add_argument("--scale", type=int, default=2000)
    ap.add_argument("--screenshot",
                    help="where the heapgen report's screenshot goes")
    ARGS = ap.parse_args()
    missing = missing_tools()
    if missing:
        testlib.skip("missing %s (tools/deps.sh --exports installs them)"
                     % ", ".join(missing))
    import pathlib
    if ARGS.out:
        d = pathlib.Path(ARGS.out)
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    else:
        d = pathlib.Path(tempfile.mkdtemp(prefix="muppy-exports-"))
    if ARGS.screenshot is None:
        ARGS.screenshot = str(d / "report.png")
    try:
        test_mksnap(d)
        test_heapgen(d)
    finally:
        if not ARGS.out:
            shutil.rmtree(d, ignore_errors=True)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES), file=sys.stderr)
        return 1
    print("all export checks passed (memlab, Chromium, Graphviz)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
